# Helpers shared by the benchmark scripts (sourced, not run).

# bench_venv NAME MODULE PACKAGES...: a venv in ${TMPDIR:-/tmp}/NAME where MODULE imports,
# created with PACKAGES from PyPI when it does not; prints its path.
bench_venv() {
  local dir=${TMPDIR:-/tmp}/$1 module=$2; shift 2
  if ! "$dir/bin/python" -c "import $module" 2>/dev/null; then
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q "$@"
  fi
  echo "$dir"
}

# best RUNS COMMAND...: the best wall time of RUNS runs of COMMAND, in ms (output discarded,
# failures ignored: the scripts check their outputs separately).
best() {
  local runs=$1 best=999999; shift
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N)
    local ms=$(( (t1 - t0) / 1000000 ))
    (( ms < best )) && best=$ms
  done
  echo "$best"
}
