"""pangeo rechunker writing a given Zarr v2 compressor.

rechunker 0.5 writes zarr-python 2's default compressor (Blosc LZ4 level 5) unless told
otherwise, so the shared peers script's rechunker row encodes a cheaper codec than every other
row (Blosc zstd level 3). This runs it with the codec named, so that its row does the same work.
Usage: python rechunker_codec.py SRC DST --chunks 128,128,128 --codec zstd:3|lz4:5 [--max-mem 1GiB]
"""
import argparse, os, shutil, tempfile

import dask
import numcodecs
import zarr
from rechunker import rechunk

ap = argparse.ArgumentParser()
ap.add_argument("src"); ap.add_argument("dst")
ap.add_argument("--chunks", required=True)
ap.add_argument("--codec", required=True)
ap.add_argument("--max-mem", default="1GiB")
a = ap.parse_args()
units = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
max_mem = next((int(float(a.max_mem[:-len(u)]) * m) for u, m in units.items() if a.max_mem.endswith(u)), None) or int(a.max_mem)
cname, level = a.codec.split(":")
compressor = numcodecs.Blosc(cname=cname, clevel=int(level), shuffle=numcodecs.Blosc.SHUFFLE)
src = zarr.open_array(a.src, mode="r")
dask.config.set(scheduler="threads", num_workers=os.cpu_count())
shutil.rmtree(a.dst, ignore_errors=True)
tmp = tempfile.mkdtemp(prefix="rechunker-tmp-", dir=os.path.dirname(os.path.abspath(a.dst)))
try:
    chunks = tuple(int(c) for c in a.chunks.split(","))
    options = {"compressor": compressor}  # rechunker 0.5 refuses fill_value (its output has none)
    rechunk(src, chunks, max_mem, a.dst, target_options=options,
            temp_store=os.path.join(tmp, "t.zarr"), temp_options={"compressor": compressor}).execute()
finally:
    shutil.rmtree(tmp, ignore_errors=True)
