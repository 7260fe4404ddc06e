"""The Python package against the committed fixtures: the API gives what the command line gives,
plans run and verify, errors carry their path. Run by tests/python/run.sh on the built wheel.

ZLINT_BIN names the Rust binary built by `cargo test` (the reference the API must agree with).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
import zarr

import chunklint

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
ZLINT_BIN = os.environ.get("ZLINT_BIN", str(ROOT / "target" / "debug" / "zlint"))

LINTED = [
    "zarr2/hierarchy.zarr",
    "rules/ZL202-fires.ome.zarr",
    "rules/ZL101-fires.zarr",
    "zarr3/sharded.zarr",
    "n5/pyramid.n5",
    "broken/invalid-json.zarr",
]


def cli_json(*args: str) -> dict:
    out = subprocess.run([ZLINT_BIN, *args], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode in (0, 1, 2), out.stderr
    return json.loads(out.stdout)


def tree(root: Path) -> dict:
    """Every file under root: relative path -> bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("store", LINTED)
@pytest.mark.parametrize("profile", ["analysis", "visualization"])
def test_lint_findings_equal_the_cli_json(store: str, profile: str) -> None:
    findings = chunklint.lint(FIXTURES / store, profile=profile, use_config=False)
    expected = cli_json(str(FIXTURES / store), "--format", "json", "--no-config", "--profile", profile)
    assert len(findings) == len(expected["findings"])
    for got, want in zip(findings, expected["findings"]):
        assert (got.rule, got.name, got.severity, got.path, got.message) == (
            want["rule"],
            want["name"],
            want["severity"],
            want["path"],
            want["message"],
        )
        layout = want.get("recommendation")
        if layout is None:
            assert got.recommendation is None
        else:
            assert got.recommendation == chunklint.Layout(
                tuple(layout["chunks"]),
                None if layout["shards"] is None else tuple(layout["shards"]),
            )


def test_lint_select_and_ignore() -> None:
    store = FIXTURES / "zarr2/hierarchy.zarr"
    assert {f.rule for f in chunklint.lint(store, select=["ZL107"])} == {"ZL107"}
    assert "ZL101" not in {f.rule for f in chunklint.lint(store, ignore=["chunk-too-small"])}


def test_scan_is_the_cli_document() -> None:
    store = str(FIXTURES / "zarr3/sharded.zarr")
    assert chunklint.scan(store) == cli_json("scan", store, "--format", "json")
    deep = chunklint.scan(store, deep=True)
    assert deep["arrays"][0]["stored"] is not None


def test_recommend_equals_the_linters_recommendation() -> None:
    store = FIXTURES / "rules/ZL101-fires.zarr"
    array = chunklint.scan(store)["arrays"][0]
    (finding,) = chunklint.lint(store, select=["ZL101"], use_config=False)
    layout = chunklint.recommend(
        array["shape"], array["dtype"], current_chunks=array["chunks"]
    )
    assert layout == finding.recommendation
    # NumPy dtypes name the same type.
    assert chunklint.recommend(array["shape"], np.dtype(array["dtype"])) == layout


def test_a_recommended_layout_goes_into_zarr_create_array_and_lints_clean(tmp_path: Path) -> None:
    shape = (512, 2048, 2048)
    for profile in ["analysis", "visualization"]:
        layout = chunklint.recommend(shape, "uint16", axes=["z", "y", "x"], profile=profile)
        path = tmp_path / f"{profile}.zarr"
        array = zarr.create_array(
            str(path),
            shape=shape,
            dtype="uint16",
            chunks=layout.chunks,
            shards=layout.shards,
            dimension_names=["z", "y", "x"],
        )
        assert array.chunks == layout.chunks
        assert array.shards == layout.shards
        array[0:2, 0:8, 0:8] = 7
        findings = chunklint.lint(path, profile=profile, use_config=False)
        # Layout rules only: a 4 GiB image without a pyramid is still told to get one (ZL205).
        layout_findings = [f for f in findings if f.rule.startswith(("ZL1", "ZL2")) and f.rule != "ZL205"]
        assert layout_findings == [], findings
    assert chunklint.recommend(shape, "uint16", profile="visualization").shards is not None


