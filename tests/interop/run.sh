#!/usr/bin/env bash
# Interoperability: rechunk the fixtures across formats and layouts with zlint, then read every
# output back with zarr-python 3 and tensorstore, and N5 outputs also with zarr-python 2's N5
# store (each installed from PyPI into its own venv), comparing value by value with the source.
# Usage: bash tests/interop/run.sh [ZLINT_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
venvs=${ZLINT_INTEROP_VENVS:-${TMPDIR:-/tmp}/zlint-interop}
if ! "$venvs/main/bin/python" -c 'import zarr, tensorstore, ome_zarr, ome_zarr_models, ngff_zarr' 2>/dev/null; then
  python3 -m venv "$venvs/main"
  "$venvs/main/bin/pip" install -q 'zarr==3.1.6' 'tensorstore==0.1.86' 'numpy<3' \
    'ome-zarr-models==1.7' 'ome-zarr==0.18.0' 'ngff-zarr==0.50.0'
fi
if [ ! -x "$venvs/zarr2/bin/python" ]; then
  python3 -m venv "$venvs/zarr2"
  "$venvs/zarr2/bin/pip" install -q 'zarr==2.18.7' 'numcodecs==0.15.2' 'numpy<2.3'
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
f="$here/fixtures"
pairs=()
n5_outputs=()
zip_pairs=()
rechunk_zip() {  # SRC NAME ARGS...: a zip on either side, checked by zip_check.py
  local src=$1 name=$2; shift 2
  "$zlint" rechunk "$src" "$out/$name" --quiet --verify "$@" >/dev/null
  zip_pairs+=("$src" "$out/$name")
}
rechunk() {  # SRC NAME ARGS...
  local src=$1 name=$2; shift 2
  "$zlint" rechunk "$src" "$out/$name" --quiet --verify "$@" >/dev/null
  pairs+=("$src" "$out/$name")
  case "$name" in *.n5) n5_outputs+=("$out/$name") ;; esac
}
rechunk "$f/zarr2/hierarchy.zarr" v2-to-v3.zarr --to zarr3
rechunk "$f/zarr2/hierarchy.zarr" v2-to-v2.zarr --chunks raw=8,16 --chunks sub/slashes=3,3,3
rechunk "$f/zarr3/consolidated.zarr" v3-to-sharded.zarr --chunks temperature=2,5,5 \
  --shards temperature=6,10,10 --chunks aux/flags=10 --shards aux/flags=50
rechunk "$f/zarr3/sharded.zarr" sharded-to-plain.zarr --chunks 16,48 --codec gzip:5
rechunk "$f/zarr3/plain.zarr" v3-to-v2.zarr --to zarr2 --chunks 7,9 --codec blosc:lz4:5:shuffle
rechunk "$f/ome/v05.ome.zarr" ome-auto.zarr --auto
rechunk "$f/ome/v04.ome.zarr" ome04-to-v3.zarr --to zarr3 --chunks 8,32,32 --shards 16,64,64
rechunk "$f/ome/v05.ome.zarr" ome05-to-v2.zarr --to zarr2
rechunk "$out/ome04-to-v3.zarr" ome04-to-v3-to-v2.zarr --to zarr2 --chunks 8,16,16
rechunk "$f/ome/plate-v04.ome.zarr" plate04-to-v3.zarr --to zarr3
rechunk "$out/plate04-to-v3.zarr" plate04-to-v3-to-v2.zarr --to zarr2
# Pyramids across N5 and Zarr: n5-viewer `scales` and `pixelResolution` ⇄ OME-NGFF multiscales.
rechunk "$f/n5/pyramid.n5" n5-pyramid-to-v3.zarr --to zarr3 --shards 16,64,64
rechunk "$f/n5/pyramid.n5" n5-pyramid-to-v2.zarr --to zarr2
rechunk "$f/ome/v04.ome.zarr" ome04-to-n5.n5 --to n5
rechunk "$f/ome/v05.ome.zarr" ome05-to-n5.n5 --to n5 --chunks 8,32,32
rechunk "$f/n5/tensorstore.n5" ts-n5-to-v3.zarr --to zarr3 --chunks volumes/gzip=8,64
rechunk "$f/n5/zarr2.n5" z2-n5-to-v2.zarr --to zarr2
rechunk "$f/n5/zarr2.n5" n5-to-n5.n5 --chunks raw=3,7,11
rechunk "$f/zarr3/consolidated.zarr" v3-to-n5-gzip.n5 --to n5 --codec gzip:4
rechunk "$f/zarr3/sharded.zarr" sharded-to-n5-blosc.n5 --to n5 --chunks 16,16 --codec blosc:lz4:5:shuffle
# Chunks re-encoded into shards of inner chunks of the source's chunk shape: each inner chunk
# read from its source chunk alone (edge chunks padded with the fill value).
rechunk "$f/zarr3/plain.zarr" reencode-into-shards.zarr --chunks 20,32 --shards 40,64 --codec zstd:3
rechunk "$f/ome/v04.ome.zarr" ome04-reencode-into-shards.zarr --to zarr3 --shards 16,32,32 \
  --codec blosc:zstd:5:shuffle
