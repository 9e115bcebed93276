"""Provider methods called directly (no engine) against the shared emulator."""

from __future__ import annotations

import pytest

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from smh_provider import config, preflight, state


@pytest.fixture(autouse=True)
def empty_state():  # type: ignore[no-untyped-def]
    """No engine here: every stack's state reads as empty (state.py) unless a test sets one with state.reset."""

    class Empty(dict):
        def __missing__(self, key: str) -> state.Snapshot:
            return state.Snapshot()

        def __contains__(self, key: object) -> bool:
            return True

    state.reset()
    state._override = Empty()  # type: ignore[assignment]
    yield
    state._override = {}  # type: ignore[assignment]
    state.reset()


@pytest.fixture
def cloud(emulator):  # type: ignore[no-untyped-def]
    """The emulator, with the provider process's settings pointing at it, and a fresh run (preflight.reset)."""
    preflight.reset()
    config.set_current(config.load({"tencentcloud:secretId": DEFAULT_SECRET_ID,
                                    "tencentcloud:secretKey": DEFAULT_SECRET_KEY, "smh:endpoint": emulator.url},
                                   environ={}))
    yield emulator
    config.set_current(config.Settings())
