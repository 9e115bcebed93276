"""Errors raised by emulator backends.

    EmulatorError            one cloud error: HTTP status, Tencent code, message
     ├── CosError            rendered as COS XML (Code, Message, Resource, RequestId, TraceId)
     ├── CiError             rendered as CI XML (no Resource element, as the real service)
     ├── Api3Error           rendered as API 3.0 JSON with HTTP 200
     └── SmhDataError        rendered as SMH data-plane JSON {code, message, requestId}

Backends raise these; one renderer per protocol turns them into bytes on the wire.
"""

from __future__ import annotations


class EmulatorError(Exception):
    """A cloud error with its HTTP status and Tencent code."""

    protocol = "generic"

    def __init__(self, status: int, code: str, message: str, resource: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.resource = resource


class CosError(EmulatorError):
    protocol = "cos"


class CiError(EmulatorError):
    protocol = "ci"


class Api3Error(EmulatorError):
    protocol = "api3"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(200, code, message)


class SmhDataError(EmulatorError):
    protocol = "smhdata"
