"""Reads rechunked outputs back with the reference clients and compares them with their sources.

Usage: python tests/interop/read_back.py [--expected DIR] SRC DST [SRC DST ...]

For every array of SRC, DST's array is read by zarr-python 3 (Zarr outputs) and by tensorstore
(every format; N5 in C order, as zlint shows it), and its values, shape and dtype (and for Zarr
its fill value and attributes) must equal the source's. Sources are read with zarr-python 3, or
with tensorstore for N5. tensorstore reads no numcodecs.* codec: an output holding one (a Zarr v2
filter carried into Zarr v3) or Zarr v2 filters is read by zarr-python alone, and the count of
those is printed. With --expected, the source values of N5 outputs are saved there as
.npy files for read_back_zarr2.py (zarr-python 2's N5 store lives in another environment).
Exits 1 on the first difference, naming the array.
"""

import json
import os
import sys

import numpy as np
import tensorstore as ts
import zarr


def is_n5(root):
    return os.path.exists(os.path.join(root, "attributes.json"))


def n5_arrays(root):
    for dirpath, _dirs, files in os.walk(root):
        if "attributes.json" in files:
            attrs = json.load(open(os.path.join(dirpath, "attributes.json")))
            if "dimensions" in attrs:
                yield os.path.relpath(dirpath, root).replace(os.sep, "/").strip(".")


def zarr_arrays(root):
    node = zarr.open(root, mode="r")
    if isinstance(node, zarr.Array):
        yield ""
        return

    def walk(group, prefix):
        for name, child in group.members():
            path = f"{prefix}/{name}" if prefix else name
            if isinstance(child, zarr.Array):
                yield path
            else:
                yield from walk(child, path)

    yield from walk(node, "")


def read_ts(root, path, driver):
    kvpath = os.path.join(root, path) if path else root
    data = ts.open({"driver": driver, "kvstore": {"driver": "file", "path": kvpath}}).result().read().result()
    # tensorstore keeps N5's axis order (fastest first); zlint shows C order.
    return np.transpose(data) if driver == "n5" else data


def numcodecs_only(root, path):
    """Whether the array at `path` needs what tensorstore lacks: a numcodecs.* codec in Zarr v3,
    or Zarr v2 filters."""
    base = os.path.join(root, path) if path else root
    v3, v2 = os.path.join(base, "zarr.json"), os.path.join(base, ".zarray")
    if os.path.exists(v3):
        return "numcodecs." in open(v3).read()
    return os.path.exists(v2) and bool(json.load(open(v2)).get("filters"))


SOURCES = os.environ.get("ZLINT_INTEROP_SOURCES")


def read_source(root, path):
    if is_n5(root):
        dumped = os.path.join(SOURCES or "", f"{os.path.basename(root)}__{path.replace('/', '__')}.npy")
        if SOURCES and os.path.exists(dumped):
            return np.load(dumped)  # read by zarr-python 2 (tensorstore refuses this source)
        return read_ts(root, path, "n5")
    node = zarr.open(root, mode="r")
    return (node[path] if path else node)[...]


def main(args):
    expected_dir = None
    if args and args[0] == "--expected":
        expected_dir, args = args[1], args[2:]
    pairs = list(zip(args[::2], args[1::2]))
    checked = 0
    zarr_python_only = 0
    for src, dst in pairs:
        paths = list(n5_arrays(src) if is_n5(src) else zarr_arrays(src))
        assert paths, f"{src}: no arrays"
        for path in paths:
            where = f"{dst}/{path}"
            expected = read_source(src, path)
            nan = expected.dtype.kind in "fc"
            if is_n5(dst):
                got = read_ts(dst, path, "n5")
                assert got.shape == expected.shape, f"{where}: shape {got.shape} != {expected.shape}"
                assert got.dtype == expected.dtype, f"{where}: dtype {got.dtype} != {expected.dtype}"
                assert np.array_equal(expected, got, equal_nan=nan), f"{where}: tensorstore reads different values"
                if expected_dir:
                    name = f"{os.path.basename(dst)}__{path.replace('/', '__')}.npy"
                    np.save(os.path.join(expected_dir, name), expected)
            else:
                b = zarr.open(dst, mode="r")
                b = b[path] if path else b
                assert b.shape == expected.shape, f"{where}: shape {b.shape} != {expected.shape}"
                assert b.dtype == expected.dtype, f"{where}: dtype {b.dtype} != {expected.dtype}"
                assert np.array_equal(expected, b[...], equal_nan=nan), f"{where}: zarr-python reads different values"
                driver = "zarr3" if b.metadata.zarr_format == 3 else "zarr"
                if numcodecs_only(dst, path):
                    zarr_python_only += 1
                else:
                    assert np.array_equal(expected, read_ts(dst, path, driver), equal_nan=nan), \
                        f"{where}: tensorstore reads different values"
                if is_n5(src) and b.metadata.zarr_format == 3:
                    attrs = json.load(open(os.path.join(src, path, "attributes.json")))
                    if "axes" in attrs:
                        names = list(b.metadata.dimension_names or [])
                        assert names == attrs["axes"][::-1], f"{where}: dimension names {names}"
                if not is_n5(src):
                    a = zarr.open(src, mode="r")
                    a = a[path] if path else a
                    fa, fb = a.fill_value, b.fill_value
                    # Zarr v3 has no "no fill value": a Zarr v2 `null` becomes the type's zero.
                    none_to_v3 = fa is None and b.metadata.zarr_format == 3 and fb == 0
                    same = none_to_v3 or fa == fb or (
                        fa is not None and fb is not None and np.isnan(fa) and np.isnan(fb))
                    assert same, f"{where}: fill value {fb} != {fa}"
                    assert dict(b.attrs) == dict(a.attrs), f"{where}: attributes differ"
            checked += 1
    print(f"interop: {checked} arrays read back identically by zarr-python {zarr.__version__} "
          f"and tensorstore ({zarr_python_only} with numcodecs codecs or filters by zarr-python alone)")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1:])
