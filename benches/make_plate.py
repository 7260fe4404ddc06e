"""Writes an OME-NGFF 0.4 HCS plate with ome-zarr-py (8 rows × 12 columns, FIELDS fields per
well, each field a small 2-channel pyramid with a label image), the plate of issue 15's "plates
at scale" figure. Its arrays are tiny: the benchmark times how zlint walks and lints a hierarchy
of this many nodes (about 3,500), not reading pixels.

Usage: python benches/make_plate.py OUT.ome.zarr [FIELDS]   (needs ome-zarr 0.18, zarr 3)"""

import sys

import numpy as np
import zarr
from ome_zarr.format import FormatV04
from ome_zarr.writer import write_image, write_labels, write_plate_metadata, write_well_metadata

out = sys.argv[1]
fields = int(sys.argv[2]) if len(sys.argv) > 2 else 4
fmt = FormatV04()
rows = list("ABCDEFGH")
columns = [str(c) for c in range(1, 13)]
root = zarr.open_group(out, mode="w", zarr_format=2)
wells = [f"{r}/{c}" for r in rows for c in columns]
write_plate_metadata(root, rows, columns, wells, fmt=fmt, name="plate")
pixels = (np.arange(2 * 32 * 32, dtype="uint16").reshape(2, 32, 32))
cells = (np.arange(32 * 32, dtype="uint8").reshape(32, 32) % 7)
for well_path in wells:
    well = root.require_group(well_path)
    write_well_metadata(well, [{"path": str(f)} for f in range(fields)], fmt=fmt)
    for f in range(fields):
        field = well.require_group(str(f))
        write_image(pixels, field, axes="cyx", fmt=fmt, scale_factors=(2,),
                    storage_options={"chunks": (1, 16, 16)})
        write_labels(cells, field, name="cells", axes="yx", fmt=fmt, scaler=None, scale_factors=(2,))
print(f"{out}: {len(wells)} wells × {fields} fields")
