"""Writes the scan benchmark stores (standard library only, no Zarr client needed).

  many-arrays.zarr   a Zarr v3 hierarchy of N_ARRAYS arrays in 10 groups (metadata only)
  many-chunks.zarr   one Zarr v3 array of 1000 x 1000 chunks of 1 x 64 uint16: 1,000,000 chunk
                     files of 128 bytes under c/<i>/<j> (raw bytes codec, so any reader can check)

Usage: python3 benches/make_scan_data.py OUTDIR [N_ARRAYS] [N_CHUNK_ROWS]
"""

import json
import os
import sys
from pathlib import Path


def array_meta(shape, chunks, dims):
    return {
        "zarr_format": 3, "node_type": "array", "shape": shape, "data_type": "uint16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "attributes": {}, "dimension_names": dims,
    }


def group(path: Path):
    path.mkdir(parents=True, exist_ok=True)
    (path / "zarr.json").write_text(json.dumps({"zarr_format": 3, "node_type": "group"}))


def main():
    out = Path(sys.argv[1])
    n_arrays = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 1000

    many = out / "many-arrays.zarr"
    if not many.exists():
        group(many)
        for g in range(10):
            group(many / f"g{g}")
            for a in range(n_arrays // 10):
                path = many / f"g{g}" / f"a{a}"
                path.mkdir()
                meta = array_meta([512, 2048, 2048], [64, 256, 256], ["z", "y", "x"])
                (path / "zarr.json").write_text(json.dumps(meta))

    chunks = out / "many-chunks.zarr"
    if not chunks.exists():
        tmp = out / "many-chunks.zarr.partial"
        tmp.mkdir(parents=True, exist_ok=True)
        meta = array_meta([rows, 64 * 1000], [1, 64], ["y", "x"])
        (tmp / "zarr.json").write_text(json.dumps(meta))
        payload = bytes(128)
        for i in range(rows):
            d = tmp / "c" / str(i)
            d.mkdir(parents=True, exist_ok=True)
            for j in range(1000):
                fd = os.open(d / str(j), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.write(fd, payload)
                os.close(fd)
        tmp.rename(chunks)


if __name__ == "__main__":
    main()
