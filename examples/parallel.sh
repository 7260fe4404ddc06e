#!/usr/bin/env bash
# Rechunk one store as PARTS independent processes on this machine (GNU parallel when installed,
# else xargs -P), the same way a cluster would run them: init, parts, finalize.
#
# Usage: examples/parallel.sh SRC DST PARTS [target options...]
#   e.g. examples/parallel.sh big.zarr big-rechunked.zarr 4 --chunks 64,256,256 --max-mem 2GiB
# Each part gets an equal share of the cores (-j). Re-running the script after a failure resumes.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,8p' "$0"; exit 2; }
src=$1 dst=$2 parts=$3
shift 3
zlint=${ZLINT:-zlint}
cores=$(nproc)
threads=$(( cores / parts > 0 ? cores / parts : 1 ))
# --resume: a re-run keeps the plan and whatever the parts finished.
"$zlint" rechunk "$src" "$dst" --init --resume "$@"
run_part() { "$zlint" rechunk "$src" "$dst" --part "$1/$parts" --resume -j "$threads" --quiet; }
export -f run_part
export zlint src dst parts threads
if command -v parallel >/dev/null; then
  seq 0 $((parts - 1)) | parallel --halt never -j "$parts" run_part {}
else
  seq 0 $((parts - 1)) | xargs -P "$parts" -I{} bash -c 'run_part {}'
fi
"$zlint" rechunk "$src" "$dst" --finalize --verify --quiet