# Common microscopy and climate arrays: shape, dtype, axis names.
COMMON_ARRAYS = [
    ((512, 2048, 2048), "uint16", "zyx"),
    ((1, 2, 64, 2048, 2048), "uint16", "tczyx"),
    ((100, 1000, 1000), "uint8", "zyx"),
    ((2000, 4096, 4096), "uint16", "zyx"),
    ((1, 3, 1, 50000, 40000), "uint8", "tczyx"),
    ((120, 2, 41, 1024, 1024), "uint16", "tczyx"),
    ((10000, 10000, 10000), "uint8", "zyx"),
    ((350640, 721, 1440), "float32", "tyx"),
    ((1980, 180, 360), "float64", "tyx"),
    ((43200, 86400), "uint8", "yx"),
]


def _round_or_divides(extent: int, axis: int) -> bool:
    return axis % extent == 0 or extent & (extent - 1) == 0 or extent % 64 == 0


@pytest.mark.parametrize("shape,dtype,axes", COMMON_ARRAYS)
def test_recommendations_for_common_arrays_are_round_and_lint_clean(
    tmp_path: Path, shape: tuple[int, ...], dtype: str, axes: str
) -> None:
    for profile in ["analysis", "cloud", "visualization"]:
        layout = chunklint.recommend(shape, dtype, axes=list(axes), profile=profile)
        for extent, axis in zip(layout.chunks, shape):
            assert _round_or_divides(extent, axis), (profile, shape, layout)
        # Metadata only: the size rules judge the layout, not the data.
        path = tmp_path / f"{profile}.zarr"
        zarr.create_array(
            str(path),
            shape=shape,
            dtype=dtype,
            chunks=layout.chunks,
            shards=layout.shards,
            dimension_names=list(axes),
        )
        # Clean at the default fail-on: no warning or error from a layout rule (an info note may
        # remain, such as ZL104's on a terabyte array's 15,625 chunks of 64 MiB).
        findings = chunklint.lint(path, profile=profile, use_config=False)
        layout_findings = [
            f
            for f in findings
            if f.rule.startswith(("ZL1", "ZL2")) and f.rule != "ZL205" and f.severity != "info"
        ]
        assert layout_findings == [], (profile, shape, layout, findings)
    assert chunklint.recommend((512, 2048, 2048), "uint16") == chunklint.Layout((256, 256, 256), None)


def test_a_recommendation_that_cannot_be_round_says_so() -> None:
    # 1208 in chunks of 512 would pad the last chunk by 30 %: an even split of 403 is taken.
    with pytest.warns(UserWarning, match=r"axis 1 \(1208 long\): no extent near 403 divides it"):
        layout = chunklint.recommend(
            (808, 1208), "float32", axes=["c", "y"], profile="visualization", access="volume"
        )
    assert layout.chunks[1] == 403
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chunklint.recommend((512, 2048, 2048), "uint16")


def test_zarr_python_objects_are_taken_where_paths_are(tmp_path: Path) -> None:
    src = FIXTURES / "zarr2/hierarchy.zarr"
    by_path = chunklint.lint(src, use_config=False)
    assert by_path, "a store with findings, so that equal lists say something"
    group = zarr.open_group(str(src), mode="r")
    assert chunklint.lint(group, use_config=False) == by_path
    assert chunklint.lint(zarr.storage.LocalStore(src, read_only=True), use_config=False) == by_path
    assert chunklint.scan(group) == chunklint.scan(src)
    raw = group["raw"]
    assert chunklint.scan(raw) == chunklint.scan(src / "raw")
    assert chunklint.scan(zarr.storage.StorePath(group.store, "raw")) == chunklint.scan(src / "raw")
    # fsspec's local filesystem, as zarr.open_group("file://...") makes it.
    fsspec_store = zarr.storage.FsspecStore.from_url(f"file://{src}", read_only=True)
    assert chunklint.scan(fsspec_store) == chunklint.scan(src)
    # A zip file, as a zarr ZipStore.
    archive = Path(shutil.make_archive(str(tmp_path / "hierarchy"), "zip", src))
    assert chunklint.scan(zarr.storage.ZipStore(archive, mode="r")) == chunklint.scan(archive)
    # From an Array into a LocalStore: the values arrive.
    dst = tmp_path / "raw.zarr"
    chunklint.plan(raw, zarr.storage.LocalStore(dst), chunks=(40, 60), to="zarr3").run(progress=False)
    written = zarr.open_array(str(dst), mode="r")
    assert written.chunks == (40, 60)
    np.testing.assert_array_equal(written[...], raw[...])
    # What zlint cannot reach by a location is refused by name.
    with pytest.raises(ValueError, match="MemoryStore lives in this Python process"):
        chunklint.lint(zarr.storage.MemoryStore())
    with pytest.raises(ValueError, match="fsspec protocol 'memory'"):
        chunklint.scan(zarr.storage.FsspecStore.from_url("memory://x.zarr"))
    zipped = zarr.open_group(zarr.storage.ZipStore(archive, mode="r"), mode="r")
    with pytest.raises(ValueError, match="inside the zip file"):
        chunklint.scan(zipped["raw"])
    with pytest.raises(TypeError, match="source: expected a path.*got int"):
        chunklint.plan(42, tmp_path / "x.zarr", chunks=(8, 8))


