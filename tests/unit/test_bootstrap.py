"""scripts/bootstrap.sh's choices, run for real on a throw-away copy of the files it reads.

Which Python makes the venv, which Pulumi CLI is reused (a fake `pulumi` on PATH that prints a version is enough
for that pure logic), what a too-old CLI is told, that the Go build is announced up front with its expected time,
and that a normal bootstrap changes no tracked file. The last tests reuse the real cached CLI bundle, placed on
PATH the way an installed CLI would be. Nothing here builds anything (no Go build, no pip install).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.emulator_process import ROOT

FILES = ("scripts/bootstrap.sh", "requirements.txt", ".gitignore", "tools/pulumi-cli/BUILD_STATS.md",
         "tools/pulumi-cli/go.mod", "tools/pulumi-cli/go.sum",
         "tools/pulumi-cli/langhost/go.mod", "tools/pulumi-cli/langhost/go.sum",
         "tools/pulumi-yaml/go.mod", "tools/pulumi-yaml/go.sum", "smh_provider/plugin/schema.py")
PIECES = ("pulumi-language-python", "pulumi-language-python-exec", "pulumi-resource-pulumi-python")
SDK = next(line.split("==")[1] for line in (ROOT / "requirements.txt").read_text().splitlines()
           if line.startswith("pulumi=="))
REAL_CACHE = Path(os.environ.get("SMH_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                  / "smh-media")
REAL_BUNDLE = REAL_CACHE / "pulumi-v3.274.0"
SYSTEM_PATH = ["/usr/bin", "/bin"]  # coreutils, sed, sort, flock; no pulumi, no go


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The files bootstrap reads, committed in a git repo of their own."""
    repo = tmp_path / "repo"
    for rel in FILES:
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, repo / rel)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "files bootstrap reads"], check=True)
    return repo


def fake(directory: Path, name: str, prints: str, rc: int = 0) -> Path:
    """An executable that prints `prints` whatever it is asked (`pulumi version`, `python -c ...`)."""
    directory.mkdir(parents=True, exist_ok=True)
    exe = directory / name
    exe.write_text(f"#!/bin/sh\necho '{prints}'\nexit {rc}\n")
    exe.chmod(0o755)
    return exe


def fake_cli(directory: Path, version: str, pieces: tuple[str, ...] = PIECES) -> Path:
    cli = fake(directory, "pulumi", version)
    for piece in pieces:
        fake(directory, piece, "piece")
    return cli


def bootstrap(repo: Path, *args: str, path: list[Path | str], cache: Path, **env: str) -> subprocess.CompletedProcess:
    full_env = {"PATH": ":".join(map(str, [*path, *SYSTEM_PATH])), "HOME": str(repo.parent),
                "SMH_CACHE_DIR": str(cache), "LANG": "C.UTF-8", **env}
    return subprocess.run(["bash", str(repo / "scripts" / "bootstrap.sh"), *args], cwd=repo, env=full_env,
                          capture_output=True, text=True, timeout=120)


def tracked_changes(repo: Path) -> str:
    return subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True,
                          check=True).stdout


# -- Pulumi CLI ----------------------------------------------------------------------------------------------

