"""Each provider method against the emulator, through the real SDKs."""

from __future__ import annotations

import json

import pytest

from smh_provider.errors import ProviderError
from smh_provider.resources import BucketProvider, MediaLibraryProvider, MediaProcessingProvider
from tests import sdk_clients

BUCKET = {"bucket_name": "photos", "app_id": "1250000000", "region": "ap-guangzhou"}


def make_bucket(**extra):  # type: ignore[no-untyped-def]
    p = BucketProvider()
    return p, p.create(p.check({}, {**BUCKET, **extra}).inputs)


def inventory(cloud):  # type: ignore[no-untyped-def]
    return cloud.control("GET", "inventory")


def test_bucket_create_read_update_delete(cloud) -> None:  # type: ignore[no-untyped-def]
    p, created = make_bucket(tags={"team": "media"})
    assert created.id == "photos-1250000000"
    assert created.outs["endpoint"] == "photos-1250000000.cos.ap-guangzhou.myqcloud.com"
    assert p.read(created.id, created.outs).outs == created.outs
    news = p.check({}, {**BUCKET, "acl": "public-read", "tags": {}}).inputs
    updated = p.update(created.id, created.outs, news)
    assert updated.outs["acl"] == "public-read" and updated.outs["tags"] == {}
    assert p.read(created.id, updated.outs).outs == updated.outs
    assert inventory(cloud)["buckets"][0]["acl"] == "public-read"
    p.delete(created.id, updated.outs)
    assert inventory(cloud)["buckets"] == []
    p.delete(created.id, updated.outs)  # already gone: still fine


def test_bucket_read_reports_drift_and_disappearance(cloud) -> None:  # type: ignore[no-untyped-def]
    p, created = make_bucket()
    sdk = sdk_clients.cos(cloud.url)
    sdk.put_bucket_acl(Bucket=created.id, ACL="public-read")
    assert p.read(created.id, created.outs).outs["acl"] == "public-read"
    sdk.delete_bucket(Bucket=created.id)
    assert p.read(created.id, created.outs).id == ""


def test_bucket_taken_by_the_same_account_is_a_clear_error(cloud) -> None:  # type: ignore[no-untyped-def]
    sdk_clients.cos(cloud.url).create_bucket(Bucket="photos-1250000000")
    with pytest.raises(ProviderError, match="already exists in your account"):
        make_bucket()


def test_non_empty_bucket_is_kept_unless_force_destroy(cloud) -> None:  # type: ignore[no-untyped-def]
    p, created = make_bucket()
    sdk = sdk_clients.cos(cloud.url)
    for i in range(1205):  # more than one listing page
        sdk.put_object(Bucket=created.id, Key=f"media/{i:05d}.jpg", Body=b"x")
    sdk.create_multipart_upload(Bucket=created.id, Key="big.mp4")
    with pytest.raises(ProviderError, match="still holds objects and incomplete multipart uploads"):
        p.delete(created.id, created.outs)
    assert inventory(cloud)["buckets"][0]["objects"] == 1205
    p.delete(created.id, {**created.outs, "force_destroy": True})
    assert inventory(cloud)["buckets"] == []


def test_media_processing_binds_waits_and_unbinds(cloud) -> None:  # type: ignore[no-untyped-def]
    _, bucket = make_bucket()
    p = MediaProcessingProvider()
    created = p.create({"bucket": bucket.id, "region": "ap-guangzhou"})
    assert created.id == bucket.id and created.outs["enabled_at"]
    assert p.read(created.id, created.outs).outs == created.outs
    again = p.create({"bucket": bucket.id, "region": "ap-guangzhou"})  # already bound counts as done
    assert again.id == bucket.id
    p.delete(created.id, created.outs)
    assert inventory(cloud)["media_buckets"] == []
    assert p.read(created.id, created.outs).id == ""
    p.delete(created.id, created.outs)  # unbinding twice is fine


