#!/usr/bin/env bash
# The declared minimum Rust version (rust-version in Cargo.toml) builds everything: that
# toolchain is installed when missing (and, in CI, removed again afterwards), and every target
# is checked with it.
set -euo pipefail
cd "$(dirname "$0")/.."
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
had_msrv=$(rustup toolchain list | grep -c "^$msrv" || true)
echo "MSRV: Rust $msrv"
rustup toolchain install "$msrv" --profile minimal
cargo "+$msrv" check --all-targets --locked --target-dir target/msrv
rm -rf target/msrv
if [ "$had_msrv" = 0 ] && [ -n "${CI:-}" ]; then rustup toolchain uninstall "$msrv"; fi
