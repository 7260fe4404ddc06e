"""Writes a Zarr v2 array of N one-byte chunks (uint8, shape [N], chunks [1], no compressor): the
many-tiny-objects worst case for repacks and scans. Plain files, no Zarr library needed.
Usage: python benches/make_tiny_chunks.py OUT.zarr [N]   (default N = 200000)"""

import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
out.mkdir(parents=True)
(out / ".zarray").write_text(json.dumps({
    "zarr_format": 2, "shape": [n], "chunks": [1], "dtype": "|u1", "compressor": None,
    "fill_value": 0, "order": "C", "filters": None}))
for i in range(n):
    # Every value but the fill value, so every chunk is stored.
    (out / str(i)).write_bytes(bytes([i % 255 + 1]))
