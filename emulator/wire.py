"""Request and response values shared by the server, the services and the renderers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape


@dataclass
class Request:
    method: str
    host: str  # Host header, lower-cased, without port
    raw_host: str  # Host header as received
    path: str  # percent-decoded path
    raw_path: str  # path as received (still percent-encoded)
    query: dict[str, str]  # decoded query; first value wins; blank values kept
    raw_query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8] + "-" + str(uuid.uuid4()))
    # Filled in by routing (params: what the Host and path said), resolve (action), authentication (account:
    # an Account, or the SMH data plane's Caller) and the action's schema (args: the checked parameters).
    action: str = ""
    account: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error_code: str = ""  # set by the error renderers: the Tencent code this answer carries ("" on success)


def xml_doc(root: str, children: Any, attrs: str = "") -> bytes:
    """Render a nested structure as XML: dict -> elements, list -> repeated element, scalar -> text."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}{attrs}>' + _xml(children) + f"</{root}>").encode()


def _xml(value: Any) -> str:
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            if isinstance(v, list):
                out.extend(f"<{k}>{_xml(item)}</{k}>" for item in v)
            elif v is None:
                continue
            else:
                out.append(f"<{k}>{_xml(v)}</{k}>")
        return "".join(out)
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))