def test_media_processing_survives_throttling(cloud) -> None:  # type: ignore[no-untyped-def]
    _, bucket = make_bucket()
    cloud.control("POST", "faults", {"seed": 3, "errors": [
        {"service": "ci", "action": "*", "probability": 0.5, "code": "SlowDown", "status": 429}]})
    created = MediaProcessingProvider().create({"bucket": bucket.id, "region": "ap-guangzhou"})
    assert created.outs["enabled_at"]
    log = cloud.control("GET", "requests")
    assert log["faults_injected"] >= 1


LIB = {"library_name": "photos"}


def make_library(bucket_id: str | None = None, **extra):  # type: ignore[no-untyped-def]
    p = MediaLibraryProvider()
    news = {**LIB, **extra}
    if bucket_id:
        news |= {"bucket": bucket_id, "bucket_region": "ap-guangzhou"}
    return p, p.create(p.check({}, news).inputs)


def test_library_lifecycle_and_minimal_modify(cloud) -> None:  # type: ignore[no-untyped-def]
    _, bucket = make_bucket()
    p, lib = make_library(bucket.id, multi_album=True)
    assert len(lib.outs["library_secret"]) == 64
    assert lib.outs["access_domain"] == f"{lib.id}.api.tencentsmh.cn"
    assert p.read(lib.id, lib.outs).outs == lib.outs
    news = p.check({}, {**LIB, "bucket": bucket.id, "bucket_region": "ap-guangzhou", "multi_album": True,
                        "public_read": True, "recycle_bin": True, "recycle_days": 30}).inputs
    before = cloud.control("GET", "requests")["total"]
    updated = p.update(lib.id, lib.outs, news)
    calls = cloud.control("GET", "requests", )["requests"][before:]
    modify = [c for c in calls if c["action"] == "ModifyLibrary"]
    assert len(modify) == 1
    assert updated.outs["public_read"] is True and updated.outs["recycle_days"] == 30
    assert updated.outs["library_id"] == lib.id and updated.outs["library_secret"] == lib.outs["library_secret"]
    assert p.read(lib.id, updated.outs).outs == updated.outs
    p.delete(lib.id, updated.outs)
    assert inventory(cloud)["libraries"] == []
    assert p.read(lib.id, updated.outs).id == ""


def test_library_drift_is_seen_by_read(cloud) -> None:  # type: ignore[no-untyped-def]
    from tencentcloud.smh.v20210712 import models

    p, lib = make_library()
    req = models.ModifyLibraryRequest()
    req.from_json_string(json.dumps({"LibraryId": lib.id, "LibraryExtension": {"IsPublicRead": True}}))
    sdk_clients.smh(cloud.url).ModifyLibrary(req)
    read = p.read(lib.id, lib.outs).outs
    assert read["public_read"] is True
    assert p.diff(lib.id, read, p.check({}, dict(LIB)).inputs).changes is True


def test_library_errors_carry_code_and_request_id(cloud) -> None:  # type: ignore[no-untyped-def]
    p = MediaLibraryProvider()
    news = p.check({}, {**LIB, "bucket": "missing-1250000000", "bucket_region": "ap-guangzhou"}).inputs
    with pytest.raises(ProviderError) as info:
        p.create(news)
    text = str(info.value)
    assert "creating media library 'photos'" in text and "BucketNotFound" in text and "RequestId" in text
    assert inventory(cloud)["libraries"] == []


def test_create_library_is_not_retried_blindly(cloud) -> None:  # type: ignore[no-untyped-def]
    cloud.control("POST", "faults", {"errors": [
        {"service": "smh", "action": "CreateLibrary", "probability": 1.0, "code": "InternalError", "phase": "after"}]})
    with pytest.raises(ProviderError, match="InternalError"):
        make_library()
    creates = cloud.control("GET", "requests")["counts"].get("smh:CreateLibrary")
    assert creates == 1


def test_throttled_create_library_is_retried(cloud) -> None:  # type: ignore[no-untyped-def]
    cloud.control("POST", "faults", {"seed": 1, "errors": [
        {"service": "smh", "action": "CreateLibrary", "probability": 0.6, "code": "RequestLimitExceeded"}]})
    _, lib = make_library()
    assert [x["LibraryId"] for x in inventory(cloud)["libraries"]] == [lib.id]
