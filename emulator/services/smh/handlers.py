"""SMH API 3.0 handlers: typed parameters in (see params.py), backend call, `Response` fields out."""

from __future__ import annotations

from typing import Any

from emulator.services.smh.models import SmhBackend
from emulator.wire import Request

Params = dict[str, Any]


def create_library(b: SmhBackend, req: Request, p: Params) -> dict[str, Any]:
    doc = b.create_library(req.account, p.get("Name"), p.get("Remark"), p.get("BucketName"), p.get("BucketRegion"),
                           p.get("LibraryExtension"), p.get("Tags"))
    return {"LibraryId": doc["LibraryId"], "AccessDomain": doc["AccessDomain"]}


def describe_libraries(b: SmhBackend, req: Request, p: Params) -> dict[str, Any]:
    total, page = b.describe_libraries(req.account, p.get("LibraryIds"), p.get("PageNumber"), p.get("PageSize"),
                                       p.get("Offset"), p.get("Limit"), p.get("TagFilters"))
    return {"List": page, "TotalCount": total}


def modify_library(b: SmhBackend, req: Request, p: Params) -> dict[str, Any]:
    b.modify_library(req.account, p.get("LibraryId"), p.get("Name"), p.get("Remark"), p.get("LibraryExtension"),
                     p.get("Tags"))
    return {}


def delete_library(b: SmhBackend, req: Request, p: Params) -> dict[str, Any]:
    b.delete_library(req.account, p.get("LibraryId"))
    return {}


def describe_library_secret(b: SmhBackend, req: Request, p: Params) -> dict[str, Any]:
    secret = b.describe_library_secret(req.account, p.get("LibraryId"))
    return {"LibraryId": p["LibraryId"], "LibrarySecret": secret}


HANDLERS = {
    "CreateLibrary": create_library,
    "DescribeLibraries": describe_libraries,
    "ModifyLibrary": modify_library,
    "DeleteLibrary": delete_library,
    "DescribeLibrarySecret": describe_library_secret,
}
