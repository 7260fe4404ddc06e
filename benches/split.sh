#!/usr/bin/env bash
# What splitting a rechunk into parts costs: one process with T threads beside N parts of T/N
# threads each (started at once, as a Slurm array or GNU parallel would), plus --init and
# --finalize, on the ~1 GiB benchmark volume of benches/rechunk.sh. Median of RUNS runs each,
# alternating. Usage: bash benches/split.sh [WORKDIR]   (default /tmp/zlint-rechunk-bench)
# Env: PARTS=4, THREADS=4 (total), TARGET=64,256,256, MAX_MEM=1GiB (per process), RUNS=3.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/zlint-rechunk-bench}
parts=${PARTS:-4}; threads=${THREADS:-4}; target=${TARGET:-64,256,256}
max_mem=${MAX_MEM:-1GiB}; runs=${RUNS:-3}
src="$work/src.zarr"
[ -d "$src" ] || { echo "no $src: run benches/rechunk.sh first (it builds the volume)" >&2; exit 1; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
zlint="$here/target/release/zlint"
per=$(( threads / parts > 0 ? threads / parts : 1 ))

one() {
  rm -rf "$work/split-one.zarr"
  "$zlint" rechunk "$src" "$work/split-one.zarr" --chunks "$target" --max-mem "$max_mem" -j "$threads" -q >/dev/null
}
split() {
  local dst="$work/split-parts.zarr"
  rm -rf "$dst"
  "$zlint" rechunk "$src" "$dst" --chunks "$target" --max-mem "$max_mem" -j "$threads" --init >/dev/null
  local pids=()
  for ((i = 0; i < parts; i++)); do
    "$zlint" rechunk "$src" "$dst" --part "$i/$parts" -j "$per" -q >/dev/null & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  "$zlint" rechunk "$src" "$dst" --finalize >/dev/null
}
secs() { local t0 t1; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

a=(); b=()
for ((r = 0; r < runs; r++)); do a+=("$(secs one)"); b+=("$(secs split)"); done
cmp -s <(cd "$work/split-one.zarr" && find . -type f | sort | xargs cat | md5sum) \
       <(cd "$work/split-parts.zarr" && find . -type f | sort | xargs cat | md5sum) \
  && same=identical || same=DIFFERENT
ta=$(printf '%s\n' "${a[@]}" | median); tb=$(printf '%s\n' "${b[@]}" | median)
echo "cores: $(nproc); $(date -u +%Y-%m-%d); $src -> $target; --max-mem $max_mem per process; median of $runs"
printf '%-34s %8s %8s\n' run wall_s ratio
printf '%-34s %8.2f %8.2f\n' "1 process, -j $threads" "$ta" 1
printf '%-34s %8.2f %8.2f\n' "$parts parts of -j $per (+init, finalize)" "$tb" "$(echo "$tb / $ta" | bc -l)"
echo "outputs: $same"
rm -rf "$work/split-one.zarr" "$work/split-parts.zarr"
