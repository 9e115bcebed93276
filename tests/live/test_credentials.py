"""Read-only first check of a live run: the keys reach COS, CI and SMH in the chosen region and APPID.

Skipped unless SMH_LIVE=1 with credentials (the skip message says what to set)."""

from __future__ import annotations

import pytest

from smh_provider.clients import cos, smh
from tests.targets import Target


@pytest.mark.live_only
def test_credentials_reach_every_service(live_target: Target) -> None:
    settings = live_target.settings()
    c = cos.client(settings, live_target.region)
    assert isinstance(cos.call(lambda: c.list_buckets(), "listing buckets"), dict)
    assert live_target.media_binding(live_target.full_bucket(f"{live_target.run_id}-absent")) is None
    assert isinstance(smh.list_libraries(smh.client(settings)), list)
