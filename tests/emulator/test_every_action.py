"""Every route has a test (STYLE 10): each action in every service's ACTIONS table is answered without error at
least once while the emulator tests run, by the shared emulators or by one a test started and stopped.

The test runs after the other emulator tests (tests/emulator/conftest.py moves it there) and only when all of
tests/emulator is selected; an action it names has lost (or never had) a test that drives it to success.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from emulator.services import SERVICES
from tests.emulator_process import ANSWERED_BY_STOPPED, EmulatorProcess

HERE = Path(__file__).resolve().parent


def test_every_declared_action_is_exercised(request: pytest.FixtureRequest, emulator_proc: EmulatorProcess,
                                            accounts_proc: EmulatorProcess, answered_before: Counter[str]) -> None:
    selected = {item.path.name for item in request.session.items if item.path.parent == HERE}
    if selected != {p.name for p in HERE.glob("test_*.py") if "\ndef test_" in p.read_text()}:
        pytest.skip("checks the whole tests/emulator suite; run all of it")
    answered = emulator_proc.answered() + accounts_proc.answered() + ANSWERED_BY_STOPPED
    answered.subtract(answered_before)
    declared = [f"{svc.name}:{name}" for svc in SERVICES for name in svc.actions]
    assert len(declared) > 40
    assert [key for key in declared if answered[key] <= 0] == []