# Chunks re-encoded with their shape kept: each target chunk read from its source chunk alone.
rechunk "$f/zarr3/plain.zarr" reencode-keep-chunks-to-v2.zarr --to zarr2 --chunks 20,32 \
  --codec blosc:lz4:5:shuffle
rechunk "$f/ome/v04.ome.zarr" ome04-reencode-keep-chunks.zarr --to zarr3 --codec zstd:3
# Repacks: encoded chunks copied under new keys, or packed into shards, without decoding.
rechunk "$f/zarr3/plain.zarr" repack-into-shards.zarr --chunks 20,32 --shards 40,64
rechunk "$f/zarr2/hierarchy.zarr" repack-v2-into-v3-shards.zarr --to zarr3 --chunks raw=16,32 --shards raw=32,64
rechunk "$f/zarr3/sharded.zarr" sharded-to-v2.zarr --to zarr2
# Other writers' stores (fixtures/world/): z5py, zarr-python 2.18 filters, nested shards, zstd
# without `checksum`.
w="$f/world"
rechunk "$w/z5py-zarr2.zarr" z5py-to-v3.zarr --to zarr3 --chunks 10,10
rechunk "$w/z5py-zarr2.zarr" z5py-to-v2.zarr --chunks 10,10
rechunk "$w/z5py-zarr2.zarr" z5py-zarr2-to-n5.n5 --to n5
rechunk "$w/z5py.n5" z5py-n5-to-n5.n5 --chunks 10,10
rechunk "$w/z5py.n5" z5py-n5-to-v3.zarr --to zarr3 --shards 20,30 --chunks 10,10
rechunk "$w/zarr2-shuffle.zarr" shuffle-to-v3.zarr --to zarr3
rechunk "$w/nested-shards.zarr" nested-to-chunks.zarr --chunks 16,16
rechunk "$w/nested-shards.zarr" nested-to-v2.zarr --to zarr2
rechunk "$w/zstd-no-checksum.zarr" zstd-no-checksum-to-shards.zarr --chunks 5,8 --shards 10,16
rechunk "$w/tensorstore-axes.n5/img" axes-to-v3.zarr --to zarr3
rechunk "$w/xarray.zarr" xarray-to-n5.n5 --to n5
rechunk "$w/blosc-typesize.zarr" blosc-typesize-to-chunks.zarr --chunks 1d=3 --chunks 2d=2,2
rechunk "$w/blosc-typesize.zarr" blosc-typesize-to-shards.zarr --chunks 1d=1 --shards 1d=2 \
  --chunks 2d=1,1 --shards 2d=2,2
for codec in bz2 fletcher32 adler32 fixedscaleoffset; do
  rechunk "$w/zarr2-codecs.zarr/$codec" "$codec-to-v3.zarr" --to zarr3 --chunks 10,10
  rechunk "$w/zarr2-codecs.zarr/$codec" "$codec-to-v2.zarr" --chunks 10,10
done
# Zip files: read (zarr-python's ZipStore, a deflated `zip -r`) and written (stored entries).
rechunk_zip "$w/zarr-python-zipstore.zip" zipstore-to-dir.zarr --chunks sharded=20,30
rechunk_zip "$w/deflated-folder.zip" deflated-zip-to-v3.zarr --to zarr3
rechunk_zip "$f/ome/v04.ome.zarr" ome04-to-v3.ozx --to zarr3 --chunks 8,32,32 --shards 16,64,64
rechunk_zip "$f/zarr2/hierarchy.zarr" hierarchy-to-v2.zip --to zarr2
rechunk_zip "$w/zarr-python-zipstore.zip" zipstore-to-zip.zip --chunks sharded=20,30 --shards sharded=40,60
mkdir -p "$out/expected"
# tensorstore refuses z5py's N5 (extra `nthreads` in the compression): zarr-python 2 reads it.
"$venvs/zarr2/bin/python" -W ignore "$here/tests/interop/read_back_zarr2.py" --dump-sources "$out/sources" "$w/z5py.n5"
ZLINT_INTEROP_SOURCES="$out/sources" \
  "$venvs/main/bin/python" -W ignore "$here/tests/interop/read_back.py" --expected "$out/expected" "${pairs[@]}"
