"""What the dynamic provider host cannot say for a resource of many objects: a failure that did part of its work.

The host (`python -m pulumi.dynamic`, pulumi/dynamic/__main__.py in pulumi 3.272) answers a failing Create or
Update with a plain error, so the engine forgets whatever the call did create. The gRPC protocol has room for
more: an error whose status details carry `ErrorResourceInitFailed` (id, outputs, reasons). The engine then
saves the resource with those outputs and the reasons as `initErrors`, fails the step, and updates the resource
on the next `up` even when nothing else changed (pkg/resource/deploy/step.go, step_generator.go
`hasInitErrors`; pkg/resource/plugin/provider_plugin.go `parseError`).

`install()` wraps the host's Create and Update handlers: the gRPC server holds `_abort_with_traceback` wrappers
whose closure cell is the handler function, so replacing the cell's content changes what runs next without
touching the server. A provider raises `PartialFailure` from `create`/`update`; the wrapper packs its outputs
and reasons into the status details, and the host's own wrapper aborts the call as before. Outside the host (unit
tests, the program) nothing is installed and `PartialFailure` is a plain error. The detailed diff of such a
resource goes through smh_provider/host.py (`note_diff(..., paths=...)`). Checked against the real engine by
tests/e2e/test_space_set.py and tests/reliability/test_space_set.py.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import status_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from smh_provider import host, host_contract
from smh_provider.errors import ProviderError

_installed = False
_lock = threading.Lock()


class HostShapeError(ProviderError):
    """The dynamic provider host differs from the shape the partial-failure hook needs."""


class PartialFailure(ProviderError):
    """Create or update did part of its work: `outs` is what exists now, `reasons` one line per failed part."""

    def __init__(self, id_: str, outs: dict[str, Any], reasons: list[str], headline: str) -> None:
        self.id = id_
        self.outs = outs
        self.reasons = reasons
        super().__init__(headline + "".join(f"\n  - {r}" for r in reasons))


def set_detailed_diff(paths: dict[str, int]) -> None:
    """The detailed diff (engine property path -> pulumirpc.PropertyDiff kind) of the Diff being answered."""
    host.note_diff(sorted({p.split(".")[0].split("[")[0] for p in paths}), [], paths)


def installed() -> bool:
    return _installed


def install() -> bool:
    """Extend the running dynamic provider host; True when it is (or already was) extended, False outside it.

    Inside a host whose shape differs from the one this hook was written for (host_contract.batch_problems), it
    raises HostShapeError: a SpaceSet whose partial failure the engine would forget must not run at all (the
    first RPC of every SpaceSet fails with the message; other resources are unaffected).
    """
    global _installed
    with _lock:
        if _installed:
            return True
        server = sys.modules.get("__main__")
        if not host_contract.in_dynamic_host(server):
            return False  # unit tests, the program: PartialFailure is a plain error there
        problems = host_contract.batch_problems(server)
        if problems:
            raise HostShapeError(host_contract.report(
                "the dynamic provider host", problems,
                "a SpaceSet cannot report a partial failure through it, so SpaceSet resources refuse to run "
                "(declare the spaces as Space resources, `spaceSet: false`, to deploy meanwhile)"))
        servicer = server.DynamicResourceProviderServicer
        cells = {name: getattr(servicer, name).__closure__[0] for name in ("Create", "Update")}
        cells["Create"].cell_contents = _partial(cells["Create"].cell_contents, "properties")
        cells["Update"].cell_contents = _partial(cells["Update"].cell_contents, "news")
        _installed = True
        return True


def _partial(original: Callable[..., Any], props_field: str) -> Callable[..., Any]:
    def handler(self: Any, request: Any, context: Any) -> Any:
        try:
            return original(self, request, context)
        except PartialFailure as err:
            props = rpc.deserialize_properties(getattr(request, props_field))
            outs = {**err.outs, "__provider": props["__provider"]}
            loop = asyncio.new_event_loop()
            try:
                outs_proto = loop.run_until_complete(rpc.serialize_properties(outs, {}))
            finally:
                loop.close()
            detail = any_pb2.Any()
            detail.Pack(provider_pb2.ErrorResourceInitFailed(id=err.id, properties=outs_proto, reasons=err.reasons))
            # The status code must match the one the host's wrapper aborts with, or the engine drops the details.
            status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=str(err), details=[detail])
            context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
            raise

    return handler
