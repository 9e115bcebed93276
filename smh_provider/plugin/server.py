"""The `smh` provider plugin: the resource providers of smh_provider/resources served over Pulumi's ResourceProvider
gRPC protocol, so that every Pulumi language (YAML here) and `pulumi import` can use them.

The engine starts `pulumi-resource-smh <engine address>` (bin/pulumi-resource-smh, see docs/plugin.md); the
process prints the port it serves on. Each RPC calls the public methods of the provider of the resource's type,
`smh:index:<Type>` -> `<Type>Provider` (check, diff, create, read, update, delete): no resource logic lives here.
What this module adds is what the program and the dynamic provider host do around those methods for Python:

* **The ownership mark** comes from the URN (`urn:pulumi:<stack>::<project>::<type>::<name>`): Check sets
  `owner` = `<project>/<stack>/<name>`, the same mark the Python classes compute with ownership.mark(), so a
  stack keeps its marks whichever host runs it. A Group's `key` (its resource name) comes from the URN too.
* **Config** is the `smh:` namespace (smh:secretId, smh:secretKey, smh:endpoint, ...; schema.py says why), mapped
  onto smh_provider/config.py's keys; the environment variables remain the fallback.
* **Diffs** carry the properties the provider's diff named (host.note_diff) as `diffs` and a detailed diff, so a
  preview shows what the user declared and never bookkeeping (`identity`, `owner`).
* **Errors**: a ProviderError is reported as its message (its traceback too with smh:debug); a PartialFailure
  (a SpaceSet that did part of its work) becomes the protocol's ErrorResourceInitFailed, so the engine keeps
  what was created and retries the rest on the next `up`.
* **Import**: Read with only an id (`pulumi import`) goes through importers.py.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import any_pb2, empty_pb2
from google.rpc import status_pb2
from pulumi.runtime.proto import engine_pb2_grpc, plugin_pb2, provider_pb2, provider_pb2_grpc
from pulumi.runtime.settings import Settings, configure

from smh_provider import config, host, ownership
from smh_provider import resources as _resources
from smh_provider.host_batch import PartialFailure
from smh_provider.plugin import importers, schema, wire
from smh_provider.resources import _permissions
from smh_provider.resources._base import BaseProvider, is_unknown

Handler = Callable[[Any, Any, grpc.ServicerContext], Any]
_UNSAFE = getattr(ownership, "_UNSAFE", re.compile(r"[^\w+\-=.:/]"))
_MAX_MARK = getattr(ownership, "MAX_MARK", 250)
# Outputs the schema marks secret, per type: they go back wrapped as secrets.
SECRET_OUTPUTS = {"MediaLibrary": frozenset({"library_secret"})}
_providers: dict[str, BaseProvider] = {}
_providers_lock = threading.Lock()
_outputs: dict[str, list[str]] = {}
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the wire's unknown value (pulumi.runtime.rpc.UNKNOWN)


def output_names(type_name: str) -> list[str]:
    """The output properties the schema declares for `type_name`."""
    if not _outputs:
        spec = json.loads(schema.load())
        _outputs.update({token.rpartition(":")[2]: list(res["properties"]) for token, res in spec["resources"].items()})
    return _outputs.get(type_name, [])


def provider_for(type_name: str) -> BaseProvider:
    """The one provider instance of this process for resource type `type_name` (e.g. "MediaLibrary")."""
    with _providers_lock:
        if type_name not in _providers:
            cls = getattr(_resources, f"{type_name}Provider", None)
            if not (isinstance(cls, type) and issubclass(cls, BaseProvider)):
                served = (schema.token(n[:-8]) for n in _resources.__all__ if n.endswith("Provider"))
                raise ValueError(f"unknown resource type {schema.token(type_name)}: this plugin serves "
                                 + ", ".join(served))
            _providers[type_name] = cls()
        return _providers[type_name]


def parse_urn(urn: str) -> tuple[str, str, str, str]:
    """(stack, project, type name, resource name) of `urn:pulumi:<stack>::<project>::<parent$type>::<name>`."""
    parts = urn.split("::")
    if len(parts) < 4 or not parts[0].startswith("urn:pulumi:"):
        raise ValueError(f"not a resource URN: {urn!r}")
    token = parts[2].rsplit("$", 1)[-1]
    pkg, _, type_name = token.rpartition(":")
    if not pkg.startswith(f"{schema.PACKAGE}:"):
        raise ValueError(f"resource type {token!r} is not of package {schema.PACKAGE!r}")
    return parts[0].removeprefix("urn:pulumi:"), parts[1], type_name, "::".join(parts[3:])


def mark_of(urn: str) -> str:
    """The ownership mark of the resource `urn`: what ownership.mark() computes in a Python program."""
    hook = getattr(ownership, "mark_of", None)  # the lead's ownership rework may provide it
    stack, project, _, name = parse_urn(urn)
    if callable(hook):
        return str(hook(project, stack, name))
    return _UNSAFE.sub("-", f"{project}/{stack}/{name}")[:_MAX_MARK]


def _role_table_inputs(news: dict[str, Any]) -> dict[str, Any]:
    """RoleTable's permissions in the form its class gives them to the provider (sorted, comma-separated)."""
    roles = news.get("roles")
    if isinstance(roles, dict) and not any(is_unknown(v) for v in roles.values()):
        try:
            return {**news, "roles": {str(k): _permissions.canonical_permissions(v) for k, v in roles.items()}}
        except (TypeError, ValueError):
            pass  # the provider's check names what is wrong
    return news


