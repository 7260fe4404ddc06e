#!/usr/bin/env bash
# The cross-implementation corpus: arrays written by zarr-python 3 (also through the zarrs codec
# pipeline), zarr-python 2.18, 2.10 and 2.4 (numcodecs filters and compressors), z5py,
# tensorstore and zarrita.js (npm, run by the machine's Node.js), each rechunked by zlint to Zarr v3 (plain and
# sharded), Zarr v2 and N5 and read back by zarr-python 3 and tensorstore, N5 also by
# zarr-python 2. Fails on any wrong output, and on refusals that differ from refusals.txt.
# Usage: bash tests/corpus/run.sh [ZLINT_BINARY]   (venvs shared with tests/interop/run.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
venvs=${ZLINT_INTEROP_VENVS:-${TMPDIR:-/tmp}/zlint-interop}
if [ ! -x "$venvs/main/bin/python" ]; then
  python3 -m venv "$venvs/main"
  "$venvs/main/bin/pip" install -q 'zarr==3.1.6' 'tensorstore==0.1.86' 'numpy<3'
fi
# pcodec (numcodecs' PCodec needs it), also when tests/interop/run.sh made the venv.
"$venvs/main/bin/python" -c 'import pcodec' 2>/dev/null || "$venvs/main/bin/pip" install -q 'pcodec==1.1.0'
if [ ! -x "$venvs/zarr2/bin/python" ]; then
  python3 -m venv "$venvs/zarr2"
  "$venvs/zarr2/bin/pip" install -q 'zarr==2.18.7' 'numcodecs==0.15.2' 'numpy<2.3'
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venvs/main/bin/python" "$here/tests/corpus/make.py" "$work/corpus"
"$venvs/zarr2/bin/python" "$here/tests/corpus/make.py" --zarr2 "$work/corpus"
# Older zarr-python 2 releases, as stores written years ago hold them (wheels for this Python:
# numcodecs 0.11, numpy 1.26).
for release in 2.10.3 2.4.0; do
  short=${release%.*}
  if [ ! -x "$venvs/zarr$short/bin/python" ]; then
    python3 -m venv "$venvs/zarr$short"
    "$venvs/zarr$short/bin/pip" install -q "zarr==$release" 'numcodecs==0.11.0' 'numpy<1.27'
  fi
  "$venvs/zarr$short/bin/python" -W ignore "$here/tests/corpus/make.py" --zarr2 "$work/corpus" "zarr$short"
done
# z5py (N5 and Zarr v2 through its C++ library), and zarr-python 3 through the zarrs pipeline.
if [ ! -x "$venvs/z5py/bin/python" ]; then
  python3 -m venv "$venvs/z5py"
  "$venvs/z5py/bin/pip" install -q 'z5py==3.0.2' 'numpy<2.3'
fi
"$venvs/z5py/bin/python" -W ignore "$here/tests/corpus/make.py" --z5py "$work/corpus"
if [ ! -x "$venvs/zarrs/bin/python" ]; then
  python3 -m venv "$venvs/zarrs"
  "$venvs/zarrs/bin/pip" install -q 'zarrs==0.2.3' 'zarr==3.1.6' 'numpy<3'
fi
"$venvs/zarrs/bin/python" -W ignore "$here/tests/corpus/make.py" --zarrs "$work/corpus"
# zarrita.js, at the version package-lock.json pins, installed beside its script.
if [ ! -d "$venvs/zarrita/node_modules/zarrita" ]; then
  mkdir -p "$venvs/zarrita"
  cp "$here/tests/corpus/zarrita/package.json" "$here/tests/corpus/zarrita/package-lock.json" "$venvs/zarrita/"
  (cd "$venvs/zarrita" && npm ci --no-audit --no-fund --loglevel=error)
fi
cp "$here/tests/corpus/zarrita/write.mjs" "$venvs/zarrita/"
node "$venvs/zarrita/write.mjs" "$work/corpus"
"$venvs/main/bin/python" "$here/tests/corpus/run.py" "$zlint" "$work/corpus" "$work/out" \
  --refusals "$here/tests/corpus/refusals.txt"
mapfile -t n5 < "$work/out/n5-outputs.txt"
"$venvs/zarr2/bin/python" -W ignore "$here/tests/interop/read_back_zarr2.py" "$work/out/expected" "${n5[@]}"
