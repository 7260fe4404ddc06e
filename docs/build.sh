#!/usr/bin/env bash
# Builds the documentation site (mkdocs.yml) into target/site with mkdocs-material and
# mkdocstrings, pinned, from PyPI into a virtual environment. The build is strict: any warning
# fails it, a broken link or anchor, a page left out of the navigation, or a docstring that does
# not parse among them. Serve it while writing with `VENV/bin/mkdocs serve`.
# Usage: bash docs/build.sh [VENV]     (default: target/docs-venv)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv=${1:-$here/target/docs-venv}
if [ ! -x "$venv/bin/mkdocs" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'mkdocs==1.6.1' 'mkdocs-material==9.8.2' 'mkdocstrings==1.0.8' \
    'mkdocstrings-python==2.0.11'
fi
cd "$here"
status=0
NO_MKDOCS_2_WARNING=1 "$venv/bin/mkdocs" build --strict >target/mkdocs.log 2>&1 || status=$?
grep -v '^INFO' target/mkdocs.log || true
if [ "$status" != 0 ]; then
  echo "FAIL: the documentation site does not build cleanly (mkdocs exit status $status)" >&2
  exit 1
fi
pages=$(find target/site -name index.html | wc -l)
echo "documentation site: $pages pages in target/site, no warning"
