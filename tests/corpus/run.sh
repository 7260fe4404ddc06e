#!/usr/bin/env bash
# The cross-implementation corpus: arrays written by zarr-python 3, zarr-python 2.18 (numcodecs
# filters and compressors) and tensorstore, each rechunked by zlint to Zarr v3 (plain and
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
if [ ! -x "$venvs/zarr2/bin/python" ]; then
  python3 -m venv "$venvs/zarr2"
  "$venvs/zarr2/bin/pip" install -q 'zarr==2.18.7' 'numcodecs==0.15.2' 'numpy<2.3'
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venvs/main/bin/python" "$here/tests/corpus/make.py" "$work/corpus"
"$venvs/zarr2/bin/python" "$here/tests/corpus/make.py" --zarr2 "$work/corpus"
"$venvs/main/bin/python" "$here/tests/corpus/run.py" "$zlint" "$work/corpus" "$work/out" \
  --refusals "$here/tests/corpus/refusals.txt"
mapfile -t n5 < "$work/out/n5-outputs.txt"
"$venvs/zarr2/bin/python" -W ignore "$here/tests/interop/read_back_zarr2.py" "$work/out/expected" "${n5[@]}"
