"""Writes the cross-implementation corpus: small arrays as other implementations write them.

Usage: python tests/corpus/make.py OUT_DIR            (zarr-python 3 and tensorstore)
       python tests/corpus/make.py --zarr2 OUT_DIR [WRITER]
                        (the venv's zarr-python 2 with numcodecs filters: 2.18 as `zarr2`,
                        2.10 as `zarr2.10`, 2.4 as `zarr2.4`)
       python tests/corpus/make.py --z5py OUT_DIR     (z5py: N5 and Zarr v2)
       python tests/corpus/make.py --zarrs OUT_DIR    (zarr-python 3 through the zarrs pipeline)

Each array is a store of its own, OUT_DIR/<writer>-<case>.zarr (or .n5), holding one array at its
root. Shapes are ragged (not multiples of the chunks) so edge chunks are partial. Values are
pseudo-random with a fixed seed. The list of stores is in OUT_DIR/manifest-<writer>.json.
"""

import json
import math
import os
import sys

import numpy as np

RNG = np.random.default_rng(7)
SHAPE_2D, CHUNKS_2D = (37, 45), (10, 16)


def values(dtype, shape=SHAPE_2D):
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    if dtype.fields:
        data = np.zeros(n, dtype=dtype)
        for name, (field, _) in dtype.fields.items():
            data[name] = values(field, (n,))
    elif dtype.kind == "b":
        data = RNG.integers(0, 2, n).astype(bool)
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        data = RNG.integers(max(info.min, -1000), min(info.max, 1000), n, endpoint=True).astype(dtype)
    elif dtype.kind == "f":
        data = (RNG.standard_normal(n) * 100).astype(dtype)
    elif dtype.kind == "c":
        data = (RNG.standard_normal(n) + 1j * RNG.standard_normal(n)).astype(dtype)
    elif dtype.kind in "mM":
        data = RNG.integers(0, 10**6, n).astype(dtype)
    elif dtype.kind == "U":
        words = ["", "a", "zz", "ÿé", "word"]
        data = np.array([words[i % len(words)][: dtype.itemsize // 4] for i in range(n)], dtype=dtype)
    elif dtype.kind == "S":
        words = [b"x", b"yy", b"abc", b"q"]
        data = np.array([words[i % len(words)][: dtype.itemsize] for i in range(n)], dtype=dtype)
    elif dtype.kind == "O":
        words = ["", "a", "longer text", "ÿé", "mixed 123"]
        data = np.array([words[i % len(words)] for i in range(n)], dtype=object)
    else:
        raise ValueError(dtype)
    return data.reshape(shape)


NUMERIC = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
           "float16", "float32", "float64", "complex64", "complex128"]


def zarr3_cases():
    import zarr
    from zarr.codecs import (BloscCodec, BytesCodec, Crc32cCodec, GzipCodec, ShardingCodec,
                             TransposeCodec, ZstdCodec)
    cases = []

    def add(name, dtype, **kw):
        cases.append((name, dtype, kw))

    for dtype in NUMERIC + ["datetime64[s]", "timedelta64[ms]", "<U4", "S3", "str"]:
        add(f"dtype-{dtype.replace('[', '-').replace(']', '').replace('<', '')}", dtype)
    compressors = {
        "none": None,
        "zstd": ZstdCodec(level=3),
        "zstd-checksum": ZstdCodec(level=1, checksum=True),
        "gzip": GzipCodec(level=6),
        "blosc-lz4-shuffle": BloscCodec(cname="lz4", clevel=5, shuffle="shuffle"),
        "blosc-zstd-bitshuffle": BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle"),
        "blosc-typesize-4": BloscCodec(cname="lz4", clevel=5, shuffle="shuffle", typesize=4),
    }
    for dtype in ["uint16", "float32"]:
        for cname, compressor in compressors.items():
            add(f"{cname}-{dtype}", dtype, compressors=compressor)
            add(f"sharded-{cname}-{dtype}", dtype, compressors=compressor, shards=(20, 32))
    add("crc32c", "int32", compressors=Crc32cCodec())
    add("big-endian", "uint32", serializer=BytesCodec(endian="big"))
    add("transpose", "float64", filters=[TransposeCodec(order=(1, 0))])
    add("sharded-transpose", "uint16", filters=[TransposeCodec(order=(1, 0))], shards=(20, 32))
    # A numcodecs filter after a transpose (zarr-python 3 reads it back in its own way, which
    # zlint matches), and pcodec, which Zarr v2 holds as a compressor.
    add("transpose-delta", "int16", numcodec="transpose-delta")
    add("numcodecs-pcodec", "int16", numcodec="pcodec")
    add("index-at-start", "uint16", shards=(20, 32), index_location="start")
    add("v2-key-encoding", "uint16", chunk_key_encoding={"name": "v2", "separator": "."})
    add("default-key-dot", "int16", chunk_key_encoding={"name": "default", "separator": "."})
    add("fill-nan", "float32", fill_value=float("nan"))
    add("fill-7", "int16", fill_value=7)
    add("dimension-names", "uint8", dimension_names=["y", "x"])
    add("sharded-str", "str", shards=(20, 32))
    add("sharded-dtype-bool", "bool", shards=(20, 32))
    # zarr-python 3's `structured` data type (NumPy records).
    add("dtype-structured", [("a", "<i4"), ("b", "<f8"), ("c", "|u1")])
    add("missing-chunks", "uint16", missing=True)
    add("shape-1d", "int32", shape=(101,), chunks=(16,))
    add("shape-3d", "uint16", shape=(9, 21, 30), chunks=(4, 8, 8))
    add("shape-3d-sharded", "uint16", shape=(9, 21, 30), chunks=(2, 4, 8), shards=(4, 8, 16))
    add("shape-4d", "float32", shape=(3, 5, 11, 13), chunks=(1, 2, 4, 8))
    add("one-element", "float64", shape=(1, 1), chunks=(1, 1))
    for numcodec in ["delta", "bitround", "quantize", "astype", "fixedscaleoffset", "shuffle",
                     "bz2", "lz4", "lzma", "zlib", "gzip", "zstd", "adler32", "fletcher32",
                     "packbits"]:
        add(f"numcodecs-{numcodec}", "float32" if numcodec in ("bitround", "quantize") else
            "bool" if numcodec == "packbits" else "int16", numcodec=numcodec)

    def numcodecs_v3(name, dtype):
        import numcodecs.zarr3 as nz
        return {
            "delta": dict(filters=[nz.Delta(dtype=dtype)]),
            "bitround": dict(filters=[nz.BitRound(keepbits=10)]),
            "quantize": dict(filters=[nz.Quantize(digits=3, dtype=dtype)]),
            "astype": dict(filters=[nz.AsType(encode_dtype="int32", decode_dtype=dtype)]),
            "fixedscaleoffset": dict(filters=[nz.FixedScaleOffset(offset=0, scale=1, dtype=dtype)]),
            "shuffle": dict(compressors=[nz.Shuffle(elementsize=2)]),
            "bz2": dict(compressors=[nz.BZ2(level=5)]),
            "lz4": dict(compressors=[nz.LZ4(acceleration=1)]),
            "lzma": dict(compressors=[nz.LZMA()]),
            "zlib": dict(compressors=[nz.Zlib(level=5)]),
            "gzip": dict(compressors=[nz.GZip(level=5)]),
            "zstd": dict(compressors=[nz.Zstd(level=3)]),
            "adler32": dict(compressors=[nz.Adler32()]),
            "fletcher32": dict(compressors=[nz.Fletcher32()]),
            "packbits": dict(filters=[nz.PackBits()]),
            "transpose-delta": dict(filters=[TransposeCodec(order=(1, 0)), nz.Delta(dtype=dtype)]),
            "pcodec": dict(serializer=nz.PCodec(level=8), compressors=None),
        }[name]

    def write(out, name, dtype, kw, prefix="zarr3"):
        kw = dict(kw)
        missing = kw.pop("missing", False)
        numcodec = kw.pop("numcodec", None)
        index_location = kw.pop("index_location", None)
        shape, chunks = kw.pop("shape", SHAPE_2D), kw.pop("chunks", CHUNKS_2D)
        if numcodec:
            kw.update(numcodecs_v3(numcodec, dtype))
        data = values(dtype, shape)
        path = os.path.join(out, f"{prefix}-{name}.zarr")
        if index_location:
            codec = ShardingCodec(chunk_shape=CHUNKS_2D, index_location=index_location)
            meta_kw = dict(serializer=codec, compressors=None)
            array = zarr.create_array(path, shape=data.shape, chunks=(20, 32),
                                      dtype=data.dtype, **meta_kw)
        else:
            dt = str if dtype == "str" else data.dtype
            array = zarr.create_array(path, shape=data.shape, chunks=chunks, dtype=dt, **kw)
        if missing:
            array[:10, :16] = data[:10, :16]
            array[20:, 32:] = data[20:, 32:]
        else:
            array[...] = data
        array.attrs["case"] = name
        return path

    return cases, write


def tensorstore_cases(out):
    import tensorstore as ts
    made = []
    for driver, codecs in [
        ("zarr3", None),
        ("zarr3", [{"name": "sharding_indexed", "configuration": {
            "chunk_shape": [10, 16], "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                                {"name": "zstd", "configuration": {"level": 1}}]}}]),
        ("zarr", None),
        ("n5", None),
    ]:
        for dtype in ["uint8", "int16", "uint32", "float32", "float64", "int64"]:
            data = values(dtype)
            sharded = codecs is not None
            name = f"tensorstore-{driver}{'-sharded' if sharded else ''}-{dtype}"
            path = os.path.join(out, name + (".n5" if driver == "n5" else ".zarr"))
            spec = {"driver": driver, "kvstore": {"driver": "file", "path": path}, "create": True,
                    "delete_existing": True}
            if driver == "zarr3":
                spec["metadata"] = {"shape": list(data.shape), "data_type": dtype,
                                    "chunk_grid": {"name": "regular", "configuration": {
                                        "chunk_shape": [20, 32] if sharded else [10, 16]}}}
                if codecs:
                    spec["metadata"]["codecs"] = codecs
            elif driver == "zarr":
                spec["metadata"] = {"shape": list(data.shape), "chunks": [10, 16],
                                    "dtype": np.dtype(dtype).str}
            else:
                # N5 lists the fastest axis first: write the transpose so C order reads `data`.
                spec["metadata"] = {"dimensions": list(data.shape[::-1]), "blockSize": [16, 10],
                                    "dataType": dtype, "compression": {"type": "gzip"}}
                data = data.T
            store = ts.open(spec).result()
            store.write(data).result()
            made.append(path)
    # N5's bzip2 and xz compressions, which tensorstore writes and reads (issue 28).
    for compression in [{"type": "bzip2"}, {"type": "xz"}]:
        data = values("uint16")
        path = os.path.join(out, f"tensorstore-n5-{compression['type']}-uint16.n5")
        spec = {"driver": "n5", "kvstore": {"driver": "file", "path": path}, "create": True,
                "delete_existing": True,
                "metadata": {"dimensions": list(data.shape[::-1]), "blockSize": [16, 10],
                             "dataType": "uint16", "compression": compression}}
        ts.open(spec).result().write(data.T).result()
        made.append(path)
    return made


def zarr2_cases(out, prefix):
    """The Zarr v2 cases, written by the zarr-python 2 of this venv into `PREFIX-NAME.zarr`. A
    case an older release cannot write (a codec its numcodecs lacks) is skipped, and said."""
    import numcodecs
    import zarr
    made = []

    def nc(name, **kw):
        """numcodecs' codec `name`, or None when this release has none."""
        codec = getattr(numcodecs, name, None)
        return None if codec is None else codec(**kw)

    def make(name, dtype, data=None, **kw):
        path = os.path.join(out, f"{prefix}-{name}.zarr")
        data = values(dtype) if data is None else data
        try:
            array = zarr.open_array(path, mode="w", shape=data.shape, chunks=CHUNKS_2D,
                                    dtype=data.dtype if dtype != "O" else object, **kw)
            array[...] = data
            array.attrs["case"] = name
        except Exception as e:  # noqa: BLE001 - an old release's own limits
            print(f"corpus: zarr-python {zarr.__version__} cannot write {name}: {e}")
            return
        made.append(path)

    for dtype in NUMERIC + ["<M8[s]", "<m8[ms]", "<U4", "|S3", ">u2", ">f8"]:
        make(f"dtype-{dtype.replace('[', '-').replace(']', '').replace('<', 'le').replace('>', 'be').replace('|', '')}", dtype)
    make("vlen-utf8", "O", object_codec=numcodecs.VLenUTF8())
    make("vlen-bytes", "O", data=values("S3").astype(object), object_codec=numcodecs.VLenBytes())
    # Strings with a numeric fill value and chunks never written: zarr-python 3 reads the missing
    # elements as the number's text ("0"), which a rewrite must keep (issue 28).
    # A float reads as Python's text of it: 1e20 as "1e+20", 2.0 as "2.0".
    for fill, name in [(0, "0"), (1e20, "1e20"), (2.0, "2.0")]:
        case = f"vlen-utf8-fill-{name}-partial"
        path = os.path.join(out, f"{prefix}-{case}.zarr")
        array = zarr.open_array(path, mode="w", shape=SHAPE_2D, chunks=CHUNKS_2D, dtype=object,
                                object_codec=numcodecs.VLenUTF8(), fill_value=fill)
        array[:10, :16] = values("<U4")[:10, :16].astype(object)
        array.attrs["case"] = case
        made.append(path)
    make("order-F", "uint16", order="F")
    make("order-F-blosc", "float32", order="F",
         compressor=numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE))
    make("nested", "uint16", dimension_separator="/")
    make("fill-null", "float64", fill_value=None)
    make("fill-null-U4", "<U4", fill_value=None)
    make("fill-nan", "float32", fill_value=np.nan)
    for cname, compressor in {
        "none": None,
        "zlib": numcodecs.Zlib(level=5),
        "gzip": numcodecs.GZip(level=5),
        "bz2": numcodecs.BZ2(level=5),
        "lz4": numcodecs.LZ4(),
        "lzma": numcodecs.LZMA(),
        "zstd": numcodecs.Zstd(level=3),
        "blosc-lz4": numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE),
        "blosc-zstd-bit": numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE),
        "blosc-zlib-noshuffle": numcodecs.Blosc(cname="zlib", clevel=3, shuffle=numcodecs.Blosc.NOSHUFFLE),
        "blosc-blosclz": numcodecs.Blosc(cname="blosclz", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE),
    }.items():
        make(f"compressor-{cname}", "int32", compressor=compressor)
    for name, dtype, filters in [
        ("delta", "int16", [nc("Delta", dtype="<i2")]),
        ("quantize", "float64", [nc("Quantize", digits=3, dtype="<f8")]),
        ("astype", "float64", [nc("AsType", encode_dtype="<f4", decode_dtype="<f8")]),
        ("fixedscaleoffset", "float64", [nc("FixedScaleOffset", offset=0, scale=100, dtype="<f8", astype="<i4")]),
        ("bitround", "float32", [nc("BitRound", keepbits=10)]),
        ("shuffle", "int32", [nc("Shuffle", elementsize=4)]),
        ("packbits", "bool", [nc("PackBits")]),
        ("adler32", "int32", [nc("Adler32")]),
        ("fletcher32", "int32", [nc("Fletcher32")]),
        ("crc32", "int32", [nc("CRC32")]),
        ("delta-zlib", "uint32", [nc("Delta", dtype="<u4")]),
    ]:
        if None in filters:
            print(f"corpus: numcodecs {numcodecs.__version__} has no {name} filter")
            continue
        make(f"filter-{name}", dtype, filters=filters,
             compressor=numcodecs.Zlib(level=1) if name == "delta-zlib" else None)
    # NumPy record types, rewritten record by record. A big-endian field has no Zarr v3 form that
    # zarr-python 3 reads right (it swaps the bytes itself writes): kept for Zarr v2 only.
    for name, record in [("structured", [("a", "<i4"), ("b", "<f8")]),
                         ("structured-mixed", [("id", "|u1"), ("flag", "|b1"), ("z", "<c8")]),
                         ("structured-big-endian", [("a", ">i4"), ("b", "<u2")])]:
        data = np.zeros(SHAPE_2D, dtype=np.dtype(record))
        first = record[0][0]
        data[first] = np.arange(math.prod(SHAPE_2D)).reshape(SHAPE_2D) % 200
        make(f"dtype-{name}", "record", data=data,
             fill_value=np.array((7, True, 1 + 2j), dtype=record)[()]
             if name == "structured-mixed" else None)
    # numcodecs' Categorize: codes decoded to NumPy strings (a label longer than the type is cut,
    # a value that is no label is stored as 0 and reads as "").
    labels = np.array(["bg", "cell", "nucleus"])
    words = np.array(["bg", "cell", "nucleus", "other"])
    make("filter-categorize", "<U7", data=words[np.arange(math.prod(SHAPE_2D)).reshape(SHAPE_2D) % 4],
         filters=[numcodecs.Categorize(labels=list(labels), dtype="<U7", astype="u1")],
         fill_value="bg")
    return made


def z5py_cases(out):
    """z5py's N5 and Zarr v2, with every compression it writes of each. z5py puts datasets in
    a group: each is moved to its store's root (metadata merged with the root's, as a store
    holding one array at its root is laid out), its bytes untouched."""
    import shutil

    import z5py
    made = []
    cases = [(True, c) for c in ["raw", "gzip", "bzip2", "xz", "blosc"]]
    cases += [(False, c) for c in ["raw", "gzip", "bzip2", "blosc", "zlib"]]
    for n5, compression in cases:
        for dtype in ["uint8", "int16", "uint32", "float32", "float64", "int64"]:
            data = values(dtype)
            kind = "n5" if n5 else "zarr"
            path = os.path.join(out, f"z5py-{kind}-{compression}-{dtype}.{kind}")
            f = z5py.File(path, mode="w", use_zarr_format=not n5)
            ds = f.create_dataset("x", shape=data.shape, chunks=CHUNKS_2D, dtype=dtype,
                                  compression=compression)
            ds[:] = data
            inner = os.path.join(path, "x")
            if n5:
                with open(os.path.join(path, "attributes.json")) as g:
                    root = json.load(g)
                with open(os.path.join(inner, "attributes.json")) as g:
                    root.update(json.load(g))
                os.remove(os.path.join(inner, "attributes.json"))
                with open(os.path.join(path, "attributes.json"), "w") as g:
                    json.dump(root, g)
            else:
                os.remove(os.path.join(path, ".zgroup"))
            for entry in os.listdir(inner):
                shutil.move(os.path.join(inner, entry), os.path.join(path, entry))
            os.rmdir(inner)
            made.append(path)
    return made


def zarrs_cases(out):
    """zarr-python 3 writing through the zarrs codec pipeline (PyPI `zarrs`): the Zarr v3 cases
    of plain, sharded and compressed arrays, as `zarrs-NAME.zarr`."""
    import zarr
    zarr.config.set({"codec_pipeline.path": "zarrs.ZarrsCodecPipeline"})
    cases, write = zarr3_cases()
    chosen = [c for c in cases if c[0].startswith(("dtype-", "zstd-", "gzip-", "sharded-", "blosc-",
                                                    "transpose", "big-endian", "crc32c",
                                                    "fill-", "missing", "shape-"))
              and "str" not in c[0] and "U4" not in c[0] and "S3" not in c[0]]
    return [write(out, name, dtype, kw, prefix="zarrs") for name, dtype, kw in chosen]


def main(args):
    if args and args[0] in ("--z5py", "--zarrs"):
        out, writer = args[1], args[0][2:]
        os.makedirs(out, exist_ok=True)
        made = z5py_cases(out) if writer == "z5py" else zarrs_cases(out)
    elif args and args[0] == "--zarr2":
        out = args[1]
        writer = args[2] if len(args) > 2 else "zarr2"
        os.makedirs(out, exist_ok=True)
        made = zarr2_cases(out, writer)
    else:
        out = args[0]
        os.makedirs(out, exist_ok=True)
        cases, write = zarr3_cases()
        made = []
        for name, dtype, kw in cases:
            made.append(write(out, name, dtype, kw))
        made += tensorstore_cases(out)
        writer = "zarr3"
    with open(os.path.join(out, f"manifest-{writer}.json"), "w") as f:
        json.dump(sorted(os.path.basename(p) for p in made), f, indent=1)
    print(f"corpus: {len(made)} arrays written by {writer} writers in {out}")


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
