"""Suite 2, crash recovery: SIGKILL `pulumi up` right after the cloud answers mutating call k, recover the way the
docs/safety.md says (scripts/recover.sh: `pulumi cancel`, `pulumi refresh --clear-pending-creates`, `pulumi up`, after
removing a checkpoint sidecar the kill left empty), then check there is exactly
one of everything, no orphan, and the outputs point at what exists. Every position k of a full `up` is tried.

The emulator's `hold_after_mutations` fault freezes the cloud once call k is answered (later requests are held,
then dropped unanswered), so the kill lands at exactly that point whatever the machine's speed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from pulumi import automation as auto

from tests.emulator_process import ROOT, EmulatorProcess
from tests.reliability import report
from tests.reliability.cloud import compare, full_config

FULL_UP_MUTATIONS = 12  # PutBucket, CI bind, CreateLibrary, a token, 3 x CreateSpace, 1 quota, 4 albums
pytestmark = pytest.mark.emulator_only  # seeded faults and crashes need the emulator
QUIET = {"on_output": lambda _: None}


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the CLI and everything it started (language host, program, provider)."""
    victims = _descendants(proc.pid)
    for pid in [proc.pid, *victims]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def kill_after_mutation(emulator: EmulatorProcess, stack: auto.Stack, k: int, env: dict[str, str]) -> str:
    """Run `pulumi up` until the emulator holds the answer of mutating call k, SIGKILL it all there, and return
    that call's service:action; the held requests of the dead process are dropped, never applied."""
    emulator.control("POST", "faults", {"hold_after_mutations": k})
    proc = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack.name],
                            cwd=stack.workspace.work_dir, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while emulator.control("GET", "faults").get("holding") is not True:
        assert proc.poll() is None, f"pulumi up ended (exit {proc.returncode}) before mutating call {k}"
        assert time.monotonic() < deadline, f"mutating call {k} never came"
        time.sleep(0.02)
    kill_tree(proc)
    mutations = [e for e in emulator.control("GET", "requests")["requests"] if e["mutated"]]
    emulator.control("DELETE", "faults")
    return f"{mutations[k - 1]['service']}:{mutations[k - 1]['action']}"


def recover(stack: auto.Stack, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """scripts/recover.sh on the stack."""
    return subprocess.run([str(ROOT / "scripts" / "recover.sh"), stack.name], cwd=stack.workspace.work_dir, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def new_stack(project_dir: Path, engine_env: dict[str, str]):  # type: ignore[no-untyped-def]
    made: list[auto.Stack] = []

    def make(config: dict[str, auto.ConfigValue]) -> auto.Stack:
        ws = auto.LocalWorkspace(work_dir=str(project_dir), env_vars=engine_env)
        stack = auto.Stack.create(f"crash{uuid.uuid4().hex[:8]}", ws)
        stack.set_all_config(config)
        made.append(stack)
        return stack

    yield make
    for stack in made:  # the emulator is reset between positions: nothing to destroy in the cloud
        stack.workspace.remove_stack(stack.name, force=True)


def test_an_uninterrupted_up_makes_the_expected_mutating_calls(emulator: EmulatorProcess, new_stack) -> None:  # type: ignore[no-untyped-def]
    stack = new_stack(full_config(emulator))
    stack.up(**QUIET)
    log = emulator.control("GET", "requests")
    assert log["mutating_total"] == FULL_UP_MUTATIONS, log["mutating_counts"]
    assert compare(emulator, stack)["orphans"] == []


@pytest.mark.parametrize("k", range(1, FULL_UP_MUTATIONS + 1))
def test_killed_after_mutating_call_k_recovers(k: int, emulator: EmulatorProcess, new_stack,  # type: ignore[no-untyped-def]
                                               engine_env: dict[str, str]) -> None:
    stack = new_stack(full_config(emulator))
    env = {**os.environ, **engine_env}
    call_k = kill_after_mutation(emulator, stack, k, env)
    # Recovery, exactly as README.md ("When `pulumi up` was interrupted") tells users.
    done = recover(stack, env)
    assert done.returncode == 0, f"scripts/recover.sh after a crash at call {k} ({call_k}):\n" \
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    sidecar_repaired = "removing empty checkpoint sidecar" in done.stdout
    result = compare(emulator, stack)
    report.record("crash", points_tried=1, points_recovered=int(not result["orphans"] and not result["missing"]),
                  duplicates=result["duplicates"], orphans=len(result["orphans"]))
    report.row("crash", position=k, killed_after=call_k, empty_sidecar_removed="yes" if sidecar_repaired else "no",
               duplicates=result["duplicates"],
               orphans=", ".join(result["orphans"]) or "0", missing=", ".join(result["missing"]) or "0")
    assert result["duplicates"] == 0 and result["orphans"] == [] and result["missing"] == [], result
    assert result["counts"] == {"Bucket": 1, "MediaProcessing": 1, "MediaLibrary": 1, "Space": 3}
    stack.preview(expect_no_changes=True, **QUIET)
