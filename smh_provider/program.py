"""The stack program's side of the engine (the provider process has `host.py`).

When a step fails - a check failure at preview, a provider error during `up` - the engine reports it on the
resource's line and shuts its resource monitor down. The program's registrations still in flight then fail
with "Resource monitor has terminated, shutting down", which pulumi's program runner logs as one more
error on the stack's line: noise after the real message, never news. `quiet_engine_shutdown` (called by
every provider the program creates) leaves exactly that message out; every other error is logged as before.
"""

from __future__ import annotations

import threading
from typing import Any

import pulumi

MONITOR_GONE = "Resource monitor has terminated, shutting down"
_lock = threading.Lock()
_original: list[Any] = []


def _error(msg: str, resource: Any = None, stream_id: Any = None, ephemeral: Any = None) -> None:
    if msg == MONITOR_GONE and resource is None:
        return
    _original[0](msg, resource, stream_id, ephemeral)


def quiet_engine_shutdown() -> None:
    with _lock:
        if not _original:
            _original.append(pulumi.log.error)
            pulumi.log.error = _error
