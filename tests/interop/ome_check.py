"""OME-Zarr outputs of zlint: every group with OME-NGFF metadata (image, plate, well, labels,
label image) validated by ome-zarr-models as the OME-NGFF version its Zarr format requires (0.4
in Zarr v2, 0.5 in Zarr v3); the output opened by ome-zarr-py; every array equal to the source's
as zarr-python reads them (for images, also the levels as ome-zarr-py reads them).

Usage: python tests/interop/ome_check.py (SOURCE OUTPUT VERSION)...   (run by tests/interop/run.sh)"""

import json
import os
import sys

import numpy as np
import tensorstore as ts
import zarr
from ome_zarr.io import parse_url
from ome_zarr.reader import Reader
from ome_zarr_models import open_ome_zarr

OME_KEYS = {"ome", "multiscales", "plate", "well", "labels", "image-label"}
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def ome_groups(group, path=""):
    """Every group below (and at) `group` whose attributes hold OME-NGFF metadata: path -> group."""
    found = {path: group} if OME_KEYS & set(group.attrs.asdict()) else {}
    for name, child in group.groups():
        found.update(ome_groups(child, f"{path}/{name}".lstrip("/")))
    return found


def arrays(group):
    return {name: a[...] for name, a in group.members(max_depth=None) if isinstance(a, zarr.Array)}


def n5_arrays(root):
    """Every array of an N5 container, read by tensorstore: path -> values (in C order, as
    zarr-python reads the Zarr outputs; tensorstore keeps N5's fastest-first order)."""
    found = {}
    for folder, _, files in os.walk(root):
        if "attributes.json" in files and "dimensions" in json.load(open(os.path.join(folder, "attributes.json"))):
            path = os.path.relpath(folder, root)
            spec = {"driver": "n5", "kvstore": {"driver": "file", "path": folder}}
            found[path] = np.transpose(ts.open(spec, open=True).result().read().result())
    return found


def source_arrays(source):
    return n5_arrays(source) if source.endswith(".n5") else arrays(zarr.open_group(source, mode="r"))


args = sys.argv[1:]
for source, output, version in zip(args[0::3], args[1::3], args[2::3]):
    root = zarr.open_group(output, mode="r")
    groups = ome_groups(root)
    kinds = []
    for path, group in groups.items():
        attrs = group.attrs.asdict()
        if path.rsplit("/", 1)[-1] == "OME" and "series" in attrs.get("ome", attrs):
            continue  # a bioformats2raw collection's OME group: validated with its root
        try:
            if "bioformats2raw.layout" in attrs.get("ome", attrs):
                # open_ome_zarr does not try the bioformats2raw models.
                from ome_zarr_models.v04.bioformats2raw import BioFormats2Raw as B04
                from ome_zarr_models.v05.bioformats2raw import BioFormats2Raw as B05

                model = (B05 if version == "0.5" else B04).from_zarr(group)
            else:
                model = open_ome_zarr(group)
            module = type(model).__module__
            kinds.append(module.rsplit(".", 1)[-1])
            check(f".v{version.replace('.', '')}." in module + ".",
                  f"{output}/{path}: valid OME-NGFF {version} by ome-zarr-models ({module})")
        except Exception as err:  # noqa: BLE001 - the validator's message is the finding
            check(False, f"{output}/{path}: valid OME-NGFF {version} by ome-zarr-models: {str(err)[:600]}")
    # ome-zarr-py reads a bioformats2raw collection's images, not its root.
    opened = output + "/0" if "bioformats2raw.layout" in root.attrs.get("ome", root.attrs) else output
    nodes = list(Reader(parse_url(opened))())
    check(bool(nodes), f"{opened}: opened by ome-zarr-py ({', '.join(sorted(set(kinds)))})")
    expected, got = source_arrays(source), arrays(root)
    check(expected.keys() == got.keys() and all(np.array_equal(v, got[k]) for k, v in expected.items()),
          f"{output}: {len(got)} arrays equal the source's")
    attrs = root.attrs.asdict()
    if "multiscales" in attrs.get("ome", attrs):
        paths = [d["path"] for d in attrs.get("ome", attrs)["multiscales"][0]["datasets"]]
        levels = [np.asarray(level) for level in nodes[0].data]
        check(len(levels) == len(paths) and all(np.array_equal(expected[p], l) for p, l in zip(paths, levels)),
              f"{output}: {len(levels)} levels read by ome-zarr-py equal the source's")

print(f"{len(failures)} OME failures" if failures else "all OME checks passed")
sys.exit(1 if failures else 0)
