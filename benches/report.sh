#!/usr/bin/env bash
# `zlint report` at scale (issue 18: a 1,000-array hierarchy in under a second, under 5 MB):
# a Zarr v3 hierarchy of 1,000 arrays each with its own shape and layout (benches/
# make_many_arrays.py), and the 96-well plate of benches/plate.sh (1,536 arrays by
# ome-zarr-py). Times the report (with --plan-auto too) beside `zlint STORE` (lint), best of RUNS.
# Usage: bash benches/report.sh [ZLINT] [RUNS]   (venv in ${TMPDIR:-/tmp}/zlint-bench-ome)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
zlint=${1:-$here/target/release/zlint}
runs=${2:-5}
# shellcheck source=benches/lib.sh
source "$here/benches/lib.sh"
venv=$(bench_venv zlint-bench-ome ome_zarr 'ome-zarr==0.18.0' 'zarr==3.1.6')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/benches/make_many_arrays.py" "$work/many.zarr" 1000
"$venv/bin/python" -W ignore "$here/benches/make_plate.py" "$work/plate.ome.zarr" 4
for store in many.zarr plate.ome.zarr; do
  arrays=$(find "$work/$store" \( -name zarr.json -o -name .zarray \) -exec grep -l '"shape"' {} + | wc -l)
  lint_ms=$(best "$runs" "$zlint" "$work/$store" --quiet --no-config)
  report_ms=$(best "$runs" "$zlint" report "$work/$store" -o "$work/page.html" --quiet --no-config)
  size=$(wc -c <"$work/page.html")
  plan_ms=$(best "$runs" "$zlint" report "$work/$store" -o "$work/plan.html" --quiet --no-config --plan-auto)
  plan_size=$(wc -c <"$work/plan.html")
  echo "$store ($arrays arrays), best of $runs: lint ${lint_ms} ms; report ${report_ms} ms," \
    "$((size / 1024)) KiB; report --plan-auto ${plan_ms} ms, $((plan_size / 1024)) KiB"
done
