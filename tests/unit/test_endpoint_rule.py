"""One endpoint rule (docs/stack-config.md, "Endpoint"): the stack's smh:endpoint wins, SMH_ENDPOINT counts
only where the stack sets none. The provider (smh_provider.config) and scripts/stack.sh apply the same function,
so `make up` starts an emulator only where the provider will call, and `make down` stops every emulator that make
started (one pid file per port). stack.sh runs for real here, on a throw-away copy of the repo's scripts with free
ports."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from smh_provider import config
from smh_provider.errors import ConfigError
from tests.emulator_process import ROOT

A, B = "http://127.0.0.1:4601", "http://127.0.0.1:4602"


@pytest.mark.parametrize(("stack", "environ", "expected"), [
    ({"smh:endpoint": A}, {"SMH_ENDPOINT": B}, (A, "smh:endpoint")),  # the stack's own config wins
    ({}, {"SMH_ENDPOINT": B}, (B, "SMH_ENDPOINT")),  # the environment fills a key the stack leaves unset
    ({"smh:endpoint": ""}, {"SMH_ENDPOINT": B + "/"}, (B, "SMH_ENDPOINT")),
    ({"endpoint": A}, {}, (A, "smh:endpoint")),  # the namespace-less form some engines send
    ({}, {}, (None, None)),  # real Tencent Cloud
])
def test_the_stack_config_wins_over_the_environment(stack: dict, environ: dict, expected: tuple) -> None:
    assert config.resolve_endpoint(stack, environ) == expected
    assert config.load(stack, environ).endpoint == expected[0]


@pytest.mark.parametrize("bad", ["https://127.0.0.1:4566", "http://127.0.0.1", "http://127.0.0.1:x",
                                 "http://127.0.0.1:4566/api"])
def test_a_malformed_endpoint_names_where_it_came_from(bad: str) -> None:
    with pytest.raises(ConfigError, match="from SMH_ENDPOINT"):
        config.resolve_endpoint({}, {"SMH_ENDPOINT": bad})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """scripts/stack.sh and what it runs before any Pulumi operation, in a directory of its own."""
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    (root / "stacks").mkdir()
    for name in ("stack.sh", "stack_endpoint.py"):
        (root / "scripts" / name).write_bytes((ROOT / "scripts" / name).read_bytes())
    (root / "scripts" / "stack.sh").chmod(0o755)
    for name in ("emulator", "smh_provider", ".venv"):
        (root / name).symlink_to(ROOT / name)
    return root


def stack_sh(repo: Path, op: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SMH_ENDPOINT", "STACK")}
    return subprocess.run([str(repo / "scripts" / "stack.sh"), op], cwd=repo, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def pid_of(repo: Path, port: int) -> int:
    return int((repo / ".emulator-state" / str(port) / "emulator.pid").read_text())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_make_starts_emulators_only_where_the_provider_calls_and_stops_them_all(repo: Path) -> None:
    stack_port, env_port, other_port = free_port(), free_port(), free_port()
    (repo / "stacks" / "Pulumi.pinned.yaml").write_text(f"config:\n  smh:endpoint: http://127.0.0.1:{stack_port}\n")
    (repo / "stacks" / "Pulumi.open.yaml").write_text("config:\n  smh-media:bucketName: photos\n")
    try:
        # The stack names its endpoint: SMH_ENDPOINT is not where the provider calls, so nothing starts there.
        done = stack_sh(repo, "emulator", STACK="pinned", SMH_ENDPOINT=f"http://127.0.0.1:{env_port}")
        assert done.returncode == 0, done.stderr
        assert f"starting the emulator on port {stack_port} (smh:endpoint;" in done.stdout
        assert f"SMH_ENDPOINT=http://127.0.0.1:{env_port} is not used" in done.stdout
        assert not (repo / ".emulator-state" / str(env_port)).exists()
        first = pid_of(repo, stack_port)
        again = stack_sh(repo, "emulator", STACK="pinned")
        assert f"the emulator on port {stack_port} is running (pid {first}" in again.stdout

        # A stack without one: SMH_ENDPOINT is where the provider calls; a second emulator, its own pid file.
        done = stack_sh(repo, "emulator", STACK="open", SMH_ENDPOINT=f"http://127.0.0.1:{other_port}")
        assert f"starting the emulator on port {other_port} (SMH_ENDPOINT;" in done.stdout, done.stderr
        second = pid_of(repo, other_port)
        assert pid_of(repo, stack_port) == first and alive(first) and alive(second)

        # Real Tencent Cloud: no emulator at all.
        assert "starting" not in stack_sh(repo, "emulator", STACK="open").stdout

        down = stack_sh(repo, "down")
        assert f"emulator on port {stack_port} stopped (pid {first})" in down.stdout
        assert f"emulator on port {other_port} stopped (pid {second})" in down.stdout
        deadline = time.monotonic() + 10
        while (alive(first) or alive(second)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(first) and not alive(second)
        assert "no emulator started by this project is running" in stack_sh(repo, "down").stdout
    finally:
        for port in (stack_port, other_port):
            try:
                os.kill(pid_of(repo, port), 15)
            except (OSError, ValueError):
                pass


def test_a_malformed_endpoint_stops_before_anything_starts(repo: Path) -> None:
    (repo / "stacks" / "Pulumi.bad.yaml").write_text("config:\n  smh:endpoint: https://127.0.0.1:1\n")
    done = stack_sh(repo, "up", STACK="bad")
    assert done.returncode == 2
    assert "must look like http://127.0.0.1:4566" in done.stderr and "from smh:endpoint" in done.stderr
    assert not (repo / ".emulator-state").exists()
