#!/usr/bin/env bash
# Scaling: the ~1 GiB benchmark volume of benches/rechunk.sh tiled FACTOR times along its first
# axis into a FACTOR GiB volume (chunk files copied, metadata rewritten), rechunked with the same
# budget right after the 1 GiB one. Prints wall time, time per GiB and peak RSS of both; the
# tiled volume and the outputs are deleted afterwards (needs about FACTOR × 0.75 GiB free).
# Usage: bash benches/scaling.sh [WORKDIR]   (default /tmp/zlint-rechunk-bench; rechunk.sh first)
# Env: FACTOR=8, TARGET=64,256,256, MAX_MEM=1GiB.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/zlint-rechunk-bench}
factor=${FACTOR:-8}; target=${TARGET:-64,256,256}; max_mem=${MAX_MEM:-1GiB}
src="$work/src.zarr"; big="$work/src-x$factor.zarr"
[ -d "$src" ] || { echo "no $src: run benches/rechunk.sh first (it builds the volume)" >&2; exit 1; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
zlint="$here/target/release/zlint"
trap 'rm -rf "$big" "$work/scaling-out.zarr" "$work/scaling.time"' EXIT

planes=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['shape'][0])" "$src/zarr.json")
rm -rf "$big"; mkdir -p "$big/c"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['shape'][0]*=int(sys.argv[3]); json.dump(d, open(sys.argv[2],'w'))" \
  "$src/zarr.json" "$big/zarr.json" "$factor"
for ((k = 0; k < factor; k++)); do
  for ((z = 0; z < planes; z++)); do cp -r "$src/c/$z" "$big/c/$((z + k * planes))"; done
done
sync

one() {  # store -> "wall rss_mib"
  rm -rf "$work/scaling-out.zarr"
  /usr/bin/time -f "%e %M" -o "$work/scaling.time" "$zlint" rechunk "$1" "$work/scaling-out.zarr" \
    --chunks "$target" --max-mem "$max_mem" -q >/dev/null
  awk '{printf "%s %.0f\n", $1, $2 / 1024}' "$work/scaling.time"
}
read -r t1 m1 <<<"$(one "$src")"
read -r t8 m8 <<<"$(one "$big")"
echo "cores: $(nproc); $(date -u +%Y-%m-%d); -> $target, --max-mem $max_mem"
printf '%-10s %8s %10s %9s\n' volume wall_s s_per_GiB peak_MiB
printf '%-10s %8.2f %10.2f %9s\n' "1 GiB" "$t1" "$t1" "$m1"
printf '%-10s %8.2f %10.2f %9s\n' "$factor GiB" "$t8" "$(echo "$t8 / $factor" | bc -l)" "$m8"
echo "time per byte, $factor GiB / 1 GiB: $(echo "$t8 / $factor / $t1" | bc -l | cut -c1-5)"
