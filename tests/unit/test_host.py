"""What the dynamic-provider server reports: a provider error as its message, a bug with its traceback, and
diffs that name only what the user declared."""

from __future__ import annotations

import sys
import traceback
import types

import pytest
from pulumi.runtime import proto

from smh_provider import config, host
from smh_provider.errors import CloudError, ProviderError
from smh_provider.resources import BucketProvider, MediaLibraryProvider, SpaceProvider
from tests.unit.test_host_contract import load_server

BUCKET = {"bucket_name": "photos", "app_id": "1250000000", "region": "ap-guangzhou", "acl": "private", "tags": {},
          "force_destroy": False, "adopt": False}


@pytest.fixture(autouse=True)
def settings() -> None:
    config.set_current(config.load({}, environ={}))
    yield
    config.set_current(config.Settings())


def reported(err: BaseException) -> str:
    """What the server's `_abort_with_traceback` sends for `err`, through the installed traceback."""
    try:
        raise err
    except BaseException:  # noqa: BLE001
        return host._Traceback().format_exc()


def test_provider_error_is_its_message_alone() -> None:
    err = CloudError("InvalidParameterValue.BucketNotFound", "no bucket", "rid-9", 200, "creating media library 'p'")
    text = reported(err)
    assert text == "creating media library 'p' (RequestId rid-9): InvalidParameterValue.BucketNotFound: no bucket"
    assert "Traceback" not in text


def test_a_bug_keeps_its_traceback() -> None:
    text = reported(KeyError("library_id"))
    assert text.startswith("Traceback (most recent call last)") and "KeyError: 'library_id'" in text


def test_debug_switch_shows_the_traceback_of_a_provider_error() -> None:
    config.set_current(config.load({"smh:debug": "true"}, environ={}))
    assert "Traceback (most recent call last)" in reported(ProviderError("deleting bucket b: it still holds objects"))
    assert config.load({}, environ={"SMH_DEBUG": "1"}).debug is True
    with pytest.raises(config.ConfigError, match="smh:debug"):
        config.load({"smh:debug": "maybe"}, environ={})


def test_install_adapts_only_the_dynamic_provider_server(monkeypatch: pytest.MonkeyPatch) -> None:
    server = load_server()  # the real pulumi/dynamic/__main__.py, without its main()
    monkeypatch.setitem(sys.modules, "__main__", server)
    monkeypatch.setattr(host, "_problems", [])
    host.install()
    host.install()  # twice: still one layer
    assert isinstance(server.traceback, host._Traceback) and isinstance(server.proto, host._Proto)
    assert not isinstance(server.proto._proto, host._Proto)
    plain = types.ModuleType("__main__")
    plain.traceback = traceback
    monkeypatch.setitem(sys.modules, "__main__", plain)
    host.install()
    assert plain.traceback is traceback


def diff_response(provider, olds, news):  # type: ignore[no-untyped-def]
    result = provider.plan("id-1", olds, news)  # the schema diff; diff also runs the replacement preflight
    shim = host._Proto(proto)
    response = shim.DiffResponse(changes=shim.DiffResponse.DIFF_SOME if result.changes else
                                 shim.DiffResponse.DIFF_NONE, replaces=result.replaces or [])
    return result, response


def test_bookkeeping_never_shows_as_a_changed_property() -> None:
    olds = {**BUCKET, "owner": "proj/old/bucket"}
    result, response = diff_response(BucketProvider(), olds, {**olds, "owner": "proj/new/bucket", "acl": "public-read"})
    assert result.changes and list(response.diffs) == ["acl"]
    assert dict(response.detailedDiff)["acl"].kind == proto.PropertyDiff.UPDATE and response.hasDetailedDiff
    only_mark, response = diff_response(BucketProvider(), olds, {**olds, "owner": "proj/new/bucket"})
    assert only_mark.changes and list(response.diffs) == [] and response.hasDetailedDiff


def test_identity_is_never_named_and_a_replacement_says_so() -> None:
    lib = {"library_name": "p", "multi_album": False, "identity": "aaa", "owner": "proj/s/lib"}
    result, response = diff_response(MediaLibraryProvider(), lib, {**lib, "multi_album": True, "identity": "bbb"})
    assert result.replaces == ["multi_album"] and list(response.diffs) == ["multi_album"]
    assert dict(response.detailedDiff)["multi_album"].kind == proto.PropertyDiff.UPDATE_REPLACE


@pytest.mark.parametrize(("provider", "old", "new", "replaced"), [
    (MediaLibraryProvider, None, 10, True),   # a library quota is enabled only at creation
    (MediaLibraryProvider, 10, None, True),
    (MediaLibraryProvider, 10, 20, False),
    (SpaceProvider, None, 10, False),         # a space gets a first quota in place
    (SpaceProvider, 10, None, True),          # ... but the data plane cannot remove one
    (SpaceProvider, 10, 20, False),
])
def test_quota_replace_rules_come_from_the_schema(provider, old, new, replaced) -> None:  # type: ignore[no-untyped-def]
    result = provider().plan("id-1", {"quota_bytes": old}, {"quota_bytes": new})
    assert result.changes and (result.replaces == ["quota_bytes"]) is replaced


def test_identity_follows_the_quota_presence_rule() -> None:
    p = MediaLibraryProvider()
    base = {"library_name": "p", "multi_tenant": True, "owner": "o"}
    assert p.identity({**base, "quota_bytes": 5}) == p.identity({**base, "quota_bytes": 9})
    assert p.identity({**base, "quota_bytes": 5}) != p.identity({**base, "quota_bytes": None})


def test_a_long_value_is_not_repeated_by_the_engine() -> None:
    result = MediaLibraryProvider().check({}, {"library_name": "n" * 5000})
    assert [f.property for f in result.failures] == ["library_name"]  # the provider still names it
    shim = host._Proto(proto)
    sent = [shim.CheckFailure(property=f.property, reason=f.reason) for f in result.failures]
    assert [f.property for f in sent] == [""] and "library_name must be 1 to 50" in sent[0].reason
    result = MediaLibraryProvider().check({}, {"library_name": ""})
    assert [shim.CheckFailure(property=f.property, reason=f.reason).property for f in result.failures] == [
        "library_name"]
