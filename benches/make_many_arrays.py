"""Writes a Zarr v3 hierarchy of N arrays, every one with its own shape and layout (so that no
two draw the same chunk grid), metadata only: chunks are absent (read as the fill value). For
`benches/report.sh`: the report of a large, varied hierarchy.

Usage: python3 benches/make_many_arrays.py OUT.zarr [N]   (standard library only)"""

import json
import os
import random
import sys

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
rng = random.Random(7)


def write(path, doc):
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "zarr.json"), "w") as f:
        json.dump(doc, f)


write(out, {"zarr_format": 3, "node_type": "group", "attributes": {}})
for i in range(count):
    group = os.path.join(out, f"g{i // 100}")
    if i % 100 == 0:
        write(group, {"zarr_format": 3, "node_type": "group", "attributes": {}})
    shape = [rng.randint(16, 600), rng.randint(256, 8192), rng.randint(256, 8192)]
    chunks = [rng.choice([1, 8, 16, 32, 64]), rng.choice([64, 128, 256, 512]), rng.choice([64, 128, 256, 512])]
    codecs = [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd", "configuration": {"level": 3, "checksum": False}}]
    grid = chunks
    if i % 3 == 0:
        grid = [c * rng.choice([1, 2, 4]) for c in chunks]
        codecs = [{"name": "sharding_indexed", "configuration": {
            "chunk_shape": chunks, "codecs": codecs,
            "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
            "index_location": "end"}}]
    write(os.path.join(group, f"a{i}"), {
        "zarr_format": 3, "node_type": "array", "shape": shape, "data_type": "uint16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": grid}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0, "codecs": codecs, "attributes": {}, "dimension_names": ["z", "y", "x"],
    })
