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
# The version released (tests/release.rs checks every place that names it agrees).
VERSION = chunklint.__version__


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


# The wheels tests/python/run.sh built (chunklint) and fetched (setuptools, to build the hook's
# package), as a local package index: what PyPI would serve.
WHEELS = os.environ.get("ZLINT_WHEELS")
# A PATH with no Rust toolchain on it (rustup puts cargo in ~/.cargo/bin).
NO_CARGO = f"{BIN}:/usr/bin:/bin"


def no_cargo_env(tmp_path: Path, **extra: str) -> dict:
    assert WHEELS, "tests/python/run.sh sets ZLINT_WHEELS"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARGO", "RUSTUP"))}
    env.update(PATH=NO_CARGO, PIP_NO_INDEX="1", PIP_FIND_LINKS=WHEELS, HOME=str(tmp_path),
               **extra)
    assert shutil.which("cargo", path=env["PATH"]) is None
    return env


def pre_commit_on_stores(tmp_path: Path, config: str, env: dict) -> str:
    """`pre-commit run --all-files` with `config` in a repository of a store that fires ZL101
    and one that does not; asserts the hook failed on the first only, returns its output."""
    repo = copy_into_repository(tmp_path)
    (repo / ".pre-commit-config.yaml").write_text(config)
    for command in [["git", "init", "-q"], ["git", "add", "-A"]]:
        subprocess.run(command, cwd=repo, check=True, env=env)
    result = subprocess.run([str(BIN / "pre-commit"), "run", "--all-files"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "data/bad.zarr: ZL101" in result.stdout, result.stdout
    assert "data/good.zarr: no findings" in result.stdout, result.stdout
    return result.stdout


def test_the_pre_commit_hook_installs_the_prebuilt_wheel_without_cargo(tmp_path: Path) -> None:
    """integrations/pre-commit, as its own repository: pre-commit installs the pinned chunklint
    wheel from a local index (no cargo on PATH) and runs the hook."""
    hook_repo = tmp_path / "zlint-pre-commit"
    shutil.copytree(ROOT / "integrations/pre-commit", hook_repo)
    env = no_cargo_env(tmp_path, PRE_COMMIT_HOME=str(tmp_path / "cache"), GIT_AUTHOR_NAME="t",
                       GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
                       GIT_COMMITTER_EMAIL="t@example.org")
    for command in [["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "hook"]]:
        subprocess.run(command, cwd=hook_repo, check=True, env=env)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, check=True, env=env,
                         capture_output=True, text=True).stdout.strip()
    config = {"repos": [{"repo": str(hook_repo), "rev": rev, "hooks": [{"id": "zlint"}]}]}
    pre_commit_on_stores(tmp_path, yaml.safe_dump(config), env)


def doc_block(page: str, after: str) -> str:
    """The first fenced code block of docs/`page` after the text `after`, as written there."""
    text = (ROOT / "docs" / page).read_text()
    fenced = text.split(after, 1)[1].split("```", 2)[1]
    return fenced.split("\n", 1)[1]  # without the fence's language word


def test_the_documented_local_hook_installs_the_pinned_wheel_without_cargo(tmp_path: Path) -> None:
    """The `.pre-commit-config.yaml` of docs/python.md, as written there: pre-commit installs the
    pinned chunklint wheel from a local index (no cargo on PATH) and runs the hook."""
    block = doc_block("python.md", "add to `.pre-commit-config.yaml`:")
    config = yaml.safe_load(block)
    (hook,) = config["repos"][0]["hooks"]
    assert hook["additional_dependencies"] == [f"chunklint=={VERSION}"]
    env = no_cargo_env(tmp_path, PRE_COMMIT_HOME=str(tmp_path / "cache"))
    output = pre_commit_on_stores(tmp_path, block, env)
    assert "profile visualization" in output, output  # the documented args reach zlint


def serve(root: Path):
    """A static HTTP server on `root` (the release downloads), and its base URL."""
    server = subprocess.Popen([sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1",
                               "--directory", str(root)], stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N ..."
    port = re.search(r"port (\d+)", line).group(1)
    return server, f"http://127.0.0.1:{port}"


def fake_release(tmp_path: Path) -> tuple:
    """The Linux x86_64 archive of this version's release and its SHA-256 sum file, as
    release.yml publishes them, under tmp_path/releases/vVERSION: (archive name, directory)."""
    name = f"zlint-v{VERSION}-x86_64-unknown-linux-musl"
    release = tmp_path / f"releases/v{VERSION}"
    (tmp_path / name).mkdir()
    shutil.copy(ZLINT_BIN, tmp_path / name / "zlint")
    archive = release / f"{name}.tar.gz"
    release.mkdir(parents=True)
    subprocess.run(["tar", "-czf", str(archive), "-C", str(tmp_path), name], check=True)
    digest = subprocess.run(["sha256sum", str(archive)], check=True, capture_output=True,
                            text=True).stdout.split()[0]
    (release / f"{name}.tar.gz.sha256").write_text(f"{digest}  {name}.tar.gz\n")
    return name, release


def test_the_documented_download_checks_the_sum(tmp_path: Path) -> None:
    """The binary download of docs/index.md, as written there, against a local release server:
    the archive is unpacked and runs; with a sum that does not match, nothing is unpacked."""
    script = doc_block("index.md", "## Download a binary")
    name, release = fake_release(tmp_path)
    server, url = serve(tmp_path / "releases")
    try:
        for attempt in ["good", "tampered"]:
            (tmp_path / attempt).mkdir()
            result = subprocess.run(["bash", "-c", script], cwd=tmp_path / attempt,
                                    env=dict(os.environ, RELEASES=url), capture_output=True,
                                    text=True, timeout=120)
            if attempt == "good":
                assert result.returncode == 0, result.stdout + result.stderr
                assert result.stdout.splitlines()[-1].startswith(f"zlint {VERSION}"), result.stdout
                (release / f"{name}.tar.gz.sha256").write_text(f"{'0' * 64}  {name}.tar.gz\n")
            else:
                assert result.returncode != 0, result.stdout
                assert not (tmp_path / attempt / name).exists()
    finally:
        server.terminate()
        server.wait()


def test_the_action_installs_the_checked_release_binary_or_else_the_wheel(tmp_path: Path) -> None:
    """.ci/action-install.sh (what action.yml runs) against a local release server: the archive
    for the platform, checked against its SHA-256 sum; a sum that does not match is refused and
    the wheel installed instead. No cargo on PATH."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert any(".ci/action-install.sh" in s.get("run", "") for s in action["runs"]["steps"])
    name, release = fake_release(tmp_path)
    server, url = serve(tmp_path / "releases")
    try:
        def install(runner: str) -> tuple:
            github_path = tmp_path / f"path-{runner}"
            venv = tmp_path / f"venv-{runner}"
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            env = no_cargo_env(tmp_path, ZLINT_VERSION=VERSION, ZLINT_RELEASES=url,
                               GITHUB_PATH=str(github_path), RUNNER_TEMP=str(tmp_path / runner),
                               RUNNER_OS="Linux", RUNNER_ARCH="X64")
            env["PATH"] = f"{venv}/bin:{env['PATH']}"
            step = run(["bash", ".ci/action-install.sh"], env=env, timeout=300)
            assert step.returncode == 0, step.stdout + step.stderr
            (bin_dir,) = github_path.read_text().split()
            version = run([str(Path(bin_dir) / "zlint"), "--version"])
            assert version.stdout.startswith(f"zlint {VERSION}"), version
            return step, bin_dir
        step, bin_dir = install("binary")
        assert "SHA-256 checked" in step.stdout, step.stdout
        assert Path(bin_dir).name == name
        (release / f"{name}.tar.gz.sha256").write_text(f"{'0' * 64}  {name}.tar.gz\n")
        step, bin_dir = install("wheel")
        assert "published sum is 000" in step.stderr, step.stderr
        assert "installing the chunklint wheel instead" in step.stderr
        assert (Path(bin_dir) / "zlint").exists() and "venv-wheel" in bin_dir
    finally:
        server.terminate()
        server.wait()
