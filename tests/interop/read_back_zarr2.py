"""Reads zlint's N5 outputs with zarr-python 2's N5 store and compares them with the .npy
references written by read_back.py --expected.

Usage: python tests/interop/read_back_zarr2.py EXPECTED_DIR N5_OUTPUT [N5_OUTPUT ...]
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


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
