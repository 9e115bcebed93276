"""One cloud request, start to end: route by Host, name the action, inject faults, handle, log.

The outcome comes from the objects at hand: an `EmulatorError` or a rendered error carries its code
(`Response.error_code`), so nothing here reads the bytes a renderer wrote.
"""

from __future__ import annotations

import time
from typing import Any

from emulator.accounts import Accounts
from emulator.errors import EmulatorError
from emulator.request_log import RequestLog, new_entry
from emulator.routing import Router
from emulator.services.base import Context
from emulator.store import Store
from emulator.wire import Request, Response


class Emulator:
    """The whole local cloud: state, accounts, services, faults and the request log."""

    def __init__(self, store: Store, accounts: Accounts) -> None:
        self.ctx = Context(store, accounts)
        self.router = Router(self.ctx)
        self.log = RequestLog()
        self.started = time.time()

    def dispatch(self, req: Request) -> Response | None:
        """Answer and log one cloud request. A None response means: drop the connection."""
        started = time.monotonic()
        entry = new_entry(req)
        response, answered = self._answer(req, entry)
        if response is not None:
            entry["status"] = response.status
            entry["code"] = response.error_code
        entry["account"] = getattr(req.account, "app_id", None)
        entry["latency_ms"] = round((time.monotonic() - started) * 1000, 3)
        self.log.add(entry, answered)
        return response

    def _answer(self, req: Request, entry: dict[str, Any]) -> tuple[Response | None, bool]:
        """The response (None: drop) and whether the action's handler answered without error."""
        answered = False
        service = self.router.route(req)
        entry["service"] = service.name
        response: Response | None
        try:
            req.action = service.resolve(req)
            entry["action"] = req.action
            faults = self.ctx.faults
            if faults.wait_if_held():
                entry["fault"] = "held-dropped"
                return None, False
            delay = faults.delay_seconds()
            if delay:
                entry["injected_latency_ms"] = round(delay * 1000, 3)
                time.sleep(delay)
            decision = faults.decide(service.name, req.action)
            if decision and decision.phase == "before":
                entry["fault"] = decision.kind
                if decision.kind == "drop":
                    response = None
                else:
                    raise service.injected_error(decision.code, decision.status, req)
            else:
                response = service.handle(req)
                answered = response.status < 400 and not response.error_code  # a 302 is an answer (downloads)
                entry["mutated"] = answered and service.actions[req.action].mutating
                if entry["mutated"]:
                    faults.mutated()
                if decision:
                    entry["fault"] = decision.kind + "-after"
                    response = (
                        None
                        if decision.kind == "drop"
                        else service.render_error(service.injected_error(decision.code, decision.status, req), req)
                    )
        except EmulatorError as err:
            response = service.render_error(err, req)
        return response, answered
