"""Progress and interruption from Python: a callable sees every byte and chunk, tqdm draws its
bars, and an interrupted run (a callback's exception, or Ctrl-C) stops early, leaves nothing
marked complete and resumes. Run by tests/python/run.sh on the built wheel.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import zarr

import chunklint


def source(path: Path, shape: tuple, chunks: tuple) -> np.ndarray:
    """A Zarr v3 array of uint16 noise (zarr-python's default codecs) at ``path``."""
    values = np.random.default_rng(7).integers(0, 4096, size=shape, dtype="uint16")
    array = zarr.create_array(str(path), shape=shape, chunks=chunks, dtype="uint16")
    array[...] = values
    return values


def test_a_progress_callable_sees_every_byte_and_chunk(tmp_path: Path) -> None:
    values = source(tmp_path / "src.zarr", (32, 256, 256), (8, 64, 64))
    plan = chunklint.plan(
        tmp_path / "src.zarr", tmp_path / "dst.zarr", chunks=[16, 128, 128], max_mem="4MiB"
    )
    reports: list[chunklint.ProgressReport] = []
    plan.run(progress=reports.append, verify=True)
    phases = list(dict.fromkeys(r.phase for r in reports))
    assert phases == ["rechunk", "verify"], phases
    objects = plan.to_dict()["arrays"][0]["objects_after"]
    for phase in phases:
        last = [r for r in reports if r.phase == phase][-1]
        assert last.unit == "bytes"
        assert last.done == last.total == values.nbytes, last
        assert (last.noun, last.counted, last.objects) == ("chunks", objects, objects), last
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "dst.zarr"))[...], values)


def test_tqdm_draws_a_bar_a_phase(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source(tmp_path / "src.zarr", (16, 128, 128), (8, 64, 64))
    plan = chunklint.plan(tmp_path / "src.zarr", tmp_path / "dst.zarr", chunks=[16, 128, 128])
    plan.run(progress="tqdm", verify=True)
    drawn = capsys.readouterr().err
    for phase in ("rechunk", "verify"):
        assert f"{phase}: 100%" in drawn, drawn
    assert "1/1 chunks" in drawn, drawn
    with pytest.raises(chunklint.UsageError, match="progress='bar'"):
        chunklint.verify(tmp_path / "src.zarr", tmp_path / "dst.zarr", progress="bar")


# 64 MiB for the runs that are stopped: a run takes several of the 0.1 s between reports (a
# dev-profile wheel copies about 70 MB/s on one thread, a release one some times more).
BIG = (256, 512, 256)


def test_a_callback_that_raises_stops_the_run_which_then_resumes(tmp_path: Path) -> None:
    values = source(tmp_path / "src.zarr", BIG, (8, 64, 64))
    dst = tmp_path / "dst.zarr"
    options = dict(chunks=[16, 128, 128], max_mem="4MiB", threads=1)
    seen: list[chunklint.ProgressReport] = []

    def stop(report: chunklint.ProgressReport) -> None:
        seen.append(report)
        if report.done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        chunklint.plan(tmp_path / "src.zarr", dst, **options).run(progress=stop)
    # It stopped early: part of the bytes done, the output not marked complete.
    assert 0 < seen[-1].done < seen[-1].total, seen[-1]
    assert not (dst / "zarr.json").exists()
    assert (dst / ".zlint-rechunk").is_dir()

    outcome = chunklint.plan(tmp_path / "src.zarr", dst, existing="resume", **options).run(
        progress=False, verify=True
    )
    assert outcome["complete"] is True
    assert outcome["summary"]["groups_resumed"] >= 1, outcome
    np.testing.assert_array_equal(zarr.open_array(str(dst))[...], values)


CTRL_C = """
import os, signal, sys, threading, time
from pathlib import Path
import chunklint

# Python raises KeyboardInterrupt on SIGINT only if SIGINT was not ignored when it started, and
# a background job of a shell without job control (as CI may run us) starts with it ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)
src, dst = sys.argv[1], Path(sys.argv[2])
plan = chunklint.plan(src, dst, chunks=[16, 128, 128], max_mem="4MiB", threads=1)

def written():
    return (dst / "c").is_dir() and any(p.is_file() for p in (dst / "c").rglob("*"))

def press_ctrl_c():
    # Once the first chunk is written, as a user would press it in the middle of a run.
    while not written():
        time.sleep(0.005)
    os.kill(os.getpid(), signal.SIGINT)

threading.Thread(target=press_ctrl_c, daemon=True).start()
try:
    plan.run(progress=False)
except KeyboardInterrupt:
    print("interrupted, complete:", (dst / "zarr.json").exists())
    sys.exit(130)
print("finished")
"""


def test_ctrl_c_stops_a_run_between_write_groups(tmp_path: Path) -> None:
    source(tmp_path / "src.zarr", BIG, (8, 64, 64))
    dst = tmp_path / "dst.zarr"
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CTRL_C), str(tmp_path / "src.zarr"), str(dst)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 130, (run.stdout, run.stderr)
    assert run.stdout.strip() == "interrupted, complete: False", run.stdout
    written = [p for p in (dst / "c").rglob("*") if p.is_file()]
    assert 0 < len(written) < 128, len(written)
