#!/usr/bin/env bash
# Scan benchmark: zlint beside `find STORE -type f | wc -l` (and `du -sb`, which like
# `zlint scan --deep` stats every file) on the same stores, in one run.
# Usage: bash benches/scan.sh [WORKDIR]   (default /tmp/zlint-bench; ~1.2 GB of small files)
# Env: N_ARRAYS (default 1000) sets the size of the metadata hierarchy (use a fresh WORKDIR).
# Each command runs once to warm the page cache, then RUNS times; the median wall time is shown.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/zlint-bench}
runs=${RUNS:-5}
mkdir -p "$work"
n_arrays=${N_ARRAYS:-1000}
python3 "$here/benches/make_scan_data.py" "$work" "$n_arrays"
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
zlint="$here/target/release/zlint"

median() {  # median wall seconds of `runs` runs of "$@"
  "$@" >/dev/null 2>&1
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
    echo "$end - $start" | bc
  done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
find_count() { find "$1" -type f | wc -l; }

echo "cores: $(nproc); runs: $runs (median); $(date -u +%Y-%m-%d)"
printf '%-44s %10s %8s\n' "command" "seconds" "ratio"
t_meta=$(median "$zlint" scan --quiet "$work/many-arrays.zarr")
t_json=$(median "$zlint" scan --quiet --format json "$work/many-arrays.zarr")
t_lint=$(median "$zlint" --quiet "$work/many-arrays.zarr")
t_find_meta=$(median find_count "$work/many-arrays.zarr")
printf '%-44s %10.3f %8s\n' "zlint scan many-arrays.zarr ($n_arrays arrays)" "$t_meta" "1.00"
printf '%-44s %10.3f %8.2f\n' "zlint scan --format json many-arrays.zarr" "$t_json" "$(echo "$t_json / $t_meta" | bc -l)"
printf '%-44s %10.3f %8.2f\n' "zlint many-arrays.zarr (lint)" "$t_lint" "$(echo "$t_lint / $t_meta" | bc -l)"
printf '%-44s %10.3f %8.2f\n' "find many-arrays.zarr -type f | wc -l" "$t_find_meta" "$(echo "$t_find_meta / $t_meta" | bc -l)"
t_deep=$(median "$zlint" scan --quiet --deep "$work/many-chunks.zarr")
t_find=$(median find_count "$work/many-chunks.zarr")
t_du=$(median du -sb "$work/many-chunks.zarr")
printf '%-44s %10.3f %8s\n' "zlint scan --deep many-chunks.zarr (1M)" "$t_deep" "1.00"
printf '%-44s %10.3f %8.2f\n' "find many-chunks.zarr -type f | wc -l" "$t_find" "$(echo "$t_find / $t_deep" | bc -l)"
printf '%-44s %10.3f %8.2f\n' "du -sb many-chunks.zarr (stats every file)" "$t_du" "$(echo "$t_du / $t_deep" | bc -l)"
