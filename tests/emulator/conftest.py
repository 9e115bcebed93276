"""A second emulator that also knows another account and a temporary key, shared by the modules that test
cross-account isolation and temporary credentials (CI and SMH). Each module has its own keys, so they cannot
mistake one another's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator_process import EmulatorProcess, with_accounts
from tests.other_accounts import ACCOUNTS


@pytest.fixture(scope="session")
def accounts_proc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    yield from with_accounts(tmp_path_factory.mktemp("accounts"), ACCOUNTS)


@pytest.fixture
def two(accounts_proc: EmulatorProcess) -> EmulatorProcess:
    """The two-account emulator, with state, request log and faults reset."""
    accounts_proc.control("POST", "reset")
    return accounts_proc
