"""COS multipart uploads, the part that carries bytes: Upload Part, List Parts, Complete Multipart Upload.

Initiate, list-uploads and abort live in models.py/handlers.py; the parts are kept inside the upload's own store
document (`upload` "<bucket>/<UploadId>", field `parts`: part number -> {etag, size, modified, body}), so aborting
an upload (or emptying a bucket) drops its parts with it. The SMH data plane completes its uploads through
`complete` (its confirm step finishes the COS upload on the client's behalf, as SMH does: the clients send no part
list at confirm, smh-sdk-ios QCloudSMHCompleteUploadRequest.m).
"""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from email.utils import formatdate
from typing import Any

from emulator.accounts import Account
from emulator.errors import CosError
from emulator.services.cos.handlers import bucket_region, object_key
from emulator.services.cos.models import CosBackend, bucket_host, iso
from emulator.services.cos.render import cos_empty, cos_xml
from emulator.wire import Request, Response

MAX_PART_NUMBER = 10000
MIN_PART_SIZE = 1024 * 1024  # every part but the last (COS: 1 MB .. 5 GB)


def _upload(b: CosBackend, account: Account, bucket: str, region: str, key: str, upload_id: str) -> dict[str, Any]:
    b._owned(account, bucket, region)
    doc = b.store.get("upload", f"{bucket}/{upload_id}")
    if doc is None or doc["key"] != key:
        raise CosError(404, "NoSuchUpload", "The specified multipart upload does not exist.",
                       f"{bucket_host(bucket, region)}/{key}")
    return doc


def upload_part(b: CosBackend, account: Account, bucket: str, region: str, key: str, upload_id: str,
                number: int, body: bytes) -> str:
    """Store one part (a part sent again replaces the earlier one); its ETag, the MD5 of the part."""
    if not 1 <= number <= MAX_PART_NUMBER:
        raise CosError(400, "InvalidArgument", f"partNumber must be within 1..{MAX_PART_NUMBER}.")
    etag = '"' + hashlib.md5(body).hexdigest() + '"'
    with b.store.transaction():
        doc = _upload(b, account, bucket, region, key, upload_id)
        doc.setdefault("parts", {})[str(number)] = {"etag": etag, "size": len(body), "modified": b.ctx.now(),
                                                    "body": base64.b64encode(body).decode()}
        b.store.put("upload", f"{bucket}/{upload_id}", doc)
    return etag


def complete(b: CosBackend, account: Account, bucket: str, region: str, key: str, upload_id: str,
             wanted: list[tuple[int, str]] | None, content_type: str = "") -> dict[str, Any]:
    """Join the parts into the object and end the upload; `wanted` is the request's (PartNumber, ETag) list, None
    for every stored part in order (the SMH confirm step). Returns the object's document.

    Fidelity gap: the object's ETag is the MD5 of the whole content, not COS's `<md5 of the part md5s>-<n>`.
    """
    with b.store.transaction():
        doc = _upload(b, account, bucket, region, key, upload_id)
        parts: dict[str, dict[str, Any]] = doc.get("parts") or {}
        order = wanted if wanted is not None else [(int(n), parts[n]["etag"]) for n in sorted(parts, key=int)]
        if not order:
            raise CosError(400, "MalformedXML", "The multipart upload has no parts to complete.")
        numbers = [n for n, _ in order]
        if numbers != sorted(set(numbers)):
            raise CosError(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
        body = b""
        for i, (number, etag) in enumerate(order):
            part = parts.get(str(number))
            if part is None or part["etag"].strip('"') != etag.strip('"'):
                raise CosError(400, "InvalidPart", f"Part {number} was not uploaded or its ETag does not match.")
            if i < len(order) - 1 and part["size"] < MIN_PART_SIZE:
                raise CosError(400, "EntityTooSmall", f"Part {number} is smaller than the 1 MB minimum.")
            body += base64.b64decode(part["body"])
        b.put_object(account, bucket, region, key, body, content_type or doc.get("content_type", ""))
        b.store.delete("upload", f"{bucket}/{upload_id}")
        return b.store.get("object", f"{bucket}/{key}")


# -- wire -----------------------------------------------------------------------------------------
def _part_number(req: Request) -> int:
    raw = req.query.get("partNumber", "")
    if not raw.isdigit():
        raise CosError(400, "InvalidArgument", "partNumber must be a positive integer.")
    return int(raw)


def upload_part_handler(b: CosBackend, req: Request) -> Response:
    etag = upload_part(b, req.account, *bucket_region(req), object_key(req), req.query["uploadId"],
                       _part_number(req), req.body)
    return cos_empty(req, headers={"ETag": etag})


def list_parts_handler(b: CosBackend, req: Request) -> Response:
    bucket, region = bucket_region(req)
    doc = _upload(b, req.account, bucket, region, object_key(req), req.query["uploadId"])
    parts = doc.get("parts") or {}
    return cos_xml(req, "ListPartsResult", {
        "Bucket": bucket, "Key": doc["key"], "UploadId": doc["upload_id"], "StorageClass": "STANDARD",
        "PartNumberMarker": 0, "NextPartNumberMarker": max((int(n) for n in parts), default=0),
        "MaxParts": 1000, "IsTruncated": "false",
        "Part": [{"PartNumber": int(n), "LastModified": iso(p["modified"]), "ETag": p["etag"], "Size": p["size"]}
                 for n, p in sorted(parts.items(), key=lambda item: int(item[0]))],
    })


def complete_handler(b: CosBackend, req: Request) -> Response:
    try:
        root = ET.fromstring(req.body)
    except ET.ParseError as exc:
        raise CosError(400, "MalformedXML", f"The XML you provided was not well-formed: {exc}") from None
    wanted = []
    for part in root.iter("Part"):
        number, etag = part.findtext("PartNumber", ""), part.findtext("ETag", "")
        if not number.strip().isdigit():
            raise CosError(400, "MalformedXML", "Each Part needs a numeric PartNumber.")
        wanted.append((int(number), etag))
    bucket, region = bucket_region(req)
    obj = complete(b, req.account, bucket, region, object_key(req), req.query["uploadId"], wanted)
    return cos_xml(req, "CompleteMultipartUploadResult", {
        "Location": f"{bucket_host(bucket, region)}/{obj['key']}", "Bucket": bucket, "Key": obj["key"],
        "ETag": obj["etag"]}, headers={"Last-Modified": formatdate(obj["modified"], usegmt=True)})
