"""API 3.0 JSON rendering (fact sheet 4.1).

Success and error both answer HTTP 200 with Content-Type exactly `application/json` (the SDK only
inspects an error body for that exact value) and a RequestId inside `Response`.
"""

from __future__ import annotations

import json
from typing import Any

from emulator.errors import EmulatorError
from emulator.wire import Request, Response

HEADERS = {"Content-Type": "application/json"}


def api3_ok(req: Request, fields: dict[str, Any]) -> Response:
    body = {"Response": fields | {"RequestId": req.request_id}}
    return Response(200, dict(HEADERS), json.dumps(body, ensure_ascii=False).encode())


def api3_error(err: EmulatorError, req: Request) -> Response:
    body = {"Response": {"Error": {"Code": err.code, "Message": err.message or err.code},
                         "RequestId": req.request_id}}
    return Response(200, dict(HEADERS), json.dumps(body, ensure_ascii=False).encode(), err.code)
