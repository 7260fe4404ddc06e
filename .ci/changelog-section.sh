#!/usr/bin/env bash
# Prints the section of CHANGELOG.md for VERSION (its "## [VERSION]" heading left out), for the
# notes of a GitHub release; fails when there is no such section or it is empty.
# Usage: bash .ci/changelog-section.sh VERSION     (e.g. 0.2.0, or Unreleased)
set -euo pipefail
version=${1:?usage: changelog-section.sh VERSION}
here=$(cd "$(dirname "$0")/.." && pwd)
awk -v v="$version" '
  /^## \[/ { inside = index($0, "## [" v "]") == 1; next }
  inside { print; found = 1 }
  END { exit found ? 0 : 1 }
' "$here/CHANGELOG.md" | sed -e '/./,$!d' || { echo "CHANGELOG.md has no section $version" >&2; exit 1; }