def test_a_plan_shows_runs_and_verifies(tmp_path: Path) -> None:
    src = FIXTURES / "zarr2/hierarchy.zarr"
    dst = tmp_path / "out.zarr"
    plan = chunklint.plan(src, dst, chunks={"raw": (8, 16), "labels": "10"}, to="zarr3")
    assert not dst.exists() or not any(dst.iterdir()), "planning writes nothing"
    text = repr(plan)
    assert text.startswith("rechunk ") and "raw" in text
    document = plan.to_dict()
    assert document["schema_version"] == 1
    cli = cli_json(
        "rechunk", str(src), str(dst), "--chunks", "raw=8,16", "--chunks", "labels=10",
        "--to", "zarr3", "--dry-run", "--format", "json",
    )
    for key in ["schema_version", "source", "target", "arrays", "groups"]:
        assert document[key] == cli[key], key
    html = plan._repr_html_()
    assert html.count("<table>") == len(document["arrays"]) >= 2
    assert "read amplification" in html and "peak memory" in html

    outcome = plan.run(progress=False, verify=True)
    assert outcome["complete"] and outcome["verification"]["mismatches"] == []
    # Another reader than zlint: zarr-python reads the same values.
    for name in ["raw", "labels"]:
        a = zarr.open_array(str(src / name), mode="r")
        b = zarr.open_array(str(dst / name), mode="r")
        assert b.metadata.zarr_format == 3
        np.testing.assert_array_equal(a[...], b[...])
    assert chunklint.verify(src, dst) == []


def test_verify_names_a_changed_value(tmp_path: Path) -> None:
    src = FIXTURES / "zarr2/hierarchy.zarr"
    dst = tmp_path / "copy.zarr"
    chunklint.plan(src, dst, chunks={"raw": (8, 16)}).run(progress=False)
    raw = zarr.open_array(str(dst / "raw"), mode="r+")
    raw[3, 5] = raw[3, 5] + 1
    differences = chunklint.verify(src, dst)
    assert len(differences) == 1
    assert differences[0].path == "raw"
    assert "[3, 5]" in differences[0].message or "3, 5" in differences[0].message


def test_a_split_run_equals_a_whole_run_byte_for_byte(tmp_path: Path) -> None:
    src = FIXTURES / "rules/ZL101-fires.zarr"
    whole, split = tmp_path / "whole.zarr", tmp_path / "split.zarr"
    chunklint.plan(src, whole, chunks=(512, 512), max_mem="8MiB").run(progress=False)
    plan = chunklint.plan(src, split, chunks=(512, 512), max_mem="8MiB")
    parts = plan.parts(3)
    assert [p.index for p in parts] == [0, 1, 2]
    assert sum(p.groups for p in parts) == sum(a["write_groups"]["count"] for a in plan.to_dict()["arrays"])
    plan.init()
    shipped = pickle.loads(pickle.dumps(plan))  # as Dask ships it to a worker
    for index in [2, 0]:
        shipped.run_part(index, 3)
    with pytest.raises(chunklint.ZlintError) as unfinished:
        plan.finalize()
    assert "1/3" in str(unfinished.value)
    shipped.run_part(1, 3)
    shipped.run_part(1, 3)  # run again (a retried task): nothing left to do, nothing broken
    outcome = plan.finalize(verify=True)
    assert outcome["complete"]
    assert tree(split) == tree(whole)


