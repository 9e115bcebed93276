"""Wire handlers for the S3-only shapes COS also answers: ListObjectsV2 and PUT Object - Copy.

S3 clients (the AWS SDKs, Pulumi's DIY backend through gocloud.dev) list with `GET /?list-type=2` and page
with an opaque continuation token; the token here is the url-safe base64 of the last key or common prefix
returned, so a page resumes exactly after it.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import quote, unquote

from emulator.errors import CosError
from emulator.services.cos.handlers import bucket_region, listing_options, object_key, request_metadata
from emulator.services.cos.models import CosBackend, iso
from emulator.services.cos.render import cos_xml
from emulator.wire import Request, Response

S3_NS = ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def _token(marker: str) -> str:
    return base64.urlsafe_b64encode(marker.encode()).decode()


def _untoken(token: str) -> str:
    try:
        marker = base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        marker = ""
    if not marker:
        raise CosError(400, "InvalidArgument", "The continuation token provided is incorrect.")
    return marker


def list_objects_v2(b: CosBackend, req: Request) -> Response:
    bucket, region = bucket_region(req)
    q = req.query
    max_keys, encoding = listing_options(q)
    prefix, delimiter = q.get("prefix", ""), q.get("delimiter", "")
    token, start_after = q.get("continuation-token", ""), q.get("start-after", "")
    marker = _untoken(token) if token else start_after
    res = b.list_objects(req.account, bucket, region, prefix, delimiter, marker, max_keys)
    enc = (lambda s: quote(s, safe="/")) if encoding else (lambda s: s)
    body: dict[str, Any] = {"Name": bucket, "Prefix": enc(prefix)}
    if delimiter:
        body["Delimiter"] = enc(delimiter)
    body |= {"MaxKeys": max_keys, "KeyCount": len(res["contents"]) + len(res["prefixes"])}
    if encoding:
        body["EncodingType"] = "url"
    body["IsTruncated"] = "true" if res["truncated"] else "false"
    if token:
        body["ContinuationToken"] = token
    if res["truncated"] and res["next_marker"]:  # max-keys=0 is truncated with nothing to resume after
        body["NextContinuationToken"] = _token(res["next_marker"])
    if start_after:
        body["StartAfter"] = enc(start_after)
    owner = {"ID": req.account.app_id, "DisplayName": req.account.app_id}
    body["Contents"] = [
        {
            "Key": enc(d["key"]),
            "LastModified": iso(d["modified"]),
            "ETag": d["etag"],
            "Size": d["size"],
            **({"Owner": owner} if q.get("fetch-owner") == "true" else {}),
            "StorageClass": "STANDARD",
        }
        for d in res["contents"]
    ]
    body["CommonPrefixes"] = [{"Prefix": enc(p)} for p in res["prefixes"]]
    return cos_xml(req, "ListBucketResult", body, headers={"x-cos-bucket-region": region}, attrs=S3_NS)


def copy_source(req: Request) -> str:
    return req.headers.get("x-cos-copy-source") or req.headers.get("x-amz-copy-source") or ""


def put_object_copy(b: CosBackend, req: Request) -> Response:
    """`x-cos-copy-source` / `x-amz-copy-source`: `<bucket>.cos.<region>.myqcloud.com/<key>` (COS form) or
    `[/]<bucket>/<key>` (S3 form, same region as the destination)."""
    bucket, region = bucket_region(req)
    raw = copy_source(req)
    source = unquote(raw.split("?", 1)[0]).lstrip("/")
    first, _, src_key = source.partition("/")
    src_bucket, src_region = first, region
    if ".cos." in first:
        src_bucket, _, rest = first.partition(".cos.")
        src_region = rest.split(".", 1)[0]
    if not src_bucket or not src_key:
        raise CosError(400, "InvalidArgument", f"The copy source {raw!r} is not <bucket>/<key>.")
    directive = (req.headers.get("x-cos-metadata-directive") or req.headers.get("x-amz-metadata-directive") or "")
    replaced = None
    if directive.lower() == "replaced" or directive.upper() == "REPLACE":
        replaced = (req.headers.get("content-type", ""), request_metadata(req))
    doc = b.copy_object(req.account, src_bucket, src_region, src_key, bucket, region, object_key(req), replaced)
    return cos_xml(req, "CopyObjectResult", {"ETag": doc["etag"], "LastModified": iso(doc["modified"])})
