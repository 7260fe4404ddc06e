"""Writes an OME-NGFF 0.4 image pyramid (Zarr v2) with ome-zarr-py, the input of the
0.4 → 0.5 benchmark beside ome2024-ngff-challenge: axes czyx, uint16, first level
2 × Z × 2048 × 2048 (Z = 64 gives 1 GiB, 1.14 GiB with the levels below), chunks 1 × 32 × 256
× 256, Blosc zstd as ome-zarr-py writes by default. The pixels are a smooth pattern plus noise,
so that they compress about as much as microscopy does (neither all zeros nor incompressible).

Usage: python benches/make_ome_pyramid.py OUT.ome.zarr [Z]   (needs ome-zarr 0.18, zarr 3)"""

import sys

import numpy as np
import zarr
from ome_zarr.format import FormatV04
from ome_zarr.writer import write_image

out = sys.argv[1]
depth = int(sys.argv[2]) if len(sys.argv) > 2 else 64
rng = np.random.default_rng(15)
y, x = np.mgrid[0:2048, 0:2048]
plane = (2000 + 1500 * np.sin(x / 97.0) * np.cos(y / 61.0)).astype("uint16")
pixels = np.empty((2, depth, 2048, 2048), dtype="uint16")
for c in range(2):
    for z in range(depth):
        pixels[c, z] = plane + rng.integers(0, 64, size=plane.shape, dtype="uint16") + 7 * z + 300 * c
root = zarr.open_group(out, mode="w", zarr_format=2)
write_image(pixels, root, axes="czyx", fmt=FormatV04(), scale_factors=(2, 4),
            storage_options={"chunks": (1, 32, 256, 256)})
print(f"{out}: {pixels.nbytes / 2**30:.2f} GiB at the first level")
