"""Pure logic: check (defaults, floats, unknowns, rules) and diff (changes, replaces, delete-first)."""

from __future__ import annotations

import pytest
from pulumi.output import Unknown

from smh_provider import config
from smh_provider.resources import BucketProvider, MediaLibraryProvider, MediaProcessingProvider
from smh_provider.resources._base import UNKNOWN, normalize

KEYS = {"tencentcloud:secretId": "AKIDx", "tencentcloud:secretKey": "k"}


@pytest.fixture(autouse=True)
def creds() -> None:
    config.set_current(config.load(KEYS, environ={}))


def failures(provider, news):  # type: ignore[no-untyped-def]
    return {f.property: f.reason for f in provider.check({}, news).failures}


BUCKET = {"bucket_name": "photos", "app_id": "1250000000", "region": "ap-guangzhou"}


@pytest.mark.parametrize(("change", "prop", "words"), [
    ({"bucket_name": "Photos"}, "bucket_name", "lowercase"),
    ({"bucket_name": "-photos"}, "bucket_name", "start"),
    ({"bucket_name": "a" * 40}, "bucket_name", "60"),
    ({"bucket_name": "photos-1250000000"}, "bucket_name", "already ends with the APPID"),
    ({"app_id": "12ab"}, "app_id", "digits"),
    ({"region": "ap-mars"}, "region", "not a Tencent Cloud COS region"),
    ({"acl": "public"}, "acl", "one of"),
    ({"tags": {"k": "bad\u0000"}}, "tags", "only letters"),
    ({"tags": {f"k{i}": "v" for i in range(51)}}, "tags", "at most 50"),
    ({"tags": {"pulumi:owner": "me"}}, "tags", "reserved"),
    ({"force_destroy": "maybe"}, "force_destroy", "true or false"),
])
def test_bucket_rules_name_the_property(change, prop, words) -> None:  # type: ignore[no-untyped-def]
    found = failures(BucketProvider(), {**BUCKET, **change})
    assert prop in found and words in found[prop]


def test_bucket_defaults_and_unknowns() -> None:
    result = BucketProvider().check({}, {**BUCKET, "region": Unknown()})
    assert result.failures == []
    assert result.inputs["acl"] == "private" and result.inputs["force_destroy"] is False


def test_unknown_property_is_refused() -> None:
    assert "colour" in failures(BucketProvider(), {**BUCKET, "colour": "red"})


def test_missing_credentials_name_config_keys_and_variables() -> None:
    config.set_current(config.load({}, environ={}))
    reason = failures(BucketProvider(), BUCKET)["tencentcloud:secretId"]
    for word in ("tencentcloud:secretId", "TENCENTCLOUD_SECRET_ID", "tencentcloud:secretKey",
                 "TENCENTCLOUD_SECRET_KEY"):
        assert word in reason


def test_bad_endpoint_is_refused() -> None:
    with pytest.raises(config.ConfigError):
        config.load({**KEYS, "smh:endpoint": "ftp://x"}, environ={})


def test_wire_floats_become_ints() -> None:
    assert normalize("int", 255.0) == 255 and isinstance(normalize("int", 255.0), int)
    with pytest.raises(ValueError):
        normalize("int", 2.5)


LIB = {"library_name": "photos"}


@pytest.mark.parametrize(("news", "prop"), [
    ({"library_name": ""}, "library_name"),
    ({"library_name": "x" * 51}, "library_name"),
    ({**LIB, "remark": "r" * 251}, "remark"),
    ({**LIB, "bucket": "b-1250000000"}, "bucket_region"),
    ({**LIB, "bucket_region": "ap-guangzhou"}, "bucket"),
    ({**LIB, "multi_tenant": True, "multi_album": True}, "multi_album"),
    ({**LIB, "multi_tenant": True, "public_read": True}, "public_read"),
    ({**LIB, "multi_tenant": True, "allow_photo": False}, "allow_photo"),
    ({**LIB, "file_library": True, "allow_video": False}, "allow_video"),  # True (the default) is accepted
    ({**LIB, "allow_file_ext": ["pdf"]}, "allow_file_ext"),
    ({**LIB, "storage_class": "GLACIER"}, "storage_class"),
    ({**LIB, "quota_bytes": 100}, "quota_bytes"),
    ({**LIB, "multi_tenant": True, "quota_bytes": 0}, "quota_bytes"),
    ({**LIB, "recycle_days": 5}, "recycle_days"),
    ({**LIB, "recycle_bin": True, "recycle_days": 2000}, "recycle_days"),
    ({**LIB, "file_history": True, "file_history_count": 0}, "file_history_count"),
    ({**LIB, "max_name_length": 300}, "max_name_length"),
])
def test_library_rules_name_the_property(news, prop) -> None:  # type: ignore[no-untyped-def]
    assert prop in failures(MediaLibraryProvider(), news)


