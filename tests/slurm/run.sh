#!/usr/bin/env bash
# The split-run recipes, run for real: examples/slurm/rechunk.sh submits a rechunk as a Slurm
# array job (4 parts) plus a finalize job to a one-node cluster started on localhost, and
# examples/parallel.sh runs 4 parts with GNU parallel or xargs; both outputs are verified against
# the source. Slurm comes from Debian's slurm-wlm; where it cannot be installed or started (not
# root, no apt), the Slurm recipe runs through tests/slurm/fake-sbatch instead, and says so.
# Usage: bash tests/slurm/run.sh [ZLINT_BINARY]   (ZLINT_FAKE_SLURM=1: the fake-sbatch path)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
zlint=$(cd "$(dirname "$zlint")" && pwd)/$(basename "$zlint")
export PATH="$(dirname "$zlint"):$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src="$here/fixtures/zarr2/hierarchy.zarr"
options=(--chunks raw=8,16 --chunks labels=10 --to zarr3)

slurm=real
[ "${ZLINT_FAKE_SLURM:-0}" = 1 ] && slurm=fake
if [ "$slurm" = real ] && ! command -v slurmctld >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm; } \
      >"$work/apt.log" 2>&1 || { tail -5 "$work/apt.log"; slurm=fake; }
  else
    slurm=fake
  fi
fi
if [ "$slurm" = real ] && ! bash "$here/tests/slurm/cluster.sh"; then slurm=fake; fi
if [ "$slurm" = fake ]; then
  echo "NOTE: Slurm could not be installed or started here; the recipe runs through fake-sbatch"
  mkdir -p "$work/bin" && ln -s "$here/tests/slurm/fake-sbatch" "$work/bin/sbatch"
  export PATH="$work/bin:$PATH"
fi

cd "$work"
SBATCH_ARGS="--cpus-per-task=1 --mem=200M" \
  bash "$here/examples/slurm/rechunk.sh" "$src" "$work/slurm.zarr" 4 "${options[@]}" >"$work/submit.txt"
cat "$work/submit.txt"
if [ "$slurm" = real ]; then
  for _ in $(seq 300); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 1; done
  [ -z "$(squeue -h)" ] || { squeue; echo "FAIL: jobs still queued after 300 s"; exit 1; }
fi
cat "$work"/slurm-*.out
tasks=$(ls "$work"/slurm-*_[0-9].out | wc -l)
[ "$tasks" = 4 ] || { echo "FAIL: $tasks array tasks ran, not 4"; exit 1; }
grep -q "finalized" "$work"/slurm-*.out || { echo "FAIL: the finalize job did not finalize"; exit 1; }
zlint verify "$src" "$work/slurm.zarr"
echo "ok   Slurm ($slurm) array job of 4 parts + finalize"

ZLINT="$zlint" bash "$here/examples/parallel.sh" "$src" "$work/parallel.zarr" 4 "${options[@]}"
zlint verify "$src" "$work/parallel.zarr"
cmp <(cd "$work/slurm.zarr" && find . -type f | sort | xargs md5sum) \
    <(cd "$work/parallel.zarr" && find . -type f | sort | xargs md5sum)
echo "ok   GNU parallel / xargs recipe; both outputs identical"
