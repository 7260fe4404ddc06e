"""Zip files in and out of zlint. Outputs read from a zip: every array equals the one zarr-python
3's ZipStore reads in the source. Zip outputs: every entry stored, the root metadata first, every
CRC-32 right; zarr-python 3's ZipStore opens each, every array equals the source's (a directory
or a zip), tensorstore reads every array through its zip
kvstore, and OME-NGFF groups validate with ome-zarr-models as the version their Zarr format
requires (0.4 in Zarr v2, 0.5 in Zarr v3).

Usage: python tests/interop/zip_check.py (SOURCE OUTPUT)...   (run by tests/interop/run.sh)"""

import sys
import zipfile

import numpy as np
import tensorstore as ts
import zarr
from ome_zarr_models import open_ome_zarr
from zarr.storage import ZipStore

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def open_root(location):
    if not location.endswith((".zip", ".ozx")):
        return zarr.open_group(location, mode="r")
    # A zip of a store's folder (`zip -r x.zip x.zarr`) holds the store below that folder.
    with zipfile.ZipFile(location) as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
    folder = tops.pop() if len(tops) == 1 and tops.copy().pop().endswith(".zarr") else ""
    return zarr.open_group(ZipStore(location, mode="r"), path=folder, mode="r")


def arrays(group):
    return {name: a for name, a in group.members(max_depth=None) if isinstance(a, zarr.Array)}


def groups(group, path=""):
    found = {path: group}
    for name, child in group.groups():
        found.update(groups(child, f"{path}/{name}".lstrip("/")))
    return found


args = sys.argv[1:]
for source, output in zip(args[0::2], args[1::2]):
    if not output.endswith((".zip", ".ozx")):
        # Read from a zip into a directory: the values are what is checked.
        expected, got = arrays(open_root(source)), arrays(open_root(output))
        check(got.keys() == expected.keys()
              and all(np.array_equal(a[...], got[k][...]) for k, a in expected.items()),
              f"{output}: {len(got)} arrays equal those zarr-python's ZipStore reads in {source}")
        continue
    with zipfile.ZipFile(output) as archive:
        infos = archive.infolist()
        check(all(i.compress_type == zipfile.ZIP_STORED for i in infos),
              f"{output}: all {len(infos)} entries stored")
        check(infos[0].filename in ("zarr.json", ".zgroup", ".zarray"),
              f"{output}: root metadata first ({infos[0].filename})")
        check(archive.testzip() is None, f"{output}: every entry's CRC-32 checks")
    root, expected = open_root(output), arrays(open_root(source))
    got = arrays(root)
    check(got.keys() == expected.keys()
          and all(np.array_equal(a[...], got[k][...]) for k, a in expected.items()),
          f"{output}: {len(got)} arrays read by zarr-python's ZipStore equal the source's")
    fmt = root.metadata.zarr_format
    driver = "zarr3" if fmt == 3 else "zarr"
    same = True
    for name, array in got.items():
        spec = {"driver": driver, "kvstore": {"driver": "zip", "base": f"file://{output}",
                                              "path": f"{name}/"}}
        same &= np.array_equal(ts.open(spec, open=True).result().read().result(), array[...])
    check(same, f"{output}: tensorstore's zip kvstore reads every array equal")
    version = "0.5" if fmt == 3 else "0.4"
    for path, group in groups(root).items():
        attrs = group.attrs.asdict()
        if not {"ome", "multiscales", "plate", "well", "labels", "image-label"} & set(attrs):
            continue
        try:
            module = type(open_ome_zarr(group)).__module__
            check(f".v{version.replace('.', '')}." in module + ".",
                  f"{output}/{path}: valid OME-NGFF {version} by ome-zarr-models ({module})")
        except Exception as err:  # noqa: BLE001 - the validator's message is the finding
            check(False, f"{output}/{path}: valid OME-NGFF {version}: {str(err)[:600]}")

print(f"{len(failures)} zip failures" if failures else "all zip checks passed")
sys.exit(1 if failures else 0)
