"""The policy pack's rules as plain functions (policy/smh_rules.py); the engine wiring is tests/e2e/test_policy.py."""

from __future__ import annotations

from policy import smh_rules as r

LIB_URN = "urn:pulumi:prod::smh-media::pulumi-python:dynamic/smh:MediaLibrary::media-library"


def bucket(urn: str = "urn:b", name: str | object = "photos-1250000000") -> r.Res:
    return r.Res(r.BUCKET, urn, {"bucket_name": "photos", "bucket": name})


def test_stack_of_urn() -> None:
    assert r.stack_of(LIB_URN) == "prod"
    assert r.stack_of("not-a-urn") == ""


def test_bucket_private() -> None:
    assert r.bucket_private({"acl": "private"}) is None
    assert r.bucket_private({"acl": r.UNKNOWN}) is None
    message = r.bucket_private({"bucket_name": "photos", "acl": "public-read-write"})
    assert message and message.startswith("bucket-private:") and "'public-read-write'" in message


def test_public_read_needs_allow_listed_stack() -> None:
    props = {"public_read": True}
    assert r.public_read("space", "space-alice", {"public_read": False}, "dev", []) is None
    assert r.public_read("space", "space-alice", props, "tenants", ["tenants"]) is None
    message = r.public_read("space", "space-alice", props, "dev", ["tenants"])
    assert message and message.startswith("public-read-allow-list:") and "'dev'" in message


def test_public_read_of_a_space_set_entry_is_checked_like_a_space() -> None:
    props = {"spaces": {"alice": {"public_read": True}, "bob": {}, "carol": {"public_read": False}}}
    assert r.space_set_public_read("spaces", props, "tenants", ["tenants"]) == []
    messages = r.space_set_public_read("spaces", props, "dev", ["tenants"])
    assert len(messages) == 1 and 'spaces.spaces["alice"]' in messages[0]
    assert r.space_set_public_read("spaces", {"spaces": r.UNKNOWN}, "dev", []) == []


def test_library_name_pattern() -> None:
    assert r.library_name({"library_name": "family-albums"}, r.DEFAULT_LIBRARY_NAME_PATTERN) is None
    assert r.library_name({"library_name": r.UNKNOWN}, r.DEFAULT_LIBRARY_NAME_PATTERN) is None
    for bad in ("Photos", "p", "photos-", "my photos"):
        message = r.library_name({"library_name": bad}, r.DEFAULT_LIBRARY_NAME_PATTERN)
        assert message and message.startswith("library-name-pattern:"), bad
    assert r.library_name({"library_name": "team-x"}, r"^team-.+$") is None


def test_production_recycle_bin() -> None:
    assert r.production_recycle_bin({"recycle_bin": False}, "dev", ["prod"]) is None
    assert r.production_recycle_bin({"recycle_bin": True}, "prod", ["prod"]) is None
    message = r.production_recycle_bin({"library_name": "photos", "recycle_bin": False}, "prod", ["prod"])
    assert message and message.startswith("production-recycle-bin:")


def test_media_processing_matched_by_name_or_by_bucket_resource() -> None:
    lib_known = r.Res(r.MEDIA_LIBRARY, LIB_URN, {"library_name": "photos", "bucket": "photos-1250000000"})
    mp_known = r.Res(r.MEDIA_PROCESSING, "urn:mp", {"bucket": "photos-1250000000"})
    assert r.media_processing_missing([bucket(), lib_known, mp_known]) == []

    # First preview: the bucket's full name is an output still to come; both take it from the Bucket resource.
    lib = r.Res(r.MEDIA_LIBRARY, LIB_URN, {"library_name": "photos", "bucket": r.UNKNOWN}, {"bucket": ["urn:b"]})
    mp = r.Res(r.MEDIA_PROCESSING, "urn:mp", {"bucket": r.UNKNOWN}, {"bucket": ["urn:b"]})
    assert r.media_processing_missing([bucket(name=r.UNKNOWN), lib, mp]) == []

    other = r.Res(r.MEDIA_PROCESSING, "urn:mp2", {"bucket": "other-1250000000"})
    [(urn, message)] = r.media_processing_missing([bucket(), lib_known, other])
    assert urn == LIB_URN
    assert message.startswith("media-library-media-processing:") and "'photos-1250000000'" in message


def test_file_libraries_need_no_media_processing() -> None:
    lib = r.Res(r.MEDIA_LIBRARY, LIB_URN, {"library_name": "docs", "bucket": "docs-1250000000", "file_library": True})
    assert r.media_processing_missing([lib]) == []


def test_cors_no_wildcard_origin() -> None:
    exact = {"bucket": "web-1250000000", "rules": [{"id": "up", "allowed_origins": ["https://app.example.com"]}]}
    assert r.cors_wildcard_origins(exact) == []
    assert r.cors_wildcard_origins({"rules": r.UNKNOWN}) == []
    anyone = {"bucket": "web-1250000000", "rules": [exact["rules"][0], {"allowed_origins": ["*"]},
                                                    {"id": "sub", "allowed_origins": ["https://*.example.com"]}]}
    messages = r.cors_wildcard_origins(anyone)
    assert len(messages) == 2 and all(m.startswith("cors-no-wildcard-origin:") for m in messages)
    assert "rule 1" in messages[0] and "any web page" in messages[0]
    assert "rule 2 (sub)" in messages[1] and "every origin the pattern matches" in messages[1]
