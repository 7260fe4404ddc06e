#!/usr/bin/env bash
# The wheel users install, proven here: built the way the release pipeline builds it (maturin,
# release profile, abi3, for manylinux 2014: here through zig's C toolchain, which links against
# glibc 2.17 as the pipeline's manylinux2014 container does), checked with auditwheel (its
# platform tags no broader than the symbols it links allow), installed into a fresh virtual
# environment with no Rust toolchain on PATH (timed), and run: `zlint --version`, a lint of a
# shipped store, `import chunklint`, and the same lint and scan documents as the cargo-built
# binary on every shipped fixture store. Prints the install time and the wheel's size.
# With ZLINT_WHEEL_OUT=DIR the wheel is kept in DIR (tests/python/run.sh can then test it).
# Usage: bash tests/wheel/run.sh [CARGO_BUILT_ZLINT]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here"
python3 -m venv "$work/build"
"$work/build/bin/pip" install -q 'maturin==1.16.0' 'auditwheel==6.8.2' 'ziglang==0.17.1'
# (maturin runs zig as `python -m ziglang`, with the python it finds first on PATH)
PATH="$work/build/bin:$PATH" "$work/build/bin/maturin" build --release --locked --strip --zig \
  --compatibility manylinux2014 --out "$work/dist" 2>&1 | tail -2
wheel=$(ls "$work"/dist/chunklint-*.whl)
echo "wheel: $(basename "$wheel"), $(du -k "$wheel" | cut -f1) KiB"
if [ -n "${ZLINT_WHEEL_OUT:-}" ]; then mkdir -p "$ZLINT_WHEEL_OUT" && cp "$wheel" "$ZLINT_WHEEL_OUT/"; fi
# The platform tags may not claim more than the wheel's symbols allow: auditwheel names the
# oldest glibc it is consistent with, and none of the wheel's tags may be older. The release
# promises manylinux 2014 (glibc 2.17), so that must be among them.
"$work/build/bin/auditwheel" show "$wheel" | tee "$work/show.txt"
tags=$(basename "$wheel" .whl | awk -F- '{print $NF}')
# (auditwheel wraps its lines: the tag is read from the text joined into one line)
allowed=$(tr '\n' ' ' <"$work/show.txt" | sed -n 's/.*consistent with *the following platform tag: *"\([^"]*\)".*/\1/p')
glibc() { echo "$1" | sed -e 's/^manylinux2014_/manylinux_2_17_/' | sed -n 's/^manylinux_\([0-9]*\)_\([0-9]*\)_.*/\1 \2/p'; }
read -r ok_major ok_minor <<<"$(glibc "$allowed")"
[ -n "$ok_major" ] || { echo "FAIL: auditwheel named no manylinux tag" >&2; exit 1; }
for tag in ${tags//./ }; do
  read -r tag_major tag_minor <<<"$(glibc "$tag")"
  if [ -z "$tag_major" ] || [ $((tag_major * 1000 + tag_minor)) -lt $((ok_major * 1000 + ok_minor)) ]; then
    echo "FAIL: the wheel is tagged $tag but auditwheel allows no older than $allowed" >&2
    exit 1
  fi
done
case ".$tags." in
  *.manylinux_2_17_*) ;;
  *) echo "FAIL: the wheel ($tags) is not the manylinux 2014 wheel the release promises" >&2; exit 1 ;;
esac
echo "platform tags $tags: consistent (auditwheel: $allowed)"
# A fresh environment, no cargo, rustc or rustup on PATH, nothing from the network.
python3 -m venv "$work/user"
env_no_cargo=(env -u CARGO_HOME -u RUSTUP_HOME "PATH=$work/user/bin:/usr/bin:/bin" PIP_NO_INDEX=1)
if "${env_no_cargo[@]}" sh -c 'command -v cargo || command -v rustc'; then
  echo "FAIL: a Rust toolchain is on the stripped PATH" >&2
  exit 1
fi
start=$(date +%s.%N)
"${env_no_cargo[@]}" "$work/user/bin/pip" install -q "$wheel"
seconds=$(echo "$(date +%s.%N) - $start" | bc)
printf 'installed in %.1f s with no Rust toolchain\n' "$seconds"
"${env_no_cargo[@]}" zlint --version
"${env_no_cargo[@]}" python -c 'import chunklint; print("import chunklint:", chunklint.__version__)'
"${env_no_cargo[@]}" zlint fixtures/zarr2/hierarchy.zarr --fail-on error >/dev/null
# The wheel's zlint and the cargo-built one give the same documents on every shipped store.
compared=0
for store in $(find fixtures -maxdepth 2 \( -name '*.zarr' -o -name '*.n5' -o -name '*.zip' \) | sort); do
  for args in "$store --no-config --format json" "scan $store --deep --format json"; do
    # shellcheck disable=SC2086
    a=$("${env_no_cargo[@]}" zlint $args 2>&1 || true)
    # shellcheck disable=SC2086
    b=$("$zlint" $args 2>&1 || true)
    if [ "$a" != "$b" ]; then
      echo "FAIL: zlint $args: the wheel's output differs from the cargo-built binary's" >&2
      diff <(echo "$a") <(echo "$b") | head -20 >&2
      exit 1
    fi
    compared=$((compared + 1))
  done
done
echo "the wheel's zlint: the same output as $zlint for $compared commands"
if [ "$(echo "$seconds > 30" | bc)" = 1 ]; then
  echo "FAIL: installing the wheel took ${seconds} s" >&2
  exit 1
fi
