#!/usr/bin/env bash
# Interoperability: rechunk the fixtures across formats and layouts with zlint, then read every
# output back with zarr-python 3 and tensorstore (installed from PyPI into a venv) and compare
# value by value with the source. Usage: bash tests/interop/run.sh [ZLINT_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
venv=${ZLINT_INTEROP_VENV:-${TMPDIR:-/tmp}/zlint-interop-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'zarr==3.1.6' 'tensorstore==0.1.86' 'numpy<3'
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
f="$here/fixtures"
pairs=()
rechunk() {  # SRC NAME ARGS...
  local src=$1 name=$2; shift 2
  "$zlint" rechunk "$src" "$out/$name" --quiet --verify "$@" >/dev/null
  pairs+=("$src" "$out/$name")
}
rechunk "$f/zarr2/hierarchy.zarr" v2-to-v3.zarr --format zarr3
rechunk "$f/zarr2/hierarchy.zarr" v2-to-v2.zarr --chunks raw=8,16 --chunks sub/slashes=3,3,3
rechunk "$f/zarr3/consolidated.zarr" v3-to-sharded.zarr --chunks temperature=2,5,5 \
  --shards temperature=6,10,10 --chunks aux/flags=10 --shards aux/flags=50
rechunk "$f/zarr3/sharded.zarr" sharded-to-plain.zarr --chunks 16,48 --codec gzip:5
rechunk "$f/zarr3/plain.zarr" v3-to-v2.zarr --format zarr2 --chunks 7,9 --codec blosc:lz4:5:shuffle
rechunk "$f/ome/v05.ome.zarr" ome-auto.zarr --auto
rechunk "$f/ome/v04.ome.zarr" ome04-to-v3.zarr --format zarr3 --chunks 8,32,32 --shards 16,64,64
"$venv/bin/python" -W ignore "$here/tests/interop/read_back.py" "${pairs[@]}"