def test_errors_are_exceptions_carrying_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing.zarr"
    with pytest.raises(chunklint.StoreError) as error:
        chunklint.lint(missing)
    assert error.value.path == str(missing)
    assert isinstance(error.value, chunklint.ZlintError)

    with pytest.raises(chunklint.UsageError, match="did you mean") as error:
        chunklint.lint(FIXTURES / "zarr3/plain.zarr", select=["chunk-to-small"])
    assert error.value.path is None

    with pytest.raises(chunklint.UsageError):
        chunklint.recommend((10, 10), "not-a-type")

    # A truncated chunk: the rechunk stops naming the chunk, and leaves no metadata behind.
    src = tmp_path / "truncated.zarr"
    shutil.copytree(FIXTURES / "zarr3/plain.zarr", src)
    chunk = next(p for p in sorted((src / "c").rglob("*")) if p.is_file())
    chunk.write_bytes(chunk.read_bytes()[:7])
    dst = tmp_path / "out.zarr"
    with pytest.raises(chunklint.DataError) as error:
        chunklint.plan(src, dst, chunks=(16, 16)).run(progress=False)
    assert error.value.path is not None and "truncated.zarr" in error.value.path
    assert not (dst / "zarr.json").exists()

    with pytest.raises(chunklint.UsageError) as error:
        chunklint.plan(FIXTURES / "zarr3/plain.zarr", tmp_path / "o.zarr", to="zarr4")


def test_report_is_the_cli_page(tmp_path: Path) -> None:
    store = FIXTURES / "rules/ZL202-fires.ome.zarr"
    page = tmp_path / "page.html"
    html = chunklint.report(store, page, plan_auto=True, use_config=False)
    assert html == page.read_text()
    cli = tmp_path / "cli.html"
    subprocess.run([ZLINT_BIN, "report", str(store), "-o", str(cli), "--plan-auto", "--no-config"],
                   check=True, capture_output=True)
    assert html == cli.read_text()
    assert html.count('class="chart grid"') == 9
    with pytest.raises(chunklint.UsageError, match="inside the store"):
        chunklint.report(store, store / "page.html")
    assert not (store / "page.html").exists()


def test_a_plan_to_ome_0_4(tmp_path: Path) -> None:
    src = FIXTURES / "ome/v05.ome.zarr"
    plan = chunklint.plan(src, tmp_path / "v04.zarr", ome_version="0.4")
    assert {a["target_format"] for a in plan.to_dict()["arrays"]} == {"zarr2"}
    plan.run(progress=False, verify=True)
    attrs = json.loads((tmp_path / "v04.zarr/.zattrs").read_text())
    assert attrs["multiscales"][0]["version"] == "0.4"
    with pytest.raises(chunklint.UsageError, match="0.5 in Zarr v3"):
        chunklint.plan(src, tmp_path / "bad.zarr", ome_version="0.5", to="zarr2")


def test_help_reads_well() -> None:
    for function in [chunklint.lint, chunklint.scan, chunklint.recommend, chunklint.plan,
                     chunklint.verify, chunklint.report]:
        assert function.__doc__ and len(function.__doc__.split()) > 20, function.__name__
    assert "Plan" in chunklint.Plan.__doc__ or "rechunk" in chunklint.Plan.__doc__
    version = subprocess.run([ZLINT_BIN, "--version"], capture_output=True, text=True).stdout
    assert version.split() == ["zlint", chunklint.__version__]


def test_layouts_by_axis_name_apply_to_every_array_with_those_axes(tmp_path: Path) -> None:
    """Issue 26: chunks={"y": 8, "x": 8} reaches the images (c, y, x) and labels (y, x) of a
    plate alike; channels go one at a time, extents clip to small levels."""
    out = tmp_path / "plate.zarr"
    plan = chunklint.plan(FIXTURES / "ome/plate-v04.ome.zarr", out, chunks={"y": 8, "x": 8})
    targets = {a["path"]: a["target"]["chunks"] for a in plan.to_dict()["arrays"]}
    assert targets["A/1/0/s0"] == [1, 8, 8]
    assert targets["A/1/0/labels/cells/s0"] == [8, 8]
    plan.run(verify=True, progress=False)
    assert zarr.open_array(out / "A/1/0/s1", mode="r").chunks == (1, 8, 8)
    with pytest.raises(chunklint.UsageError, match="no array has an axis `q`"):
        chunklint.plan(FIXTURES / "ome/plate-v04.ome.zarr", tmp_path / "x", chunks={"q": 8, "x": 8})
    with pytest.raises(chunklint.UsageError, match="not both"):
        chunklint.plan(FIXTURES / "ome/plate-v04.ome.zarr", tmp_path / "x",
                       chunks={"y": 8, "A/1/0/s0": (1, 8, 8)})


