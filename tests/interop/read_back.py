"""Reads rechunked outputs back with the reference clients and compares them with their sources.

Usage: python tests/interop/read_back.py SRC DST [SRC DST ...]

For every array of SRC: zarr-python 3 and tensorstore each read DST's array, and every value,
the shape, the dtype and the fill value must equal the source's (read by zarr-python 3). Exits 1
on the first difference, naming the array.
"""

import sys

import numpy as np
import tensorstore as ts
import zarr


def arrays(group, prefix=""):
    if isinstance(group, zarr.Array):
        yield prefix, group
        return
    for name, node in group.members():
        path = f"{prefix}/{name}" if prefix else name
        if isinstance(node, zarr.Array):
            yield path, node
        else:
            yield from arrays(node, path)


def tensorstore_read(dst, path, zarr_format):
    driver = "zarr3" if zarr_format == 3 else "zarr"
    kvpath = f"{dst}/{path}" if path else dst
    store = ts.open({"driver": driver, "kvstore": {"driver": "file", "path": kvpath}}).result()
    return store.read().result()


def main(pairs):
    checked = 0
    for src, dst in pairs:
        source = zarr.open(src, mode="r")
        target = zarr.open(dst, mode="r")
        for path, a in arrays(source):
            b = target[path] if path else target
            where = f"{dst}/{path}"
            assert b.shape == a.shape, f"{where}: shape {b.shape} != {a.shape}"
            assert b.dtype == a.dtype, f"{where}: dtype {b.dtype} != {a.dtype}"
            fa, fb = a.fill_value, b.fill_value
            same_fill = (fa == fb) or (np.isnan(fa) and np.isnan(fb)) if fa is not None else fb is None
            assert same_fill, f"{where}: fill value {fb} != {fa}"
            expected = a[...]
            got_zarr = b[...]
            assert np.array_equal(expected, got_zarr, equal_nan=expected.dtype.kind in "fc"), \
                f"{where}: zarr-python reads different values"
            got_ts = tensorstore_read(dst, path, b.metadata.zarr_format)
            assert np.array_equal(expected, got_ts, equal_nan=expected.dtype.kind in "fc"), \
                f"{where}: tensorstore reads different values"
            assert dict(b.attrs) == dict(a.attrs), f"{where}: attributes differ"
            checked += 1
    print(f"interop: {checked} arrays read back identically by zarr-python {zarr.__version__} "
          f"and tensorstore")


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or len(args) % 2:
        sys.exit(__doc__)
    main(list(zip(args[::2], args[1::2])))
