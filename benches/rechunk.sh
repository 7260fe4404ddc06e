#!/usr/bin/env bash
# Rechunk benchmark: zlint beside the peers of ../shared/bench on the same ~1 GiB uint16 volume
# (256×2048×1024, one plane per source chunk, zstd), in one run, to 64×256×256 and 128×128×128.
# Usage: bash benches/rechunk.sh [WORKDIR]      (default /tmp/zlint-rechunk-bench; ~3 GiB free)
# Env: FORMAT=3|2 (source Zarr v3 zstd, or Zarr v2 Blosc-zstd), MAX_MEM=1GiB,
#      PEERS="tensorstore dask zarr rechunker zarrs_reencode" (as ../shared/bench/run_peers.sh).
# Prints one table: tool, target, wall seconds, ratio to zlint, throughput, peak RSS, status; plus
# per target the codec floor (cargo bench --bench codec_floor: decode every source chunk once and
# encode every target chunk once with zlint's codecs, on one thread divided by the cores, and on
# all cores at once) and `cp -r` of the source. zarrs_tools is installed into WORKDIR if missing. Small budgets, splits, scaling and repacks: benches/{budget,split,scaling,repack}.sh.
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

# zarrs_tools' zarrs_reencode, installed from crates.io into WORKDIR on first use (~10 min build).
if ! command -v zarrs_reencode >/dev/null; then
  [ -x "$work/cargo/bin/zarrs_reencode" ] ||
    cargo install --quiet --locked --root "$work/cargo" zarrs_tools ||
    echo "zarrs_tools could not be installed: its row will say so" >&2
  export PATH="$work/cargo/bin:$PATH"
fi

# The peers (and the source volume, written by the shared script on first use).
PEERS=${PEERS:-"tensorstore dask zarr rechunker zarrs_reencode"} FORMAT=$fmt MAX_MEM=$max_mem \
  bash "$bench/run_peers.sh" "$work" "${targets[@]}" | tee "$work/peers.txt"
py="$work/venv/bin/python"
src="$work/src.zarr"; [ "$fmt" = 3 ] || src="$work/src-v2.zarr"
bytes=$("$py" -c "import zarr,sys,math; a=zarr.open_array(sys.argv[1],mode='r'); print(math.prod(a.shape)*a.dtype.itemsize)" "$src")

timed() {  # target chunks, command... -> "wall rss status" (the output must have the target chunks)
  local t=$1; shift
  local dst="$work/out-timed.zarr" log="$work/time-timed.log" st=ok
  rm -rf "$dst"
  if /usr/bin/time -v "$@" "$dst" >"$work/out-timed.log" 2>"$log"; then
    local got
    got=$("$py" -c "import zarr,sys; print(','.join(map(str, zarr.open_array(sys.argv[1], mode='r').chunks)))" "$dst" 2>/dev/null || echo '?')
    [ "$got" = "$t" ] || st="wrong output chunks: $got"
  else st="failed (see $log)"; cp "$log" "$log.failed"; fi
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$log")
  rm -rf "$dst"
  echo "$wall $rss $st"
}
run_zlint() {  # target chunks, extra options... -> "wall rss status"
  local t=$1; shift
  timed "$t" "$zlint" rechunk "$src" --chunks "$t" --max-mem "$max_mem" --quiet "$@" --
}
row() {  # tool, target, "wall rss status", zlint's wall
  local wall rss st
  read -r wall rss st <<<"$3"
  printf '%-15s %-13s %8.2f %8.2f %10.0f %9s %s\n' "$1" "$2" "$wall" "$(echo "$wall / $4" | bc -l)" "$(echo "$bytes / 1048576 / $wall" | bc -l)" "$rss" "$st"
}

cp_start=$(date +%s.%N); cp -r "$src" "$work/cp-copy.zarr"; cp_end=$(date +%s.%N)
cp_wall=$(echo "$cp_end - $cp_start" | bc -l); rm -rf "$work/cp-copy.zarr"
floor() {  # target -> "one-thread-time/cores parallel-time": the codec floor, both ways
  cargo bench --quiet --manifest-path "$here/Cargo.toml" --bench codec_floor -- "$src" "$1" "$(nproc)" 2>/dev/null |
    awk '/at once:/ {p = $NF == "s" ? $(NF - 1) : $NF} / threads = / {f = $(NF - 1)} END {print f, p}'
}

echo
echo "cores: $(nproc); source: Zarr v$fmt, $((bytes / 1048576)) MiB; --max-mem $max_mem; $(date -u +%Y-%m-%d)"
printf '%-15s %-13s %8s %8s %10s %9s %s\n' tool target wall_s ratio MiB/s peak_MiB status
for t in "${targets[@]}"; do
  z=$(run_zlint "$t"); zwall=${z%% *}
  row zlint "$t" "$z" "$zwall"
  awk -v t="$t" -v z="$zwall" -v b="$bytes" '$2 == t && $3 != "-" {
      printf "%-15s %-13s %8.2f %8.2f %10.0f %9s %s\n", $1, $2, $3, $3 / z, b / 1048576 / $3, $4, substr($0, index($0, $5))
    } $2 == t && $3 == "-" { printf "%-15s %-13s %8s %8s %10s %9s %s\n", $1, $2, "-", "-", "-", "-", substr($0, index($0, $5)) }' \
    "$work/peers.txt"
  if [ "$fmt" = 2 ]; then
    # rechunker 0.5 writes Blosc LZ4 (zarr-python 2's default) unless told: once told to write
    # the codec every other row writes, and zlint writing its LZ4, to compare on its terms too.
    r=$(timed "$t" "$work/venv2/bin/python" "$here/benches/rechunker_codec.py" "$src" --chunks "$t" --codec zstd:3 --max-mem "$max_mem" --)
    row "rechunker zstd" "$t" "$r; same codec as the other rows (Blosc zstd 3)" "$zwall"
    row "zlint lz4" "$t" "$(run_zlint "$t" --codec blosc:lz4:5:shuffle); Blosc LZ4 5, as the rechunker row writes" "$zwall"
  fi
  read -r f p <<<"$(floor "$t")"
  printf '%-15s %-13s %8.2f %8.2f %10.0f %9s %s\n' "codec floor" "$t" "$f" "$(echo "$f / $zwall" | bc -l)" "$(echo "$bytes / 1048576 / $f" | bc -l)" - "decode once + encode once on one thread, / $(nproc) cores"
  printf '%-15s %-13s %8.2f %8.2f %10.0f %9s %s\n' "codec parallel" "$t" "$p" "$(echo "$p / $zwall" | bc -l)" "$(echo "$bytes / 1048576 / $p" | bc -l)" - "the same work on $(nproc) threads at once, into memory"
  printf '%-15s %-13s %8.2f %8.2f %10.0f %9s %s\n' "cp -r" "$t" "$cp_wall" "$(echo "$cp_wall / $zwall" | bc -l)" "$(echo "$bytes / 1048576 / $cp_wall" | bc -l)" - "the source, same disk"
done
