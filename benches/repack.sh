#!/usr/bin/env bash
# Repack benchmark: format conversion and sharding without recompression, beside `cp -r` of the
# source on the same disk and beside a decoding rechunk of the same conversion, in one run.
# Needs the Zarr v2 Blosc source of benches/rechunk.sh (run `FORMAT=2 bash benches/rechunk.sh`
# first, or pass any Zarr v2 store). Peers doing the same v2 -> v3 conversion (zarr-python 3,
# tensorstore; benches/repack_peers.py) run with PEER_PYTHON (default: the venv rechunk.sh made);
# zarrs_reencode (zarrs_tools) when installed, also into shards.
# Usage: bash benches/repack.sh [SOURCE.zarr]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-/tmp/zlint-rechunk-bench/src-v2.zarr}
runs=${RUNS:-5}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
zlint="$here/target/release/zlint"
out=$(mktemp -d "$(dirname "$src")/repack.XXXXXX")
trap 'rm -rf "$out"' EXIT

median() {  # median wall seconds of `runs` runs of "$@" (target $out/o removed before each)
  for _ in $(seq "$runs"); do
    rm -rf "$out/o"
    local start end
    start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
    echo "$end - $start" | bc
  done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
echo "source: $src ($(du -sh "$src" | cut -f1) on disk); cores: $(nproc); runs: $runs (median); $(date -u +%Y-%m-%d)"
t_cp=$(median cp -r "$src" "$out/o")
t_repack=$(median "$zlint" rechunk "$src" "$out/o" --to zarr3 -q)
chunks=$("$zlint" scan --json "$src" | python3 -c "import json,sys; a=json.load(sys.stdin)['arrays'][0]; print(','.join(map(str,a['chunks'])))")
shards=$(echo "$chunks" | awk -F, '{ $1 = $1 * 16; print }' OFS=,)
t_shards=$(median "$zlint" rechunk "$src" "$out/o" --to zarr3 --chunks "$chunks" --shards "$shards" -q)
t_decode=$(median "$zlint" rechunk "$src" "$out/o" --to zarr3 --codec blosc:zstd:3:shuffle -q)
py=${PEER_PYTHON:-$(dirname "$src")/venv/bin/python}
peers=()
for peer in zarr tensorstore; do
  if [ -x "$py" ] && "$py" -c "import $peer" 2>/dev/null; then
    peers+=("$peer $(runs=${PEER_RUNS:-3} median "$py" "$here/benches/repack_peers.py" "$peer" "$src" "$out/o")")
  else
    echo "skipped $peer: not importable by $py"
  fi
done
# zarrs_tools' zarrs_reencode (installed by benches/rechunk.sh) converts to Zarr v3 as well.
reencode=$(command -v zarrs_reencode || echo "$(dirname "$src")/cargo/bin/zarrs_reencode")
if [ -x "$reencode" ]; then
  peers+=("zarrs_reencode $(runs=${PEER_RUNS:-3} median "$reencode" "$src" "$out/o")")
  peers+=("zarrs_reencode_shards $(runs=${PEER_RUNS:-3} median "$reencode" --shard-shape "$shards" "$src" "$out/o")")
else
  echo "skipped zarrs_reencode: not installed (benches/rechunk.sh installs it)"
fi
printf '%-58s %8s %8s\n' command seconds "ratio"
printf '%-58s %8.2f %8.2f\n' "cp -r" "$t_cp" 1
printf '%-58s %8.2f %8.2f\n' "zlint rechunk --to zarr3 (repack)" "$t_repack" "$(echo "$t_repack / $t_cp" | bc -l)"
printf '%-58s %8.2f %8.2f\n' "zlint rechunk --to zarr3 --shards $shards (repack)" "$t_shards" "$(echo "$t_shards / $t_cp" | bc -l)"
printf '%-58s %8.2f %8.2f\n' "zlint rechunk --to zarr3 --codec … (decode + encode)" "$t_decode" "$(echo "$t_decode / $t_cp" | bc -l)"
for entry in "${peers[@]}"; do
  read -r name t <<<"$entry"
  if [ "$name" = zarrs_reencode_shards ]; then
    printf '%-58s %8.2f %8.2f   (%.1f× zlint repack into shards)\n' "zarrs_reencode --shard-shape $shards" "$t" "$(echo "$t / $t_cp" | bc -l)" "$(echo "$t / $t_shards" | bc -l)"
  else
    printf '%-58s %8.2f %8.2f   (%.1f× zlint repack)\n' "$name, same v2 -> v3 conversion" "$t" "$(echo "$t / $t_cp" | bc -l)" "$(echo "$t / $t_repack" | bc -l)"
  fi
done
