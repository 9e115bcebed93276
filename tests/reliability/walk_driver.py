"""One seeded walk from start to end: a fresh stack on the (reset) emulator, a first `up` of the initial config,
then `steps` steps, each followed by the checks of walk_checks.py and, after an `up` that went through, a clean
preview. Used by test_walk.py (the short walk of `make test`, a replay by WALK_SEED) and walk_soak.py (`make soak`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from tests.e2e.conftest import base_config
from tests.emulator_process import EmulatorProcess
from tests.reliability.walk import Model, Step, plan_text
from tests.reliability.walk_checks import check
from tests.reliability.walk_run import Result, World

LIBRARY = '{"library_name": "walk", "multi_tenant": true}'


@dataclass
class Outcome:
    seed: int
    steps: int = 0  # steps carried out (the first up not counted)
    log: list[str] = field(default_factory=list)  # one line per step: what it did and how it ended
    violations: list[str] = field(default_factory=list)
    failed_step: int | None = None
    failed_output: str = ""
    seconds: float = 0.0
    refused: int = 0
    avoid: tuple[str, ...] = ()
    taken: list[Step] = field(default_factory=list)
    planned: bool = False

    def replay(self) -> str:
        if self.planned:
            return f"WALK_PLAN='{plan_text(self.taken)}' WALK_VERBOSE=1 " \
                   ".venv/bin/python -m pytest -q -s -n 0 tests/reliability/test_walk.py"
        avoid = f"WALK_AVOID={','.join(self.avoid)} " if self.avoid else ""
        return f"WALK_SEED={self.seed} WALK_STEPS={self.failed_step or self.steps} {avoid}WALK_VERBOSE=1 " \
               ".venv/bin/python -m pytest -q -s -n 0 tests/reliability/test_walk.py"

    def report(self) -> str:
        head = f"walk seed {self.seed}: violation at step {self.failed_step}:\n  " + "\n  ".join(self.violations)
        return (f"{head}\nsteps:\n" + "\n".join(self.log) + f"\nreplay: {self.replay()}\n"
                f"as a plan (WALK_PLAN, edit it down to a minimal sequence): {plan_text(self.taken)}\n"
                f"output of the failing step (last 4000 characters):\n{self.failed_output[-4000:]}")


def new_world(emulator: EmulatorProcess, project: Path, engine_env: dict[str, str], seed: int) -> World:
    """A new stack `walk<seed>-<time>` in the project copy, with the walk's base config (credentials, bucket,
    a multi-tenant library); its stack file is kept as the base every later config write starts from."""
    name = f"walk{seed}-{int(time.time() * 1000) % 10**8}"
    ws = auto.LocalWorkspace(work_dir=str(project), env_vars=engine_env)
    stack = auto.Stack.create(name, ws)
    stack.set_all_config(base_config(emulator, **{"smh-media:library": LIBRARY}))
    world = World(emulator, project, name, engine_env,
                  yaml.safe_load((project / "stacks" / f"Pulumi.{name}.yaml").read_text()))
    world.project_name = str(yaml.safe_load((project / "Pulumi.yaml").read_text())["name"])
    return world


def remove(world: World) -> None:
    """Forget the stack (the emulator is reset before the next walk: nothing to destroy in the cloud)."""
    auto.LocalWorkspace(work_dir=str(world.project), env_vars=world.env).remove_stack(world.stack, force=True)


def walk(world: World, seed: int, steps: int, on_step: Callable[[str], None] | None = None,
         avoid: tuple[str, ...] = (), plan: list[Step] | None = None, keep_going: bool = False) -> Outcome:
    """Run the walk; stop at the first step that breaks an invariant (its violations and output in the Outcome),
    or with `keep_going` (WALK_KEEP_GOING=1) carry on and collect every step's violations (to see where a state
    leads; later violations may follow from the first).
    `avoid`: step kinds left out (walk.KINDS); `plan`: these steps instead of random ones (`steps` is ignored)."""
    started = time.monotonic()
    model, out = Model(seed, avoid=avoid, plan=plan), Outcome(seed, avoid=avoid, planned=plan is not None)
    steps = len(plan) if plan is not None else steps
    first = Step("edit", {"edit": "initial"})
    for i in range(steps + 1):
        step = first if i == 0 else model.next_step()
        out.taken.append(step)
        before: dict[str, Any] | None = json.loads(json.dumps(model.applied)) if model.applied else None
        t0 = time.monotonic()
        result = Result()
        try:
            result = world.run(model, step)
            problems = check(world, model, step, result, before)
        except Exception as err:  # noqa: BLE001 - a hung CLI or a broken harness still reports seed and steps
            problems = [f"harness: {type(err).__name__}: {err}"]
        if result.applied:
            if not world.preview_clean(result):
                problems.append("preview after a successful up is not clean: "
                                + _tail(result.runs[-1][2], 1500))
            problems += [f"traceback in `pulumi {c}`" for c, _, o in result.runs[-1:] if "Traceback (most" in o]
        if step.kind == "revert" and result.applied is False and not (
                model.drifted and "`pulumi refresh`" in result.output()):  # drift: the error names the remedy
            problems.append("stuck: the last config an up applied is refused now")
        if i == 0 and not result.applied:
            problems.append("the first up of the initial config failed")
        out.refused += int(result.applied is False)
        line = f"  {i:3d}. {step.describe()} -> {_ending(result)} ({time.monotonic() - t0:.0f}s)"
        out.log.append(line)
        if on_step:
            on_step(line)
            if os.environ.get("WALK_SHOW_OUTPUT"):  # every CLI run's output (the tail), to see a refusal whole
                on_step(_tail(result.output(), 4000))
        out.steps = i
        if problems:
            if out.failed_step is None:
                out.failed_step, out.failed_output = i, result.output()
            out.violations += [f"step {i}: {p}" for p in problems] if keep_going else problems
            if on_step and keep_going:
                on_step("       violation: " + "; ".join(problems))
            if not keep_going:
                break
    out.seconds = time.monotonic() - started
    return out


def _ending(result: Result) -> str:
    if result.note:
        return result.note
    if result.killed_after:
        return f"killed after {result.killed_after}, recovery {'ok' if result.applied else 'refused'}"
    if result.applied is None:
        rc = result.runs[-1][1] if result.runs else 0
        return "ok" if rc == 0 else f"refused: {_reason(result.runs[-1][2])}"
    return "applied" if result.applied else f"refused: {_reason(result.runs[-1][2])}"


def _reason(output: str) -> str:
    """The error lines of a CLI output's Diagnostics (else its first error line), shortened, for the step log."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Diagnostics:")), None)
    found = [line.strip() for line in lines[start or 0:] if line.strip().startswith(("error:", "*"))
             and "update failed" not in line and "error occurred" not in line]
    if not found:
        found = [line.strip() for line in lines if "error:" in line]
    return _head(" | ".join(dict.fromkeys(found)) or output.strip().replace("\n", " "), 400)


def _head(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n] + "..."


def _tail(text: str, n: int) -> str:
    return text if len(text) <= n else "..." + text[-n:]
