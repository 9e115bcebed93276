"""The whole life of a media library through the real engine, on the target (the emulator, or live with SMH_LIVE=1).

What only the emulator can show (its request log, the whole account's inventory) is checked on the emulator only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi import automation as auto

from tests.e2e.conftest import base_config
from tests.targets import Target

QUIET = {"on_output": lambda _: None}
EMPTY = {"buckets": [], "media_buckets": [], "libraries": [], "spaces": []}
CHOSEN_BUCKET = "no longer binds a chosen bucket"


def inventory(emulator) -> dict:  # type: ignore[no-untyped-def]
    return emulator.control("GET", "inventory")


def mutating_calls(emulator) -> int:  # type: ignore[no-untyped-def]
    return emulator.control("GET", "requests")["mutating_total"]


def library_config(cfg: dict[str, auto.ConfigValue], **settings: object) -> auto.ConfigValue:
    """smh-media:library with the stack's library_name (unique when live) and these settings."""
    return auto.ConfigValue(json.dumps({**json.loads(cfg["smh-media:library"].value), **settings}))


def chosen_bucket_warnings(events: list[auto.EngineEvent]) -> int:
    """How many warnings of the run said that the service chose the library's bucket."""
    return sum(1 for e in events if e.diagnostic_event and e.diagnostic_event.severity == "warning"
               and CHOSEN_BUCKET in e.diagnostic_event.message)


@pytest.fixture(params=["honoured", "ignored"])
def lifecycle_target(request: pytest.FixtureRequest, target: Target) -> tuple[Target, str]:
    """The target, under both answers of CreateLibrary to BucketName: the shared emulator binds the bucket
    (`--library-bucket honoured`), a second one stores the library in a bucket it chooses (`ignored`). Live, the
    service gives its own answer: the honoured run accepts either, the ignored run is skipped."""
    if request.param == "honoured":
        return target, "either" if target.live else "honoured"
    if target.live:
        pytest.skip("live: the service's own CreateLibrary answer is checked by the honoured run")
    proc = request.getfixturevalue("emulator_ignoring_proc")
    proc.control("POST", "reset")
    return Target.for_emulator(proc), "ignored"


def test_lifecycle(lifecycle_target: tuple[Target, str], make_stack) -> None:  # type: ignore[no-untyped-def]
    target, mode = lifecycle_target
    emulator = target.emulator
    cfg = base_config(target)
    stack = make_stack(cfg)
    full = target.full_bucket(cfg["smh-media:bucketName"].value)

    events: list[auto.EngineEvent] = []
    up = stack.up(on_event=events.append, **QUIET)
    assert up.summary.result == "succeeded"
    outs = up.outputs
    lib_id = outs["library_id"].value
    assert outs["bucket"].value == full
    assert outs["library_secret"].secret is True and len(outs["library_secret"].value) == 64
    assert target.bucket(full) is not None and target.media_binding(full) is not None
    storage = target.library(lib_id)["BucketName"]
    chosen = storage != full  # the service stored the library in a bucket of its own choosing
    assert mode == "either" or chosen == (mode == "ignored")
    assert outs["storage_bucket"].value == storage
    assert chosen_bucket_warnings(events) == (1 if chosen else 0)
    if emulator:
        inv = inventory(emulator)
        assert sorted(b["bucket"] for b in inv["buckets"]) == sorted({full, storage})
        assert {b["bucket"]: b["acl"] for b in inv["buckets"]}[full] == "private"
        assert [m["bucket"] for m in inv["media_buckets"]] == [full]
        assert [lib["LibraryId"] for lib in inv["libraries"]] == [lib_id]

    # A no-op preview and refresh change nothing and mutate nothing (a chosen bucket plans no replacement).
    before = mutating_calls(emulator) if emulator else None
    stack.preview(expect_no_changes=True, **QUIET)
    stack.refresh(expect_no_changes=True, **QUIET)
    events.clear()
    second = stack.up(on_event=events.append, **QUIET)
    assert set(second.summary.resource_changes or {}) == {"same"}
    assert chosen_bucket_warnings(events) == 0 and second.outputs["storage_bucket"].value == storage
    if emulator:
        assert mutating_calls(emulator) == before

    # Secrets never reach the state in plain text: read what the backend wrote to disk.
    state_dir = Path(stack.workspace.env_vars["PULUMI_BACKEND_URL"].removeprefix("file://"))
    on_disk = "".join(p.read_text(errors="replace") for p in state_dir.rglob("*") if p.is_file())
    assert stack.name in on_disk and '"ciphertext"' in on_disk  # the state is there, with encrypted values
    assert outs["library_secret"].value not in on_disk
    assert target.secret_key not in on_disk
    stack_file = (stack.workspace.work_dir + f"/stacks/Pulumi.{stack.name}.yaml")
    assert target.secret_key not in Path(stack_file).read_text()

    # In place: public_read keeps the library.
    stack.set_config("smh-media:library", library_config(cfg, public_read=True))
    up = stack.up(**QUIET)
    assert up.outputs["library_id"].value == lib_id
    assert target.library(lib_id)["LibraryExtension"]["IsPublicRead"] is True

    # Replace-only: flipping multi_album creates a new library and removes the old one.
    stack.set_config("smh-media:library", library_config(cfg, public_read=True, multi_album=True))
    up = stack.up(**QUIET)
    new_id = up.outputs["library_id"].value
    assert new_id != lib_id
    assert target.library(lib_id) is None
    assert up.outputs["storage_bucket"].value == target.library(new_id)["BucketName"]
    assert target.library(new_id)["LibraryExtension"]["IsMultiAlbum"] is True
    stack.preview(expect_no_changes=True, **QUIET)

    recreated = new_id
    if mode != "ignored":  # the same in both modes: run once
        # Deleted outside Pulumi: refresh drops it, up recreates it.
        target.delete_library(new_id)
        refreshed = stack.refresh(**QUIET)
        assert refreshed.summary.resource_changes.get("delete") == 1
        up = stack.up(**QUIET)
        assert up.summary.resource_changes.get("create") == 1
        recreated = up.outputs["library_id"].value
        assert recreated != new_id and target.library(recreated) is not None

    stack.destroy(**QUIET)
    assert target.library(recreated) is None and target.bucket(full) is None
    if emulator:
        assert {k: inventory(emulator)[k] for k in EMPTY} == EMPTY


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"smh-media:bucketName": "Bad_Name"}, "bucket_name"),
        ({"smh-media:library": '{"library_name": "p", "multi_tenant": true, "multi_album": true}'}, "multi_album"),
        ({"smh-media:region": "mars-1"}, "region"),
        ({"tencentcloud:secretId": None, "tencentcloud:secretKey": None}, "TENCENTCLOUD_SECRET_ID"),
    ],
)
def test_bad_input_fails_preview_and_creates_nothing(target: Target, make_stack, overrides, needle) -> None:  # type: ignore[no-untyped-def]
    cfg = base_config(target, **overrides)
    # Credentials in the environment would stand in for the removed config keys.
    stack = make_stack(cfg, env={"TENCENTCLOUD_SECRET_ID": "", "TENCENTCLOUD_SECRET_KEY": ""})
    with pytest.raises(auto.CommandError) as info:
        stack.preview(**QUIET)
    assert needle in str(info.value)
    if target.emulator:
        assert mutating_calls(target.emulator) == 0
        assert {k: inventory(target.emulator)[k] for k in EMPTY} == EMPTY
    elif "smh-media:bucketName" not in overrides:  # a valid name that must not exist
        assert target.bucket(target.full_bucket(cfg["smh-media:bucketName"].value)) is None
