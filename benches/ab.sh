#!/usr/bin/env bash
# A/B: two zlint binaries rechunking the same source, alternating, so both see the same machine.
# Usage: bash benches/ab.sh OLD_ZLINT NEW_ZLINT SRC CHUNKS [extra rechunk options...]
# Env: RUNS (default 3); COLD=1 drops SRC's files from the page cache before each run (as a
# source on disk that was not read lately; posix_fadvise, no root needed). Prints each run and the medians (wall s, user s, sys s, peak MiB) and the
# ratio new/old of the median wall times. Output goes to a temporary directory next to SRC.
set -euo pipefail
old=$1 new=$2 src=$3 chunks=$4; shift 4
runs=${RUNS:-3}
dst=$(dirname "$src")/ab-out.zarr
evict() {  # drops SRC's files from the page cache
  python3 -c 'import os, sys
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        fd = os.open(os.path.join(root, f), os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)' "$src"
}
one() {  # binary -> "wall user sys rss_mib"
  rm -rf "$dst"; sync  # no earlier output left to write back meanwhile
  if [ "${COLD:-0}" = 1 ]; then evict; fi
  # Wall time to the microsecond (time's %e has centiseconds, too coarse for a repack).
  local start end
  start=$(date +%s%N)
  /usr/bin/time -f "%U %S %M" -o "$dst.time" "$1" rechunk "$src" "$dst" --chunks "$chunks" --quiet "${extra[@]}" >/dev/null 2>&1 ||
    { echo "failed: $1" >&2; exit 1; }
  end=$(date +%s%N)
  awk -v ns=$((end - start)) '{printf "%.4f %s %s %.0f\n", ns / 1e9, $1, $2, $3 / 1024}' "$dst.time"
  rm -rf "$dst" "$dst.time"; sync
}
extra=("$@")
for i in $(seq "$runs"); do
  echo "old $(one "$old")" ; echo "new $(one "$new")"
done | tee /dev/stderr | awk '
  { w[$1] = w[$1] " " $2; u[$1] = u[$1] " " $3; s[$1] = s[$1] " " $4; r[$1] = r[$1] " " $5 }
  function median(list,   a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
  END {
    for (k in w) printf "%s median: wall %.3f s, user %.2f s, sys %.2f s, peak %d MiB\n", k, median(w[k]), median(u[k]), median(s[k]), median(r[k])
    printf "new/old wall: %.3f\n", median(w["new"]) / median(w["old"])
  }'
