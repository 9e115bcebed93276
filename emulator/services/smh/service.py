"""SMH control plane (TencentCloud API 3.0, service `smh`, version 2021-07-12).

Requests arrive on `smh.tencentcloudapi.com` (or any `<service>.tencentcloudapi.com`, or a bare address
carrying X-TC-Action / a TC3 Authorization). `resolve` checks the addressed service, the action and the
version; `authenticate` verifies the TC3 signature over the raw body; `parse` checks the parameters against the
action's schema.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.auth import AuthFailure
from emulator.auth.tc3 import credential_service, verify_tc3
from emulator.errors import Api3Error, EmulatorError
from emulator.services.base import Action, Service
from emulator.services.smh import handlers as h
from emulator.services.smh import params
from emulator.services.smh.models import SmhBackend
from emulator.services.smh.render import api3_error
from emulator.services.smh.sdk_models import request_schema
from emulator.wire import Request, Response

VERSION = "2021-07-12"
SERVICE = "smh"
# Real SMH actions of this version that the emulator does not implement (they answer UnsupportedOperation,
# not InvalidAction, so a caller can tell "not emulated" from "no such action").
NOT_EMULATED = frozenset({"DescribeOfficialInstances", "DescribeOfficialOverview", "DescribeTrafficPackages",
                          "SendSmsCode", "VerifySmsCode"})
AUTH_ERRORS = {
    "missing": "AuthFailure.InvalidAuthorization",
    "malformed": "AuthFailure.InvalidAuthorization",
    "unknown_key": "AuthFailure.SecretIdNotFound",
    "expired": "AuthFailure.SignatureExpire",
    "skewed": "AuthFailure.SignatureExpire",
    "mismatch": "AuthFailure.SignatureFailure",
    "token": "AuthFailure.TokenFailure",
}


# Control-plane user actions the SDK dropped on 2026-04-03 (release notes of tencentcloud-sdk-python-smh): not
# in ACTIONS or NOT_EMULATED, so they answer InvalidAction exactly as a name that never existed does.
REMOVED = frozenset({"CreateUser", "ModifyUser", "DeleteUser", "CreateUserLifecycle", "DescribeUserLifecycle"})

# The action name is on the wire (X-TC-Action); the schema (from the SDK's request models, sdk_models.py) checks
# the JSON body or the dotted GET parameters: a field the API does not define answers UnknownParameter.
ACTIONS: dict[str, Action] = {
    "CreateLibrary": Action(h.create_library, mutating=True, schema=request_schema("CreateLibrary")),
    "DescribeLibraries": Action(h.describe_libraries, schema=request_schema("DescribeLibraries")),
    "ModifyLibrary": Action(h.modify_library, mutating=True, schema=request_schema("ModifyLibrary")),
    "DeleteLibrary": Action(h.delete_library, mutating=True, schema=request_schema("DeleteLibrary")),
    "DescribeLibrarySecret": Action(h.describe_library_secret, schema=request_schema("DescribeLibrarySecret")),
}
# `smh.tencentcloudapi.com`, or another API 3.0 service's host (answered InvalidAction by resolve).
HOST = re.compile(r"^(?P<api3_service>[a-z0-9]+)\.(intl\.)?tencentcloudapi\.com$")


class SmhService(Service, name="smh", hosts=(HOST,), actions=ACTIONS, backend=SmhBackend, inventory="libraries"):
    def identifies(self, req: Request) -> bool:
        """On a bare address: an X-TC-Action header or a TC3 Authorization."""
        return "x-tc-action" in req.headers or req.headers.get("authorization", "").startswith("TC3-")

    def resolve(self, req: Request) -> str:
        """Fidelity gap: a request addressed to another API 3.0 service (by Host, or on a bare address by the
        credential scope) answers InvalidAction, since no other service is emulated. Only GET and POST are
        accepted (UnsupportedProtocol otherwise)."""
        if req.method not in ("GET", "POST"):
            raise Api3Error("UnsupportedProtocol", f"HTTP method {req.method} is not supported; use GET or POST")
        action = req.headers.get("x-tc-action", "")
        if not action:
            raise Api3Error("MissingParameter", "The request is missing a required parameter `Action`")
        service = req.params.get("api3_service") or credential_service(req.headers) or SERVICE
        if service != SERVICE:
            raise Api3Error("InvalidAction", f"The action `{action}` of service `{service}` is not emulated; "
                                             f"only `{SERVICE}` is")
        if action in NOT_EMULATED:
            raise Api3Error("UnsupportedOperation", f"The action `{action}` is not implemented by the emulator")
        if action not in ACTIONS:
            raise Api3Error("InvalidAction", f"The action `{action}` is not supported by service `{SERVICE}`")
        version = req.headers.get("x-tc-version", "")
        if not version:
            raise Api3Error("MissingParameter", "The request is missing a required parameter `Version`")
        if version != VERSION:
            raise Api3Error("NoSuchVersion", f"The API version `{version}` of `{action}` does not exist; "
                                             f"use {VERSION}")
        return action

    def authenticate(self, req: Request, action: Action) -> None:
        """Fidelity gap: a request without Authorization answers AuthFailure.InvalidAuthorization (the real code
        for an absent header is undocumented). A Host naming smh with a credential scope naming another service
        answers AuthFailure.SignatureFailure."""
        # With X-TC-Content-SHA256: UNSIGNED-PAYLOAD the SDK hashes that literal instead of the body.
        unsigned = req.headers.get("x-tc-content-sha256", "").upper() == "UNSIGNED-PAYLOAD"
        body = b"UNSIGNED-PAYLOAD" if unsigned else req.body
        try:
            req.account, _ = verify_tc3(self.ctx.accounts, req.method, req.raw_query,
                                        req.headers, body)
        except AuthFailure as fail:
            raise Api3Error(AUTH_ERRORS[fail.kind], fail.message) from None
        scope = credential_service(req.headers)
        if req.params.get("api3_service") and scope != req.params["api3_service"]:
            raise Api3Error("AuthFailure.SignatureFailure",
                            f"The credential scope service `{scope}` does not match the host's `{SERVICE}`")

    def parse(self, req: Request, schema: Any) -> dict[str, Any]:
        return params.parse(req, schema)

    def render_error(self, err: EmulatorError, req: Request) -> Response:
        return api3_error(err, req)

    def injected_error(self, code: str, status: int, req: Request) -> EmulatorError:
        return Api3Error(code, f"Injected fault: {code}.")