"$venvs/zarr2/bin/python" -W ignore "$here/tests/interop/read_back_zarr2.py" "$out/expected" "${n5_outputs[@]}"
# OME-Zarr outputs: valid OME-NGFF of the version their Zarr format requires (ome-zarr-models),
# opened by ome-zarr-py, pixels equal to the source's.
"$venvs/main/bin/python" -W ignore "$here/tests/interop/ome_check.py" \
  "$f/ome/v04.ome.zarr" "$out/ome04-to-v3.zarr" 0.5 \
  "$f/ome/v05.ome.zarr" "$out/ome-auto.zarr" 0.5 \
  "$f/ome/v05.ome.zarr" "$out/ome05-to-v2.zarr" 0.4 \
  "$f/ome/v04.ome.zarr" "$out/ome04-to-v3-to-v2.zarr" 0.4 \
  "$f/ome/plate-v04.ome.zarr" "$out/plate04-to-v3.zarr" 0.5 \
  "$f/ome/plate-v04.ome.zarr" "$out/plate04-to-v3-to-v2.zarr" 0.4 \
  "$f/n5/pyramid.n5" "$out/n5-pyramid-to-v3.zarr" 0.5 \
  "$f/n5/pyramid.n5" "$out/n5-pyramid-to-v2.zarr" 0.4 2>&1 |
  grep -v 'version mismatch'
"$venvs/zarr2/bin/python" -W ignore "$here/tests/interop/n5_pyramid_check.py" \
  "$f/ome/v04.ome.zarr" "$out/ome04-to-n5.n5" \
  "$f/ome/v05.ome.zarr" "$out/ome05-to-n5.n5"
# A rewrite keeps the whole store (issue 26): every OME fixture to every target. Outputs are
# valid OME-NGFF (ome-zarr-models, ome-zarr-py), carry every other file byte for byte, come back
# from 0.5 to 0.4 with every attribute, and `.ozx` outputs match ngff-zarr's RFC-9 writer.
ome_pairs=()
whole=()
for src in v04 v05 plate-v04 bf2raw-v04 labels-v05 label-levels-v04; do
  s="$f/ome/$src.ome.zarr"
  "$zlint" rechunk "$s" "$out/w-$src-to-v2.zarr" --ome-version 0.4 -q --verify >/dev/null
  "$zlint" rechunk "$s" "$out/w-$src-to-v3.zarr" --ome-version 0.5 -q --verify >/dev/null
  "$zlint" rechunk "$s" "$out/w-$src-to-v3s.zarr" --ome-version 0.5 --auto --profile visualization \
    -q --verify >/dev/null
  "$zlint" rechunk "$s" "$out/w-$src.zip" --ome-version 0.5 -q --verify >/dev/null
  "$zlint" rechunk "$s" "$out/w-$src.ozx" --ome-version 0.5 -q --verify >/dev/null
  "$zlint" rechunk "$s" "$out/w-$src.n5" --to n5 -q --verify >/dev/null
  "$zlint" rechunk "$out/w-$src-to-v3.zarr" "$out/w-$src-back.zarr" --ome-version 0.4 -q --verify >/dev/null
  for o in to-v2.zarr to-v3.zarr to-v3s.zarr back.zarr; do
    whole+=(carried "$s" "$out/w-$src-$o")
  done
  whole+=(carried "$s" "$out/w-$src.zip" carried "$s" "$out/w-$src.ozx" carried "$s" "$out/w-$src.n5")
  whole+=(ozx "$out/w-$src.ozx" "$out/w-$src-to-v3.zarr")
  case $src in *v04) whole+=(roundtrip "$s" "$out/w-$src-back.zarr") ;; esac
  # A label pyramid shorter than its image is valid 0.4 but no valid 0.5 (zlint warns, ZL207).
  [ "$src" = label-levels-v04 ] && continue
  ome_pairs+=("$s" "$out/w-$src-to-v2.zarr" 0.4 "$s" "$out/w-$src-to-v3.zarr" 0.5)
  ome_pairs+=("$s" "$out/w-$src-to-v3s.zarr" 0.5 "$s" "$out/w-$src-back.zarr" 0.4)
done
# OME-NGFF 0.6 (one coordinate system) written as 0.4: valid, pixels equal.
"$zlint" rechunk "$f/ome/v06.ome.zarr" "$out/w-v06-to-v2.zarr" --ome-version 0.4 -q --verify >/dev/null
ome_pairs+=("$f/ome/v06.ome.zarr" "$out/w-v06-to-v2.zarr" 0.4)
"$venvs/main/bin/python" -W ignore "$here/tests/interop/ome_check.py" "${ome_pairs[@]}" 2>&1 |
  grep -v 'version mismatch\|no parent found'
"$venvs/main/bin/python" -W ignore "$here/tests/interop/whole_store_check.py" "${whole[@]}"
# Zip files in and out: zarr-python's ZipStore, tensorstore's zip kvstore, ome-zarr-models.
"$venvs/main/bin/python" -W ignore "$here/tests/interop/zip_check.py" "${zip_pairs[@]}"
