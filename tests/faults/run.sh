#!/usr/bin/env bash
# Fault campaign: zlint on broken input and a failing machine. Every case asserts the exit code,
# that the error names the object at fault, that no output is left looking complete (no array
# metadata without verification), and, where a run is resumed, that it ends identical to an
# uninterrupted one.
#   - corrupt chunks (truncated, garbage, emptied) under every compressor of the fixtures and of
#     the cross-implementation corpus writers × rechunk, repack and verify;
#   - a full disk (a 1 MiB tmpfs; needs root, skipped with a message otherwise);
#   - unreadable source chunks and an unwritable target, as an unprivileged user (root only);
#   - kill -9 at random moments of a run, including during --finalize --verify, then --resume.
# Usage: bash tests/faults/run.sh [ZLINT_BINARY]
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
zlint=${1:-$here/target/debug/zlint}
zlint=$(cd "$(dirname "$zlint")" && pwd)/$(basename "$zlint")
work=$(mktemp -d)
trap 'umount "$work/full" 2>/dev/null; rm -rf "$work"' EXIT
chmod 755 "$work"
failures=0 cases=0
ok() { cases=$((cases + 1)); echo "ok   $*"; }
bad() { cases=$((cases + 1)); failures=$((failures + 1)); echo "FAIL $*"; }

# expect CODE NAMED OUT -- ARGS...: runs zlint, checks the exit code, that stderr names NAMED,
# and that OUT (if given) holds no array metadata.
expect() {
  local code=$1 named=$2 out=$3; shift 4
  local err got
  err=$("$zlint" "$@" 2>&1 >/dev/null); got=$?
  if [ "$got" != "$code" ]; then bad "zlint $* -> exit $got, expected $code: $err"; return; fi
  if [ -n "$named" ] && ! grep -qF -- "$named" <<<"$err"; then bad "zlint $*: error does not name $named: $err"; return; fi
  if grep -q "panicked" <<<"$err"; then bad "zlint $*: panicked: $err"; return; fi
  if [ -n "$out" ] && [ -n "$(find "$out" -name zarr.json -o -name .zarray 2>/dev/null | head -1)" ]; then
    bad "zlint $*: left $out looking complete"; return
  fi
  ok "zlint $* -> exit $code${named:+, names $named}"
}

