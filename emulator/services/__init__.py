"""Service contract: every emulated cloud service implements `Service`.

The server routes a request to one service (by Host first, see `emulator.routing`), asks it
for the action name (`resolve`), checks faults, then calls `handle`. Errors raised as
`EmulatorError` are turned into bytes by the service's own renderer (`render_error`).
"""

from __future__ import annotations

from typing import Any

from emulator.accounts import Accounts
from emulator.errors import EmulatorError
from emulator.faults import Faults
from emulator.store import Store
from emulator.wire import Request, Response


class Context:
    """What every service can use: durable state, accounts, and the live fault settings."""

    def __init__(self, store: Store, accounts: Accounts) -> None:
        self.store = store
        self.accounts = accounts
        self.faults = Faults()
        self.clock_offset = 0.0  # seconds added by POST /_emulator/clock (lifecycle rules act on this time)

    def now(self) -> float:
        """The emulated wall time: real time plus what the clock endpoint advanced."""
        import time

        return time.time() + self.clock_offset


class Service:
    name = "base"
    mutating: frozenset[str] = frozenset()

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def resolve(self, req: Request) -> str:
        """Name the cloud action of a request (e.g. 'PutBucket'); raise EmulatorError if unknown."""
        raise NotImplementedError

    def handle(self, req: Request) -> Response:
        """Authenticate, run the action against the backend, render the result."""
        raise NotImplementedError

    def render_error(self, err: EmulatorError, req: Request) -> Response:
        raise NotImplementedError

    def injected_error(self, code: str, status: int, req: Request) -> EmulatorError:
        """The error object a fault rule named `code` turns into for this protocol."""
        raise NotImplementedError

    def inventory(self) -> dict[str, Any]:
        return {}
