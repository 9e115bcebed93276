"""Dispatch by Host first, the way the real cloud does; bare-IP requests by what else identifies them.

    <name>-<appid>.cos.<region>.myqcloud.com     COS bucket and object calls      -> cos
    service.cos.myqcloud.com, cos.<region>.myqcloud.com   GET Service            -> cos
    <name>-<appid>.ci.<region>.myqcloud.com, ci.<region>.myqcloud.com            -> ci
    smh.tencentcloudapi.com (or any X-TC-Action request)                         -> smh (API 3.0)
    <LibraryId>.api.tencentsmh.cn, /api/v1/... on a bare host                    -> smhdata

A bare `127.0.0.1:PORT` Host is routed by the TC3 credential scope / X-TC-Action header,
the `/mediabucket` path, the `/api/v1/` prefix, and otherwise as GET Service. An S3 (SigV4) request on a bare
address is path style (`/<bucket>-<appid>/<key>`, region from the credential scope): an emulator-only convenience.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.auth.sigv4 import credential_region, is_sigv4
from emulator.errors import CosError
from emulator.services import Context, Service
from emulator.wire import Request

# The bucket part is not required to end in -APPID, so a name without one reaches COS (InvalidBucketName).
COS_BUCKET_HOST = re.compile(
    r"^(?P<bucket>[a-z0-9][a-z0-9-]*)\.cos\.(?P<region>[a-z0-9-]+)\.(myqcloud\.com|tencentcos\.cn)$"
)
COS_SERVICE_HOST = re.compile(
    r"^(service\.cos\.(myqcloud\.com|tencentcos\.cn)|cos\.(?P<region>[a-z0-9-]+)\.(myqcloud\.com|tencentcos\.cn))$"
)
CI_HOST = re.compile(r"^((?P<bucket>[a-z0-9][a-z0-9-]*-\d+)\.)?ci\.(?P<region>[a-z0-9-]+)\.myqcloud\.com$")
API3_HOST = re.compile(r"^(?P<service>[a-z0-9]+)\.(intl\.)?tencentcloudapi\.com$")
SMH_DATA_HOST = re.compile(r"^(?P<library>[a-z0-9]+)\.api\.tencentsmh\.cn$")


class Router:
    def __init__(self, ctx: Context) -> None:
        from emulator.services.ci.routes import CiService
        from emulator.services.cos.routes import CosService
        from emulator.services.smh.routes import SmhService

        self.services: dict[str, Service] = {
            "cos": CosService(ctx),
            "ci": CiService(ctx),
            "smh": SmhService(ctx),
        }
        try:  # the data plane arrives with the tenant-space work
            from emulator.services.smhdata.routes import SmhDataService

            self.services["smhdata"] = SmhDataService(ctx)
        except ImportError:
            pass
        self.unknown = UnknownHost(ctx)

    def service_names(self) -> list[str]:
        return sorted(self.services)

    def route(self, req: Request) -> Service:
        """Pick the service and record in req.params what the Host said (bucket, region, library)."""
        host = req.host
        if m := COS_BUCKET_HOST.match(host):
            req.params.update(kind="bucket", bucket=m["bucket"], region=m["region"])
            return self.services["cos"]
        if m := COS_SERVICE_HOST.match(host):
            req.params.update(kind="service", region=m["region"])
            if req.path != "/":
                req.params.update(kind="path_style")  # refused: see CosService.resolve
            return self.services["cos"]
        if m := CI_HOST.match(host):
            req.params.update(bucket=m["bucket"], region=m["region"])
            return self.services["ci"]
        if m := API3_HOST.match(host):
            req.params.update(api3_service=m["service"])
            return self.services["smh"]
        if (m := SMH_DATA_HOST.match(host)) and "smhdata" in self.services:
            req.params.update(library=m["library"])
            return self.services["smhdata"]
        # A bare address: route by what else identifies the request.
        if is_sigv4(req.headers, req.query):
            return self._path_style(req)
        if "x-tc-action" in req.headers or req.headers.get("authorization", "").startswith("TC3-"):
            return self.services["smh"]
        if req.path.startswith("/mediabucket"):
            req.params.update(bucket=None, region=req.query.get("regions", "").split(",")[0] or None)
            return self.services["ci"]
        if req.path.startswith("/api/v1/") and "smhdata" in self.services:
            return self.services["smhdata"]
        if req.path == "/" and req.method == "GET":
            req.params.update(kind="service", region=None)
            return self.services["cos"]
        return self.unknown

    def _path_style(self, req: Request) -> Service:
        """`/<bucket>/<key>` on the emulator's own address; req.path becomes the key path, raw_path stays signed."""
        bucket, _, rest = req.path[1:].partition("/")
        region = credential_region(req.headers, req.query)
        if not bucket:
            req.params.update(kind="service", region=None)
        else:
            req.params.update(kind="bucket", bucket=bucket, region=region, path_style=True)
            req.path = "/" + rest
        return self.services["cos"]

    def inventory(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for svc in self.services.values():
            out.update(svc.inventory())
        return out


class UnknownHost(Service):
    """Requests no service claims: answered as COS would answer an unknown host."""

    name = "unknown"

    def resolve(self, req: Request) -> str:
        raise CosError(
            400,
            "InvalidURI",
            f"The host {req.raw_host} and path {req.path} match no emulated service",
            req.raw_host + req.path,
        )

    def render_error(self, err, req):  # type: ignore[no-untyped-def]
        from emulator.services.cos.render import cos_error

        return cos_error(err, req)
