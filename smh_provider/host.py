"""The provider process's side of the engine: how errors, diffs and progress messages reach the user.

Pulumi runs a dynamic provider in its own process (`python -m pulumi.dynamic <engine address>`), a gRPC
server whose handlers call our provider's methods. That server is fixed code of the pulumi package, and
three things it does not do for a dynamic provider, this module adds from inside the process, once, when
the first provider is configured (`install`):

* **Errors.** The server reports any exception with `traceback.format_exc()`: for a deliberate error of
  this provider (`errors.ProviderError`, which already says what was being done, the Tencent code, request
  id and what to check) that is ~30 lines of Python frames around one good line. `install` gives the
  server's module a `traceback` whose `format_exc` returns just the message for a ProviderError, and the
  full traceback for anything else (a genuine bug) or when `smh:debug` / SMH_DEBUG is true.
* **Check failures.** The engine prints a failing property's value whole ("property x value {...} has a
  problem"); a failure about a long value (`note_long_values`) is sent without its property, so the
  message (which names the property itself) stays readable.
* **Diffs.** A dynamic provider's DiffResult has no list of changed properties, so the engine shows every
  input that differs, bookkeeping included (the `identity` digest, the `owner` mark). `install` makes the
  server's DiffResponse carry the properties our `diff` named (`diffs` and a detailed diff), so previews
  show only what the user declared.
* **Progress.** `log()` sends a message to the engine (the address the plugin was started with) for the
  resource of the running RPC (its URN, read from the server's request), so it shows on that resource's
  line; without an engine (unit tests) it falls back to `pulumi.log`.

Each hook is checked against the server's shape first (host_contract.server_problems). When a pulumi version
changes that shape, the hook is left out, the server's own behaviour is kept, and the user sees one warning per
provider process naming what is lost: these hooks change how messages read, never what is deployed, so a
warning (not a refusal to run) is the proportionate loudness. tests/unit/test_host_contract.py pins the shape to
the pulumi version in requirements.txt.
"""

from __future__ import annotations

import sys
import threading
import traceback as _traceback
from types import FrameType, ModuleType
from typing import Any

import grpc
import pulumi
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from smh_provider import config, host_contract
from smh_provider.errors import ProviderError

_RPCS = ("Create", "Read", "Update", "Delete", "Diff", "Check")
_local = threading.local()
_lock = threading.Lock()
_engine: list[Any] = []  # [EngineStub] once connected, [None] when there is no engine to talk to


class _Traceback(ModuleType):
    """The server's `traceback`: a ProviderError is reported as its message alone."""

    def __init__(self) -> None:
        super().__init__("traceback")

    def __getattr__(self, name: str) -> Any:
        return getattr(_traceback, name)

    @staticmethod
    def format_exc(*args: Any, **kwargs: Any) -> str:
        return error_text(sys.exc_info()[1], _traceback.format_exc(*args, **kwargs))


def error_text(err: BaseException | None, full: str) -> str:
    """What the user sees for an exception raised by a provider method whose full report is `full`."""
    if isinstance(err, ProviderError) and not config.current().debug:
        return str(err)
    return full


class _Proto:
    """The server's `proto`: DiffResponse also carries the properties the provider's diff named."""

    def __init__(self, proto: Any) -> None:
        self._proto = proto
        self.DiffResponse = _DiffResponse(proto)  # noqa: N815 - the protobuf message's name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._proto, name)

    def CheckFailure(self, property: str = "", reason: str = "") -> Any:  # noqa: A002, N802 - the message's names
        if property in getattr(_local, "long_values", ()):
            property = ""
        return self._proto.CheckFailure(property=property, reason=reason)


class _DiffResponse:
    """Builds proto.DiffResponse (its enums pass through) with the diff `note_diff` left for this thread."""

    def __init__(self, proto: Any) -> None:
        self._proto = proto

    def __getattr__(self, name: str) -> Any:
        return getattr(self._proto.DiffResponse, name)

    def __call__(self, **fields: Any) -> Any:
        named = getattr(_local, "diff", None)
        _local.diff = None
        if named is not None:
            changed, replaces, paths = named
            kinds = self._proto.PropertyDiff
            fields["diffs"] = list(changed)
            if paths is not None:
                fields["detailedDiff"] = {p: kinds(kind=kind) for p, kind in paths.items()}
            else:
                fields["detailedDiff"] = {name: kinds(kind=kinds.UPDATE_REPLACE if name in replaces else kinds.UPDATE)
                                          for name in changed}
            fields["hasDetailedDiff"] = True
        return self._proto.DiffResponse(**fields)


def _server() -> ModuleType | None:
    """This process's dynamic provider server (any shape), or None outside it (unit tests, the program)."""
    module = sys.modules.get("__main__")
    return module if host_contract.in_dynamic_host(module) else None


_problems: list[list[str]] = []  # [the shape differences found] once install() ran inside the server


def install() -> list[str]:
    """Adapt the dynamic-provider server this process runs (nothing happens elsewhere, e.g. in tests).

    Returns the shape differences found (empty: every hook is installed); the first call inside a server of
    another shape warns the user once.
    """
    with _lock:
        server = _server()
        if server is None:
            return []
        first = not _problems
        if first:
            _problems.append(host_contract.server_problems(server))
        problems = _problems[0]
        lost = {p.split(":", 1)[0] for p in problems}  # each problem starts with the hook it leaves out
        if "errors" not in lost and not isinstance(server.traceback, _Traceback):
            server.traceback = _Traceback()
        if not lost & {"diffs", "check failures"} and not isinstance(server.proto, _Proto):
            server.proto = _Proto(server.proto)
    if first and problems:
        log(host_contract.report("the dynamic provider host", problems, "these hooks are left out"), warn=True,
            urn="")
    return problems


def note_long_values(names: set[str]) -> None:
    """The properties whose value is too long to repeat, for the check failures the server builds next."""
    _local.long_values = names


def note_diff(changed: list[str], replaces: list[str], paths: dict[str, int] | None = None) -> None:
    """The properties this thread's diff found changed, for the DiffResponse the server builds next.

    `paths` (property path -> pulumirpc.PropertyDiff kind) replaces the detailed diff derived from `changed`:
    a resource of many objects names them one by one (`spaces["alice"].public_read`: SpaceSet).
    """
    _local.diff = (changed, replaces, paths)


def rpc_urn() -> str:
    """The URN of the resource the running RPC is about, read from the server's handler frame."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in _RPCS and "request" in frame.f_locals:
            return str(getattr(frame.f_locals["request"], "urn", "") or "")
        frame = frame.f_back
    return ""


def _engine_stub() -> Any:
    with _lock:
        if not _engine:
            address = sys.argv[1] if _server() is not None and len(sys.argv) > 1 else ""
            stub = None
            if address and ":" in address:
                stub = engine_pb2_grpc.EngineStub(grpc.insecure_channel(address))
            _engine.append(stub)
        return _engine[0]


def log(message: str, warn: bool = False, urn: str | None = None) -> None:
    """Show `message` on the line of resource `urn` (default: the running RPC's) as info or a warning."""
    stub = _engine_stub()
    urn = rpc_urn() if urn is None else urn
    if stub is not None:
        try:
            stub.Log(engine_pb2.LogRequest(severity=engine_pb2.WARNING if warn else engine_pb2.INFO,
                                           message=message, urn=urn))
            return
        except Exception:  # noqa: BLE001 - a lost progress message must never fail the operation
            pass
    (pulumi.log.warn if warn else pulumi.log.info)(message)
