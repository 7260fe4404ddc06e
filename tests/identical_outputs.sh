#!/usr/bin/env bash
# Checks that a change of structure changed no output: builds zlint at BASE (a commit, default
# the previous one) and as the working tree stands, runs both over every shipped fixture store
# (lint in every output format, scan, the HTML report, rechunk plans to every format, and the
# rechunks themselves, whose written files are compared by checksum, of every store but the rule
# fixtures, which declare large arrays of fill), and diffs what they printed and wrote.
#
#   bash tests/identical_outputs.sh [BASE]
#
# Exit 0 when every output is byte-identical; else the diff, and exit 1. The base is built in a
# git worktree under $TMPDIR, into target/identical-base (kept, so that a second run against the
# same base builds little).
set -euo pipefail

base="${1:-HEAD~1}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/zlint-identical.XXXXXX")"
trap 'git -C "$repo" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "building $base and the working tree" >&2
git -C "$repo" worktree add --detach "$work/base" "$base" >/dev/null 2>&1
(cd "$work/base" && CARGO_TARGET_DIR="$repo/target/identical-base" cargo build --release --quiet --bin zlint)
(cd "$repo" && cargo build --release --quiet --bin zlint)

# Every output of `zlint` ($1) over the fixtures, into the folder $2. Run from the repository
# root with relative paths, so that both builds print the same locations.
outputs() {
    local zlint="$1" out="$2"
    mkdir -p "$out"
    cd "$repo"
    local stores
    stores=$(find fixtures -maxdepth 3 \( -name '*.zarr' -o -name '*.n5' -o -name '*.zip' \) | sort)
    local n=0
    for store in $stores; do
        n=$((n + 1))
        local name
        name=$(printf '%03d-%s' "$n" "$(basename "$store")")
        run() {
            local what="$1"
            shift
            {
                NO_COLOR=1 "$zlint" "$@" 2>&1 | sed -E 's/in [0-9.]+ s \([^)]*\)/in T s/'
                echo "exit ${PIPESTATUS[0]}"
            } > "$out/$name.$what" || true
        }
        run lint "$store"
        run lint-all "$store" --show-all
        run lint-stats "$store" --statistics
        run lint-json "$store" --format json
        run lint-deep "$store" --deep --format json
        run sarif "$store" --format sarif
        run github "$store" --format github
        run lint-cloud "$store" --profile cloud --access volume --format json
        run scan scan "$store"
        run scan-json scan "$store" --json
        run scan-deep scan "$store" --deep --json
        # `zlint STORE` takes options after the store; subcommands take the store after theirs.
        run report report "$store" --plan-auto -o -
        for to in same zarr2 zarr3 n5; do
            local format=()
            [ "$to" = same ] || format=(--to "$to")
            run "plan-$to" rechunk "$store" "$work/out" --auto "${format[@]}" --dry-run --json
            run "plan-text-$to" rechunk "$store" "$work/out" --auto "${format[@]}" --dry-run
            rm -rf "$work/out"
            # The rule fixtures declare large arrays (mostly fill): their plans are compared, and
            # the rewrites of the stores that hold data.
            case "$store" in fixtures/rules/*) continue ;; esac
            run "rechunk-$to" rechunk "$store" "$work/out" --auto "${format[@]}" --quiet
            if [ -e "$work/out" ]; then
                (cd "$work/out" && find . -type f | sort | xargs -r sha256sum) \
                    > "$out/$name.files-$to"
            fi
            rm -rf "$work/out"
        done
    done
}

outputs "$repo/target/identical-base/release/zlint" "$work/before"
outputs "$repo/target/release/zlint" "$work/after"
if diff -r "$work/before" "$work/after"; then
    echo "identical: $(find "$work/after" -type f | wc -l) outputs of $(find "$work/after" -name '*.lint' | wc -l) stores" >&2
else
    echo "outputs differ between $base and the working tree" >&2
    exit 1
fi
