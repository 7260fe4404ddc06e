#!/usr/bin/env bash
# zlint's rechunk beside its codec floor (benches/codec_floor.rs), alternating RUNS times so that
# both see the same machine; prints the medians and their ratio, per source format and target.
# Usage: bash benches/floor.sh [WORKDIR]   (the volumes of benches/rechunk.sh; run that first)
# Env: RUNS (default 3), MAX_MEM (default 1GiB).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/zlint-rechunk-bench}
runs=${RUNS:-3}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
cargo bench --quiet --manifest-path "$here/Cargo.toml" --bench codec_floor --no-run 2>/dev/null
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo "cores: $(nproc); runs: $runs (median); --max-mem ${MAX_MEM:-1GiB}; $(date -u +%Y-%m-%d)"
printf '%-12s %-13s %8s %8s %8s %8s %8s\n' source target zlint_s floor_s ratio par_s ratio
for src in src.zarr src-v2.zarr; do
  [ -e "$work/$src" ] || { echo "$work/$src missing: run benches/rechunk.sh (FORMAT=2 for src-v2.zarr)" >&2; continue; }
  for t in 64,256,256 128,128,128; do
    : >"$work/floor-z" && : >"$work/floor-f" && : >"$work/floor-p"
    for _ in $(seq "$runs"); do
      rm -rf "$work/floor-out.zarr"; sync  # no earlier output left to write back meanwhile
      start=$(date +%s.%N)
      "$here/target/release/zlint" rechunk "$work/$src" "$work/floor-out.zarr" --chunks "$t" \
        --max-mem "${MAX_MEM:-1GiB}" --quiet >/dev/null
      echo "$(date +%s.%N) - $start" | bc >>"$work/floor-z"
      rm -rf "$work/floor-out.zarr"; sync
      cargo bench --quiet --manifest-path "$here/Cargo.toml" --bench codec_floor -- "$work/$src" "$t" "$(nproc)" 2>/dev/null |
        awk -v f="$work/floor-f" -v p="$work/floor-p" \
          '/at once:/ {print $(NF - 1) >> p} / threads = / {print $(NF - 1) >> f}'
    done
    z=$(median <"$work/floor-z"); f=$(median <"$work/floor-f"); p=$(median <"$work/floor-p")
    printf '%-12s %-13s %8.2f %8.2f %8.2f %8.2f %8.2f\n' "$src" "$t" "$z" "$f" "$(echo "$z / $f" | bc -l)" "$p" "$(echo "$z / $p" | bc -l)"
  done
done
rm -f "$work/floor-z" "$work/floor-f" "$work/floor-p"
