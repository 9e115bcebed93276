"""SMH data-plane JSON rendering (fact sheet 5.5).

Success: the documented status with a JSON body (or none, for 204). Errors: the documented HTTP status with
`{"code", "message", "requestId"}`. Both carry Content-Type `application/json` (when there is a body) and an
`x-smh-request-id` header.
"""

from __future__ import annotations

import json
from typing import Any

from emulator.errors import EmulatorError
from emulator.wire import Request, Response


def ok(req: Request, status: int = 200, body: Any = None) -> Response:
    """Fidelity gap: the request-id header name `x-smh-request-id` is taken from an SMH JS SDK error handler
    (which also reads `x-request-id`); the real header is unverified."""
    headers = {"x-smh-request-id": req.request_id}
    if body is None:
        return Response(status, headers, b"")
    headers["Content-Type"] = "application/json"
    return Response(status, headers, json.dumps(body, ensure_ascii=False).encode())


def smh_error(err: EmulatorError, req: Request) -> Response:
    body = {"code": err.code, "message": err.message or err.code, "requestId": req.request_id}
    resp = ok(req, err.status, body)
    resp.error_code = err.code
    return resp
