#!/usr/bin/env bash
# Rechunk benchmark: zlint beside the peers of ../shared/bench on the same ~1 GiB uint16 volume
# (256×2048×1024, one plane per source chunk, zstd), in one run, to 64×256×256 and 128×128×128.
# Usage: bash benches/rechunk.sh [WORKDIR]      (default /tmp/zlint-rechunk-bench; ~3 GiB free)
# Env: FORMAT=3|2 (source Zarr v3 zstd, or Zarr v2 Blosc-zstd), MAX_MEM=1GiB,
#      PEERS="tensorstore dask zarr rechunker zarrs_reencode" (as ../shared/bench/run_peers.sh).
# Prints one table: tool, target, wall seconds, ratio to zlint, throughput, peak RSS, status; plus
# per target the codec floor (cargo bench --bench codec_floor: decode every source chunk once and
# encode every target chunk once with zlint's codecs, divided by the cores) and `cp -r` of the
# source. Small budgets, splits, scaling and repacks: benches/{budget,split,scaling,repack}.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bench=${ZLINT_SHARED_BENCH:-$here/../shared/bench}
work=${1:-/tmp/zlint-rechunk-bench}
mkdir -p "$work"; work=$(cd "$work" && pwd)
fmt=${FORMAT:-3}
max_mem=${MAX_MEM:-1GiB}
targets=(64,256,256 128,128,128)

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
zlint="$here/target/release/zlint"

# The peers (and the source volume, written by the shared script on first use).
PEERS=${PEERS:-"tensorstore dask zarr rechunker zarrs_reencode"} FORMAT=$fmt MAX_MEM=$max_mem \
  bash "$bench/run_peers.sh" "$work" "${targets[@]}" | tee "$work/peers.txt"
py="$work/venv/bin/python"
src="$work/src.zarr"; [ "$fmt" = 3 ] || src="$work/src-v2.zarr"
bytes=$("$py" -c "import zarr,sys,math; a=zarr.open_array(sys.argv[1],mode='r'); print(math.prod(a.shape)*a.dtype.itemsize)" "$src")

run_zlint() {  # target chunks -> "wall rss status"
  local t=$1 dst="$work/out-zlint.zarr" log="$work/time-zlint.log"
  rm -rf "$dst"
  local st=ok
  if /usr/bin/time -v "$zlint" rechunk "$src" "$dst" --chunks "$t" --max-mem "$max_mem" --quiet \
      >"$work/out-zlint.log" 2>"$log"; then
    local got
    got=$("$py" -c "import zarr,sys; print(','.join(map(str, zarr.open_array(sys.argv[1], mode='r').chunks)))" "$dst" 2>/dev/null || echo '?')
    [ "$got" = "$t" ] || st="wrong output chunks: $got"
  else st="failed (see $log)"; fi
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$log")
  rm -rf "$dst"
  echo "$wall $rss $st"
}

cp_start=$(date +%s.%N); cp -r "$src" "$work/cp-copy.zarr"; cp_end=$(date +%s.%N)
cp_wall=$(echo "$cp_end - $cp_start" | bc -l); rm -rf "$work/cp-copy.zarr"
floor() {  # target -> codec-floor seconds on all cores
  cargo bench --quiet --manifest-path "$here/Cargo.toml" --bench codec_floor -- "$src" "$1" "$(nproc)" 2>/dev/null |
    sed -n 's/.* threads = \([0-9.]*\) s$/\1/p'
}

echo
echo "cores: $(nproc); source: Zarr v$fmt, $((bytes / 1048576)) MiB; --max-mem $max_mem; $(date -u +%Y-%m-%d)"
printf '%-15s %-13s %8s %8s %10s %9s %s\n' tool target wall_s ratio MiB/s peak_MiB status
for t in "${targets[@]}"; do
  read -r zwall zrss zst <<<"$(run_zlint "$t")"
  printf '%-15s %-13s %8.2f %8.2f %10.0f %9s %s\n' zlint "$t" "$zwall" 1 "$(echo "$bytes / 1048576 / $zwall" | bc -l)" "$zrss" "$zst"
  awk -v t="$t" -v z="$zwall" -v b="$bytes" '$2 == t && $3 != "-" {
      printf "%-15s %-13s %8.2f %8.2f %10.0f %9s %s\n", $1, $2, $3, $3 / z, b / 1048576 / $3, $4, substr($0, index($0, $5))
    } $2 == t && $3 == "-" { printf "%-15s %-13s %8s %8s %10s %9s %s\n", $1, $2, "-", "-", "-", "-", substr($0, index($0, $5)) }' \
    "$work/peers.txt"
  f=$(floor "$t")
  printf '%-15s %-13s %8.2f %8.2f %10.0f %9s %s\n' "codec floor" "$t" "$f" "$(echo "$f / $zwall" | bc -l)" "$(echo "$bytes / 1048576 / $f" | bc -l)" - "decode once + encode once, / $(nproc) cores"
  printf '%-15s %-13s %8.2f %8.2f %10.0f %9s %s\n' "cp -r" "$t" "$cp_wall" "$(echo "$cp_wall / $zwall" | bc -l)" "$(echo "$bytes / 1048576 / $cp_wall" | bc -l)" - "the source, same disk"
done
