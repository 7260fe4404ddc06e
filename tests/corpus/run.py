"""Rechunks every array of the corpus to every target format and reads each output back with the
reference readers, comparing with the source value by value.

Usage: python tests/corpus/run.py ZLINT CORPUS_DIR OUT_DIR [--refusals FILE]

Targets: Zarr v3, Zarr v3 with shards, Zarr v2 and N5, each with chunks of about a third of the
shape. An output counts as *pass* when zarr-python 3 (Zarr) and tensorstore (every format, when it
reads the source) read the source's shape, dtype and values, and for Zarr its fill value and
attributes; *carried* when it passes but zlint carried the array over unchanged (a codec or data
type it cannot decode, kept in the same format: the requested chunks are not applied);
*refused* when zlint exits 2 before writing any metadata; *wrong* otherwise (a difference, an
output that a reader of the source cannot read, or a refusal that left metadata).
N5 outputs are also read by zarr-python 2 (tests/interop/read_back_zarr2.py, run by run.sh):
their source values are saved in OUT_DIR/expected.

Every store the reference readers read is also linted: no unreadable node (ZL501) may be reported.

Prints the table. Exits 1 on any *wrong*, any such ZL501, and when the refusals differ from FILE (lines
"STORE TARGET", STORE a glob over store names; `#` comments): a new refusal, or a listed one that
now passes.
"""

import concurrent.futures
import fnmatch
import json
import math
import os
import subprocess
import sys

import numpy as np
import tensorstore as ts
import zarr

TARGETS = ["zarr3", "zarr3-sharded", "zarr2", "n5"]


def read_source(path):
    """The source's values by zarr-python 3, else by tensorstore; None when neither reads it."""
    if not path.endswith(".n5"):
        try:
            return zarr.open_array(path, mode="r")[...]
        except Exception:  # noqa: BLE001 - zarr-python raises many kinds
            pass
    try:
        return read_ts(path)
    except Exception:  # noqa: BLE001
        return None


def read_ts(path):
    if path.endswith(".n5"):
        driver = "n5"
    elif os.path.exists(os.path.join(path, "zarr.json")):
        driver = "zarr3"
    else:
        driver = "zarr"
    data = ts.open({"driver": driver, "kvstore": {"driver": "file", "path": path}}).result().read().result()
    return np.transpose(data) if driver == "n5" else data


def same_values(a, b):
    if a.shape != b.shape:
        return f"shape {b.shape} != {a.shape}"
    strings = a.dtype.kind in "OTUS" and b.dtype.kind in "OTUS"
    # Byte order is a storage detail (Zarr v3 keeps it in the `bytes` codec).
    if not strings and a.dtype.newbyteorder("=") != b.dtype.newbyteorder("="):
        return f"dtype {b.dtype} != {a.dtype}"
    if strings:
        a, b = a.astype(object), b.astype(object)
        equal = all(x == y for x, y in zip(a.ravel(), b.ravel()))
    else:
        equal = np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    return None if equal else "different values"


def zlint_args(store, target, shape):
    chunks = [max(1, math.ceil(n / 3)) for n in shape]
    args = ["rechunk", store, None, "--quiet", "--verify",
            "--chunks", ",".join(map(str, chunks))]
    fmt = {"zarr3": "zarr3", "zarr3-sharded": "zarr3", "zarr2": "zarr2", "n5": "n5"}[target]
    args += ["--to", fmt]
    if target == "zarr3-sharded":
        args += ["--shards", ",".join(str(c * 2) for c in chunks)]
    return args


def fills_equal(fa, fb, v3_output):
    if fa is None:
        return v3_output or fb is None
    try:
        if isinstance(fa, float) and np.isnan(fa):
            return isinstance(fb, float) and np.isnan(fb)
    except TypeError:
        pass
    try:
        return bool(fa == fb) or (np.isnan(fa) and np.isnan(fb))
    except (TypeError, ValueError):
        return str(fa) == str(fb)


def check(store, out, target, source):
    """None when every reader reads `out` as the source, else what differs."""
    if target != "n5":
        b = zarr.open_array(out, mode="r")
        problem = same_values(source, b[...])
        if problem:
            return f"zarr-python: {problem}"
        if not store.endswith(".n5"):
            a = zarr.open_array(store, mode="r")
            if not fills_equal(a.fill_value, b.fill_value, b.metadata.zarr_format == 3):
                return f"fill value {b.fill_value!r} != {a.fill_value!r}"
            if dict(a.attrs) != dict(b.attrs):
                return f"attributes {dict(b.attrs)} != {dict(a.attrs)}"
    try:
        got = read_ts(out)
    except Exception as e:  # noqa: BLE001 - tensorstore raises ValueError and others
        try:
            read_ts(store)
        except Exception:  # noqa: BLE001
            return None  # tensorstore reads neither: nothing to compare
        return f"tensorstore reads the source but not the output: {e}"
    problem = same_values(source, got)
    return f"tensorstore: {problem}" if problem else None


