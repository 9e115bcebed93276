"""CI XML rendering (fact sheet 3.1-3.4).

Success bodies have the root `Response`; error bodies the root `Error` with Code, Message,
RequestId and TraceId but no Resource, exactly as the real service. cos-python-sdk-v5 therefore
reports `get_error_code() == "Unknown"` for CI errors; clients parse `get_origin_msg()` themselves.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from emulator.errors import EmulatorError
from emulator.wire import Request, Response, xml_doc


def _headers(req: Request) -> dict[str, str]:
    return {"Server": "tencent-ci", "x-ci-request-id": req.request_id, "Content-Type": "application/xml"}


def ci_xml(req: Request, children: dict[str, Any], status: int = 200) -> Response:
    """A `Response` document; RequestId comes first, as in the documented examples."""
    return Response(status, _headers(req), xml_doc("Response", {"RequestId": req.request_id} | children))


def ci_error(err: EmulatorError, req: Request) -> Response:
    trace = base64.b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes).decode()
    body = xml_doc("Error", {"Code": err.code, "Message": err.message or err.code, "RequestId": req.request_id,
                             "TraceId": trace})
    return Response(err.status, _headers(req), body, err.code)
