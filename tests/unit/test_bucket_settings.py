"""BucketCors, BucketLifecycle and BucketReferer: preview checks, and each provider method against the emulator
through cos-python-sdk-v5 (create, read with drift, update in place, delete, adopt)."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from smh_provider import config
from smh_provider.errors import ProviderError
from smh_provider.resources import (
    BucketCors,
    BucketCorsProvider,
    BucketLifecycleProvider,
    BucketProvider,
    BucketRefererProvider,
)
from smh_provider.resources.bucket_lifecycle import ABORT_RULE_ID
from tests import sdk_clients

FULL = "web-1250000000"
WHERE = {"bucket": FULL, "region": "ap-guangzhou"}
UPLOADS = BucketCors.smh_browser_uploads(["https://app.example.com"])


@pytest.fixture(autouse=True)
def keys():  # type: ignore[no-untyped-def]
    """Credentials in the provider's settings, so preview checks report only the rules (cloud overrides them)."""
    config.set_current(config.load({"tencentcloud:secretId": DEFAULT_SECRET_ID,
                                    "tencentcloud:secretKey": DEFAULT_SECRET_KEY}, environ={}))
    yield
    config.set_current(config.Settings())


def failures(provider: Any, **props: Any) -> list[str]:
    return [f.reason for f in provider.check({}, {**WHERE, **props}).failures]


def checked(provider: Any, **props: Any) -> dict[str, Any]:
    result = provider.check({}, {**WHERE, **props})
    assert not result.failures, result.failures
    return result.inputs


@pytest.fixture
def bucket(cloud):  # type: ignore[no-untyped-def]
    p = BucketProvider()
    p.create(p.check({}, {"bucket_name": "web", "app_id": "1250000000", "region": "ap-guangzhou"}).inputs)
    return sdk_clients.cos(cloud.url)


# -- preview checks (no cloud) ---------------------------------------------------------------------
@pytest.mark.parametrize(("rule", "needle"), [
    ({"allowed_origins": ["app.example.com"], "allowed_methods": ["GET"]}, "scheme://host[:port]"),
    ({"allowed_origins": ["https://app.example.com/"], "allowed_methods": ["GET"]}, "no path"),
    ({"allowed_origins": ["https://*.*.example.com"], "allowed_methods": ["GET"]}, "at most one '*'"),
    ({"allowed_origins": ["https://a.com"], "allowed_methods": ["PATCH"]}, "not a COS CORS method"),
    ({"allowed_origins": ["https://a.com"], "allowed_methods": ["GET"], "max_age_seconds": -1}, "max_age_seconds"),
    ({"allowed_origins": ["https://a.com"], "allowed_methods": ["GET"], "allowed_headers": ["a b"]}, "header name"),
    ({"allowed_origins": [], "allowed_methods": ["GET"]}, "at least one origin"),
    ({"allowed_origins": ["https://a.com"], "allowed_methods": ["GET"], "colour": "red"}, "unknown key"),
])
def test_cors_preview_refuses_bad_rules(rule: dict[str, Any], needle: str) -> None:
    assert any(needle in f for f in failures(BucketCorsProvider(), rules=[rule]))


def test_cors_canonical_form() -> None:
    inputs = checked(BucketCorsProvider(), rules=[{"allowed_origins": ["*"], "allowed_methods": ["get"],
                                                   "max_age_seconds": 60.0}])
    assert inputs["rules"] == [{"id": "", "allowed_origins": ["*"], "allowed_methods": ["GET"], "allowed_headers": [],
                                "expose_headers": [], "max_age_seconds": 60}]
    assert failures(BucketCorsProvider(), rules=[UPLOADS, UPLOADS]) == ["rules: each id must be unique"]


def test_lifecycle_preview_rules() -> None:
    p = BucketLifecycleProvider()
    default = checked(p)["rules"]
    assert [(r["id"], r["abort_incomplete_upload_days"], r["prefix"]) for r in default] == [(ABORT_RULE_ID, 7, "")]
    mixed = {"id": "logs", "prefix": "logs/", "expiration_days": 30,
             "transitions": [{"date": "2027-01-01T00:00:00+08:00", "storage_class": "ARCHIVE"}]}
    problems = failures(p, rules=[mixed], allow_smh_paths=True)
    assert len(problems) == 1 and "mixes dates and days" in problems[0] and "split it" in problems[0]
    expire = {"id": "old", "prefix": "tmp/", "expiration_days": 30}
    assert any("allow_smh_paths=True" in f and "behind SMH's back" in f for f in failures(p, rules=[expire]))
    assert checked(p, rules=[expire], allow_smh_paths=True)["rules"][1]["expiration_days"] == 30
    assert any("Date" not in f and "midnight" in f for f in failures(
        p, rules=[{"expiration_date": "2027-01-01", "prefix": "x/"}], allow_smh_paths=True))
    assert any("storage_class" in f for f in failures(
        p, rules=[{"transitions": [{"days": 30, "storage_class": "GLACIER"}]}], allow_smh_paths=True))
    assert any("no rule" in f for f in failures(p, abort_incomplete_upload_days=0))
    assert checked(p, abort_incomplete_upload_days=3)["rules"][0]["abort_incomplete_upload_days"] == 3


