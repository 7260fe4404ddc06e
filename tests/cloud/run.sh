#!/usr/bin/env bash
# Object stores: zlint against local servers for each store kind, on loopback: S3 (moto's
# server), Google Cloud Storage (gcp-storage-emulator, behind tests/cloud/gcs_xml.py) and Azure
# Blob Storage (Azurite, from npm). Outputs are read back by tensorstore and zarr-python.
# The packages come from PyPI into a virtual environment, Azurite from npm beside it.
# Usage: bash tests/cloud/run.sh [ZLINT_BINARY] [s3|gs|az ...]   (default: all three)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
shift || true
backends=("${@:-s3 gs az}")
venv=${ZLINT_CLOUD_VENV:-${TMPDIR:-/tmp}/zlint-cloud-env}
if [ ! -x "$venv/bin/python" ] || [ ! -x "$venv/node/node_modules/.bin/azurite-blob" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'zarr==3.1.6' 'tensorstore==0.1.86' 'numpy<3' 'moto[server]==5.2.5' \
    'boto3==1.44.8' 'gcp-storage-emulator==2026.7.19' 'azure-storage-blob==12.31.1'
  mkdir -p "$venv/node"
  (cd "$venv/node" && npm install --silent --no-audit --no-fund azurite@3.35.0)
fi
export AZURITE=$venv/node/node_modules/.bin/azurite-blob
binary="$(cd "$(dirname "$zlint")" && pwd)/$(basename "$zlint")"
for backend in ${backends[*]}; do
  # tensorstore's AWS library logs its search for ~/.aws files on stderr; nothing else is hidden.
  "$venv/bin/python" -W ignore "$here/tests/cloud/check.py" "$backend" "$binary" \
    2> >(grep -v -E 'common-io:|AuthCredentialsProvider:|google_auth_provider' >&2)
done
