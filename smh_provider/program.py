"""The stack program's side of the engine (the provider process has `host.py`).

When a step fails - a check failure at preview, a provider error during `up` - the engine reports it on the
resource's line and shuts its resource monitor down. The program's registrations still in flight then fail
with "Resource monitor has terminated, shutting down", which pulumi's program runner logs as one more
error on the stack's line: noise after the real message, never news. When the engine cancels a registration
instead (gRPC CANCELLED, "context canceled": seen on a loaded machine, when the failing step ends the run while
other registrations are still being sent), pulumi turns it into a plain Exception and the language host prints
it as "Program failed with an unhandled exception" with two chained tracebacks. `quiet_engine_shutdown` (called
by every provider the program creates) maps that cancellation to the same shutdown error and leaves exactly that
message out; every other error is logged as before.
"""

from __future__ import annotations

import threading
from typing import Any

import grpc
import pulumi
import pulumi.runtime.settings as engine_settings

from smh_provider import host_contract

MONITOR_GONE = "Resource monitor has terminated, shutting down"
_lock = threading.Lock()
_original: list[Any] = []


def _error(msg: str, resource: Any = None, stream_id: Any = None, ephemeral: Any = None) -> None:
    if msg == MONITOR_GONE and resource is None:
        return
    _original[0](msg, resource, stream_id, ephemeral)


def _to_exception(exn: grpc.RpcError) -> Exception:
    if exn.code() == grpc.StatusCode.CANCELLED:
        return pulumi.RunError(MONITOR_GONE)
    return _original[1](exn)


def quiet_engine_shutdown() -> list[str]:
    """Install the quiet shutdown once per program; returns the shape differences that kept it out.

    When the pulumi SDK no longer has the shape this patch expects (host_contract.program_problems), nothing is
    patched and the user sees one warning: the patch only removes noise, so a missing one must not stop a run.
    """
    with _lock:
        if _original:
            return []
        problems = host_contract.program_problems()
        if problems:
            _original.append(None)  # checked once: no second warning per program
            pulumi.log.warn(host_contract.report("the pulumi SDK", problems,
                                                 "errors after a failed step may be followed by engine noise"))
            return problems
        _original.append(pulumi.log.error)
        _original.append(engine_settings.grpc_error_to_exception)
        pulumi.log.error = _error
        engine_settings.grpc_error_to_exception = _to_exception
        return []
