"""What the wheel brings besides the API: the `zlint` console command, the Dask recipe, the
pre-commit hook and the GitHub Action's lint step, each run as its users run it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import chunklint

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
ZLINT_BIN = os.environ.get("ZLINT_BIN", str(ROOT / "target" / "debug" / "zlint"))
BIN = Path(sys.executable).parent


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, **kwargs)


def tree(root: Path) -> dict:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize(
    "args",
    [
        ["fixtures/rules/ZL101-near-miss.zarr"],
        ["fixtures/rules/ZL101-fires.zarr"],
        ["fixtures/broken/invalid-json.zarr"],
        ["fixtures/rules/ZL101-fires.zarr", "--format", "json"],
        ["explian", "ZL101"],
        ["rules"],
        ["--version"],
        ["rechunk", "fixtures/zarr3/plain.zarr", "OUT.zarr", "--chunks", "16,16", "--dry-run"],
        ["nope.zarr"],
    ],
)
def test_the_console_command_is_the_binary(args: list) -> None:
    """Same output and exit code as the Rust binary built by cargo."""
    wheel = run([str(BIN / "zlint"), *args])
    binary = run([ZLINT_BIN, *args])
    assert wheel.returncode == binary.returncode, (args, wheel.stderr)
    assert wheel.stdout == binary.stdout
    assert wheel.stderr == binary.stderr
    assert run([sys.executable, "-m", "chunklint", *args]).returncode == binary.returncode


def test_the_dask_recipe_equals_a_one_process_run(tmp_path: Path) -> None:
    """examples/dask_distributed.py on a LocalCluster of 4 workers, 8 parts."""
    pytest.importorskip("dask.distributed")
    src = FIXTURES / "rules/ZL101-fires.zarr"
    options = ["--chunks", "512,512", "--max-mem", "8MiB"]
    recipe = run(
        [sys.executable, "examples/dask_distributed.py", str(src), str(tmp_path / "dask.zarr"),
         *options, "--parts", "8", "--workers", "4"],
        timeout=600,
    )
    assert recipe.returncode == 0, recipe.stdout + recipe.stderr
    assert "8 parts wrote" in recipe.stdout and "on 4 workers" in recipe.stdout
    assert "identical" in recipe.stdout
    one = run([ZLINT_BIN, "rechunk", str(src), str(tmp_path / "one.zarr"), *options, "-q"])
    assert one.returncode == 0, one.stderr
    assert tree(tmp_path / "dask.zarr") == tree(tmp_path / "one.zarr")


def copy_into_repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "rules/ZL101-fires.zarr", repo / "data/bad.zarr")
    shutil.copytree(FIXTURES / "rules/ZL101-near-miss.zarr", repo / "data/good.zarr")
    (repo / "README.md").write_text("not a store\n")
    return repo


def hook_command(repo: Path, files: list, extra_args: list) -> subprocess.CompletedProcess:
    """Runs the hook as pre-commit does: `entry`, `args`, then the files its `files` matches."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["language"] == "python" and hook["pass_filenames"]
    matched = [f for f in files if re.search(hook["files"], f)]
    command = [str(BIN / hook["entry"]), *hook.get("args", []), *extra_args, *matched]
    return subprocess.run(command, capture_output=True, text=True, cwd=repo)


def test_the_pre_commit_hook_lints_the_stores_of_changed_files(tmp_path: Path) -> None:
    repo = copy_into_repository(tmp_path)
    files = [str(p.relative_to(repo)) for p in sorted(repo.rglob("*")) if p.is_file()]
    assert "README.md" in files
    both = hook_command(repo, files, [])
    assert both.returncode == 1, both.stdout + both.stderr
    assert both.stdout.count("data/bad.zarr: ZL101") == 1, both.stdout  # once per store
    assert "data/good.zarr: no findings" in both.stdout
    good = hook_command(repo, [f for f in files if "good.zarr" in f], [])
    assert good.returncode == 0, good.stdout
    # Hook args go to zlint: the bad store passes when ZL101 is ignored.
    ignored = hook_command(repo, files, ["--ignore", "ZL101"])
    assert ignored.returncode == 0, ignored.stdout
    assert hook_command(repo, ["README.md"], []).returncode == 0


def test_the_pre_commit_hook_with_pre_commit_itself(tmp_path: Path) -> None:
    """pre-commit runs the hook from a local repository configuration with the installed
    `zlint-pre-commit` (language: system stands in for the wheel pre-commit would build)."""
    pre_commit = shutil.which("pre-commit", path=str(BIN))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed in this environment")
    repo = copy_into_repository(tmp_path)
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    local = dict(hook, language="system", entry=str(BIN / hook["entry"]))
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    for command in [["git", "init", "-q"], ["git", "add", "-A"]]:
        subprocess.run(command, cwd=repo, check=True, env=env)
    result = subprocess.run([pre_commit, "run", "--all-files"], cwd=repo, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "data/bad.zarr: ZL101" in result.stdout
    assert "Failed" in result.stdout


def test_the_action_lint_step(tmp_path: Path) -> None:
    """.ci/action-lint.sh (what action.yml runs): annotations, SARIF and the exit code."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    assert any(".ci/action-lint.sh" in s.get("run", "") for s in steps)
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    for store, code in [("rules/ZL101-fires.zarr", "1"), ("rules/ZL101-near-miss.zarr", "0")]:
        output = tmp_path / f"{code}.out"
        env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", GITHUB_OUTPUT=str(output),
                   RUNNER_TEMP=str(tmp_path), ZLINT_PATH=str(FIXTURES / store),
                   ZLINT_PROFILE="analysis", ZLINT_FAIL_ON="warning", ZLINT_ARGS="--no-config")
        step = run(["bash", ".ci/action-lint.sh"], env=env)
        assert step.returncode == 0, step.stderr
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
        assert outputs["code"] == code
        sarif = Path(outputs["sarif"]).read_text()
        assert '"version": "2.1.0"' in sarif
        if code == "1":
            assert step.stdout.startswith("::warning"), step.stdout
    assert chunklint.__version__
