"""Tenant spaces and albums through the real engine, on the target's SMH data plane (the emulator, or live)."""

from __future__ import annotations

import json

import pytest
import requests
from pulumi import automation as auto

from smh_provider.clients.smhdata import DataPlane
from tests.e2e.conftest import base_config
from tests.targets import Target

QUIET = {"on_output": lambda _: None}


def tenants_config(target: Target, spaces: dict) -> dict:
    return base_config(target, **{
        "smh-media:bucketName": "tenants",
        "smh-media:library": '{"library_name": "tenants", "multi_tenant": true}',
        "smh-media:forceDestroy": "true",
        "smh-media:spaces": json.dumps(spaces),
    })


def data_plane(target: Target, lib_id: str, secret: str):  # type: ignore[no-untyped-def]
    scheme = "http" if target.endpoint else "https"
    base = f"{scheme}://{lib_id}.api.tencentsmh.cn/api/v1"
    proxies = {"http": target.endpoint} if target.endpoint else None
    token = requests.get(f"{base}/token", params={"library_id": lib_id, "library_secret": secret, "grant": "admin"},
                         proxies=proxies, timeout=10).json()["accessToken"]

    def call(method: str, path: str, **kw):  # type: ignore[no-untyped-def]
        r = requests.request(method, base + path, params={"access_token": token}, proxies=proxies, timeout=10, **kw)
        assert r.status_code < 300, r.text
        return r.json() if r.content else {}

    return call


def spaces_in(target: Target, lib_id: str) -> set[str]:
    return {s.space_id for s in DataPlane(target.settings(), lib_id).list_spaces()}


def test_tenants_stack(target: Target, make_stack) -> None:  # type: ignore[no-untyped-def]
    spaces = {"alice": {"multi_album": True, "albums": {"trip": "Trip"}}, "bob": {"space_tag": "personal"}}
    cfg = tenants_config(target, spaces)
    stack = make_stack(cfg)
    up = stack.up(**QUIET)
    ids = up.outputs["space_ids"].value
    lib_id, secret = up.outputs["library_id"].value, up.outputs["library_secret"].value
    assert spaces_in(target, lib_id) == {ids["alice"], ids["bob"]}
    stack.preview(expect_no_changes=True, **QUIET)

    # In place: alice's public_read, same space id.
    spaces["alice"]["public_read"] = True
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(spaces)))
    up = stack.up(**QUIET)
    assert up.outputs["space_ids"].value["alice"] == ids["alice"]
    call = data_plane(target, lib_id, secret)
    assert call("GET", f"/space/{lib_id}/{ids['alice']}/extension")["isPublicRead"] is True

    # Rename an album: moved in place, its files kept.
    call("PUT", f"/file/{lib_id}/{ids['alice']}/Trip/beach.jpg", data=b"jpeg")
    spaces["alice"]["albums"]["trip"] = "Trip 2026"
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(spaces)))
    up = stack.up(**QUIET)
    assert up.summary.resource_changes.get("update") == 1
    assert "create" not in up.summary.resource_changes and "delete" not in up.summary.resource_changes
    listing = call("GET", f"/directory/{lib_id}/{ids['alice']}/Trip 2026")
    assert [c["name"] for c in listing["contents"]] == ["beach.jpg"]

    # Add one space, remove another.
    spaces["carol"] = {}
    del spaces["bob"]
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(spaces)))
    up = stack.up(**QUIET)
    ids = up.outputs["space_ids"].value
    assert spaces_in(target, lib_id) == {ids["alice"], ids["carol"]}

    # Deleted outside Pulumi: refresh drops it from the state, up recreates it.
    call("DELETE", f"/space/{lib_id}/{ids['carol']}")
    refreshed = stack.refresh(**QUIET)
    assert refreshed.summary.resource_changes.get("delete") == 1
    up = stack.up(**QUIET)
    assert up.summary.resource_changes.get("create") == 1
    stack.preview(expect_no_changes=True, **QUIET)

    # Destroy: spaces go before their library; nothing is left behind.
    stack.destroy(**QUIET)
    assert target.library(lib_id) is None
    assert target.bucket(target.full_bucket(cfg["smh-media:bucketName"].value)) is None
    if target.emulator:
        inv = target.emulator.control("GET", "inventory")
        assert inv == {"buckets": [], "media_buckets": [], "libraries": [], "spaces": []}


def test_spaces_on_a_single_tenant_library_fail_at_preview(target: Target, make_stack) -> None:  # type: ignore[no-untyped-def]
    cfg = base_config(target, **{"smh-media:spaces": json.dumps({"alice": {}})})
    stack = make_stack(cfg)
    with pytest.raises(auto.CommandError) as info:
        stack.preview(**QUIET)
    assert "single-tenant" in str(info.value) and "multi_tenant" in str(info.value)
    if target.emulator:
        assert target.emulator.control("GET", "requests")["mutating_total"] == 0
    else:
        assert target.bucket(target.full_bucket(cfg["smh-media:bucketName"].value)) is None
