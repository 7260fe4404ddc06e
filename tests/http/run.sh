#!/usr/bin/env bash
# http(s):// stores: zlint against a local static HTTP server (byte ranges, no listing), as a
# dataset published on a web server is read. Scans, lints and rechunks (with --verify) a single
# array, a sharded array and a hierarchy found through its consolidated metadata, and checks that
# a URL without metadata is refused by name.
# Usage: bash tests/http/run.sh [ZLINT_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
port=$((20000 + RANDOM % 20000))
work=$(mktemp -d)
python3 "$here/tests/http/serve.py" "$here/fixtures" "$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
  sleep 0.1
done
base=http://127.0.0.1:$port
check() { echo "ok   $*"; }
for store in zarr3/plain.zarr zarr3/sharded.zarr zarr3/consolidated.zarr; do
  "$zlint" scan "$base/$store" >"$work/remote.txt"
  "$zlint" scan "$here/fixtures/$store" >"$work/local.txt"
  # The same nodes and layouts as on disk (the summary line names the location).
  diff <(head -n -1 "$work/remote.txt") <(head -n -1 "$work/local.txt") >/dev/null ||
    { echo "FAIL scan of $base/$store differs from the local store"; diff "$work/remote.txt" "$work/local.txt"; exit 1; }
  check "scan $base/$store matches the local store"
  code=0; "$zlint" "$base/$store" --format json >/dev/null || code=$?
  [ "$code" -le 1 ] || { echo "FAIL lint $base/$store -> exit $code"; exit 1; }
  check "lint $base/$store -> exit $code"
  "$zlint" rechunk "$base/$store" "$work/$(basename "$store")" --to zarr2 --verify --quiet
  check "rechunk $base/$store to Zarr v2 --verify"
done
code=0; err=$("$zlint" scan "$base/zarr3" 2>&1) || code=$?
[ "$code" = 2 ] && grep -q "no Zarr or N5 metadata here" <<<"$err" ||
  { echo "FAIL a URL without metadata: exit $code: $err"; exit 1; }
check "a URL without metadata is refused by name"
# Issue 27: a Zarr v2 store consolidated by zarr-python (`.zmetadata` lists the root's own
# `.zgroup`) reads as on disk; it used to revisit the root without end and abort.
for store in ome/v04.ome.zarr; do
  "$zlint" scan "$base/$store" >"$work/remote.txt"
  "$zlint" scan "$here/fixtures/$store" >"$work/local.txt"
  diff <(head -n -1 "$work/remote.txt") <(head -n -1 "$work/local.txt") >/dev/null ||
    { echo "FAIL scan of consolidated $base/$store differs"; diff "$work/remote.txt" "$work/local.txt"; exit 1; }
  check "scan of consolidated Zarr v2 $base/$store matches the local store"
done
# Issue 27: a server that ignores `Range` (Python's http.server, many CDNs): objects are read
# whole within ZLINT_MAX_WHOLE_OBJECT, and past it the error says the server ignores ranges.
plain_port=$((port + 1))
(cd "$here/fixtures" && exec python3 -m http.server "$plain_port" --bind 127.0.0.1) >"$work/plain.log" 2>&1 &
plain=$!
trap 'kill $server $plain 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$plain_port/')" 2>/dev/null && break
  sleep 0.1
done
plain_base=http://127.0.0.1:$plain_port
"$zlint" scan "$plain_base/zarr3/sharded.zarr" >"$work/remote.txt"
"$zlint" scan "$here/fixtures/zarr3/sharded.zarr" >"$work/local.txt"
diff <(head -n -1 "$work/remote.txt") <(head -n -1 "$work/local.txt") >/dev/null ||
  { echo "FAIL scan through a server without ranges differs"; exit 1; }
check "scan through a server that ignores Range matches the local store"
"$zlint" rechunk "$plain_base/zarr3/sharded.zarr" "$work/no-ranges.zarr" --chunks 16,16 --verify --quiet
check "rechunk --verify through a server that ignores Range"
code=0; err=$(ZLINT_MAX_WHOLE_OBJECT=100 "$zlint" scan "$plain_base/zarr3/sharded.zarr" 2>&1) || code=$?
[ "$code" = 2 ] && grep -q "the server ignores byte ranges" <<<"$err" ||
  { echo "FAIL an object past the bound: exit $code: $err"; exit 1; }
check "past ZLINT_MAX_WHOLE_OBJECT, the error says the server ignores ranges"
