"""The live switch (tests/targets.py) picks its target from the environment, without calling the cloud: the
selection, the skip messages, run-unique names, the markers, and the cleanup sweep (run against the emulator)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from smh_provider.clients import cos, smh
from smh_provider.clients.smhdata import DataPlane
from smh_provider.regions import REGIONS
from smh_provider.resources import rules
from tests import targets
from tests.emulator_process import ROOT
from tests.targets import Target

CREDS = {"TENCENTCLOUD_SECRET_ID": "AKIDexample", "TENCENTCLOUD_SECRET_KEY": "key", "SMH_LIVE_APPID": "1250000000"}


def test_without_the_flag_nothing_changes() -> None:
    assert targets.live_skip_reason({}) is None
    assert targets.live_skip_reason(CREDS) is None and not targets.live_requested(CREDS)
    with pytest.raises(ValueError, match="SMH_LIVE=1"):
        Target.from_env(CREDS)


@pytest.mark.parametrize("missing", [
    ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "SMH_LIVE_APPID"], ["TENCENTCLOUD_SECRET_KEY"],
    ["SMH_LIVE_APPID"],
])
def test_live_without_credentials_names_exactly_what_to_set(missing: list[str]) -> None:
    env = {"SMH_LIVE": "1", **{k: v for k, v in CREDS.items() if k not in missing}}
    reason = targets.live_skip_reason(env)
    assert reason is not None and reason.startswith(f"SMH_LIVE=1 but {', '.join(missing)} ")
    assert all(name in reason for name in CREDS)


def test_live_target_from_the_environment() -> None:
    target = Target.from_env({"SMH_LIVE": "1", **CREDS})
    assert target.live and target.endpoint is None and target.region == "ap-guangzhou"
    assert target.run_id.startswith("e2e") and len(target.run_id) == 9
    cfg = target.credentials_config()
    assert "smh:endpoint" not in cfg and cfg["tencentcloud:secretKey"].secret is True
    assert cfg["tencentcloud:region"].value == "ap-guangzhou"
    assert Target.from_env({"SMH_LIVE": "1", "SMH_LIVE_REGION": "ap-tokyo", **CREDS}).region == "ap-tokyo"
    assert Target.from_env({"SMH_LIVE": "1", **CREDS}).run_id != target.run_id


def test_live_base_config_has_unique_names_and_no_endpoint() -> None:
    from tests.e2e.conftest import base_config

    target = Target.from_env({"SMH_LIVE": "1", **CREDS})
    first, second = base_config(target), base_config(target, **{"smh-media:bucketName": "tenants"})
    assert "smh:endpoint" not in first
    names = {first["smh-media:bucketName"].value, second["smh-media:bucketName"].value}
    assert len(names) == 2 and all(target.owns(n) for n in names)
    assert '"library_name": "e2e' in first["smh-media:library"].value


@pytest.mark.parametrize("region", sorted(REGIONS, key=len)[-1:] + ["ap-guangzhou"])
@pytest.mark.parametrize("app_id", ["1250000000", "125000000012"])
def test_live_names_are_unique_and_valid(region: str, app_id: str) -> None:
    target = Target.from_env({"SMH_LIVE": "1", **CREDS, "SMH_LIVE_APPID": app_id, "SMH_LIVE_REGION": region})
    names = [target.name("photos") for _ in range(12)] + [target.name("a-rather-long-bucket-base-name")]
    assert len(set(names)) == len(names) and all(target.owns(n) for n in names)
    for name in names:
        assert rules.bucket_name(name, {"app_id": app_id, "region": region}) is None, name
    assert len(target.name("x" * 80, targets.MAX_LIBRARY_NAME)) <= targets.MAX_LIBRARY_NAME


def test_emulator_target_keeps_the_names_tests_expect() -> None:
    class Emu:
        url = "http://127.0.0.1:1"

    target = Target.for_emulator(Emu())
    assert not target.live and target.name("photos") == "photos" and not target.owns("photos")
    assert target.credentials_config()["smh:endpoint"].value == Emu.url


class FakeItem:
    def __init__(self, *markers: str) -> None:
        self.markers, self.added = set(markers), []  # type: ignore[var-annotated]

    def get_closest_marker(self, name: str) -> object:
        return name if name in self.markers else None

    def add_marker(self, mark: pytest.MarkDecorator) -> None:
        self.added.append(mark.kwargs["reason"])


def test_markers_pick_tests_for_the_target() -> None:
    emulator_only, live_only, both = FakeItem("emulator_only"), FakeItem("live_only"), FakeItem()
    targets.mark_for_target([emulator_only, live_only, both], {})
    assert emulator_only.added == [] and both.added == []
    assert live_only.added and "SMH_LIVE=1" in live_only.added[0] and "TENCENTCLOUD_SECRET_ID" in live_only.added[0]
    emulator_only, live_only, both = FakeItem("emulator_only"), FakeItem("live_only"), FakeItem()
    targets.mark_for_target([emulator_only, live_only, both], {"SMH_LIVE": "1"})
    assert emulator_only.added and live_only.added == [] and both.added == []


def test_live_run_without_credentials_skips_the_e2e_suite_with_the_message() -> None:
    env = {k: v for k, v in os.environ.items() if k not in CREDS and k != "PYTHONPATH"} | {"SMH_LIVE": "1"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                          "tests/e2e/test_tenants.py", "tests/packaging"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 skipped" in run.stdout and "passed" not in run.stdout
    assert "needs the emulator's control API; skipped with SMH_LIVE=1" in run.stdout
    assert "SMH_LIVE=1 but TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, SMH_LIVE_APPID are not set" in run.stdout


def test_sweep_deletes_only_what_carries_the_run_prefix(emulator) -> None:  # type: ignore[no-untyped-def]
    emu = Target.for_emulator(emulator)
    # A "live" target whose calls still go to the emulator: the sweep's own logic, with real SDK calls.
    target = Target(True, emu.secret_id, emu.secret_key, emu.app_id, emu.region, emulator.url, run_id="e2eabc123")
    settings = target.settings()
    c = cos.client(settings, target.region)
    mine, other = target.full_bucket(target.name("photos")), target.full_bucket("keep")
    for bucket in (mine, other):
        cos.create_bucket(c, bucket, "private", {})
    cos.bind_media(c, mine)
    c.put_object(Bucket=mine, Key="a.jpg", Body=b"jpeg")
    sc = smh.client(settings)
    bound = smh.create_library(sc, "any", {"multi_tenant": True}, bucket=mine, bucket_region=target.region)
    DataPlane(settings, bound).create_space({})
    lib_name = target.name("photos")
    named = smh.create_library(sc, lib_name, {})
    kept = smh.create_library(sc, "keep", {})

    deleted = targets.sweep(target)

    assert sorted(deleted) == sorted([f"bucket {mine}", f"library {bound} (any)", f"library {named} ({lib_name})"])
    inv = emulator.control("GET", "inventory")
    assert [b["bucket"] for b in inv["buckets"]] == [other]
    assert inv["media_buckets"] == [] and inv["spaces"] == []
    assert [lib["LibraryId"] for lib in inv["libraries"]] == [kept]
