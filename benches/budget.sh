#!/usr/bin/env bash
# Small memory budgets: zlint with --max-mem 64MiB beside its default budget (1GiB here), on the
# ~1 GiB benchmark volume of benches/rechunk.sh, both targets, alternating runs, median of RUNS.
# Usage: bash benches/budget.sh [WORKDIR]   (default /tmp/zlint-rechunk-bench; run rechunk.sh first)
# Env: SMALL=64MiB, LARGE=1GiB, RUNS=3.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/zlint-rechunk-bench}
small=${SMALL:-64MiB}; large=${LARGE:-1GiB}; runs=${RUNS:-3}
src="$work/src.zarr"
[ -d "$src" ] || { echo "no $src: run benches/rechunk.sh first (it builds the volume)" >&2; exit 1; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
zlint="$here/target/release/zlint"
one() {  # target max_mem -> "wall rss_mib"
  rm -rf "$work/budget.zarr"
  /usr/bin/time -f "%e %M" -o "$work/budget.time" "$zlint" rechunk "$src" "$work/budget.zarr" \
    --chunks "$1" --max-mem "$2" -q >/dev/null
  awk '{printf "%s %.0f\n", $1, $2 / 1024}' "$work/budget.time"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "cores: $(nproc); $(date -u +%Y-%m-%d); $src; median of $runs alternating runs"
printf '%-13s %-9s %8s %8s %9s  %s\n' target max_mem wall_s ratio peak_MiB plan
for t in 64,256,256 128,128,128; do
  a=(); b=(); ra=(); rb=()
  for ((r = 0; r < runs; r++)); do
    read -r w m <<<"$(one "$t" "$large")"; a+=("$w"); ra+=("$m")
    read -r w m <<<"$(one "$t" "$small")"; b+=("$w"); rb+=("$m")
  done
  ta=$(printf '%s\n' "${a[@]}" | median); tb=$(printf '%s\n' "${b[@]}" | median)
  ma=$(printf '%s\n' "${ra[@]}" | sort -g | tail -1); mb=$(printf '%s\n' "${rb[@]}" | sort -g | tail -1)
  how=$("$zlint" rechunk "$src" "$work/never.zarr" --chunks "$t" --max-mem "$small" --dry-run | tail -1 | sed 's/.*; //')
  printf '%-13s %-9s %8.2f %8.2f %9s  %s\n' "$t" "$large" "$ta" 1 "$ma" "one pass"
  printf '%-13s %-9s %8.2f %8.2f %9s  %s\n' "$t" "$small" "$tb" "$(echo "$tb / $ta" | bc -l)" "$mb" "$how"
done
rm -rf "$work/budget.zarr" "$work/budget.time"
