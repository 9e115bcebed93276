"""CI wire handlers: read the Host's bucket and region and the query; call the backend; render XML."""

from __future__ import annotations

from emulator.errors import CiError
from emulator.services.ci.models import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, CiBackend
from emulator.services.ci.render import ci_xml
from emulator.wire import Request, Response


def _bucket_host(req: Request) -> tuple[str, str]:
    bucket, region = req.params.get("bucket"), req.params.get("region")
    if not bucket or not region:
        raise CiError(400, "InvalidHost", f"{req.method} /mediabucket must be sent to <BucketName-APPID>.ci."
                                          f"<Region>.myqcloud.com, not {req.raw_host}")
    return bucket, region


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _int(req: Request, name: str, default: int, low: int, high: int) -> int:
    raw = req.query.get(name, "")
    if raw == "":  # the SDK sends every parameter, empty ones included
        return default
    try:
        value = int(raw)
    except ValueError:
        raise CiError(400, "InvalidArgument", f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise CiError(400, "InvalidArgument", f"{name} must be within {low}..{high}, got {value}")
    return value


def _entry(doc: dict[str, str]) -> dict[str, str]:
    return {"BucketId": doc["bucket"], "Name": doc["bucket"], "Region": doc["region"], "CreateTime": doc["created"]}


def create_media_bucket(b: CiBackend, req: Request) -> Response:
    doc = b.create_media_bucket(req.account, *_bucket_host(req))
    return ci_xml(req, {"MediaBucket": _entry(doc)})


def describe_media_buckets(b: CiBackend, req: Request) -> Response:
    page_number = _int(req, "pageNumber", 1, 1, 2**31 - 1)
    page_size = _int(req, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    total, docs = b.describe_media_buckets(req.account, _csv(req.query.get("regions", "")),
                                           _csv(req.query.get("bucketNames", "")), req.query.get("bucketName", ""),
                                           page_number, page_size)
    return ci_xml(req, {"TotalCount": total, "PageNumber": page_number, "PageSize": page_size,
                        "MediaBucketList": [_entry(d) for d in docs]})


def delete_media_bucket(b: CiBackend, req: Request) -> Response:
    b.delete_media_bucket(req.account, *_bucket_host(req))
    return ci_xml(req, {})
