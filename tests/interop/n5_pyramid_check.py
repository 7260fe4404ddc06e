"""N5 pyramids zlint wrote from OME-Zarr images: zarr-python 2's N5 store reads the group's
n5-viewer metadata (`multiScale`, `scales` fastest axis first, `pixelResolution` with the
voxel size and unit of the first level) as the source's OME-NGFF `multiscales` define them, and
every level with the shape those factors give.

Usage: python tests/interop/n5_pyramid_check.py (OME_SOURCE N5_OUTPUT)...   (run by run.sh)"""

import json
import os
import sys

import zarr
from zarr.n5 import N5Store

UNITS = {"micrometer": "um", "nanometer": "nm", "millimeter": "mm"}
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def ome_multiscale(source):
    """The first `multiscales` entry of an OME-Zarr group, read as plain JSON (0.4 or 0.5)."""
    v3 = os.path.join(source, "zarr.json")
    if os.path.exists(v3):
        return json.load(open(v3))["attributes"]["ome"]["multiscales"][0]
    return json.load(open(os.path.join(source, ".zattrs")))["multiscales"][0]


args = sys.argv[1:]
for source, output in zip(args[0::2], args[1::2]):
    ms = ome_multiscale(source)
    scales = [next(t["scale"] for t in d["coordinateTransformations"] if t["type"] == "scale")
              for d in ms["datasets"]]
    factors = [[s / f for s, f in zip(scale, scales[0])][::-1] for scale in scales]
    group = zarr.open(N5Store(output), mode="r")
    attrs = group.attrs.asdict()
    check(attrs.get("multiScale") is True, f"{output}: multiScale is true")
    check(attrs.get("scales") == factors, f"{output}: scales {attrs.get('scales')} == {factors}")
    unit = UNITS.get(ms["axes"][-1].get("unit"), ms["axes"][-1].get("unit"))
    expected = {"dimensions": scales[0][::-1], "unit": unit}
    check(attrs.get("pixelResolution") == expected,
          f"{output}: pixelResolution {attrs.get('pixelResolution')} == {expected}")
    first = group[ms["datasets"][0]["path"]].shape
    for dataset, level_factors in zip(ms["datasets"], factors):
        shape = group[dataset["path"]].shape
        want = tuple(-(-n // int(f)) for n, f in zip(first, level_factors[::-1]))
        check(shape == want, f"{output}/{dataset['path']}: shape {shape} == {want} from `scales`")

print(f"{len(failures)} N5 pyramid failures" if failures else "all N5 pyramid checks passed")
sys.exit(1 if failures else 0)
