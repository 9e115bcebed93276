"""One provider operation (a create, read, update or delete): its time budget and its voice.

The engine runs each operation in a thread of its own, so both live in a thread-local. `BaseProvider` opens
an operation around every CRUD method (`run`; `carry` takes it along to a resource's own worker threads);
retry loops and waiters ask `remaining()` how much of the
budget is left and give up when it is spent, and `say()` tells the user why an operation is waiting.

The budget is stack config `smh:operationTimeoutSeconds` (environment SMH_OPERATION_TIMEOUT_SECONDS),
default `config.DEFAULT_OPERATION_TIMEOUT`. Outside an operation (tests calling clients directly) each
loop gets one whole budget from its own start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from smh_provider import config, host

_local = threading.local()
T = TypeVar("T")


@contextmanager
def run(what: str) -> Iterator[None]:
    """Open an operation: its budget starts now; it speaks on the line of the RPC's resource."""
    outer = getattr(_local, "deadline", None), getattr(_local, "urn", None)
    _local.deadline = time.monotonic() + config.current().operation_timeout
    _local.urn = host.rpc_urn()
    try:
        yield
    finally:
        _local.deadline, _local.urn = outer


def carry(fn: Callable[..., T]) -> Callable[..., T]:
    """`fn` to run on another thread (a resource's own pool) inside this thread's operation."""
    deadline, urn = getattr(_local, "deadline", None), getattr(_local, "urn", None)

    def within(*args: Any, **kwargs: Any) -> T:
        outer = getattr(_local, "deadline", None), getattr(_local, "urn", None)
        _local.deadline, _local.urn = deadline, urn
        try:
            return fn(*args, **kwargs)
        finally:
            _local.deadline, _local.urn = outer

    return within


def remaining() -> float | None:
    """Seconds left in the current operation's budget, or None outside an operation."""
    deadline = getattr(_local, "deadline", None)
    return None if deadline is None else deadline - time.monotonic()


def left(clock: Callable[[], float], start: float) -> float:
    """What a loop that began at `start` (on `clock`) may still spend: the operation's rest, and never more
    than one whole budget from its own start (outside an operation, or with a test's clock)."""
    own = config.current().operation_timeout - (clock() - start)
    rest = remaining()
    return own if rest is None else min(rest, own)


def say(message: str, warn: bool = False) -> None:
    """Tell the user, on the line of the resource being worked on, why the operation takes time."""
    host.log(message, warn=warn, urn=getattr(_local, "urn", None))
