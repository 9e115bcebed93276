"""The parallel `make test` (pytest-xdist workers): what must share a worker does, the reliability figures of all
workers add up to one page, and an e2e teardown skips a destroy only when the state holds nothing to destroy."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from tests.conftest import group_of
from tests.e2e.conftest import nothing_to_destroy
from tests.reliability import report


def test_the_emulator_suite_and_the_bad_input_batch_each_stay_on_one_worker() -> None:
    assert group_of("tests/emulator/test_cos.py::test_x") == group_of("tests/emulator/test_every_action.py::test_y")
    assert group_of("tests/reliability/test_bad_input.py::test_z[a]") == \
        group_of("tests/reliability/test_bad_input.py::test_z[b]")
    # everything else is scheduled test by test
    assert group_of("tests/e2e/test_lifecycle.py::test_lifecycle") == "tests/e2e/test_lifecycle.py::test_lifecycle"
    crash = "tests/reliability/test_crash.py::test_killed_after_mutating_call_k_recovers"
    assert group_of(f"{crash}[1]") != group_of(f"{crash}[2]")


def test_figures_of_two_workers_merge_into_one_page(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name in ("_figures", "_rows", "_outcomes"):
        monkeypatch.setattr(report, name, type(getattr(report, name))(getattr(report, name).default_factory))
    report.record("crash", points_tried=1, duplicates=0)
    report.row("crash", position=2, killed_after="ci:CreateMediaBucket")
    report.outcome("crash", True)
    worker = report.dump()
    json.dumps(worker)  # plain data: xdist sends it from the worker to the controller
    for name in ("_figures", "_rows", "_outcomes"):
        monkeypatch.setattr(report, name, type(getattr(report, name))(getattr(report, name).default_factory))
    report.record("crash", points_tried=1, duplicates=0)
    report.row("crash", position=1, killed_after="cos:PutBucket")
    report.outcome("crash", True)
    report.merge(worker)
    page = report.render({})
    assert "| 2. Crash points tried and recovered | 2 | 0 | points_tried: 2, duplicates: 0 |" in page
    assert page.index("| 1 | cos:PutBucket |") < page.index("| 2 | ci:CreateMediaBucket |")


def stack_with_state(tmp_path: Path, state: object) -> SimpleNamespace:
    stacks = tmp_path / ".pulumi" / "stacks" / "smh-media"
    stacks.mkdir(parents=True)
    (stacks / "tabc.json").write_text(json.dumps(state) if not isinstance(state, str) else state)
    return SimpleNamespace(name="tabc", workspace=SimpleNamespace(env_vars={"PULUMI_BACKEND_URL": f"file://{tmp_path}"}))


def test_a_teardown_destroys_unless_the_state_is_empty(tmp_path: Path) -> None:
    def state(*types: str, pending: bool = False) -> dict:
        latest = {"resources": [{"type": t, "urn": f"urn:{t}"} for t in types]}
        if pending:
            latest["pending_operations"] = [{"resource": {}, "type": "creating"}]
        return {"version": 3, "checkpoint": {"stack": "x", "latest": latest}}

    cases = [({"version": 3, "checkpoint": {"stack": "x"}}, True),  # created, never updated
             (state(), True),
             (state("pulumi:pulumi:Stack", "pulumi:providers:pulumi-python"), True),
             (state("pulumi:pulumi:Stack", "pulumi-python:dynamic/smh:Bucket"), False),
             (state("pulumi:pulumi:Stack", pending=True), False),
             ("{not json", False)]
    for i, (content, expected) in enumerate(cases):
        assert nothing_to_destroy(stack_with_state(tmp_path / str(i), content)) is expected, content  # type: ignore[arg-type]
    other = SimpleNamespace(name="tabc", workspace=SimpleNamespace(env_vars={"PULUMI_BACKEND_URL": "s3://bucket"}))
    assert nothing_to_destroy(other) is False  # not a file backend: destroy to be safe
