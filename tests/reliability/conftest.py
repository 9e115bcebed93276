"""Reliability suites: real CLI, one shared emulator, seeded faults. Figures go to docs/reliability.md
(written by tests/conftest.py at the end of the session).

The e2e fixtures (`engine_env`, `project_dir`, `make_stack`, `base_config`) are shared with tests/e2e.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import engine_env, make_stack, project_dir  # noqa: F401
from tests.reliability import report


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    outcome = yield
    rep = outcome.get_result()
    suite = item.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    if rep.skipped:
        return  # a skipped test (e.g. the walk's finding replays without WALK_FINDINGS=1) neither passed nor failed
    if rep.when == "call" or (rep.when == "setup" and rep.failed):
        report.outcome(suite, rep.passed)
