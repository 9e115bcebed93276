"""Shared fixtures: one emulator process for the whole session, reset before each test that asks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator_process import EmulatorProcess


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
