#!/usr/bin/env bash
# Object stores: zlint against a local S3-compatible server (moto's, started on loopback by
# check.py), with outputs read back by tensorstore's S3 driver and zarr-python. The packages come
# from PyPI into a virtual environment. Usage: bash tests/s3/run.sh [ZLINT_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
venv=${ZLINT_S3_VENV:-${TMPDIR:-/tmp}/zlint-s3}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'zarr==3.1.6' 'tensorstore==0.1.86' 'numpy<3' 'moto[server]==5.2.5' \
    'boto3==1.44.8'
fi
# tensorstore's AWS library logs its search for ~/.aws files on stderr; nothing else is hidden.
"$venv/bin/python" -W ignore "$here/tests/s3/check.py" "$(cd "$(dirname "$zlint")" && pwd)/$(basename "$zlint")" \
  2> >(grep -v -E 'common-io:|AuthCredentialsProvider:' >&2)