def test_a_new_enough_cli_on_path_is_linked_with_its_pieces(checkout: Path, tmp_path: Path) -> None:
    cli = fake_cli(tmp_path / "bin", "v3.280.1")
    done = bootstrap(checkout, "--pulumi-only", path=[tmp_path / "bin"], cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert f"reusing the Pulumi CLI on PATH: {cli} (v3.280.1; the Python SDK is pulumi=={SDK})" in done.stdout
    tools = checkout / ".tools" / "pulumi"
    for name in ("pulumi", *PIECES):
        assert (tools / name).is_symlink() and (tools / name).resolve() == tmp_path / "bin" / name
    assert not (tmp_path / "cache").exists()  # nothing built, nothing cached
    again = bootstrap(checkout, "--pulumi-only", path=[tmp_path / "bin"], cache=tmp_path / "cache")
    assert f".tools/pulumi is ready (v3.280.1, linked to {cli})" in again.stdout
    assert tracked_changes(checkout) == ""


@pytest.mark.parametrize("version", ["v3.200.0", "v4.1.0", "garbage"])
def test_a_cli_that_does_not_fit_is_named_with_the_version_needed(checkout: Path, tmp_path: Path,
                                                                 version: str) -> None:
    cli = fake_cli(tmp_path / "bin", version)
    done = bootstrap(checkout, "--pulumi-only", "--plan", path=[tmp_path / "bin"], cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert (f"not using {cli} on PATH: it is '{version}'; this project needs a Pulumi CLI v{SDK} or newer with "
            f"major version 3") in done.stdout
    assert "building the Pulumi CLI v3.274.0" in done.stdout
    assert not (checkout / ".tools").exists()  # --plan changes nothing


def test_the_go_build_is_announced_first_with_its_wait_and_its_figures_stay_out_of_the_tree(
        checkout: Path, tmp_path: Path) -> None:
    # No pulumi and no go on PATH: the announcement comes, then the build stops at once for want of Go.
    done = bootstrap(checkout, "--pulumi-only", path=[], cache=tmp_path / "cache")
    assert done.returncode != 0
    announce = next(line for line in done.stdout.splitlines() if line.startswith("bootstrap: Pulumi: "))
    assert "no pulumi on PATH" in announce and "about 6-12 min on 2 cores" in announce
    assert f"build figures go to {tmp_path / 'cache' / 'BUILD_STATS.md'}" in announce
    assert f"install a Pulumi CLI v{SDK} or newer" in announce
    assert "no 'go' on PATH" in done.stderr
    assert tracked_changes(checkout) == ""
    cold = bootstrap(checkout, "--pulumi-only", "--cold", "--plan", path=[], cache=tmp_path / "cache")
    assert f"figures go to {checkout / 'tools' / 'pulumi-cli' / 'BUILD_STATS.md'}" in cold.stdout


def test_missing_pieces_are_provided_and_only_they_are_built(checkout: Path, tmp_path: Path) -> None:
    cli = fake_cli(tmp_path / "bin", "v3.274.0", pieces=("pulumi-language-python",))  # a host without its exec
    done = bootstrap(checkout, "--pulumi-only", "--plan", path=[tmp_path / "bin"], cache=tmp_path / "cache")
    assert f"reusing the Pulumi CLI on PATH: {cli}" in done.stdout
    assert f"{tmp_path / 'bin' / 'pulumi-language-python'} has no pulumi-language-python-exec beside it" \
        in done.stdout
    assert "it lacks pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python: building " \
           "only those" in done.stdout
    assert "building the Pulumi CLI" not in done.stdout


# -- Python --------------------------------------------------------------------------------------------------

def test_the_newest_python_from_3_11_on_path_makes_the_venv(checkout: Path, tmp_path: Path) -> None:
    bins = tmp_path / "py"
    fake(bins, "python3.10", "3.10.13")
    fake(bins, "python3.12", "3.12.1")
    fake(bins, "python3.13", "3.13.0")
    fake(bins, "python3.14", "pyenv: python3.14: command not found", rc=127)  # a shim of an unselected version
    done = bootstrap(checkout, "--venv-only", "--plan", path=[bins], cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert f"creating .venv with Python 3.13.0 ({bins / 'python3.13'}, the newest Python >= 3.11 on PATH " \
           f"(found: 3.13.0, 3.12.1" in done.stdout


def test_python_names_the_interpreter_and_a_venv_of_another_version_is_recreated(checkout: Path,
                                                                               tmp_path: Path) -> None:
    bins = tmp_path / "py"
    py312 = fake(bins, "python3.12", "3.12.1")
    fake(bins, "python3.13", "3.13.0")
    fake(checkout / ".venv" / "bin", "python", "3.11.7")
    kept = bootstrap(checkout, "--venv-only", "--plan", path=[bins], cache=tmp_path / "cache")
    assert ".venv has Python 3.11.7 (kept; PYTHON=/path/to/python3.x recreates it" in kept.stdout
    named = bootstrap(checkout, "--venv-only", "--plan", path=[bins], cache=tmp_path / "cache", PYTHON=str(py312))
    assert f"PYTHON={py312} is Python 3.12.1 but .venv has 3.11.7: recreating it" in named.stdout
    same = bootstrap(checkout, "--venv-only", "--plan", path=[bins], cache=tmp_path / "cache", PYTHON="python3.12",
                     SMH_VENV=".venv-3.12")
    assert "creating .venv-3.12 with Python 3.12.1" in same.stdout


@pytest.mark.parametrize(("prints", "rc", "says"), [("3.10.13", 0, "is Python 3.10.13; this project needs Python "
                                                                    "3.11 or newer"),
                                                   ("pyenv: python3.9: command not found", 127, "does not run")])
def test_an_unusable_python_is_refused_with_the_reason(checkout: Path, tmp_path: Path, prints: str, rc: int,
                                                      says: str) -> None:
    old = fake(tmp_path / "py", "python3.x", prints, rc=rc)
    done = bootstrap(checkout, "--venv-only", "--plan", path=[], cache=tmp_path / "cache", PYTHON=str(old))
    assert done.returncode == 1
    assert says in done.stderr


# -- the real CLI, placed on PATH as an installed one would be ------------------------------------------------

def place(names: tuple[str, ...], where: Path) -> Path:
    where.mkdir(parents=True)
    for name in names:
        try:
            os.link(REAL_BUNDLE / name, where / name)
        except OSError:
            shutil.copy2(REAL_BUNDLE / name, where / name)
    return where / "pulumi"


needs_bundle = pytest.mark.skipif(not (REAL_BUNDLE / "BUILD_KEY").is_file(),
                                  reason=f"no cached Pulumi bundle in {REAL_BUNDLE} (make bootstrap builds it)")


@needs_bundle
def test_an_installed_real_cli_is_reused_whole(checkout: Path, tmp_path: Path) -> None:
    cli = place(("pulumi", *PIECES), tmp_path / "installed")
    done = bootstrap(checkout, "--pulumi-only", path=[cli.parent], cache=tmp_path / "no-cache")
    assert done.returncode == 0, done.stderr
    assert f"reusing the Pulumi CLI on PATH: {cli} (v3.274.0" in done.stdout
    tools = checkout / ".tools" / "pulumi"
    assert all((tools / name).resolve() == cli.parent / name for name in ("pulumi", *PIECES))
    assert subprocess.run([tools / "pulumi", "version"], capture_output=True, text=True).stdout.strip() == "v3.274.0"
    assert tracked_changes(checkout) == ""


@needs_bundle
def test_a_real_cli_without_python_pieces_gets_them_from_the_cache(checkout: Path, tmp_path: Path) -> None:
    cli = place(("pulumi",), tmp_path / "installed")
    done = bootstrap(checkout, "--pulumi-only", path=[cli.parent], cache=REAL_CACHE)
    assert done.returncode == 0, done.stderr
    assert f"it lacks {' '.join(PIECES)}: taking them from {REAL_BUNDLE}" in done.stdout
    tools = checkout / ".tools" / "pulumi"
    assert (tools / "pulumi").resolve() == cli
    for name in PIECES:  # real files beside each other: the host finds its exec script next to itself
        assert not (tools / name).is_symlink() and (tools / name).read_bytes() == (REAL_BUNDLE / name).read_bytes()
    assert tracked_changes(checkout) == ""
