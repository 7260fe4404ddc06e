"""The Zarr v2 -> Zarr v3 conversion benches/repack.sh times for zlint (same chunks, same Blosc
settings), done by a peer: zarr-python 3 (chunk-aligned slabs) or tensorstore (one copy).
Neither can copy encoded chunks, so both decode and encode every chunk.

Usage: python benches/repack_peers.py zarr|tensorstore SRC_V2.zarr DST.zarr"""

import sys

tool, src, dst = sys.argv[1:4]
if tool == "zarr":
    import zarr
    from zarr.codecs import BloscCodec

    a = zarr.open_array(src, mode="r")
    c = a.compressors[0].get_config() if hasattr(a.compressors[0], "get_config") else {}
    blosc = BloscCodec(cname=c.get("cname", "zstd"), clevel=c.get("clevel", 3),
                       shuffle="shuffle" if c.get("shuffle", 1) == 1 else "bitshuffle")
    out = zarr.create_array(dst, shape=a.shape, chunks=a.chunks, dtype=a.dtype, fill_value=a.fill_value,
                            compressors=blosc, zarr_format=3)
    step = a.chunks[0] * 16
    for z in range(0, a.shape[0], step):
        out[z:z + step] = a[z:z + step]
elif tool == "tensorstore":
    import tensorstore as ts

    a = ts.open({"driver": "zarr", "kvstore": {"driver": "file", "path": src}}, read=True).result()
    meta = a.spec().to_json()["metadata"]
    comp = meta["compressor"]
    out = ts.open({
        "driver": "zarr3", "kvstore": {"driver": "file", "path": dst}, "create": True,
        "metadata": {
            "shape": list(a.shape), "data_type": str(a.dtype.numpy_dtype.name),
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": meta["chunks"]}},
            "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                       {"name": "blosc", "configuration": {"cname": comp["cname"], "clevel": comp["clevel"],
                        "shuffle": "shuffle" if comp["shuffle"] == 1 else "bitshuffle",
                        "typesize": a.dtype.numpy_dtype.itemsize, "blocksize": 0}}],
        },
    }).result()
    out.write(a).result()
else:
    sys.exit(f"unknown tool {tool}")
