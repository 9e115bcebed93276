"""Shared fixtures: one emulator process for the whole session, reset before each test that asks."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests import targets
from tests.emulator_process import EmulatorProcess


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    targets.mark_for_target(items, os.environ)


@pytest.fixture(scope="session")
def emulator_proc() -> Iterator[EmulatorProcess]:
    proc = EmulatorProcess()
    yield proc
    proc.stop()


@pytest.fixture
def emulator(emulator_proc: EmulatorProcess) -> EmulatorProcess:
    """The shared emulator, with state, request log and faults reset."""
    emulator_proc.control("POST", "reset")
    return emulator_proc
