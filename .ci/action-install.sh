#!/usr/bin/env bash
# The install step of action.yml, kept in a file so that tests/python/test_integrations.py runs
# exactly what the action runs. Downloads the release archive of zlint ZLINT_VERSION for this
# runner's platform (RUNNER_OS, RUNNER_ARCH) from ZLINT_RELEASES (the repository's release
# downloads), checks it against its published SHA-256 sum, and puts `zlint` on GITHUB_PATH. When
# there is no such archive, or its sum does not match, it says why and installs the chunklint
# wheel from PyPI instead (`pip install chunklint==ZLINT_VERSION`): seconds either way, no Rust
# toolchain.
set -euo pipefail
: "${ZLINT_VERSION:?the zlint version to install}" "${ZLINT_RELEASES:?the release download URL}"
: "${GITHUB_PATH:=$(mktemp)}"
dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/zlint-$ZLINT_VERSION"
case "${RUNNER_OS:-Linux}-${RUNNER_ARCH:-X64}" in
  Linux-X64) target=x86_64-unknown-linux-musl ext=tar.gz ;;
  Linux-ARM64) target=aarch64-unknown-linux-musl ext=tar.gz ;;
  macOS-X64) target=x86_64-apple-darwin ext=tar.gz ;;
  macOS-ARM64) target=aarch64-apple-darwin ext=tar.gz ;;
  Windows-X64) target=x86_64-pc-windows-msvc ext=zip ;;
  *) target="" ext="" ;;
esac
binary() {
  local name="zlint-v$ZLINT_VERSION-$target"
  local url="$ZLINT_RELEASES/v$ZLINT_VERSION/$name.$ext"
  mkdir -p "$dir"
  curl -fsSL --retry 3 -o "$dir/$name.$ext" "$url" &&
    curl -fsSL --retry 3 -o "$dir/$name.$ext.sha256" "$url.sha256" || {
    echo "no release archive at $url" >&2
    return 1
  }
  local want got
  want=$(cut -d' ' -f1 <"$dir/$name.$ext.sha256")
  got=$( (sha256sum "$dir/$name.$ext" 2>/dev/null || shasum -a 256 "$dir/$name.$ext") | cut -d' ' -f1)
  if [ "$want" != "$got" ]; then
    echo "$url: SHA-256 $got, but its published sum is $want: not used" >&2
    return 1
  fi
  if [ "$ext" = zip ]; then
    unzip -q -o "$dir/$name.zip" -d "$dir"
  else
    tar -xzf "$dir/$name.tar.gz" -C "$dir"
  fi
  echo "$dir/$name" >>"$GITHUB_PATH"
  echo "zlint $ZLINT_VERSION: the release binary for $target (SHA-256 checked)"
}
if [ -z "$target" ] || ! binary; then
  echo "zlint $ZLINT_VERSION: installing the chunklint wheel instead" >&2
  python -m pip install --quiet "chunklint==$ZLINT_VERSION"
  python -c "import sys, sysconfig; print(sysconfig.get_path('scripts'))" >>"$GITHUB_PATH"
fi
