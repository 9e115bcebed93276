"""Dispatch by Host first, the way the real cloud does; bare-IP requests by what else identifies them.

Each service declares the Host patterns it answers (`Service.hosts`, e.g. `<bucket>-<appid>.cos.<region>.myqcloud.com`
for COS, `<LibraryId>.api.tencentsmh.cn` for the SMH data plane). A bare `127.0.0.1:PORT` Host is offered to the
services in the order of `emulator.services.SERVICES`: first to the one it `identifies` (a SigV4 signature: COS path
style; X-TC-Action or a TC3 signature: SMH; the `/mediabucket` path: CI; the `/api/v1/` prefix: the SMH data plane),
then to one that `answers_bare` (`GET /`: COS GET Service). Anything else is answered as COS answers an unknown host.
"""

from __future__ import annotations

from typing import Any

from emulator.errors import CosError, EmulatorError
from emulator.services import SERVICES
from emulator.services.base import Context, Service
from emulator.services.cos.render import cos_error
from emulator.wire import Request, Response


class Router:
    def __init__(self, ctx: Context) -> None:
        self.services: list[Service] = [cls(ctx) for cls in SERVICES]
        self.unknown = UnknownHost(ctx)

    def service(self, name: str) -> Service:
        return next(svc for svc in self.services if svc.name == name)

    def service_names(self) -> list[str]:
        return sorted(svc.name for svc in self.services)

    def route(self, req: Request) -> Service:
        """Pick the service; it records in req.params what the Host said (bucket, region, library)."""
        for svc in self.services:
            for pattern in svc.hosts:
                if m := pattern.match(req.host):
                    svc.on_host(m, req)
                    return svc
        for svc in self.services:
            if svc.identifies(req):
                return svc
        for svc in self.services:
            if svc.answers_bare(req):
                return svc
        return self.unknown

    def inventory(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for svc in self.services:
            out.update(svc.inventory())
        return out


class UnknownHost(Service, name="unknown"):
    """Requests no service claims: answered as COS would answer an unknown host."""

    def resolve(self, req: Request) -> str:
        raise CosError(
            400,
            "InvalidURI",
            f"The host {req.raw_host} and path {req.path} match no emulated service",
            req.raw_host + req.path,
        )

    def render_error(self, err: EmulatorError, req: Request) -> Response:
        return cos_error(err, req)