def main(args):
    zlint, corpus, out_dir = args[:3]
    refusals_file = args[args.index("--refusals") + 1] if "--refusals" in args else None
    stores = []
    for manifest in sorted(f for f in os.listdir(corpus) if f.startswith("manifest-")):
        stores += json.load(open(os.path.join(corpus, manifest)))
    os.makedirs(os.path.join(out_dir, "expected"), exist_ok=True)
    jobs, unread, sources = [], [], {}
    for name in stores:
        store = os.path.join(corpus, name)
        source = sources[store] = read_source(store)
        if source is None:
            unread.append(name)
            continue
        for target in TARGETS:
            out = os.path.join(out_dir, f"{name.rsplit('.', 1)[0]}--{target}" + (".n5" if target == "n5" else ".zarr"))
            args_ = zlint_args(store, target, source.shape)
            args_[2] = out
            jobs.append((name, store, target, out, args_))

    def run(job):
        _name, _store, _target, _out, args_ = job
        return subprocess.run([zlint] + args_, capture_output=True, text=True, timeout=300)

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(run, jobs))
        # Lint reports no unreadable node (ZL501) in a store the reference readers read.
        readable = [os.path.join(corpus, n) for n in stores if n not in unread]
        linted = list(pool.map(lambda store: subprocess.run(
            [zlint, store, "--format", "json"], capture_output=True, text=True, timeout=300),
            readable))
    table = {t: {"pass": 0, "carried": 0, "wrong": 0, "refused": 0} for t in TARGETS}
    wrong, refused, n5_outputs, carried = [], set(), [], []
    for (name, store, target, out, _args), result in zip(jobs, results):
        source = sources[store]
        if result.returncode != 0:
            metadata = [m for m in ("zarr.json", ".zarray", "attributes.json")
                        if os.path.exists(os.path.join(out, m))]
            message = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
            if result.returncode == 2 and not metadata and "panicked" not in result.stderr:
                table[target]["refused"] += 1
                refused.add((name, target, message))
            else:
                table[target]["wrong"] += 1
                wrong.append(f"{name} -> {target}: exit {result.returncode}, left {metadata}: {message}")
            continue
        try:
            problem = check(store, out, target, source)
        except Exception as e:  # noqa: BLE001 - any reader failure is a finding
            problem = f"{type(e).__name__}: {e}"
        if problem:
            table[target]["wrong"] += 1
            wrong.append(f"{name} -> {target}: {problem}")
        elif "carried over unchanged" in result.stderr:
            table[target]["carried"] += 1
            carried.append(f"{name} -> {target}")
        else:
            table[target]["pass"] += 1
            if target == "n5":
                n5_outputs.append(out)
                np.save(os.path.join(out_dir, "expected", f"{os.path.basename(out)}__.npy"), source)
    print(f"corpus: {len(stores) - len(unread)} arrays, each rechunked to {len(TARGETS)} targets "
          f"({len(unread)} more that neither zarr-python 3 nor tensorstore reads: {unread})")
    print("| target | pass | carried | wrong | refused |")
    print("|---|---|---|---|---|")
    for target, counts in table.items():
        print(f"| {target} | {counts['pass']} | {counts['carried']} | {counts['wrong']} | "
              f"{counts['refused']} |")
    for line in carried:
        print("carried over unchanged:", line)
    for line in wrong:
        print("WRONG:", line)
    with open(os.path.join(out_dir, "n5-outputs.txt"), "w") as f:
        f.write("\n".join(n5_outputs))
    unreadable = [os.path.basename(store) for store, result in zip(readable, linted)
                  if '"ZL501"' in result.stdout or result.returncode not in (0, 1)]
    for name in unreadable:
        print(f"ZL501 or a lint failure on a store the reference readers read: {name}")
    failed = bool(wrong) or bool(unreadable)
    if refusals_file:
        listed = set()
        for line in open(refusals_file):
            line = line.split("#", 1)[0].strip()
            if line:
                listed.add(tuple(line.split()[:2]))
        # A listed store name is a glob: `zarr2*-dtype-bool.zarr` is that case of every
        # zarr-python 2 release.
        def matches(entry, n, t):
            return entry[1] == t and fnmatch.fnmatchcase(n, entry[0])
        for n, t, message in sorted(refused):
            if not any(matches(entry, n, t) for entry in listed):
                print(f"NEW REFUSAL: {n} {t}: {message}")
                failed = True
        for entry in sorted(listed):
            if not any(matches(entry, n, t) for n, t, _ in refused):
                print(f"NOW ACCEPTED (remove it from {refusals_file}): {' '.join(entry)}")
                failed = True
    else:
        for n, t, message in sorted(refused):
            print(f"refused: {n} {t}  # {message}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1:])
