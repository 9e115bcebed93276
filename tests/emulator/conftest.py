"""A second emulator that also knows another account and a temporary key, shared by the modules that test
cross-account isolation and temporary credentials (CI and SMH). Each module has its own keys, so they cannot
mistake one another's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulator_process import ANSWERED_BY_STOPPED, EmulatorProcess, with_accounts
from tests.other_accounts import ACCOUNTS

HERE = Path(__file__).resolve().parent
LAST = "test_every_action.py"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The action coverage check runs after every other emulator test."""
    last = [item for item in items if item.path.parent == HERE and item.path.name == LAST]
    if not last:
        return
    for item in last:
        items.remove(item)
    end = max((i for i, item in enumerate(items) if item.path.parent == HERE), default=len(items) - 1) + 1
    items[end:end] = last


@pytest.fixture(scope="session", autouse=True)
def answered_before(emulator_proc: EmulatorProcess) -> Counter[str]:
    """What the emulators had answered before the first emulator test (for tests that ran earlier)."""
    return emulator_proc.answered() + ANSWERED_BY_STOPPED


@pytest.fixture(scope="session")
def accounts_proc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    yield from with_accounts(tmp_path_factory.mktemp("accounts"), ACCOUNTS)


@pytest.fixture
def two(accounts_proc: EmulatorProcess) -> EmulatorProcess:
    """The two-account emulator, with state, request log and faults reset."""
    accounts_proc.control("POST", "reset")
    return accounts_proc
