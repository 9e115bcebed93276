"""`make soak`: long random walks (walk_driver.py) with random seeds, outside pytest, on an emulator and a project
copy of their own. Every seed runs to its end or to its first violation; the run ends with a summary, a replay
command per failed seed, and the figures in the walk section of docs/reliability.md.

    WALK_SEEDS=10 WALK_STEPS=100 make soak       (defaults; WALK_SEED=<n> starts from that seed instead of a
                                                  random one: seeds n, n+1, ...; WALK_AVOID=replace,kill as in
                                                  test_walk.py)
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.conftest import PASSPHRASE, project_venv, pulumi_bin
from tests.emulator_process import ROOT, EmulatorProcess
from tests.reliability import walk_report
from tests.reliability.walk_driver import Outcome, new_world, remove, walk


def project_copy(tmp: Path) -> tuple[Path, dict[str, str]]:
    """The project (Pulumi.yaml, __main__.py, smh_provider/) in `tmp` with its stack files there, and the engine's
    environment (a file backend in `tmp`): what tests/e2e/conftest.py's fixtures make for pytest."""
    project, state, home = tmp / "project", tmp / "state", tmp / "home"
    for d in (project / "stacks", state, home):
        d.mkdir(parents=True)
    text = (ROOT / "Pulumi.yaml").read_text().replace("virtualenv: .venv", f"virtualenv: {project_venv()}")
    text = "\n".join(line for line in text.splitlines() if "file://./.pulumi-state" not in line
                     and not line.startswith("backend:"))
    (project / "Pulumi.yaml").write_text(text + "\n")
    shutil.copy(ROOT / "__main__.py", project / "__main__.py")
    (project / "smh_provider").symlink_to(ROOT / "smh_provider")
    bin_dir = pulumi_bin()
    os.environ["PATH"] = f"{bin_dir}:{os.environ.get('PATH', '')}"
    env = {"PATH": os.environ["PATH"], "PULUMI_BACKEND_URL": f"file://{state}",
           "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE, "PULUMI_SKIP_UPDATE_CHECK": "true",
           "PULUMI_HOME": os.environ.get("PULUMI_HOME") or str(home)}
    return project, env


def main() -> int:
    seeds = int(os.environ.get("WALK_SEEDS") or 10)
    steps = int(os.environ.get("WALK_STEPS") or 100)
    first = int(os.environ.get("WALK_SEED") or random.SystemRandom().randrange(1000, 10**6))
    avoid = tuple(k for k in os.environ.get("WALK_AVOID", "").split(",") if k)
    print(f"soak: {seeds} seeds from {first}, {steps} steps each{f', avoiding {avoid}' if avoid else ''}",
          flush=True)
    started, outcomes = time.monotonic(), []
    emulator = EmulatorProcess()
    try:
        with tempfile.TemporaryDirectory(prefix="walk-soak-") as tmp:
            project, env = project_copy(Path(tmp))
            for seed in range(first, first + seeds):
                emulator.control("POST", "reset")
                world = new_world(emulator, project, env, seed)
                try:
                    out = walk(world, seed, steps, lambda line, s=seed: print(f"[{s}] {line}", flush=True), avoid)
                finally:
                    remove(world)
                outcomes.append(out)
                print(f"soak: seed {seed}: {out.steps} steps in {out.seconds:.0f}s, "
                      f"{'VIOLATION' if out.violations else 'ok'}", flush=True)
                if out.violations:
                    print(out.report(), flush=True)
    finally:
        emulator.stop()
    return summary(outcomes, time.monotonic() - started, steps, avoid)


def summary(outcomes: list[Outcome], seconds: float, steps: int, avoid: tuple[str, ...]) -> int:
    failed = [o for o in outcomes if o.violations]
    total = sum(o.steps for o in outcomes)
    print(f"\nsoak: {len(outcomes)} seeds, {total} steps, {len(failed)} seeds with a violation, {seconds:.0f}s "
          f"({seconds / max(total, 1):.1f}s a step)")
    for o in failed:
        print(f"  seed {o.seed}, step {o.failed_step}: {'; '.join(o.violations)}\n    replay: {o.replay()}")
    page = walk_report.write_soak(outcomes, seconds, steps, avoid)
    print(f"soak: figures written to {page.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
