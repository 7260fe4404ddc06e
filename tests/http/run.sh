#!/usr/bin/env bash
# http(s):// stores: zlint against a local static HTTP server (byte ranges, no listing), as a
# dataset published on a web server is read. Scans, lints and rechunks (with --verify) a single
# array, a sharded array and a hierarchy found through its consolidated metadata, finds OME-NGFF
# hierarchies through their own metadata, and checks that a URL without metadata is refused by
# name.
# Usage: bash tests/http/run.sh [ZLINT_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
# A port the system says is free (a fixed range once met a port left taken by another test's
# server), and a wait for a server that fails with its log, not with the first request.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() {  # URL LOG
  for _ in $(seq 300); do
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" \
      2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL no server answers at $1"
  cat "$2"
  exit 1
}
port=$(free_port)
work=$(mktemp -d)
python3 "$here/tests/http/serve.py" "$here/fixtures" "$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
wait_for "http://127.0.0.1:$port/zarr3/plain.zarr/zarr.json" "$work/server.log"
base=http://127.0.0.1:$port
check() { echo "ok   $*"; }
# A scan's table, without the summary line (it names the location) and the notes after it.
table() { sed -n '1,/^$/p' "$1"; }
for store in zarr3/plain.zarr zarr3/sharded.zarr zarr3/consolidated.zarr; do
  "$zlint" scan "$base/$store" >"$work/remote.txt"
  "$zlint" scan "$here/fixtures/$store" >"$work/local.txt"
  # The same nodes and layouts as on disk (the summary line names the location).
  diff <(table "$work/remote.txt") <(table "$work/local.txt") >/dev/null ||
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
  diff <(table "$work/remote.txt") <(table "$work/local.txt") >/dev/null ||
    { echo "FAIL scan of consolidated $base/$store differs"; diff "$work/remote.txt" "$work/local.txt"; exit 1; }
  check "scan of consolidated Zarr v2 $base/$store matches the local store"
done
# Issue 33: OME-NGFF stores without consolidated metadata, found through the metadata that
# names their children (plate -> rows and wells -> fields -> levels, labels, a bioformats2raw
# collection's series, an N5 pyramid's `scales`): the same nodes and the same findings as on
# disk.
for store in ome/plate-v04.ome.zarr ome/bf2raw-v04.ome.zarr ome/labels-v05.ome.zarr \
    ome/label-levels-v04.ome.zarr n5/pyramid.n5; do
  [ ! -e "$here/fixtures/$store/.zmetadata" ] || { echo "FAIL $store has consolidated metadata"; exit 1; }
  "$zlint" scan "$base/$store" >"$work/remote.txt"
  "$zlint" scan "$here/fixtures/$store" >"$work/local.txt"
  diff <(table "$work/remote.txt") <(table "$work/local.txt") >/dev/null ||
    { echo "FAIL scan of $base/$store differs"; diff "$work/remote.txt" "$work/local.txt"; exit 1; }
  findings='import json, sys; d = json.load(sys.stdin); print(d["summary"]); [print(f["rule"], f["path"], f["message"]) for f in d["findings"]]'
  "$zlint" "$base/$store" --format json --no-config | python3 -c "$findings" >"$work/remote.txt" || true
  "$zlint" "$here/fixtures/$store" --format json --no-config | python3 -c "$findings" >"$work/local.txt" || true
  [ -s "$work/local.txt" ] && diff "$work/remote.txt" "$work/local.txt" >/dev/null ||
    { echo "FAIL lint of $base/$store differs"; diff "$work/remote.txt" "$work/local.txt"; exit 1; }
  check "unlistable $base/$store: the same nodes and findings as on disk"
  # A deep scan asks for each chunk key by a HEAD request: the same stored objects, missing
  # chunks and bytes as the listing on disk.
  "$zlint" scan --deep "$base/$store" >"$work/remote.txt"
  "$zlint" scan --deep "$here/fixtures/$store" >"$work/local.txt"
  grep -q "^deep scan: each chunk key asked for by a HEAD request" "$work/remote.txt" &&
    diff <(table "$work/remote.txt") <(table "$work/local.txt") >/dev/null ||
    { echo "FAIL deep scan of $base/$store differs"; diff "$work/remote.txt" "$work/local.txt"; exit 1; }
  check "unlistable $base/$store: a deep scan by HEAD requests finds what the listing on disk finds"
done
# The scan says how an unlistable store was read: what named each node, and which arrays a deep
# scan left unchecked past ZLINT_MAX_HEAD_REQUESTS.
"$zlint" scan --json "$base/ome/bf2raw-v04.ome.zarr" | python3 -c '
import json, sys
named = {n["path"]: n["named_by"] for n in json.load(sys.stdin)["unlisted"]["named"]}
assert named == {"OME": "bioformats2raw.layout", "0": "series", "0/s0": "multiscales.datasets",
                 "0/s1": "multiscales.datasets"}, named' ||
  { echo "FAIL the scan JSON does not say what named each node"; exit 1; }
