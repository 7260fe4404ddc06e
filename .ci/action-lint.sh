#!/usr/bin/env bash
# The lint step of action.yml, kept in a file so that tests/python/test_integrations.py runs
# exactly what the action runs. Reads ZLINT_PATH, ZLINT_PROFILE, ZLINT_FAIL_ON and ZLINT_ARGS;
# prints the findings as GitHub annotations, writes zlint.sarif, and records `sarif` and `code`
# in $GITHUB_OUTPUT (a temporary file when run outside GitHub).
set -uo pipefail
: "${GITHUB_OUTPUT:=$(mktemp)}"
sarif="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/zlint.sarif"
# Word splitting of ZLINT_ARGS is intended: it holds options.
# shellcheck disable=SC2086
zlint "$ZLINT_PATH" --profile "$ZLINT_PROFILE" --fail-on "$ZLINT_FAIL_ON" --format github $ZLINT_ARGS
code=$?
# shellcheck disable=SC2086
zlint "$ZLINT_PATH" --profile "$ZLINT_PROFILE" --fail-on "$ZLINT_FAIL_ON" --format sarif $ZLINT_ARGS >"$sarif"
{
  # An unreadable store leaves no SARIF to upload.
  if [ -s "$sarif" ]; then echo "sarif=$sarif"; fi
  echo "code=$code"
} >>"$GITHUB_OUTPUT"
exit 0
