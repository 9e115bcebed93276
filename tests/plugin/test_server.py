"""The plugin's gRPC service, called over a real gRPC channel in this process (no engine, no cloud calls): what it
adds around the resource providers. The full path through the engine is tests/e2e/test_plugin_*.py."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from google.rpc import status_pb2
from pulumi.dynamic import CreateResult
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from smh_provider import config
from smh_provider.host_batch import PartialFailure
from smh_provider.plugin import schema, server, wire

URN = "urn:pulumi:{stack}::{project}::{type}::{name}"
LIB_URN = URN.format(stack="dev", project="media", type="smh:index:MediaLibrary", name="photos")
CREDENTIALS = {"secretId": "AKIDTEST", "secretKey": "secret-key", "endpoint": "http://127.0.0.1:1"}


@pytest.fixture(autouse=True)
def _restore_config() -> Iterator[None]:
    """Configure sets this process's provider config: put it back after each test (xdist may run tests of other
    modules in this process between two of these)."""
    saved, error = config.current(), config.config_error()
    yield
    config.set_current(saved)
    config.set_config_error(error)


@pytest.fixture(scope="module")
def stub() -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(server.SmhProvider(), grpc_server)
    port = grpc_server.add_insecure_port("127.0.0.1:0")
    grpc_server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield provider_pb2_grpc.ResourceProviderStub(channel)
    channel.close()
    grpc_server.stop(0)


def configure(stub: provider_pb2_grpc.ResourceProviderStub, **args: Any) -> Any:
    return stub.Configure(provider_pb2.ConfigureRequest(args=wire.to_struct(args, {"secretKey"}), acceptSecrets=True))


def props(struct: struct_pb2.Struct) -> dict[str, Any]:
    return wire.to_dict(struct, keep_unknowns=True)[0]


def test_plugin_info_and_schema(stub: provider_pb2_grpc.ResourceProviderStub) -> None:
    assert stub.GetPluginInfo(empty_pb2.Empty()).version == schema.VERSION
    assert stub.GetSchema(provider_pb2.GetSchemaRequest()).schema == schema.load()


def test_configure_maps_the_smh_keys_and_unwraps_secrets(stub: provider_pb2_grpc.ResourceProviderStub) -> None:
    resp = configure(stub, **CREDENTIALS, region="ap-shanghai")
    assert resp.acceptSecrets and resp.supportsPreview
    now = config.current()
    assert (now.secret_id, now.secret_key, now.region, now.endpoint) == (
        "AKIDTEST", "secret-key", "ap-shanghai", "http://127.0.0.1:1")


def test_check_config_names_the_bad_key(stub: provider_pb2_grpc.ResourceProviderStub) -> None:
    resp = stub.CheckConfig(provider_pb2.CheckRequest(urn="urn:pulumi:dev::media::pulumi:providers:smh::default",
                                                      news=wire.to_struct({"endpoint": "https://x"})))
    assert [(f.property, f.reason.split(" must")[0]) for f in resp.failures] == [("endpoint", "smh:endpoint / "
                                                                                              "SMH_ENDPOINT")]
    # a secret config key stays a secret even when given in plain text
    resp = stub.CheckConfig(provider_pb2.CheckRequest(urn="urn:pulumi:dev::media::pulumi:providers:smh::default",
                                                      news=wire.to_struct({"secretKey": "plain"})))
    assert wire.to_dict(resp.inputs)[1] == {"secretKey"}


def test_check_takes_the_mark_from_the_urn(stub: provider_pb2_grpc.ResourceProviderStub) -> None:
    configure(stub, **CREDENTIALS)
    resp = stub.Check(provider_pb2.CheckRequest(urn=LIB_URN, news=wire.to_struct({"library_name": "photos"})))
    assert not resp.failures
    checked = props(resp.inputs)
    assert checked["owner"] == "media/dev/photos"
    assert checked["allow_photo"] is True  # the provider's own check resolved the single-tenant defaults
    # a mark the program tries to set is replaced by the URN's
    resp = stub.Check(provider_pb2.CheckRequest(urn=LIB_URN, news=wire.to_struct({"library_name": "photos",
                                                                                   "owner": "x/y/z"})))
    assert props(resp.inputs)["owner"] == "media/dev/photos"


def test_check_failures_name_property_and_rule(stub: provider_pb2_grpc.ResourceProviderStub) -> None:
    configure(stub, **CREDENTIALS)
    resp = stub.Check(provider_pb2.CheckRequest(urn=LIB_URN, news=wire.to_struct({"library_name": "",
                                                                                   "colour": "red"})))
    found = {(f.property, f.reason) for f in resp.failures}
    assert ("colour", "unknown property for MediaLibrary") in found
    assert any(p == "library_name" and "library_name" in r for p, r in found), found


def test_missing_credentials_are_named_by_the_plugin_keys(stub: provider_pb2_grpc.ResourceProviderStub,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for _key, env in config.KEYS.values():
        monkeypatch.delenv(env, raising=False)
    configure(stub)
    resp = stub.Check(provider_pb2.CheckRequest(urn=LIB_URN, news=wire.to_struct({"library_name": "photos"})))
    assert [f.property for f in resp.failures] == ["smh:secretId"]
    assert "'smh:secretId'" in resp.failures[0].reason and "tencentcloud:" not in resp.failures[0].reason


def test_a_whole_number_for_a_string_property_is_its_digits(stub: provider_pb2_grpc.ResourceProviderStub) -> None:
    configure(stub, **CREDENTIALS)
    urn = URN.format(stack="dev", project="media", type="smh:index:Bucket", name="media-bucket")
    resp = stub.Check(provider_pb2.CheckRequest(urn=urn, news=wire.to_struct(
        {"bucket_name": "photos", "app_id": 1250000000, "region": "ap-guangzhou"})))
    assert not resp.failures, resp.failures
    assert props(resp.inputs)["app_id"] == "1250000000"


def test_diff_names_only_declared_properties(stub: provider_pb2_grpc.ResourceProviderStub, emulator: Any) -> None:
    # (a replacement reads the old library first: preflight.py; the emulator answers that it does not exist)
    configure(stub, **{**CREDENTIALS, "secretId": DEFAULT_SECRET_ID, "secretKey": DEFAULT_SECRET_KEY,
                       "endpoint": emulator.url})
    olds = props(stub.Check(provider_pb2.CheckRequest(urn=LIB_URN, news=wire.to_struct(
        {"library_name": "photos", "bucket": "a-1250000000", "bucket_region": "ap-guangzhou"}))).inputs)
    news = {**olds, "library_name": "pictures", "owner": "media/dev/other"}
    resp = stub.Diff(provider_pb2.DiffRequest(id="smh1", urn=LIB_URN, olds=wire.to_struct(olds),
                                              news=wire.to_struct(news)))
    assert resp.changes == provider_pb2.DiffResponse.DIFF_SOME and resp.hasDetailedDiff
    assert list(resp.diffs) == ["library_name"]  # the mark changed too, but it is bookkeeping
    assert resp.detailedDiff["library_name"].kind == provider_pb2.PropertyDiff.UPDATE
    news = {**olds, "bucket": "b-1250000000"}
    resp = stub.Diff(provider_pb2.DiffRequest(id="smh1", urn=LIB_URN, olds=wire.to_struct(olds),
                                              news=wire.to_struct(news)))
    assert list(resp.replaces) == ["bucket"]
    assert resp.detailedDiff["bucket"].kind == provider_pb2.PropertyDiff.UPDATE_REPLACE


def test_unknown_type_is_an_error(stub: provider_pb2_grpc.ResourceProviderStub) -> None:
    urn = URN.format(stack="dev", project="media", type="smh:index:Nothing", name="x")
    with pytest.raises(grpc.RpcError) as err:
        stub.Check(provider_pb2.CheckRequest(urn=urn, news=wire.to_struct({})))
    assert "unknown resource type smh:index:Nothing" in err.value.details()


class _Partial:
    props = ()

    def create(self, _props: dict[str, Any]) -> CreateResult:
        raise PartialFailure("set-1", {"spaces": {"a": {"space_id": "s1"}}}, ["b: refused"], "creating 2 spaces")


def test_partial_failure_is_error_resource_init_failed(stub: provider_pb2_grpc.ResourceProviderStub,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(server._providers, "SpaceSet", _Partial())
    urn = URN.format(stack="dev", project="media", type="smh:index:SpaceSet", name="spaces")
    with pytest.raises(grpc.RpcError) as err:
        stub.Create(provider_pb2.CreateRequest(urn=urn, properties=wire.to_struct({"library_id": "l"})))
    assert err.value.code() == grpc.StatusCode.UNKNOWN
    assert err.value.details().startswith("creating 2 spaces")
    raw = dict(err.value.trailing_metadata())["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(raw)
    assert status.code == grpc.StatusCode.UNKNOWN.value[0]
    failed = provider_pb2.ErrorResourceInitFailed()
    assert status.details[0].Unpack(failed)
    assert failed.id == "set-1" and list(failed.reasons) == ["b: refused"]
    assert props(failed.properties) == {"spaces": {"a": {"space_id": "s1"}}}


def test_mark_of_urn_matches_ownership_mark() -> None:
    urn = URN.format(stack="dev", project="my proj", type="parent$smh:index:Space", name="space alice")
    assert server.mark_of(urn) == "my-proj/dev/space-alice"
    assert server.parse_urn(urn)[2] == "Space"


def test_role_permissions_are_canonical_as_the_class_makes_them(stub: provider_pb2_grpc.ResourceProviderStub) -> None:
    configure(stub, **CREDENTIALS)
    urn = URN.format(stack="dev", project="media", type="smh:index:RoleTable", name="roles")
    resp = stub.Check(provider_pb2.CheckRequest(urn=urn, news=wire.to_struct(
        {"library_id": "smh1", "roles": {"viewer": "view,download,view"}})))
    assert not resp.failures, resp.failures
    assert props(resp.inputs)["roles"] == {"viewer": "download,view"}
