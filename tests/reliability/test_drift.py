"""Suite 3, drift: every resource type changed, then deleted, outside Pulumi; `refresh` reports it, `up` repairs it.

One stack holds one of each type: a bucket, its media processing, a multi-tenant library, a multi-album space
and an album in it. Round 1 changes one in-place setting of each (bucket ACL, library remark, space public
read, album renamed outside - the declared name disappears; media processing has no in-place setting).
Round 2 deletes all five. Changes go through the official SDKs and plain HTTP for the SMH data plane.
The bucket sub-settings (BucketCors, BucketLifecycle, BucketReferer) get the same two rounds in a test of their own.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi import automation as auto
from tencentcloud.smh.v20210712 import models

from tests import sdk_clients
from tests.e2e.conftest import base_config
from tests.reliability import report
from tests.reliability.cloud import state_resources
from tests.reliability.outside import DataPlane, unbind_media

SUITE = "drift"
QUIET = {"on_output": lambda _: None}
BUCKET = "drift-1250000000"
REMARK = "declared remark"
TYPES = ("Bucket", "MediaProcessing", "MediaLibrary", "Space", "Album")
# Round 1's in-place drift per type (media processing has no in-place setting).
DRIFTS = {"Bucket": "ACL private -> public-read", "MediaLibrary": "remark changed",
          "Space": "public_read false -> true", "Album": "renamed outside (declared name gone)"}


def drift_config(emulator) -> dict[str, auto.ConfigValue]:  # type: ignore[no-untyped-def]
    return base_config(emulator, **{
        "smh-media:bucketName": "drift",
        "smh-media:bucketTags": '{"team": "media"}',
        "smh-media:library": json.dumps({"library_name": "drift", "multi_tenant": True, "remark": REMARK}),
        "smh-media:spaces": json.dumps({"alice": {"multi_album": True, "albums": {"trip": "Trip"}}}),
        "smh-media:forceDestroy": "true",
    })


def cloud_view(emulator, lib_id: str | None, space_id: str | None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What exists now, per resource type, with the setting each round drifts (None when the object is gone)."""
    inv = emulator.control("GET", "inventory")
    bucket = next((b for b in inv["buckets"] if b["bucket"] == BUCKET), None)
    lib = next((x for x in inv["libraries"] if x["LibraryId"] == lib_id), None)
    space = next((s for s in inv["spaces"] if s["spaceId"] == space_id), None)
    albums = DataPlane(emulator, lib_id).names(space_id) if lib and space else None
    return {
        "Bucket": bucket and bucket["acl"],
        "MediaProcessing": any(m["bucket"] == BUCKET for m in inv["media_buckets"]) or None,
        "MediaLibrary": lib and lib.get("Remark"),
        "Space": space and space["isPublicRead"],
        "Album": albums,
    }


def declared(view: dict[str, Any]) -> dict[str, bool]:
    """Per type: does the cloud hold it with the declared setting?"""
    return {"Bucket": view["Bucket"] == "private", "MediaProcessing": view["MediaProcessing"] is True,
            "MediaLibrary": view["MediaLibrary"] == REMARK, "Space": view["Space"] is False,
            "Album": view["Album"] is not None and "Trip" in view["Album"]}


def in_state(stack: auto.Stack) -> dict[str, dict[str, Any] | None]:
    state = state_resources(stack)
    return {kind: (state[kind][0]["outputs"] if state.get(kind) else None) for kind in TYPES}


def ids(up: auto.UpResult) -> tuple[str, str]:
    return up.outputs["library_id"].value, up.outputs["space_ids"].value["alice"]


def record(kind: str, drift: str, refresh_saw: bool, repaired: bool) -> None:
    report.record(SUITE, drift_cases=1, detected=int(refresh_saw), repaired=int(repaired))
    report.row(SUITE, type=kind, drift=drift, refresh_reported=refresh_saw, up_restored=repaired)