# 1. Corrupt chunks: every fixture array, its first stored chunk broken three ways.
cd "$work"
for fixture in zarr3/plain.zarr zarr3/sharded.zarr zarr2/hierarchy.zarr/raw n5/zarr2.n5/raw world/z5py-zarr2.zarr/ints \
               world/zarr2-codecs.zarr/bz2 world/zarr2-shuffle.zarr world/zstd-no-checksum.zarr world/blosc-typesize.zarr/2d; do
  [ -e "$here/fixtures/$fixture" ] || { bad "fixture $fixture missing"; continue; }
  chunk=$(find "$here/fixtures/$fixture" -type f ! -name '*.json' ! -name '.z*' -size +16c | sort | head -1)
  [ -n "$chunk" ] || continue
  rel=${chunk#"$here/fixtures/$fixture/"}
  for how in truncate garbage empty; do
    rm -rf src out; mkdir src
    cp -r "$here/fixtures/$fixture/." src/
    case $how in
      truncate) head -c $(( $(stat -c %s "$chunk") / 2 )) "$chunk" > "src/$rel" ;;
      garbage) head -c "$(stat -c %s "$chunk")" /dev/urandom > "src/$rel" ;;
      empty) : > "src/$rel" ;;
    esac
    chunks=$(python3 -c "import json,os
f=[x for x in ('zarr.json','.zarray','attributes.json') if os.path.exists(os.path.join('src',x))][0]
d=json.load(open(os.path.join('src',f)))
s=d.get('shape') or d.get('dimensions')[::-1]
print(','.join(str(max(1,n//2)) for n in s))")
    # Uncompressed garbage of the right length is data like any other: it must then rechunk
    # and verify. Everything else fails by name.
    if [ "$how" = garbage ] && "$zlint" verify src src >/dev/null 2>&1; then
      "$zlint" rechunk src out --chunks "$chunks" --quiet --verify >/dev/null 2>&1 &&
        ok "$fixture: garbage that decodes is rechunked and verified" ||
        bad "$fixture: garbage that decodes failed to rechunk"
      continue
    fi
    expect 2 "src/$rel" out -- rechunk src out --chunks "$chunks" --quiet
    expect 2 "src/$rel" "" -- verify src src
  done
done

# 2. A repack (same chunks, another format) of a corrupt chunk: refused before it is copied.
rm -rf src out; mkdir src; cp -r "$here/fixtures/zarr3/plain.zarr/." src/
chunk=$(find src/c -type f | sort | head -1)
head -c 7 /dev/urandom > "$chunk"
expect 2 "${chunk}" out -- rechunk src out --to zarr2 --quiet

# 2b. A named pipe where a chunk should be: refused by name at once, never waited on (a pipe
# opened the usual way waits for a writer for ever).
rm -rf src out; mkdir src; cp -r "$here/fixtures/zarr3/plain.zarr/." src/
chunk=$(find src/c -type f | sort | head -1)
rm "$chunk"; mkfifo "$chunk"
for cmd in "rechunk src out --chunks 10,10 --quiet" "rechunk src out --to zarr2 --quiet" "verify src src"; do
  rm -rf out
  # shellcheck disable=SC2086  # the words of $cmd are zlint's arguments
  err=$(timeout 60 "$zlint" $cmd 2>&1 >/dev/null); code=$?
  if [ "$code" = 2 ] && grep -qF "$chunk" <<<"$err" && [ ! -e out/zarr.json ] && [ ! -e out/.zarray ]; then
    ok "zlint $cmd, a named pipe for a chunk -> exit 2, names $chunk"
  else
    bad "zlint $cmd, a named pipe for a chunk -> exit $code (124: it waited): $err"
  fi
done

# 3. A full disk: the target on a 1 MiB tmpfs (a 4 MiB source).
python3 - "$work/big.zarr" <<'EOF'
import json, os, sys
root = sys.argv[1]
os.makedirs(os.path.join(root, "c"), exist_ok=True)
json.dump({"zarr_format": 3, "node_type": "array", "shape": [4096, 1024], "data_type": "uint8",
         "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [256, 1024]}},
         "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
         "codecs": [{"name": "bytes"}]}, open(os.path.join(root, "zarr.json"), "w"))
for i in range(16):
  os.makedirs(os.path.join(root, "c", str(i)), exist_ok=True)
  open(os.path.join(root, "c", str(i), "0"), "wb").write(os.urandom(256 * 1024))
EOF
if [ "$(id -u)" = 0 ] && mkdir -p "$work/full" && mount -t tmpfs -o size=1m tmpfs "$work/full" 2>/dev/null; then
  expect 2 "No space left" "$work/full/out.zarr" -- rechunk "$work/big.zarr" "$work/full/out.zarr" --chunks 128,1024 --quiet
  umount "$work/full"
else
  echo "skip a full disk: needs root to mount a tmpfs"
fi

# 3b. A file-size limit (ulimit -f): the write fails by name instead of SIGXFSZ killing zlint.
rm -rf "$work/limited.zarr"
err=$( (ulimit -f 64; "$zlint" rechunk "$work/big.zarr" "$work/limited.zarr" --chunks 1024,1024 --quiet) 2>&1 ); code=$?
if [ "$code" = 2 ] && grep -q "File too large" <<<"$err" && [ ! -e "$work/limited.zarr/zarr.json" ]; then
  ok "a file-size limit -> exit 2: $(head -c 120 <<<"$err")"
else
  bad "a file-size limit -> exit $code: $err"
fi

# 4. Permissions, as an unprivileged user.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
  rm -rf src out ro nb; mkdir src ro nb; cp -r "$here/fixtures/zarr3/plain.zarr/." src/
  chmod -R a+rX src; chmod 755 ro; chmod 777 nb
  cp "$zlint" "$work/zlint-nobody"; chmod 755 "$work/zlint-nobody"
  chunk=$(find src/c -type f | sort | head -1)
  chmod 000 "$chunk"
  as_nobody() { runuser -u nobody -- "$work/zlint-nobody" "$@"; }
  err=$(cd "$work" && as_nobody rechunk src "$work/nb/out" --chunks 10,10 --quiet 2>&1); code=$?
  if [ $code = 2 ] && grep -qF "$chunk" <<<"$err" && [ ! -e "$work/nb/out/zarr.json" ]; then
    ok "unreadable source chunk (as nobody) -> exit 2, names $chunk"
  else bad "unreadable source chunk (as nobody) -> exit $code: $err"; fi
  chmod 644 "$chunk"
  err=$(cd "$work" && as_nobody rechunk src "$work/ro/out" --chunks 10,10 --quiet 2>&1); code=$?
  if [ $code = 2 ] && grep -qF "ro/out" <<<"$err"; then
    ok "unwritable target (as nobody) -> exit 2, names it"
  else bad "unwritable target (as nobody) -> exit $code: $err"; fi
else
  echo "skip permissions: needs root and the user nobody"
fi

# 5. kill -9 at random moments, including during --finalize --verify; --resume ends identical.
python3 - "$work/stack.zarr" <<'EOF'
import json, os, sys, zlib
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
json.dump({"zarr_format": 3, "node_type": "array", "shape": [64, 256, 256], "data_type": "uint16",
           "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [1, 256, 256]}},
           "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
           "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                      {"name": "gzip", "configuration": {"level": 1}}]},
          open(os.path.join(root, "zarr.json"), "w"))
for z in range(64):
    os.makedirs(os.path.join(root, "c", str(z), "0"), exist_ok=True)
    data = bytes((z * 7 + i * 13) % 251 for i in range(256 * 256 * 2))
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    open(os.path.join(root, "c", str(z), "0", "0"), "wb").write(c.compress(data) + c.flush())
EOF
"$zlint" rechunk "$work/stack.zarr" "$work/whole.zarr" --chunks 16,64,64 --quiet || bad "uninterrupted run failed"
for attempt in 1 2 3 4 5 6; do
  out="$work/killed-$attempt.zarr"
  delay=$(python3 -c "import random; print(random.uniform(0.02, 0.6))")
  if [ $attempt -le 3 ]; then
    "$zlint" rechunk "$work/stack.zarr" "$out" --chunks 16,64,64 --max-mem 8MiB -j 1 --quiet --verify &
  else
    "$zlint" rechunk "$work/stack.zarr" "$out" --chunks 16,64,64 --init --quiet &&
      "$zlint" rechunk "$work/stack.zarr" "$out" --part 0/1 --quiet
    "$zlint" rechunk "$work/stack.zarr" "$out" --finalize --verify --quiet &
  fi
  pid=$!
  sleep "$delay"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  if [ -e "$out/.zlint-rechunk" ] || [ ! -e "$out/zarr.json" ]; then
    if [ $attempt -le 3 ]; then
      "$zlint" rechunk "$work/stack.zarr" "$out" --chunks 16,64,64 --max-mem 8MiB --resume --verify --quiet
    else
      "$zlint" rechunk "$work/stack.zarr" "$out" --finalize --verify --quiet
    fi || { bad "resume $attempt failed"; continue; }
  fi
  if diff -r "$work/whole.zarr" "$out" >/dev/null; then
    ok "killed after ${delay%????} s (run $attempt) and resumed: identical to the uninterrupted output"
  else
    bad "killed run $attempt resumed to a different output"
  fi
done

echo "faults: $cases cases, $failures failed"
[ "$failures" = 0 ]
