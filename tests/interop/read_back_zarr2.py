"""Reads zlint's N5 outputs with zarr-python 2's N5 store and compares them with the .npy
references written by read_back.py --expected.

Usage: python tests/interop/read_back_zarr2.py EXPECTED_DIR N5_OUTPUT [N5_OUTPUT ...]
       python tests/interop/read_back_zarr2.py --dump-sources DIR N5_SOURCE [N5_SOURCE ...]

--dump-sources saves every array of N5 sources that tensorstore refuses (z5py adds keys to the
compression that tensorstore rejects) as DIR/<store name>__<path>.npy, which read_back.py reads
as their values.
"""

import os
import sys

import numpy as np
import zarr
from zarr.n5 import N5Store


def main(expected_dir, outputs):
    checked = 0
    for out in outputs:
        root = zarr.open(N5Store(out), mode="r")
        prefix = f"{os.path.basename(out)}__"
        for name in sorted(os.listdir(expected_dir)):
            if not name.startswith(prefix):
                continue
            path = name[len(prefix):-len(".npy")].replace("__", "/")
            expected = np.load(os.path.join(expected_dir, name))
            got = (root[path] if path else root)[...]
            assert got.shape == expected.shape, f"{out}/{path}: shape {got.shape} != {expected.shape}"
            assert np.array_equal(expected, got, equal_nan=expected.dtype.kind in "fc"), \
                f"{out}/{path}: zarr-python 2 reads different values"
            checked += 1
    assert checked, "no N5 arrays were checked"
    print(f"interop: {checked} N5 arrays read back identically by zarr-python {zarr.__version__}")


def dump_sources(out_dir, sources):
    os.makedirs(out_dir, exist_ok=True)
    for source in sources:
        root = zarr.open(N5Store(source), mode="r")
        arrays = [root] if isinstance(root, zarr.Array) else [a for _, a in root.arrays(recurse=True)]
        for array in arrays:
            path = array.path.strip("/")
            name = f"{os.path.basename(source)}__{path.replace('/', '__')}.npy"
            np.save(os.path.join(out_dir, name), array[...])


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    if sys.argv[1] == "--dump-sources":
        dump_sources(sys.argv[2], sys.argv[3:])
    else:
        main(sys.argv[1], sys.argv[2:])