# What a Python Resource class does to its arguments before its provider sees them, by provider class.
CLASS_INPUTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"RoleTableProvider": _role_table_inputs}


def from_urn(provider: BaseProvider, urn: str, news: dict[str, Any]) -> dict[str, Any]:
    """The inputs with what the URN says: the ownership mark, and a Group's key (its resource name).

    A whole number given for a string property becomes its digits: YAML config reads `appId: 1250000000` as a
    number although the program declares it a string (a Python program calls str() itself).
    """
    names = {p.name for p in provider.props}
    out = dict(news)
    for prop in provider.props:
        value = out.get(prop.name)
        if prop.kind == "str" and isinstance(value, (int, float)) and not isinstance(value, bool) \
                and float(value).is_integer():
            out[prop.name] = str(int(value))
    hook = CLASS_INPUTS.get(type(provider).__name__)
    if hook is not None:
        out = hook(out)
    if "owner" in names:
        out["owner"] = mark_of(urn)
    if "key" in names and not out.get("key"):
        out["key"] = parse_urn(urn)[3]
    return out


def _take_diff() -> tuple[list[str], list[str], dict[str, int] | None] | None:
    local = getattr(host, "_local", None)
    named = getattr(local, "diff", None)
    if local is not None:
        local.diff = None
    return named


def _long_values() -> set[str]:
    return set(getattr(getattr(host, "_local", None), "long_values", ()) or ())


def in_plugin_words(text: str) -> str:
    """A message of smh_provider/config.py in this plugin's terms: its config keys are `smh:<name>`, never
    `tencentcloud:<name>` (the engine gives a provider only its own package's config)."""
    for full, _env in config.KEYS.values():
        if not full.startswith(f"{schema.PACKAGE}:"):
            text = text.replace(full, f"{schema.PACKAGE}:{full.split(':', 1)[1]}")
    return text


def _abort(context: grpc.ServicerContext, err: BaseException) -> None:
    context.abort(grpc.StatusCode.UNKNOWN, in_plugin_words(host.error_text(err, traceback.format_exc())))


def rpc(fn: Handler) -> Handler:
    """Report a failure of handler `fn` to the engine: a PartialFailure as ErrorResourceInitFailed, any other
    error as its message (host.error_text: the traceback only for a bug or with smh:debug)."""

    @functools.wraps(fn)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return fn(self, request, context)
        except PartialFailure as err:
            type_name = parse_urn(request.urn)[2]
            detail = any_pb2.Any()
            detail.Pack(provider_pb2.ErrorResourceInitFailed(
                id=err.id, properties=wire.to_struct(err.outs, SECRET_OUTPUTS.get(type_name, frozenset())),
                reasons=err.reasons))
            # The engine reads the details only from a status whose code matches the abort's.
            status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=str(err), details=[detail])
            context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
            _abort(context, err)
        except Exception as err:  # noqa: BLE001 - every error goes back to the engine, none kills the server
            _abort(context, err)

    return wrapper


