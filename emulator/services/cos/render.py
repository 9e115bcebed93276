"""COS XML rendering: success documents and the Error body the SDK parses (fact sheet 1.2).

Every error body carries non-empty Code, Message, Resource, RequestId and TraceId; otherwise
cos-python-sdk-v5 reports the code as `Unknown`. HEAD errors have no body.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from emulator.errors import EmulatorError
from emulator.wire import Request, Response, xml_doc


def trace_id() -> str:
    return base64.b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes).decode()


def base_headers(req: Request) -> dict[str, str]:
    return {"Server": "tencent-cos", "x-cos-request-id": req.request_id}


def cos_xml(
    req: Request, root: str, children: Any, status: int = 200, headers: dict[str, str] | None = None,
    attrs: str = "",
) -> Response:
    h = base_headers(req) | {"Content-Type": "application/xml"} | (headers or {})
    return Response(status, h, xml_doc(root, children, attrs))


def cos_empty(req: Request, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, base_headers(req) | (headers or {}), b"")


def cos_error(err: EmulatorError, req: Request) -> Response:
    trace = trace_id()
    headers = base_headers(req) | {"x-cos-trace-id": trace}
    if req.method == "HEAD":
        return Response(err.status, headers, b"", err.code)
    resource = err.resource or (req.raw_host + req.raw_path)
    body = xml_doc(
        "Error",
        {
            "Code": err.code,
            "Message": err.message or err.code,
            "Resource": resource,
            "RequestId": req.request_id,
            "TraceId": trace,
        },
    )
    return Response(err.status, headers | {"Content-Type": "application/xml"}, body, err.code)