def test_referer_preview_rules() -> None:
    p = BucketRefererProvider()
    assert any("at least one domain" in f for f in failures(p, domains=[]))
    assert any("at most 10" in f for f in failures(p, domains=[f"d{i}.example.com" for i in range(11)]))
    assert any("must be one of" in f for f in failures(p, domains=["a.com"], referer_type="Grey-List"))


# -- against the emulator --------------------------------------------------------------------------
def test_cors_lifecycle_and_drift(bucket) -> None:  # type: ignore[no-untyped-def]
    p = BucketCorsProvider()
    inputs = checked(p, rules=[UPLOADS])
    created = p.create(inputs)
    assert created.id == FULL
    assert bucket.get_bucket_cors(Bucket=FULL)["CORSRule"][0]["AllowedOrigin"] == ["https://app.example.com"]
    assert p.read(FULL, created.outs).outs == created.outs  # no drift
    assert p.diff(FULL, created.outs, inputs).changes is False
    # Changed out of band: read shows it, diff wants it back in place.
    bucket.put_bucket_cors(Bucket=FULL, CORSConfiguration={"CORSRule": [
        {"AllowedOrigin": ["*"], "AllowedMethod": ["GET"]}]})
    drifted = p.read(FULL, created.outs).outs
    assert drifted["rules"][0]["allowed_origins"] == ["*"]
    diff = p.diff(FULL, drifted, inputs)
    assert diff.changes is True and not diff.replaces
    p.update(FULL, drifted, inputs)
    assert p.read(FULL, created.outs).outs == created.outs
    p.delete(FULL, created.outs)
    assert p.read(FULL, created.outs).id == ""
    p.delete(FULL, created.outs)  # already gone: fine


def test_create_refuses_foreign_configuration_unless_adopt(bucket) -> None:  # type: ignore[no-untyped-def]
    bucket.put_bucket_cors(Bucket=FULL, CORSConfiguration={"CORSRule": [{"AllowedOrigin": ["*"],
                                                                         "AllowedMethod": ["GET"]}]})
    p = BucketCorsProvider()
    with pytest.raises(ProviderError, match=r"already has CORS rules \(1 rule\(s\)\).*adopt=True"):
        p.create(checked(p, rules=[UPLOADS]))
    assert bucket.get_bucket_cors(Bucket=FULL)["CORSRule"][0]["AllowedOrigin"] == ["*"]  # untouched
    p.create(checked(p, rules=[UPLOADS], adopt=True))
    assert bucket.get_bucket_cors(Bucket=FULL)["CORSRule"][0]["ID"] == "smh-browser-uploads"
    p.create(checked(p, rules=[UPLOADS]))  # exactly the declared rules: an earlier run's, not a conflict


def test_lifecycle_round_trip(bucket) -> None:  # type: ignore[no-untyped-def]
    p = BucketLifecycleProvider()
    inputs = checked(p, rules=[{"id": "tmp", "prefix": "tmp/", "expiration_days": 1}], allow_smh_paths=True)
    created = p.create(inputs)
    rules = bucket.get_bucket_lifecycle(Bucket=FULL)["Rule"]
    assert [r["ID"] for r in rules] == [ABORT_RULE_ID, "tmp"]
    assert rules[0]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": "7"}
    assert p.read(FULL, created.outs).outs == created.outs
    news = checked(p, abort_incomplete_upload_days=2)
    assert p.diff(FULL, created.outs, news).replaces == []
    updated = p.update(FULL, created.outs, news)
    assert [r["ID"] for r in bucket.get_bucket_lifecycle(Bucket=FULL)["Rule"]] == [ABORT_RULE_ID]
    p.delete(FULL, updated.outs)
    assert p.read(FULL, updated.outs).id == ""


def test_referer_round_trip(bucket) -> None:  # type: ignore[no-untyped-def]
    p = BucketRefererProvider()
    inputs = checked(p, domains=["*.example.com"], allow_empty_referer=True)
    created = p.create(inputs)
    assert bucket.get_bucket_referer(Bucket=FULL)["EmptyReferConfiguration"] == "Allow"
    assert p.read(FULL, created.outs).outs == created.outs
    news = checked(p, domains=["*.example.com"], referer_type="Black-List")
    p.update(FULL, created.outs, news)
    assert bucket.get_bucket_referer(Bucket=FULL)["RefererType"] == "Black-List"
    p.delete(FULL, news)
    assert p.read(FULL, news).id == ""


def test_delete_leaves_a_bucket_another_stack_took_over(bucket) -> None:  # type: ignore[no-untyped-def]
    p = BucketCorsProvider()
    created = p.create(checked(p, rules=[UPLOADS], owner="proj/dev/media-cors"))
    bucket.put_bucket_tagging(Bucket=FULL, Tagging={"TagSet": {"Tag": [
        {"Key": "pulumi:owner", "Value": "proj/prod/media-bucket"}]}})
    p.delete(FULL, created.outs)  # the bucket is stack prod's now: its CORS rules are that stack's
    assert bucket.get_bucket_cors(Bucket=FULL)["CORSRule"][0]["ID"] == "smh-browser-uploads"
    bucket.put_bucket_tagging(Bucket=FULL, Tagging={"TagSet": {"Tag": [
        {"Key": "pulumi:owner", "Value": "proj/dev/media-bucket"}]}})
    p.delete(FULL, created.outs)
    assert p.read(FULL, created.outs).id == ""