def test_other_files_are_carried_and_verified(tmp_path: Path) -> None:
    """Issue 26: a bioformats2raw store's OME-XML and README are carried byte for byte; exclude=
    leaves one out, and verify names a carried file that differs."""
    source = FIXTURES / "ome/bf2raw-v04.ome.zarr"
    out = tmp_path / "out.zarr"
    plan = chunklint.plan(source, out, ome_version="0.5", exclude="README.md")
    inventory = plan.to_dict()["inventory"]
    assert [f["key"] for f in inventory["carried"]] == ["0/provenance.json", "OME/METADATA.ome.xml"]
    assert inventory["dropped"][0]["why"] == "--exclude README.md"
    plan.run(verify=True, progress=False)
    xml = (source / "OME/METADATA.ome.xml").read_bytes()
    assert (out / "OME/METADATA.ome.xml").read_bytes() == xml
    assert not (out / "README.md").exists()
    assert chunklint.verify(source, out, exclude=["*.md"]) == []
    (out / "OME/METADATA.ome.xml").write_bytes(b"<OME/>")
    differences = chunklint.verify(source, out, exclude=["*.md"])
    assert [d.path for d in differences] == ["OME/METADATA.ome.xml"]


def test_arguments_are_checked_when_the_call_is_made(tmp_path: Path) -> None:
    """Issue 27: a worker count no machine has, a fractional shape and a codec level out of range
    are refused at once, naming the keyword, not deep inside a run (or never)."""
    source = FIXTURES / "zarr3/plain.zarr"
    with pytest.raises(chunklint.UsageError, match=r"threads=1099511627776: worker threads go from 1 to 256"):
        chunklint.plan(source, tmp_path / "out.zarr", chunks=(10, 10), threads=2**40)
    with pytest.raises(chunklint.UsageError, match=r"shape=\(1\.5,\): 1\.5 is not a whole number"):
        chunklint.recommend((1.5,), "uint8")
    with pytest.raises(chunklint.UsageError, match=r"chunks=\(10, 2\.5\)"):
        chunklint.plan(source, tmp_path / "out.zarr", chunks=(10, 2.5))
    with pytest.raises(chunklint.UsageError, match=r"codec=zstd:99999: level 99999 is outside"):
        chunklint.plan(source, tmp_path / "out.zarr", codec="zstd:99999")
    assert not (tmp_path / "out.zarr").exists()
    # Keywords of every kind, refused by name before anything runs.
    for call, match in [
        (lambda: chunklint.plan(source, tmp_path / "o.zarr", chunks=(10, 10), threads=1.5), r"threads=1\.5"),
        (lambda: chunklint.plan(source, tmp_path / "o.zarr", chunks=(10, 10), threads=True), r"threads=True"),
        (lambda: chunklint.plan(source, tmp_path / "o.zarr", chunks=(10, 10), max_mem=-5), r"max_mem=-5"),
        (lambda: chunklint.plan(source, tmp_path / "o.zarr", chunks=(10, 10), exclude=5), r"exclude=5"),
        (lambda: chunklint.plan(source, tmp_path / "o.zarr", auto="no"), r"auto='no'"),
        (lambda: chunklint.verify(source, source, threads=0.5), r"threads=0\.5"),
    ]:
        with pytest.raises(chunklint.UsageError, match=match):
            call()
    plan = chunklint.plan(source, tmp_path / "split.zarr", chunks=(10, 10), max_mem=4e9)
    for count in [1.5, 0, 10**12]:
        with pytest.raises(chunklint.UsageError, match="count"):
            plan.parts(count)
    plan.init()
    with pytest.raises(chunklint.UsageError, match=r"index=1\.7"):
        plan.run_part(1.7, 2)
    with pytest.raises(chunklint.UsageError, match="100000"):
        plan.run_part(0, 10**12)
    assert not (tmp_path / "split.zarr" / "zarr.json").exists()