def test_drift_is_detected_and_repaired(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(drift_config(emulator))
    lib_id, space_id = ids(stack.up(**QUIET))
    assert all(declared(cloud_view(emulator, lib_id, space_id)).values())
    cos = sdk_clients.cos(emulator.url)
    sdk = sdk_clients.smh(emulator.url)
    plane = DataPlane(emulator, lib_id)

    # Round 1: one in-place setting of each type changed outside Pulumi.
    cos.put_bucket_acl(Bucket=BUCKET, ACL="public-read")
    req = models.ModifyLibraryRequest()
    req.LibraryId, req.Remark = lib_id, "changed outside"
    sdk.ModifyLibrary(req)
    plane.call("POST", f"/space/{lib_id}/{space_id}/extension", json={"isPublicRead": True})
    plane.call("PUT", plane.path("directory", space_id, "Trip (renamed outside)"), json={"from": "Trip"})
    now = declared(cloud_view(emulator, lib_id, space_id))
    assert [kind for kind in TYPES if not now[kind]] == list(DRIFTS)  # the changes landed

    refreshed = stack.refresh(**QUIET)
    changes = refreshed.summary.resource_changes or {}
    state = in_state(stack)
    saw = {"Bucket": state["Bucket"] is not None and state["Bucket"]["acl"] == "public-read",
           "MediaLibrary": state["MediaLibrary"] is not None and state["MediaLibrary"]["remark"] == "changed outside",
           "Space": state["Space"] is not None and state["Space"]["public_read"] is True,
           "Album": state["Album"] is None}
    up = stack.up(**QUIET)
    after = declared(cloud_view(emulator, lib_id, space_id))
    for kind, drift in DRIFTS.items():
        record(kind, drift, saw[kind], after[kind])
    assert saw == dict.fromkeys(DRIFTS, True), state
    assert changes.get("update") == 3 and changes.get("delete") == 1, changes
    assert up.summary.resource_changes.get("update") == 3 and up.summary.resource_changes.get("create") == 1
    assert after == dict.fromkeys(TYPES, True)
    assert ids(up) == (lib_id, space_id)  # repaired in place: same library and space

    # Round 2: every object deleted outside Pulumi, leaves first (a library with spaces cannot be deleted).
    plane.call("DELETE", plane.path("directory", space_id, "Trip"), params={"permanent": "1"})
    plane.call("DELETE", f"/space/{lib_id}/{space_id}", params={"force": "1"})
    req = models.DeleteLibraryRequest()
    req.LibraryId = lib_id
    sdk.DeleteLibrary(req)
    unbind_media(cos, BUCKET)
    cos.delete_bucket(Bucket=BUCKET)
    assert emulator.control("GET", "inventory") == {"buckets": [], "media_buckets": [], "libraries": [],
                                                    "spaces": []}

    refreshed = stack.refresh(**QUIET)
    changes = refreshed.summary.resource_changes or {}
    state = in_state(stack)
    up = stack.up(**QUIET)
    new_lib, new_space = ids(up)
    after = declared(cloud_view(emulator, new_lib, new_space))
    for kind in TYPES:
        record(kind, "deleted outside", state[kind] is None, after[kind])
    assert state == dict.fromkeys(TYPES), state
    assert changes.get("delete") == len(TYPES), changes
    assert up.summary.resource_changes.get("create") == len(TYPES), up.summary.resource_changes
    assert after == dict.fromkeys(TYPES, True)
    stack.preview(expect_no_changes=True, **QUIET)


SETTINGS = ("BucketCors", "BucketLifecycle", "BucketReferer")
PAGE = "https://app.example.com"


def settings_view(cos) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Per bucket sub-setting: the value each round drifts, None when the configuration is gone."""
    def get(call, pick):  # type: ignore[no-untyped-def]
        try:
            return pick(call(Bucket=BUCKET))
        except Exception:  # noqa: BLE001 - a missing configuration is an SDK error; it means gone here
            return None
    referer = get(cos.get_bucket_referer, lambda d: d.get("RefererType"))
    return {"BucketCors": get(cos.get_bucket_cors, lambda d: d["CORSRule"][0]["AllowedOrigin"]),
            "BucketLifecycle": get(cos.get_bucket_lifecycle,
                                   lambda d: d["Rule"][0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]),
            "BucketReferer": referer}


def test_bucket_settings_drift_is_detected_and_repaired(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(base_config(emulator, **{
        "smh-media:bucketName": "drift",
        "smh-media:bucketCors": json.dumps({"browser_uploads": [PAGE]}),
        "smh-media:bucketLifecycle": "{}",
        "smh-media:bucketReferer": json.dumps({"domains": ["*.example.com"]}),
    }))
    stack.up(**QUIET)
    cos = sdk_clients.cos(emulator.url)
    want = {"BucketCors": [PAGE], "BucketLifecycle": "7", "BucketReferer": "White-List"}
    assert settings_view(cos) == want

    # Round 1: each configuration changed through the COS SDK.
    cos.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRule": [{"AllowedOrigin": ["*"],
                                                                        "AllowedMethod": ["GET"]}]})
    cos.put_bucket_lifecycle(Bucket=BUCKET, LifecycleConfiguration={"Rule": [
        {"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": "30"}}]})
    cos.put_bucket_referer(Bucket=BUCKET, RefererConfiguration={
        "Status": "Enabled", "RefererType": "Black-List", "EmptyReferConfiguration": "Allow",
        "DomainList": {"Domain": ["*.example.com"]}})
    refreshed = stack.refresh(**QUIET).summary.resource_changes or {}
    state = state_resources(stack)
    saw = {"BucketCors": state["BucketCors"][0]["outputs"]["rules"][0]["allowed_origins"] == ["*"],
           "BucketLifecycle": state["BucketLifecycle"][0]["outputs"]["rules"][0]["abort_incomplete_upload_days"] == 30,
           "BucketReferer": state["BucketReferer"][0]["outputs"]["referer_type"] == "Black-List"}
    up = stack.up(**QUIET).summary.resource_changes or {}
    after = settings_view(cos)
    for kind, drift in (("BucketCors", "origin * instead of the page"), ("BucketLifecycle", "abort after 30 days"),
                        ("BucketReferer", "white list -> black list")):
        record(kind, drift, saw[kind], after[kind] == want[kind])
    assert saw == dict.fromkeys(SETTINGS, True), state
    assert refreshed.get("update") == 3 and up.get("update") == 3, (refreshed, up)
    assert after == want

    # Round 2: each configuration removed through the COS SDK.
    cos.delete_bucket_cors(Bucket=BUCKET)
    cos.delete_bucket_lifecycle(Bucket=BUCKET)
    cos.delete_bucket_referer(Bucket=BUCKET)
    refreshed = stack.refresh(**QUIET).summary.resource_changes or {}
    gone = {kind: not state_resources(stack).get(kind) for kind in SETTINGS}
    up = stack.up(**QUIET).summary.resource_changes or {}
    after = settings_view(cos)
    for kind in SETTINGS:
        record(kind, "deleted outside", gone[kind], after[kind] == want[kind])
    assert gone == dict.fromkeys(SETTINGS, True) and refreshed.get("delete") == 3, refreshed
    assert up.get("create") == 3 and after == want
    stack.preview(expect_no_changes=True, **QUIET)
