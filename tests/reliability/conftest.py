"""Reliability suites: real CLI, one shared emulator, seeded faults. Figures go to docs/reliability.md.

The e2e fixtures (`engine_env`, `project_dir`, `make_stack`, `base_config`) are shared with tests/e2e.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.e2e.conftest import engine_env, make_stack, project_dir, pulumi_bin  # noqa: F401
from tests.reliability import report


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    outcome = yield
    rep = outcome.get_result()
    suite = item.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    if rep.when == "call" or (rep.when == "setup" and rep.failed):
        report.outcome(suite, rep.passed)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not report.ran():
        return
    from importlib.metadata import version

    try:
        cli = subprocess.run([str(pulumi_bin() / "pulumi"), "version"], capture_output=True, text=True,
                             timeout=30).stdout.strip()
    except BaseException:  # noqa: BLE001 - the page is still worth writing without the CLI version
        cli = "unknown"
    report.write({"pulumi CLI": cli, "pulumi SDK": version("pulumi")})
