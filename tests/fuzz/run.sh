#!/usr/bin/env bash
# Fuzzes zlint's parsers and decoders of untrusted bytes (cargo-fuzz, libFuzzer, nightly Rust):
# metadata documents, chunks under every compressor, shards, N5 blocks, zip files. Seeds come from the
# committed fixtures. Usage: bash tests/fuzz/run.sh [SECONDS_PER_TARGET [TARGET...]]
# (default 60 s each, all five targets). CI runs half a minute each; the long run before a release is
# `bash tests/fuzz/run.sh 1800` (half an hour each; two targets at once on two cores is fine).
# Installs the nightly toolchain and cargo-fuzz when missing. A crash fails the run and leaves
# its input under tests/fuzz/artifacts/TARGET/. `bash tests/fuzz/run.sh build` only builds the
# targets (CI builds them in the background, then runs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install --locked cargo-fuzz
if [ "${1:-}" = build ]; then
  cargo +nightly fuzz build --fuzz-dir "$here"
  exit
fi
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(metadata chunk shard n5_block zip)
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
# Seeds: every metadata document of the fixtures (with the byte that picks its kind), and stored
# chunks and blocks of the fixtures.
mkdir -p "$seeds/metadata" "$seeds/chunk" "$seeds/shard" "$seeds/n5_block" "$seeds/zip"
# Zip seeds: the zip fixtures as they are.
cp "$root"/fixtures/world/*.zip "$seeds/zip/"
n=0
while IFS= read -r -d '' doc; do
  n=$((n + 1))
  case "$doc" in
    */zarr.json) kind='\x00' ;; */.zarray) kind='\x01' ;; */.zmetadata) kind='\x02' ;; *) kind='\x03' ;;
  esac
  { printf "$kind"; cat "$doc"; } > "$seeds/metadata/$n"
done < <(find "$root/fixtures" \( -name zarr.json -o -name .zarray -o -name .zmetadata -o -name attributes.json \) -print0)
i=0
while IFS= read -r -d '' chunk; do
  i=$((i + 1))
  [ "$i" -gt 64 ] && break
  for target in chunk shard n5_block; do
    { printf '\x01'; head -c 4096 "$chunk"; } > "$seeds/$target/$i"
  done
done < <(find "$root/fixtures" -path '*/c/*' -type f -print0)
cd "$here"
for target in "${targets[@]}"; do
  echo "fuzz: $target for $seconds s"
  cargo +nightly fuzz run --fuzz-dir "$here" "$target" "$seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 -max_len=65536 2>&1 |
    grep -E '^(#[0-9]+.*DONE|Done|==|SUMMARY|.*(panicked|ERROR|deadly|Crash|leak|timeout))' || true
  # libFuzzer exits non-zero on a finding; `pipefail` would hide nothing, but say it plainly.
  # A crash, a leak, a time-out (-timeout: a hang) or running out of memory fails the run; a
  # slow unit (an input the instrumented harness took seconds on, not a hang) is only shown.
  found=$(ls "$here/artifacts/$target" 2>/dev/null | grep -v '^slow-unit-' || true)
  if [ -n "$found" ]; then
    echo "fuzz: $target found a crash: $found" >&2
    exit 1
  fi
  slow=$(ls "$here/artifacts/$target" 2>/dev/null | grep '^slow-unit-' || true)
  [ -z "$slow" ] || echo "fuzz: $target: slow units (kept, not failures): $slow"
done
