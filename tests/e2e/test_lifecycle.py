"""The whole life of a media library through the real engine, against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi import automation as auto

from tests import sdk_clients
from tests.e2e.conftest import base_config

QUIET = {"on_output": lambda _: None}


def inventory(emulator) -> dict:  # type: ignore[no-untyped-def]
    return emulator.control("GET", "inventory")


def mutating_calls(emulator) -> int:  # type: ignore[no-untyped-def]
    return emulator.control("GET", "requests")["mutating_total"]


def library(emulator, lib_id: str) -> dict | None:  # type: ignore[no-untyped-def]
    return next((lib for lib in inventory(emulator)["libraries"] if lib["LibraryId"] == lib_id), None)


def test_lifecycle(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(base_config(emulator))

    up = stack.up(**QUIET)
    assert up.summary.result == "succeeded"
    outs = up.outputs
    lib_id = outs["library_id"].value
    assert outs["bucket"].value == "photos-1250000000"
    assert outs["library_secret"].secret is True and len(outs["library_secret"].value) == 64
    inv = inventory(emulator)
    assert [b["bucket"] for b in inv["buckets"]] == ["photos-1250000000"]
    assert inv["buckets"][0]["acl"] == "private"
    assert [m["bucket"] for m in inv["media_buckets"]] == ["photos-1250000000"]
    assert [lib["LibraryId"] for lib in inv["libraries"]] == [lib_id]

    # A no-op preview and refresh change nothing and mutate nothing.
    before = mutating_calls(emulator)
    stack.preview(expect_no_changes=True, **QUIET)
    stack.refresh(expect_no_changes=True, **QUIET)
    second = stack.up(**QUIET)
    assert set(second.summary.resource_changes or {}) == {"same"}
    assert mutating_calls(emulator) == before

    # Secrets never reach the state in plain text: read what the backend wrote to disk.
    state_dir = Path(stack.workspace.env_vars["PULUMI_BACKEND_URL"].removeprefix("file://"))
    on_disk = "".join(p.read_text(errors="replace") for p in state_dir.rglob("*") if p.is_file())
    assert stack.name in on_disk and '"ciphertext"' in on_disk  # the state is there, with encrypted values
    assert outs["library_secret"].value not in on_disk
    assert "emulatorSecretKey" not in on_disk
    stack_file = (stack.workspace.work_dir + f"/stacks/Pulumi.{stack.name}.yaml")
    assert "emulatorSecretKey" not in Path(stack_file).read_text()

    # In place: public_read keeps the library.
    stack.set_config("smh-media:library", auto.ConfigValue('{"library_name": "photos", "public_read": true}'))
    up = stack.up(**QUIET)
    assert up.outputs["library_id"].value == lib_id
    assert library(emulator, lib_id)["LibraryExtension"]["IsPublicRead"] is True

    # Replace-only: flipping multi_album creates a new library and removes the old one.
    stack.set_config("smh-media:library",
                     auto.ConfigValue('{"library_name": "photos", "public_read": true, "multi_album": true}'))
    up = stack.up(**QUIET)
    new_id = up.outputs["library_id"].value
    assert new_id != lib_id
    assert library(emulator, lib_id) is None
    assert library(emulator, new_id)["LibraryExtension"]["IsMultiAlbum"] is True
    stack.preview(expect_no_changes=True, **QUIET)

    # Deleted outside Pulumi: refresh drops it, up recreates it.
    sdk = sdk_clients.smh(emulator.url)
    from tencentcloud.smh.v20210712 import models

    req = models.DeleteLibraryRequest()
    req.LibraryId = new_id
    sdk.DeleteLibrary(req)
    refreshed = stack.refresh(**QUIET)
    assert refreshed.summary.resource_changes.get("delete") == 1
    up = stack.up(**QUIET)
    assert up.summary.resource_changes.get("create") == 1
    recreated = up.outputs["library_id"].value
    assert recreated != new_id and library(emulator, recreated) is not None

    stack.destroy(**QUIET)
    inv = inventory(emulator)
    assert inv == {"buckets": [], "media_buckets": [], "libraries": [], "spaces": []}


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"smh-media:bucketName": "Bad_Name"}, "bucket_name"),
        ({"smh-media:library": '{"library_name": "p", "multi_tenant": true, "multi_album": true}'}, "multi_album"),
        ({"smh-media:region": "mars-1"}, "region"),
        ({"tencentcloud:secretId": None, "tencentcloud:secretKey": None}, "TENCENTCLOUD_SECRET_ID"),
    ],
)
def test_bad_input_fails_preview_and_creates_nothing(emulator, make_stack, overrides, needle) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(base_config(emulator, **overrides))
    with pytest.raises(auto.CommandError) as info:
        stack.preview(**QUIET)
    assert needle in str(info.value)
    assert mutating_calls(emulator) == 0
    assert inventory(emulator) == {"buckets": [], "media_buckets": [], "libraries": [], "spaces": []}