def test_an_array_zlint_cannot_decode_is_carried_with_a_warning(tmp_path: Path) -> None:
    """Issue 28: the store's other arrays are rewritten; `strict` refuses instead."""
    source = FIXTURES / "zarr2/mixed-codecs.zarr"
    with pytest.raises(chunklint.UsageError, match=r"strict=True: 1 array cannot be rewritten"):
        chunklint.plan(source, tmp_path / "strict.zarr", auto=True, strict=True)
    with pytest.warns(UserWarning, match=r"labels: unsupported Zarr V2 array: codec `categorize`"):
        plan = chunklint.plan(source, tmp_path / "out.zarr", auto=True)
    assert [a["path"] for a in plan.to_dict()["carried_arrays"]] == ["labels"]
    outcome = plan.run(verify=True, progress=False)
    assert outcome["complete"]
    assert chunklint.verify(source, tmp_path / "out.zarr") == []
    for key in ["labels/0.0", "labels/5.5"]:
        assert (tmp_path / "out.zarr" / key).read_bytes() == (source / key).read_bytes()


def taken_target(tmp_path: Path) -> Path:
    """A target folder that is not empty, which a plan refuses."""
    target = tmp_path / "taken.zarr"
    target.mkdir()
    (target / "notes.txt").write_text("not empty")
    return target


def test_errors_name_the_keywords_not_the_command_line_flags(tmp_path: Path) -> None:
    """Issue 29: the library names what was wrong in its own terms and Python words it as the
    keyword that sets it (the command line says `--overwrite`, `--max-mem`)."""
    source = FIXTURES / "zarr3/plain.zarr"
    target = taken_target(tmp_path)
    with pytest.raises(chunklint.UsageError) as taken:
        chunklint.plan(source, target, chunks=(10, 10))
    message = str(taken.value)
    assert 'existing="overwrite"' in message and 'existing="resume"' in message, message
    assert "--" not in message, message
    with pytest.raises(chunklint.UsageError, match=r"max_mem=1 KiB cannot hold") as small:
        chunklint.plan(source, tmp_path / "small.zarr", chunks=(64, 64), max_mem="1KiB")
    assert "--max-mem" not in str(small.value)


def test_one_set_of_defaults_and_codec_keep(tmp_path: Path) -> None:
    """Issue 31: the calls that read or write data share their keywords' defaults (the README's
    table), and the documented ``codec="keep"`` keeps each array's codecs."""
    import inspect

    from chunklint._plan import Plan

    calls = {"run": Plan.run, "run_part": Plan.run_part, "finalize": Plan.finalize,
             "verify": chunklint.verify}
    for name, call in calls.items():
        parameters = inspect.signature(call).parameters
        assert parameters["progress"].default is True, name
        if "verify" in parameters:
            assert parameters["verify"].default is False, name
    source = FIXTURES / "zarr3/plain.zarr"
    kept = chunklint.plan(source, tmp_path / "kept.zarr", chunks=(10, 10), codec="keep")
    plain = chunklint.plan(source, tmp_path / "plain.zarr", chunks=(10, 10))
    metadata = [p.to_dict()["arrays"][0]["target_metadata"] for p in (kept, plain)]
    assert metadata[0] == metadata[1]
    with pytest.raises(chunklint.UsageError, match="codec=keeep"):
        chunklint.plan(source, tmp_path / "typo.zarr", chunks=(10, 10), codec="keeep")


def test_a_plan_that_changes_nothing_is_refused_naming_the_keywords(tmp_path: Path) -> None:
    """Issue 31: as `zlint rechunk SRC DST` with no option, in Python's words."""
    source = FIXTURES / "zarr3/plain.zarr"
    with pytest.raises(chunklint.UsageError, match="nothing to change") as nothing:
        chunklint.plan(source, tmp_path / "out.zarr")
    assert "chunks=" in str(nothing.value) and "auto=True" in str(nothing.value)
    assert "--" not in str(nothing.value)
    chunklint.plan(source, tmp_path / "copy.zarr", to="zarr3").run(verify=True, progress=False)


def test_a_refused_request_names_the_path_at_fault(tmp_path: Path) -> None:
    """Issue 31: ``UsageError.path`` is the path at fault (it was None for every usage error)."""
    source = FIXTURES / "zarr3/plain.zarr"
    target = taken_target(tmp_path)
    with pytest.raises(chunklint.UsageError) as taken:
        chunklint.plan(source, target, chunks=(10, 10))
    assert taken.value.path == str(target)
    with pytest.raises(chunklint.UsageError) as nothing:
        chunklint.plan(source, tmp_path / "out.zarr")
    assert nothing.value.path == str(tmp_path / "out.zarr")
