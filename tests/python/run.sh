#!/usr/bin/env bash
# The Python package: builds the wheel once with maturin (from PyPI), installs it into a fresh
# venv with the suite's dependencies (pytest, zarr-python 3, dask.distributed, pre-commit, tqdm),
# and runs tests/python against it, comparing with the Rust binary built by `cargo test`.
# The wheel is built with the dev profile by default, reusing what `cargo test` compiled (the
# code under test is the same; ZLINT_WHEEL_PROFILE=release builds the wheel users get), unless
# ZLINT_WHEEL names one already built (CI passes the release wheel tests/wheel/run.sh made).
# Usage: bash tests/python/run.sh [ZLINT_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
zlint=$(cd "$(dirname "$zlint")" && pwd)/$(basename "$zlint")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here"

python3 -m venv "$work/build"
if [ -n "${ZLINT_WHEEL:-}" ]; then
  mkdir -p "$work/wheels" && cp "$ZLINT_WHEEL" "$work/wheels/"
else
  "$work/build/bin/pip" install -q 'maturin==1.16.0'
  "$work/build/bin/maturin" build --locked --strip --profile "${ZLINT_WHEEL_PROFILE:-dev}" \
    --out "$work/wheels" 2>&1 | tail -3
fi

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work"/wheels/chunklint-*.whl 'pytest==9.2.0' 'zarr==3.1.6' \
  'numpy<3' 'fsspec==2026.9.0' 'dask[distributed]==2026.8.0' 'PyYAML==6.0.4' 'pre-commit==4.7.0' 'tqdm==4.70.1'
# The package alone, as a user gets it: the command and the module answer.
"$work/venv/bin/zlint" --version
"$work/venv/bin/python" -c 'import chunklint; print(chunklint.__doc__.splitlines()[0])'
# The hook's package builds with setuptools from the same local index (the tests install with
# PIP_NO_INDEX: what a user would get from PyPI, with no Rust toolchain).
"$work/build/bin/pip" download -q -d "$work/wheels" 'setuptools==80.9.0'
ZLINT_BIN="$zlint" ZLINT_WHEELS="$work/wheels" "$work/venv/bin/python" -m pytest -q -p no:cacheprovider tests/python