check "scan --json names what named each node of an unlistable store"
ZLINT_MAX_HEAD_REQUESTS=9 "$zlint" scan --deep "$base/ome/plate-v04.ome.zarr" >"$work/remote.txt"
grep -q "^not listed: a web server cannot be listed; the 17 nodes below the root" "$work/remote.txt" &&
  grep -q "^deep scan: 2 arrays not checked.*ZLINT_MAX_HEAD_REQUESTS.*: A/1/0/s0, A/2/0/s0$" "$work/remote.txt" ||
  { echo "FAIL the notes of an unlistable store"; cat "$work/remote.txt"; exit 1; }
check "scan of an unlistable store notes how nodes were found and what --deep left unchecked"
# Issue 27: a server that ignores `Range` (Python's http.server, many CDNs): objects are read
# whole within ZLINT_MAX_WHOLE_OBJECT, and past it the error says the server ignores ranges.
plain_port=$(free_port)
(cd "$here/fixtures" && exec python3 -m http.server "$plain_port" --bind 127.0.0.1) >"$work/plain.log" 2>&1 &
plain=$!
trap 'kill $server $plain 2>/dev/null; rm -rf "$work"' EXIT
wait_for "http://127.0.0.1:$plain_port/zarr3/plain.zarr/zarr.json" "$work/plain.log"
plain_base=http://127.0.0.1:$plain_port
"$zlint" scan "$plain_base/zarr3/sharded.zarr" >"$work/remote.txt"
"$zlint" scan "$here/fixtures/zarr3/sharded.zarr" >"$work/local.txt"
diff <(table "$work/remote.txt") <(table "$work/local.txt") >/dev/null ||
  { echo "FAIL scan through a server without ranges differs"; exit 1; }
check "scan through a server that ignores Range matches the local store"
"$zlint" rechunk "$plain_base/zarr3/sharded.zarr" "$work/no-ranges.zarr" --chunks 16,16 --verify --quiet
check "rechunk --verify through a server that ignores Range"
code=0; err=$(ZLINT_MAX_WHOLE_OBJECT=100 "$zlint" scan "$plain_base/zarr3/sharded.zarr" 2>&1) || code=$?
[ "$code" = 2 ] && grep -q "the server ignores byte ranges" <<<"$err" ||
  { echo "FAIL an object past the bound: exit $code: $err"; exit 1; }
check "past ZLINT_MAX_WHOLE_OBJECT, the error says the server ignores ranges"
# Issue 27: a hostile web server (tests/http/hostile.py): garbage, short bodies, wrong
# Content-Range, redirect loops, 503s, a body that drips, a chunk answered with 512 MiB. Each is
# exit 2 with a message naming the URL, within a bounded time, and no output left looking whole.
hostile_port=$(free_port)
python3 "$here/tests/http/hostile.py" "$here/fixtures" "$hostile_port" >"$work/hostile.log" 2>&1 &
hostile=$!
trap 'kill $server $plain $hostile 2>/dev/null; rm -rf "$work"' EXIT
wait_for "http://127.0.0.1:$hostile_port/ok/zarr3/plain.zarr/zarr.json" "$work/hostile.log"
hostile_base=http://127.0.0.1:$hostile_port
"$zlint" scan "$hostile_base/ok/zarr3/plain.zarr" >/dev/null
check "the hostile server's well-behaved folder reads"
expect() {  # MODE SAYS COMMAND...: exit 2 within 60 s, the message names the URL and says SAYS
  local mode=$1 says=$2; shift 2
  local code=0 start=$SECONDS err
  err=$(ZLINT_MAX_RETRIES=1 ZLINT_HTTP_TIMEOUT=3 timeout 60 "$zlint" "$@" 2>&1) || code=$?
  local took=$((SECONDS - start))
  [ "$code" = 2 ] && grep -q "$hostile_base/$mode" <<<"$err" && grep -q "$says" <<<"$err" ||
    { echo "FAIL $mode: exit $code after ${took}s: $err"; exit 1; }
  check "$mode: exit 2 in ${took}s, naming the URL ($says)"
}
expect garbage "invalid JSON" scan "$hostile_base/garbage/zarr3/plain.zarr"
expect short "body error" scan "$hostile_base/short/zarr3/plain.zarr"
expect badrange "Requested 0" scan "$hostile_base/badrange/zarr3/plain.zarr"
expect redirect "redirect" scan "$hostile_base/redirect/zarr3/plain.zarr"
expect error "503" scan "$hostile_base/error/zarr3/plain.zarr"
expect drip "body error" scan "$hostile_base/drip/zarr3/plain.zarr"
expect huge "more than the" rechunk "$hostile_base/huge/zarr3/plain.zarr" "$work/huge.zarr" --chunks 10,10
[ ! -e "$work/huge.zarr/zarr.json" ] || { echo "FAIL a failed rechunk left metadata"; exit 1; }
check "a rechunk that failed on a hostile server left no output looking complete"
