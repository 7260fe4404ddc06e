#!/usr/bin/env bash
# `zlint report` in a real browser: renders the report of committed fixtures (an OME pyramid, a
# sharded array, N5, a plate, a broken store), opens each in headless Chromium (Debian's
# `chromium`, installed here when missing and root), checks the DOM the browser built (every
# chart present, every shared grid resolved, no console error) and writes a screenshot of each
# under target/report-screenshots/ (kept as CI artifacts); then checks that the report shown
# inside another page leaves that page's style alone (check_scoped.py).
# Usage: bash tests/report/run.sh [ZLINT_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
shots=$here/target/report-screenshots
mkdir -p "$shots"
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
      >"$shots/apt.log" 2>&1 || { tail -5 "$shots/apt.log"; exit 1; }
  else
    echo "chromium is needed (apt-get install chromium)" >&2
    exit 1
  fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here"
browser() {  # FLAGS...: headless Chromium with its noise off; console messages on stderr
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --disable-dev-shm-usage --enable-logging=stderr --v=0 --user-data-dir="$work/profile" "$@"
}
status=0
while read -r name store args; do
  page=$work/$name.html
  # shellcheck disable=SC2086
  "$zlint" report "$here/fixtures/$store" -o "$page" --no-config $args >/dev/null || [ $? = 2 ]
  browser --dump-dom "file://$page" >"$work/$name.dom" 2>"$work/$name.log"
  browser --window-size=1280,2400 --screenshot="$shots/$name.png" "file://$page" \
    >/dev/null 2>>"$work/$name.log"
  if grep -E 'CONSOLE|Uncaught|Failed to load' "$work/$name.log"; then
    echo "FAIL $name: console messages" && status=1
  fi
  python3 "$here/tests/report/check_dom.py" "$page" "$work/$name.dom" || status=1
  echo "ok $name: $(wc -c <"$page") bytes, screenshot $shots/$name.png"
done <<'LIST'
pyramid rules/ZL202-fires.ome.zarr --plan-auto
ome-v04 ome/v04.ome.zarr --plan-auto
sharded zarr3/sharded.zarr
n5 n5/pyramid.n5 --deep
plate ome/plate-v04.ome.zarr --profile visualization
sparse rules/ZL401-fires.zarr --deep
broken broken/invalid-json.zarr
LIST
# Shown inside another page (a notebook output), the report leaves that page's style alone.
mkdir -p "$work/host"
python3 "$here/tests/report/check_scoped.py" make "$work/pyramid.html" "$work/host"
for host in plain with; do
  browser --dump-dom "file://$work/host/$host.html" >"$work/host/$host.dom" 2>/dev/null
done
python3 "$here/tests/report/check_scoped.py" compare "$work/host/plain.dom" "$work/host/with.dom" ||
  status=1
exit $status
