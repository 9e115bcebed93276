"""Provider methods called directly (no engine) against the shared emulator."""

from __future__ import annotations

import pytest

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from smh_provider import config, preflight


@pytest.fixture
def cloud(emulator):  # type: ignore[no-untyped-def]
    """The emulator, with the provider process's settings pointing at it, and a fresh run (preflight.reset)."""
    preflight.reset()
    config.set_current(config.load({"tencentcloud:secretId": DEFAULT_SECRET_ID,
                                    "tencentcloud:secretKey": DEFAULT_SECRET_KEY, "smh:endpoint": emulator.url},
                                   environ={}))
    yield emulator
    config.set_current(config.Settings())
