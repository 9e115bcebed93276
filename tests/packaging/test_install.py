"""`pip install <repo>` into a fresh venv gives a separate Pulumi project every resource, and the dynamic
provider process runs the installed copy (not the repo's), through the real CLI against the emulator."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from pulumi import automation as auto

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from tests.emulator_process import ROOT

pytestmark = pytest.mark.emulator_only
QUIET = {"on_output": lambda _: None}
EMPTY = {"buckets": [], "media_buckets": [], "libraries": [], "spaces": []}


def run(*args: str | Path, cwd: Path) -> None:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")})
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Pulumi project outside the repo with its own venv, into which the repo is pip-installed."""
    project = tmp_path_factory.mktemp("consumer")
    assert not project.resolve().is_relative_to(ROOT)
    venv = project / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=project)
    # -c requirements.txt: the versions the repo is tested with (and pip's cache has them).
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools would pack stale files left in build/
    run(venv / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", "-c", ROOT / "requirements.txt",
        ROOT, cwd=project)
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    (project / "Pulumi.yaml").write_text(
        "name: smh-consumer\nruntime:\n  name: python\n  options:\n    toolchain: pip\n"
        f"    virtualenv: {venv}\n")
    shutil.copy(Path(__file__).with_name("consumer_main.py"), project / "__main__.py")
    return project


def test_installed_package_serves_every_resource(consumer: Path, emulator, engine_env) -> None:  # type: ignore[no-untyped-def]
    site = next((consumer / "venv" / "lib").glob("python3.*/site-packages"))
    assert (site / "smh_provider" / "__init__.py").is_file()
    env = {**engine_env, "PYTHONPATH": ""}  # an inherited PYTHONPATH could put the repo on the provider's path
    ws = auto.LocalWorkspace(work_dir=str(consumer), env_vars=env)
    stack = auto.Stack.create(f"c{uuid.uuid4().hex[:8]}", ws)
    stack.set_all_config({
        "tencentcloud:secretId": auto.ConfigValue(DEFAULT_SECRET_ID),
        "tencentcloud:secretKey": auto.ConfigValue(DEFAULT_SECRET_KEY, secret=True),
        "smh:endpoint": auto.ConfigValue(emulator.url),
    })
    try:
        outs = {k: v.value for k, v in stack.up(**QUIET).outputs.items()}
        assert outs["bucket"] == "consumer-1250000000"
        assert outs["album_name"] == "Trip"
        inv = emulator.control("GET", "inventory")
        assert [b["bucket"] for b in inv["buckets"]] == ["consumer-1250000000"]
        assert [m["bucket"] for m in inv["media_buckets"]] == ["consumer-1250000000"]
        assert [lib["LibraryId"] for lib in inv["libraries"]] == [outs["library_id"]]
        assert inv["libraries"][0]["LibraryExtension"]["IsMultiSpace"] is True
        assert [s["spaceId"] for s in inv["spaces"]] == [outs["space_id"]]

        # Program and provider process both ran the installed copy; the repo was not on the provider's path.
        for key in ("program_module_file", "provider_module_file"):
            assert Path(outs[key]).resolve() == (site / "smh_provider" / "__init__.py").resolve(), key
        assert Path(outs["provider_executable"]).parent == consumer / "venv" / "bin"
        on_path = [Path(p).resolve() for p in outs["provider_sys_path"] if p]
        assert ROOT not in on_path and not any(p.is_relative_to(ROOT) for p in on_path), on_path

        stack.destroy(**QUIET)
        assert emulator.control("GET", "inventory") == EMPTY
    finally:
        try:
            stack.destroy(**QUIET)
        finally:
            ws.remove_stack(stack.name, force=True)
