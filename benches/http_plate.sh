#!/usr/bin/env bash
# Hosted plates (issue 33): lint a 96-well OME-NGFF 0.4 plate (1 field a well, written by
# ome-zarr-py, no consolidated metadata) over HTTP from a server that cannot list and adds
# DELAY ms to every request, beside the lint of the same plate on disk. Prints the requests, the
# objects asked for more than once, the most requests in flight, and the wall time against the
# critical path (hierarchy depth × delay + requests ÷ in-flight × delay); then the same lint with
# 64 requests in flight (-j 64), and a deep scan (each chunk key asked for by a HEAD request).
# Usage: bash benches/http_plate.sh [ZLINT] [DELAY_MS]   (venv in ${TMPDIR:-/tmp}/zlint-bench-ome)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
zlint=${1:-$here/target/release/zlint}
delay=${2:-50}
# shellcheck source=benches/lib.sh
source "$here/benches/lib.sh"
venv=$(bench_venv zlint-bench-ome ome_zarr 'ome-zarr==0.18.0' 'zarr==3.1.6')
work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 "$here/benches/delay_server.py" "$work" "$port" "$delay" "$work/requests.log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
"$venv/bin/python" -W ignore "$here/benches/make_plate.py" "$work/plate.ome.zarr" 1
rm -f "$work/plate.ome.zarr/.zmetadata"
sleep 1
local_ms=$(best 3 "$zlint" "$work/plate.ome.zarr" --format json)
"$zlint" "$work/plate.ome.zarr" --format json --no-config > "$work/local.json" || true
: > "$work/requests.log"
t0=$(date +%s%N)
"$zlint" "http://127.0.0.1:$port/plate.ome.zarr" --format json --no-config > "$work/remote.json" || true
t1=$(date +%s%N)
remote_ms=$(( (t1 - t0) / 1000000 ))
summary='import json, sys; print(json.load(open(sys.argv[1]))["summary"])'
echo "on disk:  $(python3 -c "$summary" "$work/local.json"), best of 3 ${local_ms} ms"
echo "over HTTP: $(python3 -c "$summary" "$work/remote.json"), ${remote_ms} ms with ${delay} ms a request"
requests=$(wc -l < "$work/requests.log")
repeated=$(awk '{print $2}' "$work/requests.log" | sort | uniq -d | wc -l)
most=$(awk '{print $3}' "$work/requests.log" | sort -n | tail -1)
# Depth: root, row, well, field, level (the labels below a field add two more).
depth=7
critical=$(( depth * delay + requests * delay / (most > 0 ? most : 1) ))
echo "requests: ${requests}, objects asked for more than once: ${repeated}, most in flight: ${most}"
echo "critical path ${critical} ms; wall time ${remote_ms} ms ($(python3 -c "print(f'{$remote_ms / $critical:.1f}')")× the critical path)"
# More requests in flight (-j), and a deep scan by HEAD requests.
: > "$work/requests.log"
t0=$(date +%s%N)
"$zlint" "http://127.0.0.1:$port/plate.ome.zarr" -j 64 --format json --no-config > "$work/remote64.json" || true
t1=$(date +%s%N)
cmp -s <(python3 -c "$summary" "$work/remote64.json") <(python3 -c "$summary" "$work/local.json") ||
  { echo "FAIL -j 64 finds otherwise"; exit 1; }
echo "with -j 64: $(( (t1 - t0) / 1000000 )) ms, $(wc -l < "$work/requests.log") requests, the same findings"
"$zlint" scan --deep --json "$work/plate.ome.zarr" > "$work/local-deep.json"
: > "$work/requests.log"
t0=$(date +%s%N)
"$zlint" scan --deep --json "http://127.0.0.1:$port/plate.ome.zarr" > "$work/remote-deep.json"
t1=$(date +%s%N)
stored='import json, sys; print(sorted((a["path"], a["stored"]["stored_objects"], a["stored"]["stored_bytes"]) for a in json.load(open(sys.argv[1]))["arrays"]))'
cmp -s <(python3 -c "$stored" "$work/remote-deep.json") <(python3 -c "$stored" "$work/local-deep.json") ||
  { echo "FAIL the deep scan over HTTP finds other stored objects than on disk"; exit 1; }
echo "scan --deep over HTTP: $(( (t1 - t0) / 1000000 )) ms, $(grep -c '^HEAD ' "$work/requests.log") HEAD requests of $(wc -l < "$work/requests.log"), the same stored objects and bytes as on disk"
