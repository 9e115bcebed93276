"""Shared fixtures: one emulator process per test process for the whole session, reset before each test that asks.

`make test` runs the suite on parallel pytest-xdist workers (`-n`): each worker has its own
session emulator and engine state, so independent e2e stacks run side by side. Tests that must share one process
are grouped (GROUPS below); the reliability figures of every worker are merged here before docs/reliability.md
is written.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests import targets
from tests.docs.blocks import summary_line
from tests.emulator_process import EmulatorProcess
from tests.reliability import report

# Tests that one worker runs together, in order: the emulator suite (its last test counts what every other
# emulator test made its session emulators answer) and modules whose module fixture runs all their cases at once.
# Every other test is scheduled on its own.
GROUPS = ("tests/emulator/", "tests/reliability/test_bad_input.py")


def group_of(nodeid: str) -> str:
    return next((prefix for prefix in GROUPS if nodeid.startswith(prefix)), nodeid)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    targets.mark_for_target(items, os.environ)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """xdist's scope scheduler with GROUPS as the scopes (xdist's own `loadgroup` marks are not applied under
    pytest 9, so the grouping is done here): largest groups first, then one test at a time to whichever worker
    is free."""
    if config.getoption("dist") != "load":  # an explicit --dist choice is xdist's to honour
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Grouped(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return Grouped(config, log)


@pytest.fixture(scope="session")
def emulator_proc() -> Iterator[EmulatorProcess]:
    proc = EmulatorProcess()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def emulator_ignoring_proc() -> Iterator[EmulatorProcess]:
    """An emulator started with `--library-bucket ignored`: CreateLibrary stores a library in a bucket of its own
    choosing (tests/e2e/test_lifecycle.py runs under both answers). Started only by the tests that ask."""
    proc = EmulatorProcess(extra_args=["--library-bucket", "ignored"])
    yield proc
    proc.stop()


@pytest.fixture
def emulator(emulator_proc: EmulatorProcess) -> EmulatorProcess:
    """The shared emulator, with state, request log and faults reset."""
    emulator_proc.control("POST", "reset")
    return emulator_proc


# -- reliability figures: merged from the workers, written once ---------------------------------------------------

@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """xdist controller: a worker finished; add its reliability figures."""
    data = getattr(node, "workeroutput", {}).get("reliability")
    if data:
        report.merge(data)


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller writes the page
        workeroutput["reliability"] = report.dump()
        return
    if not report.ran():
        return
    from importlib.metadata import version

    from tests.e2e.conftest import pulumi_bin

    try:
        cli = subprocess.run([str(pulumi_bin() / "pulumi"), "version"], capture_output=True, text=True,
                             timeout=30).stdout.strip()
    except BaseException:  # noqa: BLE001 - the page is still worth writing without the CLI version
        cli = "unknown"
    report.write({"pulumi CLI": cli, "pulumi SDK": version("pulumi")})


# -- the manual's shell blocks: tests/docs/test_manual_commands.py records its counts; the run ends with them -------

def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line after the results: how many shell blocks of README.md and the manual ran, how many are marked not
    runnable. The counts travel on the test's report (user_properties), so xdist workers hand them over too."""
    for reports in terminalreporter.stats.values():
        for test_report in reports:
            for name, value in getattr(test_report, "user_properties", ()):
                if name == "manual_shell_blocks" and getattr(test_report, "when", "") == "call":
                    terminalreporter.write_line(summary_line(value))
