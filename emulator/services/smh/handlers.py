"""SMH API 3.0 handlers: the parameters checked against the action's schema (`req.args`), backend call, the
`Response` fields rendered."""

from __future__ import annotations

from emulator.services.smh.models import SmhBackend
from emulator.services.smh.render import api3_ok
from emulator.wire import Request, Response


def create_library(b: SmhBackend, req: Request) -> Response:
    p = req.args
    doc = b.create_library(req.account, p.get("Name"), p.get("Remark"), p.get("BucketName"), p.get("BucketRegion"),
                           p.get("LibraryExtension"), p.get("Tags"), req.headers.get("x-tc-region"))
    return api3_ok(req, {"LibraryId": doc["LibraryId"], "AccessDomain": doc["AccessDomain"]})


def describe_libraries(b: SmhBackend, req: Request) -> Response:
    p = req.args
    total, page = b.describe_libraries(req.account, p.get("LibraryIds"), p.get("PageNumber"), p.get("PageSize"),
                                       p.get("Offset"), p.get("Limit"), p.get("TagFilters"))
    return api3_ok(req, {"List": page, "TotalCount": total})


def modify_library(b: SmhBackend, req: Request) -> Response:
    p = req.args
    b.modify_library(req.account, p.get("LibraryId"), p.get("Name"), p.get("Remark"), p.get("LibraryExtension"),
                     p.get("Tags"))
    return api3_ok(req, {})


def delete_library(b: SmhBackend, req: Request) -> Response:
    b.delete_library(req.account, req.args.get("LibraryId"))
    return api3_ok(req, {})


def describe_library_secret(b: SmhBackend, req: Request) -> Response:
    p = req.args
    secret = b.describe_library_secret(req.account, p.get("LibraryId"))
    return api3_ok(req, {"LibraryId": p["LibraryId"], "LibrarySecret": secret})

