"""The emulator's own API under `/_emulator/`: health, reset, the request log, inventory, faults, actions.

These are not cloud requests: they are neither routed to a service nor logged.
"""

from __future__ import annotations

import json
import time
from typing import Any

from emulator.dispatch import Emulator
from emulator.faults import Faults
from emulator.wire import Request, Response


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, {"Content-Type": "application/json"}, json.dumps(data, default=str).encode())


def answer(emu: Emulator, req: Request) -> Response:
    route = (req.method, req.path.rstrip("/"))
    if route == ("GET", "/_emulator/health"):
        return json_response({"status": "ok", "uptime_s": round(time.time() - emu.started, 3),
                              "services": emu.router.service_names()})
    if route == ("POST", "/_emulator/reset"):
        emu.ctx.store.reset()
        emu.log.clear()
        _set_faults(emu, Faults())
        emu.ctx.clock_offset = 0.0
        return json_response({"reset": True})
    if route == ("GET", "/_emulator/requests"):
        return json_response(emu.log.snapshot(int(req.query.get("since", "0") or 0)))
    if route == ("DELETE", "/_emulator/requests"):
        emu.log.clear()
        return json_response({"cleared": True})
    if route == ("GET", "/_emulator/inventory"):
        return json_response(emu.router.inventory())
    if route == ("GET", "/_emulator/actions"):
        return json_response(actions(emu))
    if route in (("GET", "/_emulator/clock"), ("POST", "/_emulator/clock")):
        return clock(emu, req)
    if route == ("GET", "/_emulator/faults"):
        return json_response(emu.ctx.faults.to_json())
    if route == ("POST", "/_emulator/faults"):
        try:
            new = Faults.from_json(json.loads(req.body or b"{}"))
        except (ValueError, TypeError) as exc:
            return json_response({"error": str(exc)}, 400)
        _set_faults(emu, new)
        return json_response(emu.ctx.faults.to_json())
    if route == ("DELETE", "/_emulator/faults"):
        _set_faults(emu, Faults())
        return json_response({"cleared": True})
    return json_response({"error": f"no emulator control route {req.method} {req.path}"}, 404)


def actions(emu: Emulator) -> dict[str, Any]:
    """Every declared action (`service:Action`) with its mutating flag and how often it answered without error."""
    answered = emu.log.answered()
    return {"actions": {f"{svc.name}:{name}": {"mutating": action.mutating, "answered": answered[f"{svc.name}:{name}"]}
                        for svc in emu.router.services for name, action in svc.actions.items()}}


def clock(emu: Emulator, req: Request) -> Response:
    """GET: the emulated time. POST {"advance_seconds": s} and/or {"advance_days": d}: move it forward, then run
    every bucket's lifecycle rules once at the new time (COS runs them about daily)."""
    result: dict[str, Any] = {}
    if req.method == "POST":
        try:
            body = json.loads(req.body or b"{}")
            step = float(body.get("advance_seconds", 0)) + float(body.get("advance_days", 0)) * 86400
        except (ValueError, TypeError, AttributeError) as exc:
            return json_response({"error": f'body must be {{"advance_seconds": n}} or {{"advance_days": n}}: {exc}'},
                                 400)
        if step < 0:
            return json_response({"error": "the clock only moves forward"}, 400)
        emu.ctx.clock_offset += step
        result["lifecycle"] = emu.router.service("cos").backend.apply_lifecycle(emu.ctx.now())
    return json_response({"now": emu.ctx.now(), "offset_seconds": emu.ctx.clock_offset, **result})


def _set_faults(emu: Emulator, new: Faults) -> None:
    """Release requests held by the old settings (they are then dropped), then switch."""
    emu.ctx.faults.release()
    emu.ctx.faults = new
