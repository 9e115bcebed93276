"""CI service: `/mediabucket` on `<bucket>.ci.<region>.myqcloud.com` and `ci.<region>.myqcloud.com`."""

from __future__ import annotations

from typing import Any

from emulator.auth import AuthFailure
from emulator.auth.cos_sign import verify_cos
from emulator.errors import CiError, EmulatorError
from emulator.services import Context, Service
from emulator.services.ci import handlers
from emulator.services.ci.models import CiBackend
from emulator.services.ci.render import ci_error
from emulator.wire import Request, Response

# AuthFailure kind -> CI status and code (fact sheet 3.4).
AUTH_ERRORS = {
    "missing": (401, "MissingAuthorization"),
    "malformed": (401, "InvalidAuthorization"),
    "unknown_key": (401, "SecretidNotExist"),
    "expired": (401, "SignatureExpired"),
    "skewed": (401, "SignatureExpired"),
    "mismatch": (403, "AccessDenied"),
    "token": (403, "AccessDenied"),
}

ACTIONS = {
    "POST": "CreateMediaBucket",
    "GET": "DescribeMediaBuckets",
    "DELETE": "DeleteMediaBucket",
}


class CiService(Service):
    name = "ci"
    mutating = frozenset({"CreateMediaBucket", "DeleteMediaBucket"})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.backend = CiBackend(ctx)

    def resolve(self, req: Request) -> str:
        """Fidelity gap: every CI path other than /mediabucket (queues, picbucket, jobs...) answers
        501 NotImplemented."""
        action = ACTIONS.get(req.method) if req.path.rstrip("/") == "/mediabucket" else None
        if action is None:
            raise CiError(501, "NotImplemented", f"{req.method} {req.path} is not implemented by the CI emulator")
        return action

    def authenticate(self, req: Request) -> None:
        """Fidelity gap: a Date header more than 15 minutes off has no CI code of its own; it answers
        401 SignatureExpired, like a q-sign-time window that has passed."""
        try:
            req.account, _ = verify_cos(self.ctx.accounts, req.method, req.path, req.query, req.headers,
                                        token_header="x-ci-security-token")
        except AuthFailure as fail:
            status, code = AUTH_ERRORS[fail.kind]
            raise CiError(status, code, fail.message) from None

    def handle(self, req: Request) -> Response:
        self.authenticate(req)
        handler = {
            "CreateMediaBucket": handlers.create_media_bucket,
            "DescribeMediaBuckets": handlers.describe_media_buckets,
            "DeleteMediaBucket": handlers.delete_media_bucket,
        }[req.action]
        return handler(self.backend, req)

    def render_error(self, err: EmulatorError, req: Request) -> Response:
        return ci_error(err, req)

    def injected_error(self, code: str, status: int, req: Request) -> EmulatorError:
        return CiError(status, code, f"Injected fault: {code}.")

    def inventory(self) -> dict[str, Any]:
        return {"media_buckets": self.backend.inventory()}
