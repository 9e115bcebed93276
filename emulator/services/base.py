"""Service contract: every emulated cloud service declares itself once.

A service names the Host patterns it answers (`hosts`), how it recognises a request on the emulator's bare address
(`identifies`, `answers_bare`), and one `ACTIONS` table: action name -> `Action`. From that table come the action
a request names (`resolve`, reading each action's `route`), the call (`handle`: authenticate unless the action
says otherwise, check the parameters against its schema, run its handler) and which successful calls count as
changes of state (`mutating`: the request log's `mutated`, fault `hold_after_mutations`).

Every handler has the same signature, `handler(backend, req) -> Response`: by then `req.account` is the
authenticated caller, `req.params` holds what the Host and the path said, and `req.args` the parameters checked
against the action's schema. Errors raised as `EmulatorError` are turned into bytes by the service's own renderer
(`render_error`), which also sets `Response.error_code`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

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
        # `--library-bucket`: whether CreateLibrary binds the BucketName it is given ("honoured") or stores the
        # library in a bucket of its own choosing ("ignored"); see SmhBackend.create_library.
        self.library_bucket = "honoured"

    def now(self) -> float:
        """The emulated wall time: real time plus what the clock endpoint advanced."""
        return time.time() + self.clock_offset


Handler = Callable[[Any, Request], Response]


@dataclass(frozen=True)
class Action:
    """One emulated cloud action.

    route     how the wire names it, in the service's own terms (read by its `resolve`): COS (scope, method,
              sub-resource), CI and the SMH data plane "METHOD /path" patterns, None where the name itself is
              on the wire (API 3.0 X-TC-Action) or another action's route leads here (see the service)
    mutating  a successful call changes state (the request log's `mutated`, fault `hold_after_mutations`)
    schema    the parameters the service checks before the handler runs (into `req.args`); None: the handler
              reads the wire itself
    auth      "required": the service authenticates every call; "optional": a call without a credential goes
              on as anonymous (public reads); "none": the call carries its own credential, which its backend
              method checks (e.g. a library secret)
    """

    handler: Handler
    route: Any = None
    mutating: bool = False
    schema: Any = None
    auth: Literal["required", "optional", "none"] = "required"


class Service:
    """A service declares itself in its class statement:

        class CiService(Service, name="ci", hosts=(HOST,), actions=ACTIONS, backend=CiBackend,
                        inventory="media_buckets"):

    backend: the state, one method per cloud action (built with the Context); inventory: the key of the
    backend's inventory in GET /_emulator/inventory.
    """

    name: ClassVar[str] = "base"
    hosts: ClassVar[tuple[re.Pattern[str], ...]] = ()
    actions: ClassVar[Mapping[str, Action]] = {}
    backend_type: ClassVar[Callable[[Context], Any] | None] = None
    inventory_key: ClassVar[str] = ""

    def __init_subclass__(cls, name: str = "", hosts: tuple[re.Pattern[str], ...] = (),
                          actions: Mapping[str, Action] | None = None, backend: Callable[[Context], Any] | None = None,
                          inventory: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = name or cls.name
        cls.hosts, cls.actions, cls.backend_type, cls.inventory_key = hosts, actions or {}, backend, inventory

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.backend = self.backend_type(ctx) if self.backend_type else None

    # -- routing: which requests are this service's ----------------------------------------------------------
    def on_host(self, match: re.Match[str], req: Request) -> None:
        """One of `hosts` matched: record in req.params what the Host said (the pattern's named groups)."""
        req.params.update(match.groupdict())

    def identifies(self, req: Request) -> bool:
        """On a bare address: the request carries this service's own signature or path (then record params)."""
        return False

    def answers_bare(self, req: Request) -> bool:
        """On a bare address that no service `identifies`: this service answers it anyway."""
        return False

    # -- one call ----------------------------------------------------------------------------------------------
    def resolve(self, req: Request) -> str:
        """Name the cloud action of a request (e.g. 'PutBucket'); raise EmulatorError if unknown."""
        raise NotImplementedError

    def handle(self, req: Request) -> Response:
        """Authenticate, check the parameters, run the action's handler against the backend."""
        action = self.actions[req.action]
        if action.auth != "none":
            self.authenticate(req, action)
        if action.schema is not None:
            req.args = self.parse(req, action.schema)
        return action.handler(self.backend, req)

    def authenticate(self, req: Request, action: Action) -> None:
        """Check the request's credential and set req.account to the caller; raise EmulatorError if refused."""
        raise NotImplementedError

    def parse(self, req: Request, schema: Any) -> dict[str, Any]:
        """The request's parameters, checked against `schema`."""
        raise NotImplementedError

    def render_error(self, err: EmulatorError, req: Request) -> Response:
        raise NotImplementedError

    def injected_error(self, code: str, status: int, req: Request) -> EmulatorError:
        """The error object a fault rule named `code` turns into for this protocol."""
        raise NotImplementedError

    def inventory(self) -> dict[str, Any]:
        return {self.inventory_key: self.backend.inventory()} if self.inventory_key else {}
