"""A rewrite keeps the whole store (issue 26), checked without zlint's own code:

- every file of the source that is neither node metadata nor inside an array's folder (found
  by zarr-python, not by zlint) is in the output, byte for byte;
- `ROUNDTRIP SOURCE BACK`: every attribute of every group and array of SOURCE is in BACK
  (a 0.4 -> 0.5 -> 0.4 rewrite), OME-NGFF `version` keys aside, unknown keys and `omero` included;
- `OZX OUTPUT.ozx DIRECTORY`: the .ozx is RFC-9's recommended variant as ngff-zarr writes it: the
  same archive comment and entry order as ngff-zarr's `write_store_to_zip` gives for DIRECTORY
  (the same output written as a folder), every entry stored.

Usage: python whole_store_check.py (carried SOURCE OUTPUT | roundtrip SOURCE BACK | ozx OZX DIR)...
"""

import json
import os
import sys
import tempfile
import zipfile

import zarr

METADATA = {".zarray", ".zgroup", ".zattrs", ".zmetadata", "zarr.json", "attributes.json"}
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def files_of(location):
    """key -> bytes of every file of a folder or a zip."""
    if zipfile.is_zipfile(location):
        with zipfile.ZipFile(location) as archive:
            return {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}
    found = {}
    for folder, _, names in os.walk(location):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, location).replace(os.sep, "/")] = f.read()
    return found


def array_folders(location):
    """The folders of every array zarr-python finds (Zarr v2 or v3)."""
    store = zarr.storage.ZipStore(location, mode="r") if zipfile.is_zipfile(location) else location
    root = zarr.open_group(store, mode="r")
    return {path for path, node in root.members(max_depth=None) if isinstance(node, zarr.Array)}


def other_files(location):
    arrays = array_folders(location)
    out = {}
    for key, data in files_of(location).items():
        folder, _, name = key.rpartition("/")
        inside_array = any(key.startswith(a + "/") for a in arrays)
        if name in METADATA or inside_array:
            continue
        out[key] = data
    return out


def node_attributes(location):
    root = zarr.open_group(location, mode="r")
    nodes = {"": root.attrs.asdict()}
    for path, node in root.members(max_depth=None):
        nodes[path] = node.attrs.asdict()
    return nodes


def without_versions(value):
    if isinstance(value, dict):
        return {k: without_versions(v) for k, v in value.items() if k != "version"}
    if isinstance(value, list):
        return [without_versions(v) for v in value]
    return value


def contains(outer, inner):
    """Whether every key of `inner` is in `outer` with the same value (recursively)."""
    if isinstance(inner, dict):
        return isinstance(outer, dict) and all(k in outer and contains(outer[k], v) for k, v in inner.items())
    return outer == inner


def rfc9_order(keys):
    """The entry order of ngff-zarr's writer for these keys."""
    from ngff_zarr.rfc9_zip import _order_files_rfc9

    return _order_files_rfc9(list(keys))


args = sys.argv[1:]
for kind, first, second in zip(args[0::3], args[1::3], args[2::3]):
    if kind == "carried":
        expected, got = other_files(first), files_of(second)
        missing = [k for k in expected if k not in got]
        differ = [k for k in expected if k in got and got[k] != expected[k]]
        check(not missing and not differ,
              f"{second}: {len(expected)} other files of the source carried byte for byte"
              + (f" (missing {missing[:5]}, differing {differ[:5]})" if missing or differ else ""))
    elif kind == "roundtrip":
        source, back = node_attributes(first), node_attributes(second)
        lost = [p for p, attrs in source.items()
                if not contains(without_versions(back.get(p)), without_versions(attrs))]
        check(not lost, f"{second}: every attribute of {len(source)} nodes of {first} came back"
              + (f" (not at {lost[:5]})" if lost else ""))
    elif kind == "ozx":
        from ngff_zarr.rfc9_zip import write_store_to_zip

        with zipfile.ZipFile(first) as ours:
            names = [i.filename for i in ours.infolist()]
            stored = all(i.compress_type == zipfile.ZIP_STORED for i in ours.infolist())
            comment = ours.comment
        with tempfile.TemporaryDirectory() as tmp:
            theirs_path = os.path.join(tmp, "ngff-zarr.ozx")
            write_store_to_zip(second, theirs_path, version="0.5")
            with zipfile.ZipFile(theirs_path) as theirs:
                their_names = [i.filename for i in theirs.infolist()]
                their_comment = theirs.comment
        check(comment == their_comment, f"{first}: archive comment as ngff-zarr writes it ({comment!r})")
        check(names == their_names and names == rfc9_order(names),
              f"{first}: {len(names)} entries in ngff-zarr's RFC-9 order (root zarr.json first)")
        check(stored, f"{first}: every entry stored")
        check(json.loads(files_of(first)["zarr.json"])["attributes"]["ome"]["version"] == "0.5",
              f"{first}: root zarr.json is OME-Zarr 0.5")
    else:
        sys.exit(f"unknown check {kind}")

print(f"{len(failures)} whole-store failures" if failures else "all whole-store checks passed")
sys.exit(1 if failures else 0)