def config_inputs(args: dict[str, Any], variables: dict[str, str] | None = None) -> dict[str, Any]:
    """smh_provider/config.py's raw config (full keys, e.g. tencentcloud:secretId) from the provider's config
    (`smh:` keys: args by their short name, variables by `smh:<name>`)."""
    raw: dict[str, Any] = {}
    for full, _env in config.KEYS.values():
        short = full.split(":", 1)[1]
        value = args.get(short)
        if value in (None, "") and variables:
            value = variables.get(f"{schema.PACKAGE}:{short}")
        if value not in (None, ""):
            raw[full] = value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) \
                else str(value)
    return raw


class SmhProvider(provider_pb2_grpc.ResourceProviderServicer):
    """The ResourceProvider service of package `smh`."""

    # -- plugin and provider configuration ---------------------------------------------------------------
    def GetPluginInfo(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 - gRPC names
        return plugin_pb2.PluginInfo(version=schema.VERSION)

    def GetSchema(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        return provider_pb2.GetSchemaResponse(schema=schema.load())

    @rpc
    def CheckConfig(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        news, secrets = wire.to_dict(request.news, keep_unknowns=True)
        failures = []
        try:
            config.load(config_inputs(news))
        except config.ConfigError as err:
            key = next((f"{full.split(':', 1)[1]}" for full, _ in config.KEYS.values() if str(err).startswith(full)),
                       "")
            failures.append(provider_pb2.CheckFailure(property=key, reason=in_plugin_words(str(err))))
        # Secret config keys stay secret even when set in plain text.
        secret_keys = {n for n, (_, secret) in schema.CONFIG_TYPES.items() if secret}
        return provider_pb2.CheckResponse(inputs=wire.to_struct(news, secrets | (secret_keys & set(news))),
                                          failures=failures)

    @rpc
    def DiffConfig(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        olds, _ = wire.to_dict(request.olds, keep_unknowns=True)
        news, _ = wire.to_dict(request.news, keep_unknowns=True)
        changed = sorted(k for k in set(olds) | set(news) if k != "version" and olds.get(k) != news.get(k))
        kinds = provider_pb2.PropertyDiff
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=changed, detailedDiff={k: kinds(kind=kinds.UPDATE) for k in changed}, hasDetailedDiff=True)

    @rpc
    def Configure(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        args, _ = wire.to_dict(request.args)
        raw = config_inputs(args, dict(request.variables))
        try:
            config.set_current(config.load(raw))
        except config.ConfigError as err:  # reported by every Check, naming the key, as in the dynamic host
            config.set_current(config.Settings())
            config.set_config_error(str(err))
        return provider_pb2.ConfigureResponse(acceptSecrets=True, supportsPreview=True, acceptResources=False)

    # -- resources ----------------------------------------------------------------------------------------------
    @rpc
    def Check(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        type_name = parse_urn(request.urn)[2]
        provider = provider_for(type_name)
        olds, _ = wire.to_dict(request.olds, keep_unknowns=True)
        news, secrets = wire.to_dict(request.news, keep_unknowns=True)
        result = provider.check(olds, from_urn(provider, request.urn, news))
        long_values = _long_values()
        failures = [provider_pb2.CheckFailure(property="" if f.property in long_values else in_plugin_words(f.property),
                                              reason=in_plugin_words(f.reason)) for f in result.failures or []]
        return provider_pb2.CheckResponse(inputs=wire.to_struct(dict(result.inputs or {}), secrets),
                                          failures=failures)

    @rpc
    def Diff(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        provider = provider_for(parse_urn(request.urn)[2])
        olds, _ = wire.to_dict(request.olds, keep_unknowns=True)
        news, _ = wire.to_dict(request.news, keep_unknowns=True)
        if any(p.name == "owner" for p in provider.props) and not news.get("owner"):
            # A refresh diffs the refreshed outputs against the state's inputs: after `pulumi import` those are
            # the import's (unchecked, so without the mark) until the next `up` stores the checked ones.
            news["owner"] = mark_of(request.urn)
        _take_diff()
        result = provider.diff(request.id, olds, news)
        named = _take_diff()
        fields: dict[str, Any] = {
            "changes": (provider_pb2.DiffResponse.DIFF_UNKNOWN if result.changes is None else
                        provider_pb2.DiffResponse.DIFF_SOME if result.changes else provider_pb2.DiffResponse.DIFF_NONE),
            "replaces": list(result.replaces or []),
            "deleteBeforeReplace": bool(result.delete_before_replace),
        }
        if named is not None:
            changed, replaces, paths = named
            kinds = provider_pb2.PropertyDiff
            fields["diffs"] = list(changed)
            fields["detailedDiff"] = ({p: kinds(kind=k) for p, k in paths.items()} if paths is not None else
                                      {n: kinds(kind=kinds.UPDATE_REPLACE if n in replaces else kinds.UPDATE)
                                       for n in changed})
            fields["hasDetailedDiff"] = True
        return provider_pb2.DiffResponse(**fields)

    @rpc
    def Create(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        type_name = parse_urn(request.urn)[2]
        if request.preview:  # what a create will report: the checked inputs, every other output unknown
            news, secrets = wire.to_dict(request.properties, keep_unknowns=True)
            outs = {name: UNKNOWN for name in output_names(type_name)} | news
            return provider_pb2.CreateResponse(properties=wire.to_struct(outs, self._secrets(type_name, secrets)))
        props, secrets = wire.to_dict(request.properties)
        result = provider_for(type_name).create(props)
        outs = dict(result.outs or {})
        return provider_pb2.CreateResponse(id=result.id, properties=wire.to_struct(outs, self._secrets(type_name,
                                                                                                     secrets)))

    @rpc
    def Read(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        type_name = parse_urn(request.urn)[2]
        provider = provider_for(type_name)
        props, secrets = wire.to_dict(request.properties)
        if not props:  # `pulumi import` (or a `get`): only the id is known
            found = importers.read_by_id(type_name, provider, request.id, mark_of(request.urn))
            if found is None:
                return provider_pb2.ReadResponse(id="")
            id_, outs, inputs = found
            return provider_pb2.ReadResponse(id=id_, properties=wire.to_struct(outs, self._secrets(type_name)),
                                             inputs=wire.to_struct(inputs))
        result = provider.read(request.id, props)
        if not result.id:
            return provider_pb2.ReadResponse(id="")
        outs = importers.after_read(props, dict(result.outs or {}))
        return provider_pb2.ReadResponse(id=result.id, properties=wire.to_struct(outs, self._secrets(type_name,
                                                                                                   secrets)))

    @rpc
    def Update(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        type_name = parse_urn(request.urn)[2]
        if request.preview:
            # What an update will report: the old outputs (ids, ...) with the new inputs. Without this the engine
            # would take the inputs alone, every id of the resource would turn unknown, and a dependent that names
            # it by a replace-only property (a space's library_id) would preview as replaced while `up` keeps it.
            olds, old_secrets = wire.to_dict(request.olds, keep_unknowns=True)
            news, secrets = wire.to_dict(request.news, keep_unknowns=True)
            return provider_pb2.UpdateResponse(properties=wire.to_struct(
                {**olds, **news}, self._secrets(type_name, (old_secrets - set(news)) | secrets)))
        olds, _ = wire.to_dict(request.olds)
        news, secrets = wire.to_dict(request.news)
        result = provider_for(type_name).update(request.id, importers.before_update(olds), news)
        return provider_pb2.UpdateResponse(properties=wire.to_struct(dict(result.outs or {}),
                                                                     self._secrets(type_name, secrets)))

    @rpc
    def Delete(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        props, _ = wire.to_dict(request.properties)
        provider_for(parse_urn(request.urn)[2]).delete(request.id, props)
        return empty_pb2.Empty()

    def Cancel(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802
        return empty_pb2.Empty()

    @staticmethod
    def _secrets(type_name: str, inputs: set[str] | None = None) -> set[str]:
        return set(inputs or ()) | set(SECRET_OUTPUTS.get(type_name, ()))


def serve(engine_address: str | None) -> None:
    """Serve until the engine closes the plugin; prints the port first, as the engine expects."""
    configure(Settings(project=None, stack=None, engine=engine_address))  # pulumi.log -> the engine
    engine_list = getattr(host, "_engine", None)
    if engine_address and isinstance(engine_list, list) and not engine_list:
        # host.log (progress lines of long operations) talks to this engine, as in the dynamic host
        engine_list.append(engine_pb2_grpc.EngineStub(grpc.insecure_channel(engine_address)))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                         options=[("grpc.max_receive_message_length", 400 * 1024 * 1024),
                                  ("grpc.max_send_message_length", 400 * 1024 * 1024)])
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(SmhProvider(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    server.wait_for_termination()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    engine = next((a for a in args if not a.startswith("-")), None)
    serve(engine)
    return 0
