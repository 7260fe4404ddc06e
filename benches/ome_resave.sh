#!/usr/bin/env bash
# OME-NGFF 0.4 → 0.5 beside ome2024-ngff-challenge (issue 15): the same OME 0.4 pyramid (written
# by ome-zarr-py, about 1.1 GiB) rewritten as OME-NGFF 0.5 with shards by both tools, one after
# the other in one run, each output validated by ome-zarr-models and compared value by value
# with the input (tensorstore). Wall time and peak memory (GNU time) side by side.
#
# Rows: ome2024-ngff-challenge resave; zlint (encoded chunks packed into shards as they are);
# zlint with --codec forcing every chunk to be decoded and encoded again (what the challenge
# tool does, with the codec it writes: Blosc zstd level 5, byte shuffle), so the comparison does
# not rest on the repack alone.
#
# Usage: bash benches/ome_resave.sh [ZLINT] [Z]   (Z = 64 planes gives 1 GiB at the first level)
# Venvs in ${TMPDIR:-/tmp}: zlint-bench-ome (ome-zarr 0.18 for the input),
# zlint-bench-ngff (ome2024-ngff-challenge 1.0.3, which pins zarr 3.0.0a0), and
# zlint-bench-check (ome-zarr-models 1.7, tensorstore, zarr 3.1.6).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
zlint=${1:-$here/target/release/zlint}
depth=${2:-64}
tmp=${TMPDIR:-/tmp}
# shellcheck source=benches/lib.sh
source "$here/benches/lib.sh"
ome=$(bench_venv zlint-bench-ome ome_zarr 'ome-zarr==0.18.0' 'zarr==3.1.6')
ngff=$(bench_venv zlint-bench-ngff ome2024_ngff_challenge 'ome2024-ngff-challenge==1.0.3')
check=$(bench_venv zlint-bench-check 'ome_zarr_models, tensorstore' 'ome-zarr-models==1.7' 'tensorstore==0.1.86' 'zarr==3.1.6')
work=$(mktemp -d "$tmp/zlint-ome-resave.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$ome/bin/python" -W ignore "$here/benches/make_ome_pyramid.py" "$work/in.ome.zarr" "$depth"
echo "input: $(du -sh "$work/in.ome.zarr" | cut -f1) stored"
chunks=1,32,256,256
shards=1,32,1024,1024
measure() {  # NAME EXPECTED_EXIT COMMAND...: prints "NAME wall_s peak_MiB"
  local name=$1 expected=$2 rc=0; shift 2
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/$name.log" || rc=$?
  if [ "$rc" != "$expected" ]; then
    echo "$name exited $rc:" >&2; cat "$work/$name.log" >&2; return 1
  fi
  read -r wall kib < <(tail -1 "$work/time")
  echo "$name $wall $((kib / 1024))"
}
results=()
# ome2024-ngff-challenge exits with the number of images it converted: 1 is success.
results+=("$(measure ngff-challenge 1 "$ngff/bin/ome2024-ngff-challenge" resave --cc-by \
  "$work/in.ome.zarr" "$work/ngff.ome.zarr" --output-chunks "$chunks" --output-shards "$shards")")
results+=("$(measure zlint 0 "$zlint" rechunk "$work/in.ome.zarr" "$work/zlint.ome.zarr" \
  --ome-version 0.5 --chunks "$chunks" --shards "$shards" --quiet)")
results+=("$(measure zlint-reencode 0 "$zlint" rechunk "$work/in.ome.zarr" "$work/zlint-reencode.ome.zarr" \
  --ome-version 0.5 --chunks "$chunks" --shards "$shards" --codec blosc:zstd:5:shuffle --quiet)")
"$check/bin/python" -W ignore - "$work" <<'PY'
import sys, json
import numpy as np, tensorstore as ts, zarr
from ome_zarr_models import open_ome_zarr
work = sys.argv[1]
src = zarr.open_group(f"{work}/in.ome.zarr", mode="r")
levels = [d["path"] for d in src.attrs["multiscales"][0]["datasets"]]
for name in ["ngff", "zlint", "zlint-reencode"]:
    out = f"{work}/{name}.ome.zarr"
    model = open_ome_zarr(zarr.open_group(out, mode="r"))
    codecs = json.load(open(f"{out}/{levels[0]}/zarr.json"))["codecs"]
    if codecs[0]["name"] == "sharding_indexed":
        codecs = codecs[0]["configuration"]["codecs"]
    equal = True
    for level in levels:
        read = lambda driver, path: ts.open({"driver": driver, "kvstore": {"driver": "file", "path": path}}, open=True).result()
        a, b = read("zarr", f"{work}/in.ome.zarr/{level}"), read("zarr3", f"{out}/{level}")
        for c in range(a.shape[0]):
            equal &= bool(np.array_equal(a[c].read().result(), b[c].read().result()))
    print(f"{name}: {type(model).__module__} valid, values equal: {equal}, inner codecs {[(c['name'], c.get('configuration', {}).get('cname')) for c in codecs]}")
    assert equal
PY
printf '%-16s %10s %10s\n' tool "wall s" "peak MiB"
for row in "${results[@]}"; do printf '%-16s %10s %10s\n' $row; done
base=$(echo "${results[0]}" | cut -d' ' -f2)
for row in "${results[@]:1}"; do
  set -- $row
  echo "$1: $(echo "scale=2; $base / $2" | bc)× faster than ome2024-ngff-challenge"
done
