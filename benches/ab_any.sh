#!/usr/bin/env bash
# A/B of any zlint command: two binaries run the same arguments, alternating, so both see the same
# machine (page cache warmed by one untimed run of each first).
# Usage: bash benches/ab_any.sh OLD_ZLINT NEW_ZLINT ARGS...   e.g. ... scan --deep STORE
# Env: RUNS (default 5). Prints each run, the medians (wall s, peak MiB) and the ratio new/old of
# the median wall times. Output goes to /dev/null; the exit code of a run is not checked (a lint
# with findings exits 1), but a run killed by a signal stops the comparison.
set -euo pipefail
old=$1 new=$2; shift 2
runs=${RUNS:-5}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
run() {  # binary args... -> "wall rss_mib"
  local bin=$1 code=0
  shift
  # Wall time to the microsecond (time's %e has centiseconds, too coarse for a 50 ms lint).
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$tmp" "$bin" "$@" >/dev/null 2>&1 || code=$?
  end=$(date +%s%N)
  if [ "$code" -gt 128 ]; then echo "killed: $bin $*" >&2; exit 1; fi
  tail -1 "$tmp" | awk -v ns=$((end - start)) '{printf "%.6f %.0f\n", ns / 1e9, $1 / 1024}'
}
run "$old" "$@" >/dev/null; run "$new" "$@" >/dev/null
for _ in $(seq "$runs"); do
  echo "old $(run "$old" "$@")"; echo "new $(run "$new" "$@")"
done | awk '
  { w[$1] = w[$1] " " $2; r[$1] = r[$1] " " $3 }
  function median(list,   a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
  END {
    for (k in w) printf "%s median: wall %.4f s, peak %d MiB\n", k, median(w[k]), median(r[k])
    printf "new/old wall: %.3f\n", median(w["new"]) / median(w["old"])
  }'