def test_library_defaults_depend_on_kind() -> None:
    single = MediaLibraryProvider().check({}, dict(LIB)).inputs
    assert (single["allow_photo"], single["allow_video"], single["public_read"], single["multi_album"]) == (
        True, True, False, False)
    multi = MediaLibraryProvider().check({}, {**LIB, "multi_tenant": True}).inputs
    assert multi["allow_photo"] is None and multi["public_read"] is None
    assert MediaLibraryProvider().check({}, {**LIB, "recycle_bin": True}).inputs["recycle_days"] == 0


def test_library_tolerates_unknown_mode_in_preview() -> None:
    assert failures(MediaLibraryProvider(), {**LIB, "multi_tenant": UNKNOWN, "public_read": True}) == {}


def test_diff_in_place_vs_replace() -> None:
    p = MediaLibraryProvider()
    olds = p.check({}, dict(LIB)).inputs
    same = p.plan("id", olds, p.check({}, dict(LIB)).inputs)
    assert same.changes is False and same.replaces == []
    in_place = p.plan("id", olds, p.check({}, {**LIB, "public_read": True}).inputs)
    assert in_place.changes is True and in_place.replaces == []
    replaced = p.plan("id", olds, p.check({}, {**LIB, "multi_album": True}).inputs)
    assert replaced.replaces == ["multi_album"] and replaced.delete_before_replace is False
    quota_on = MediaLibraryProvider().check({}, {**LIB, "multi_tenant": True, "quota_bytes": 10}).inputs
    quota_more = {**quota_on, "quota_bytes": 20}
    assert p.plan("id", quota_on, quota_more).replaces == []
    assert "quota_bytes" in p.plan("id", quota_on, {**quota_on, "quota_bytes": None}).replaces


def test_bucket_replacement_with_same_name_deletes_first() -> None:
    p = BucketProvider()
    olds = p.check({}, dict(BUCKET)).inputs
    moved = p.plan("id", olds, p.check({}, {**BUCKET, "region": "ap-shanghai"}).inputs)
    assert moved.replaces == ["region"] and moved.delete_before_replace is True
    renamed = p.plan("id", olds, p.check({}, {**BUCKET, "bucket_name": "other"}).inputs)
    assert renamed.delete_before_replace is False
    assert p.plan("id", olds, {**olds, "acl": "public-read"}).replaces == []


def test_unknown_replace_only_input_in_preview_is_a_replace() -> None:
    p = MediaProcessingProvider()
    olds = {"bucket": "b-1250000000", "region": "ap-guangzhou"}
    d = p.plan("id", olds, {**olds, "bucket": Unknown()})
    assert d.changes is True and d.replaces == ["bucket"]


def test_a_setting_that_does_not_apply_may_keep_its_neutral_value() -> None:
    p = MediaLibraryProvider()
    multi = {"library_name": "t", "multi_tenant": True}
    same = p.check({}, {**multi, "multi_album": False, "recognize_sensitive_content": False, "allow_photo": True})
    assert same.failures == [] and same.inputs["multi_album"] is None and same.inputs["allow_photo"] is None
    assert p.plan("id", p.check({}, dict(multi)).inputs, same.inputs).changes is False
    changed = p.check({}, {**multi, "multi_album": True})
    assert [f.property for f in changed.failures] == ["multi_album"]
    files = p.check({}, {"library_name": "f", "file_library": True, "public_read": False, "allow_video": False})
    assert [f.property for f in files.failures] == ["allow_video"]


def test_plain_secret_key_warning_says_how_to_make_it_secret() -> None:
    from smh_provider.config import plain_secret_warning

    cfg = {"tencentcloud:secretKey": "k", "tencentcloud:secretId": "AKID"}
    text = plain_secret_warning(cfg, [], "dev") or ""
    assert "bin/pulumi config set --secret tencentcloud:secretKey <value> --stack dev" in text
    assert "TENCENTCLOUD_SECRET_KEY" in text
    assert plain_secret_warning(cfg, ["tencentcloud:secretKey"], "dev") is None
    assert plain_secret_warning({}, [], "dev") is None
