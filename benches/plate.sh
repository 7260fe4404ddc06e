#!/usr/bin/env bash
# Plates at scale (issue 15): lint and scan a 96-well OME-NGFF 0.4 plate with 4 fields a well,
# written by ome-zarr-py, and time them against `ls -R` of the same tree (a floor for walking it).
# Usage: bash benches/plate.sh [ZLINT] [RUNS]   (venv in ${TMPDIR:-/tmp}/zlint-bench-ome)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
zlint=${1:-$here/target/release/zlint}
runs=${2:-5}
# shellcheck source=benches/lib.sh
source "$here/benches/lib.sh"
venv=$(bench_venv zlint-bench-ome ome_zarr 'ome-zarr==0.18.0' 'zarr==3.1.6')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
plate=$work/plate.ome.zarr
"$venv/bin/python" -W ignore "$here/benches/make_plate.py" "$plate" 4
echo "nodes: $(find "$plate" -name '.zarray' | wc -l) arrays, $(find "$plate" -name '.zgroup' | wc -l) groups"
ls_ms=$(best "$runs" ls -R "$plate")
lint_ms=$(best "$runs" "$zlint" "$plate" --quiet)
scan_ms=$(best "$runs" "$zlint" scan "$plate" --quiet)
echo "best of $runs: ls -R ${ls_ms} ms, zlint lint ${lint_ms} ms, zlint scan ${scan_ms} ms"
echo "text output: $("$zlint" "$plate" --quiet | wc -l) lines grouped, $("$zlint" "$plate" --quiet --show-all | wc -l) with --show-all"
