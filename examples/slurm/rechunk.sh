#!/usr/bin/env bash
# Rechunk one store as a Slurm array job: plan it here (--init), run PARTS parts as an array job,
# then finalize (check every part finished, verify, write the metadata) in a job that starts only
# when every part succeeded.
#
# Usage: examples/slurm/rechunk.sh SRC DST PARTS [target options...]
#   e.g. examples/slurm/rechunk.sh s3://lab/raw/run1.zarr s3://lab/rechunked/run1.zarr 64 \
#          --chunks 64,256,256 --shards 512,1024,1024 --max-mem 8GiB
# SRC and DST may be paths on a shared filesystem or object store URLs; every node must see them.
# SBATCH_ARGS adds sbatch options to both jobs, e.g. SBATCH_ARGS="--partition=short --cpus-per-task=4".
# A failed or preempted part is simply run again (the array task re-runs with --resume):
#   sbatch --array=17 --export=ALL,SRC=...,DST=... examples/slurm/part.sbatch
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,13p' "$0"; exit 2; }
src=$1 dst=$2 parts=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
zlint rechunk "$src" "$dst" --init "$@"
read -r -a extra <<<"${SBATCH_ARGS:-}"
job=$(sbatch --parsable "${extra[@]}" --array="0-$((parts - 1))" --export="ALL,SRC=$src,DST=$dst" \
  "$here/part.sbatch")
sbatch --parsable "${extra[@]}" --dependency="afterok:$job" --export="ALL,SRC=$src,DST=$dst" \
  "$here/finalize.sbatch"
