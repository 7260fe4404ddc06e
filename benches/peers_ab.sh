#!/usr/bin/env bash
# zlint beside its peers, alternating: for each source and target, RUNS rounds in which every tool
# rechunks once (the order rotating from round to round, so none always runs first or last on a
# warm page cache), then the codec floor RUNS times. Prints, per source and target, each tool's
# min and median wall time and peak RSS, and zlint's min and median ratios to each (below 1:
# zlint is faster), and to the codec floor.
# Usage: bash benches/peers_ab.sh [WORKDIR]   (default /tmp/zlint-rechunk-bench; ~4 GiB free)
# Env: RUNS (5), TOOLS ("zlint zarrs zarr tensorstore dask"; zarrs is zarr-python with the zarrs
#      codec pipeline), SOURCES ("src.zarr src-v2.zarr": the 1 GiB volume of ../shared/bench in
#      Zarr v3 zstd and Zarr v2 Blosc-zstd), TARGETS ("64,256,256 128,128,128"), MAX_MEM (1GiB).
# The peers run ../shared/bench/peers.py in WORKDIR/venv (made on first use, as
# ../shared/bench/run_peers.sh makes it, plus the zarrs package). A run counts only if its
# output has the target chunks.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bench=${ZLINT_SHARED_BENCH:-$here/../shared/bench}
work=${1:-/tmp/zlint-rechunk-bench}
mkdir -p "$work"; work=$(cd "$work" && pwd)
runs=${RUNS:-5}
tools=${TOOLS:-"zlint zarrs zarr tensorstore dask"}
sources=${SOURCES:-"src.zarr src-v2.zarr"}
targets=${TARGETS:-"64,256,256 128,128,128"}
max_mem=${MAX_MEM:-1GiB}

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
cargo bench --quiet --manifest-path "$here/Cargo.toml" --bench codec_floor --no-run 2>/dev/null
zlint=$here/target/release/zlint
py=$work/venv/bin/python
if [ ! -x "$py" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q 'zarr>=3' numcodecs tensorstore 'dask[array]' numpy zarrs
fi
for s in $sources; do
  fmt=3; [ "$s" = src-v2.zarr ] && fmt=2
  [ -e "$work/$s/zarr.json" ] || [ -e "$work/$s/.zarray" ] ||
    "$py" "$bench/make_bench_data.py" "$work/$s" --format "$fmt" >/dev/null
done

times=$(mktemp)
trap 'rm -f "$times"' EXIT
one() {  # tool source target -> appends "tool wall rss" to $times (wall "-" when it failed)
  local tool=$1 src=$work/$2 t=$3 dst=$work/ab-out.zarr log=$work/ab-time.log
  rm -rf "$dst"; sync
  local cmd
  if [ "$tool" = zlint ]; then
    cmd=("$zlint" rechunk "$src" "$dst" --chunks "$t" --max-mem "$max_mem" --quiet)
  else
    cmd=("$py" "$bench/peers.py" "$tool" "$src" "$dst" --chunks "$t" --max-mem "$max_mem")
  fi
  local wall=- rss=-
  if /usr/bin/time -f "%e %M" -o "$log" "${cmd[@]}" >/dev/null 2>"$work/ab-$tool.err"; then
    got=$("$py" -c "import zarr,sys; print(','.join(map(str, zarr.open_array(sys.argv[1], mode='r').chunks)))" "$dst" 2>/dev/null || echo '?')
    if [ "$got" = "$t" ]; then
      read -r wall rss < <(awk '{printf "%s %.0f\n", $1, $2 / 1024}' "$log")
    else
      echo "$tool $2 $t: wrong output chunks $got" >&2
    fi
  else
    echo "$tool $2 $t: failed (see $work/ab-$tool.err)" >&2
  fi
  rm -rf "$dst"
  echo "$tool $wall $rss" >>"$times"
}
stat() {  # tool -> "min median peak" of its counted runs
  awk -v t="$1" '$1 == t && $2 != "-" {print $2, $3}' "$times" | sort -n |
    awk '{w[NR] = $1; if ($2 > p) p = $2} END {if (NR == 0) print "- - -"; else print w[1], w[int((NR + 1) / 2)], p}'
}

echo "cores: $(nproc); $runs alternating rounds; --max-mem $max_mem; zlint $("$zlint" --version | cut -d' ' -f2) at $(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet HEAD -- src Cargo.toml || echo "+changes"); $(date -u +%Y-%m-%d)"
printf '%-12s %-12s %-12s %8s %8s %9s %10s %10s\n' source target tool min_s median_s peak_MiB zlint/min zlint/median
set -- $tools
for s in $sources; do
  for t in $targets; do
    : >"$times"
    for round in $(seq "$runs"); do
      # Rotate the order: round r starts with tool r.
      order=("${@:$(( (round - 1) % $# + 1 ))}" "${@:1:$(( (round - 1) % $# ))}")
      for tool in "${order[@]}"; do one "$tool" "$s" "$t"; done
      cargo bench --quiet --manifest-path "$here/Cargo.toml" --bench codec_floor -- "$work/$s" "$t" "$(nproc)" 2>/dev/null |
        awk '/at once:/ {print "floor", $(NF - 1), "-"}' >>"$times"
    done
    read -r zmin zmed _ <<<"$(stat zlint)"
    for tool in "$@" floor; do
      read -r min med peak <<<"$(stat "$tool")"
      if [ "$min" = - ] || [ "$zmin" = - ]; then
        printf '%-12s %-12s %-12s %8s %8s %9s %10s %10s\n' "$s" "$t" "$tool" "$min" "$med" "$peak" - -
      else
        printf '%-12s %-12s %-12s %8.2f %8.2f %9s %10.3f %10.3f\n' "$s" "$t" "$tool" "$min" "$med" "$peak" \
          "$(echo "$zmin / $min" | bc -l)" "$(echo "$zmed / $med" | bc -l)"
      fi
    done
  done
done
