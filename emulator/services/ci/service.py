"""CI service: `/mediabucket` on `<bucket>.ci.<region>.myqcloud.com` and `ci.<region>.myqcloud.com`."""

from __future__ import annotations

import re

from emulator.auth import AuthFailure
from emulator.auth.cos_sign import verify_cos
from emulator.errors import CiError, EmulatorError
from emulator.services.base import Action, Service
from emulator.services.ci import handlers as h
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

ACTIONS: dict[str, Action] = {
    "CreateMediaBucket": Action(h.create_media_bucket, "POST /mediabucket", mutating=True),
    "DescribeMediaBuckets": Action(h.describe_media_buckets, "GET /mediabucket"),
    "DeleteMediaBucket": Action(h.delete_media_bucket, "DELETE /mediabucket", mutating=True),
}
ROUTES = {action.route: name for name, action in ACTIONS.items()}
HOST = re.compile(r"^((?P<bucket>[a-z0-9][a-z0-9-]*-\d+)\.)?ci\.(?P<region>[a-z0-9-]+)\.myqcloud\.com$")


class CiService(Service, name="ci", hosts=(HOST,), actions=ACTIONS, backend=CiBackend, inventory="media_buckets"):
    def identifies(self, req: Request) -> bool:
        """`/mediabucket` on a bare address; the region from `regions=`, no bucket (the handler asks for one)."""
        if not req.path.startswith("/mediabucket"):
            return False
        req.params.update(bucket=None, region=req.query.get("regions", "").split(",")[0] or None)
        return True

    def resolve(self, req: Request) -> str:
        """Fidelity gap: every CI path other than /mediabucket (queues, picbucket, jobs...) answers
        501 NotImplemented."""
        action = ROUTES.get(f"{req.method} {req.path.rstrip('/')}")
        if action is None:
            raise CiError(501, "NotImplemented", f"{req.method} {req.path} is not implemented by the CI emulator")
        return action

    def authenticate(self, req: Request, action: Action) -> None:
        """Fidelity gap: a Date header more than 15 minutes off has no CI code of its own; it answers
        401 SignatureExpired, like a q-sign-time window that has passed."""
        try:
            req.account, _ = verify_cos(self.ctx.accounts, req.method, req.path, req.query, req.headers,
                                        token_header="x-ci-security-token")
        except AuthFailure as fail:
            status, code = AUTH_ERRORS[fail.kind]
            raise CiError(status, code, fail.message) from None

    def render_error(self, err: EmulatorError, req: Request) -> Response:
        return ci_error(err, req)

    def injected_error(self, code: str, status: int, req: Request) -> EmulatorError:
        return CiError(status, code, f"Injected fault: {code}.")

