"""Two things the Python dynamic provider host cannot say, added for resources that manage many objects.

The host (`python -m pulumi.dynamic`, pulumi/dynamic/__main__.py in pulumi 3.272) answers Diff with `changes`,
`replaces` and `deleteBeforeReplace` only, and answers a failing Create or Update with a plain error, so the
engine forgets whatever the call did create. The gRPC protocol has room for both:

* **detailed diff**: `DiffResponse.detailedDiff` (path -> kind) and `hasDetailedDiff`, which `pulumi preview
  --diff` and `--json` show instead of the engine's own comparison of the inputs;
* **partial failure**: an error whose status details carry `ErrorResourceInitFailed` (id, outputs, reasons).
  The engine then saves the resource with those outputs and the reasons as `initErrors`, fails the step, and
  updates the resource on the next `up` even when nothing else changed (pkg/resource/deploy/step.go,
  step_generator.go `hasInitErrors`; pkg/resource/plugin/provider_plugin.go `parseError`).

`install()` wraps the host's Diff, Create and Update handlers: the gRPC server holds `_abort_with_traceback`
wrappers whose closure cell is the handler function, so replacing the cell's content changes what runs next
without touching the server. A provider says more through `set_detailed_diff` (from its `diff`, same thread)
and by raising `PartialFailure` (from `create`/`update`). Outside the host (unit tests, the program) nothing is
installed and both fall back: no detailed diff, and `PartialFailure` is a plain error. The extension is checked
against the real engine by tests/e2e/test_space_set.py.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from typing import Any

from smh_provider.errors import ProviderError

_local = threading.local()
_installed = False
_lock = threading.Lock()


class PartialFailure(ProviderError):
    """Create or update did part of its work: `outs` is what exists now, `reasons` one line per failed part."""

    def __init__(self, id_: str, outs: dict[str, Any], reasons: list[str], headline: str) -> None:
        self.id = id_
        self.outs = outs
        self.reasons = reasons
        super().__init__(headline + "".join(f"\n  - {r}" for r in reasons))


def set_detailed_diff(paths: dict[str, int]) -> None:
    """Attach a detailed diff (engine property path -> pulumirpc.PropertyDiff kind) to the Diff being answered."""
    _local.detailed = paths


def installed() -> bool:
    return _installed


def install() -> bool:
    """Extend the running dynamic provider host; True when it is (or already was) extended."""
    global _installed
    with _lock:
        if _installed:
            return True
        host = sys.modules.get("__main__")
        servicer = getattr(host, "DynamicResourceProviderServicer", None)
        if servicer is None:
            return False
        try:
            cells = {name: getattr(servicer, name).__closure__[0] for name in ("Diff", "Create", "Update")}
        except (AttributeError, IndexError, TypeError):
            return False  # a host of another shape: keep its behaviour
        cells["Diff"].cell_contents = _diff(cells["Diff"].cell_contents)
        cells["Create"].cell_contents = _partial(cells["Create"].cell_contents, "properties")
        cells["Update"].cell_contents = _partial(cells["Update"].cell_contents, "news")
        _installed = True
        return True


def _diff(original: Callable[..., Any]) -> Callable[..., Any]:
    from pulumi.runtime.proto import provider_pb2

    def handler(self: Any, request: Any, context: Any) -> Any:
        _local.detailed = None
        response = original(self, request, context)
        paths, _local.detailed = getattr(_local, "detailed", None), None
        if paths is not None and response.changes == provider_pb2.DiffResponse.DIFF_SOME:
            for p, kind in paths.items():
                response.detailedDiff[p].CopyFrom(provider_pb2.PropertyDiff(kind=kind, inputDiff=False))
            response.hasDetailedDiff = True
            tops = sorted({p.split(".")[0].split("[")[0] for p in paths})
            response.diffs.extend(t for t in tops if t not in response.diffs)
        return response

    return handler


def _partial(original: Callable[..., Any], props_field: str) -> Callable[..., Any]:
    import grpc
    from google.protobuf import any_pb2
    from google.rpc import status_pb2
    from pulumi.runtime import rpc
    from pulumi.runtime.proto import provider_pb2

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
