"""COS wire handlers: parse headers, query and XML bodies; call the backend; render XML."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, quote

from emulator.auth.sigv4 import is_sigv4
from emulator.errors import CosError
from emulator.services.cos.models import PERMISSIONS, CosBackend, iso
from emulator.services.cos.render import cos_empty, cos_xml
from emulator.wire import Request, Response

ALL_USERS = "http://cam.qcloud.com/groups/global/AllUsers"
AUTH_USERS = "http://cam.qcloud.com/groups/global/AuthenticatedUsers"
GRANT_ID = re.compile(r'id="([^"]+)"')


def bucket_region(req: Request) -> tuple[str, str]:
    """The bucket and region the Host (or a path-style path) named."""
    return req.params["bucket"], req.params["region"]


def _canonical(ident: str) -> str:
    """A grantee as COS writes it: `qcs::cam::uin/<OwnerUin>:uin/<SubUin>`.

    Grant headers and ACL bodies may name `<uin>`, `<OwnerUin>/<SubUin>` or the full form.
    """
    if ident.startswith("qcs::cam::"):
        return ident
    owner, _, sub = ident.partition("/")
    return f"qcs::cam::uin/{owner}:uin/{sub or owner}"


def _grants(req: Request) -> list[dict[str, str]]:
    out = []
    for header, permission in PERMISSIONS.items():
        for ident in GRANT_ID.findall(req.headers.get(f"x-cos-grant-{header}", "")):
            out.append({"id": _canonical(ident), "permission": permission})
    return out


def _xml_body(req: Request) -> ET.Element:
    try:
        return ET.fromstring(req.body)
    except ET.ParseError as exc:
        raise CosError(400, "MalformedXML", f"The XML you provided was not well-formed: {exc}") from None


def _owner_id(uin: str) -> str:
    return f"qcs::cam::uin/{uin}:uin/{uin}"


# -- service and buckets ----------------------------------------------------------------------
def get_service(b: CosBackend, req: Request) -> Response:
    region = req.params.get("region") or req.query.get("region") or None
    docs = b.list_buckets(req.account, region, req.query.get("tagkey") or None, req.query.get("tagvalue"))
    uin = req.account.owner_uin
    return cos_xml(
        req,
        "ListAllMyBucketsResult",
        {
            "Owner": {"ID": _owner_id(uin), "DisplayName": uin},
            "Buckets": {
                "Bucket": [
                    {
                        "Name": d["name"],
                        "Location": d["region"],
                        "CreationDate": iso(d["created"])[:19] + "Z",
                        "BucketType": "cos",
                    }
                    for d in docs
                ]
            },
        },
    )


def put_bucket(b: CosBackend, req: Request) -> Response:
    maz = False
    if req.body:
        root = _xml_body(req)
        maz = (root.findtext("BucketAZConfig") or "").upper() == "MAZ"
    tags = dict(parse_qsl(req.headers.get("x-cos-tagging", ""), keep_blank_values=True))
    b.put_bucket(req.account, *bucket_region(req), req.headers.get("x-cos-acl"), _grants(req), tags, maz)
    return cos_empty(req)


def head_bucket(b: CosBackend, req: Request) -> Response:
    doc = b.head_bucket(req.account, *bucket_region(req))
    extra = {"x-cos-bucket-region": doc["region"]}
    if doc.get("maz"):
        extra["x-cos-bucket-az-type"] = "MAZ"
    return cos_empty(req, headers=extra)


def delete_bucket(b: CosBackend, req: Request) -> Response:
    b.delete_bucket(req.account, *bucket_region(req))
    return cos_empty(req, 204)


def listing_options(q: dict[str, str]) -> tuple[int, str]:
    """(max-keys, encoding-type) of an object listing (GET Bucket, ListObjectsV2), validated."""
    try:
        max_keys = int(q.get("max-keys") or 1000)
    except ValueError:
        raise CosError(400, "InvalidArgument", "max-keys must be an integer.") from None
    if not 0 <= max_keys <= 1000:
        raise CosError(400, "InvalidArgument", "max-keys must be between 0 and 1000.")
    encoding = q.get("encoding-type", "")
    if encoding and encoding != "url":
        raise CosError(400, "InvalidArgument", "encoding-type only accepts url.")
    return max_keys, encoding


def get_bucket(b: CosBackend, req: Request) -> Response:
    bucket, region = bucket_region(req)
    q = req.query
    max_keys, encoding = listing_options(q)
    prefix, delimiter, marker = q.get("prefix", ""), q.get("delimiter", ""), q.get("marker", "")
    res = b.list_objects(req.account, bucket, region, prefix, delimiter, marker, max_keys)
    enc = (lambda s: quote(s, safe="/")) if encoding else (lambda s: s)
    body: dict[str, Any] = {"Name": bucket}
    if encoding:
        body["EncodingType"] = "url"
    body |= {"Prefix": enc(prefix), "Marker": enc(marker), "MaxKeys": max_keys}
    if delimiter:
        body["Delimiter"] = enc(delimiter)
    body["IsTruncated"] = "true" if res["truncated"] else "false"
    if res["truncated"]:
        body["NextMarker"] = enc(res["next_marker"])
    body["CommonPrefixes"] = [{"Prefix": enc(p)} for p in res["prefixes"]]
    body["Contents"] = [
        {
            "Key": enc(d["key"]),
            "LastModified": iso(d["modified"]),
            "ETag": d["etag"],
            "Size": d["size"],
            "Owner": {"ID": req.account.app_id, "DisplayName": req.account.app_id},
            "StorageClass": "STANDARD",
        }
        for d in res["contents"]
    ]
    return cos_xml(req, "ListBucketResult", body, headers={"x-cos-bucket-region": region})


def get_bucket_object_versions(b: CosBackend, req: Request) -> Response:
    """Versions listing: every current object as version "null" (versioning is not emulated)."""
    bucket, region = bucket_region(req)
    q = req.query
    max_keys = int(q.get("max-keys") or 1000)
    res = b.list_objects(req.account, bucket, region, q.get("prefix", ""), "", q.get("key-marker", ""), max_keys)
    body: dict[str, Any] = {
        "Name": bucket,
        "Prefix": q.get("prefix", ""),
        "KeyMarker": q.get("key-marker", ""),
        "VersionIdMarker": "",
        "MaxKeys": max_keys,
        "IsTruncated": "true" if res["truncated"] else "false",
    }
    if res["truncated"]:
        body |= {"NextKeyMarker": res["next_marker"], "NextVersionIdMarker": "null"}
    body["Version"] = [
        {
            "Key": d["key"],
            "VersionId": "null",
            "IsLatest": "true",
            "LastModified": iso(d["modified"]),
            "ETag": d["etag"],
            "Size": d["size"],
            "StorageClass": "STANDARD",
            "Owner": {"ID": req.account.app_id, "DisplayName": req.account.app_id},
        }
        for d in res["contents"]
    ]
    return cos_xml(req, "ListVersionsResult", body)


def delete_multiple_objects(b: CosBackend, req: Request) -> Response:
    bucket, region = bucket_region(req)
    root = _xml_body(req)
    quiet = (root.findtext("Quiet") or "false").lower() == "true"
    deleted = []
    for obj in root.findall("Object"):
        key = obj.findtext("Key") or ""
        b.delete_object(req.account, bucket, region, key)
        deleted.append({"Key": key})
    return cos_xml(req, "DeleteResult", {"Deleted": [] if quiet else deleted})


# -- ACL and tags ------------------------------------------------------------------------------
def put_bucket_acl(b: CosBackend, req: Request) -> Response:
    bucket, region = bucket_region(req)
    acl, grants = req.headers.get("x-cos-acl"), _grants(req)
    if req.body:
        if acl or grants:
            raise CosError(400, "InvalidRequest", "Use either ACL headers or an AccessControlPolicy body, not both.")
        acl, grants = _parse_acl_body(_xml_body(req))
    b.put_bucket_acl(req.account, bucket, region, acl, grants)
    return cos_empty(req)


def _parse_acl_body(root: ET.Element) -> tuple[str, list[dict[str, str]]]:
    xsi = "{http://www.w3.org/2001/XMLSchema-instance}type"
    groups: set[tuple[str, str]] = set()
    grants = []
    for grant in root.iter("Grant"):
        grantee, perm = grant.find("Grantee"), grant.findtext("Permission") or ""
        if grantee is None:
            continue
        uri = grantee.findtext("URI")
        if uri:
            groups.add((uri, perm))
        elif grantee.get(xsi, grantee.get("type", "")) != "Group":
            grants.append({"id": _canonical(grantee.findtext("ID") or ""), "permission": perm})
    if {(ALL_USERS, "READ"), (ALL_USERS, "WRITE")} <= groups or (ALL_USERS, "FULL_CONTROL") in groups:
        canned = "public-read-write"
    elif (ALL_USERS, "READ") in groups:
        canned = "public-read"
    elif (AUTH_USERS, "READ") in groups:
        canned = "authenticated-read"
    else:
        canned = "private"
    return canned, grants


def get_bucket_acl(b: CosBackend, req: Request) -> Response:
    acl = b.get_bucket_acl(req.account, *bucket_region(req))
    uin = acl["owner_uin"]
    owner = {"ID": _owner_id(uin), "DisplayName": _owner_id(uin)}
    entries = [_user_grant(owner, "FULL_CONTROL")]
    group_perms = {
        "public-read": [(ALL_USERS, "READ")],
        "public-read-write": [(ALL_USERS, "READ"), (ALL_USERS, "WRITE")],
        "authenticated-read": [(AUTH_USERS, "READ")],
    }.get(acl["canned"], [])
    entries += [
        f'<Grant><Grantee xsi:type="Group"><URI>{u}</URI></Grantee><Permission>{p}</Permission></Grant>'
        for u, p in group_perms
    ]
    for g in acl["grants"]:
        if (g["id"], g["permission"]) != (owner["ID"], "FULL_CONTROL"):  # the owner's grant is always listed
            entries.append(_user_grant({"ID": g["id"], "DisplayName": g["id"]}, g["permission"]))
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<Owner><ID>{owner['ID']}</ID><DisplayName>{owner['DisplayName']}</DisplayName></Owner>"
        f"<AccessControlList>{''.join(entries)}</AccessControlList></AccessControlPolicy>"
    )
    resp = cos_empty(req)
    resp.headers["Content-Type"] = "application/xml"
    resp.body = body.encode()
    return resp


def _user_grant(who: dict[str, str], permission: str) -> str:
    return (
        f'<Grant><Grantee xsi:type="CanonicalUser"><ID>{who["ID"]}</ID><DisplayName>{who["DisplayName"]}'
        f"</DisplayName></Grantee><Permission>{permission}</Permission></Grant>"
    )


def put_bucket_tagging(b: CosBackend, req: Request) -> Response:
    root = _xml_body(req)
    tags: dict[str, str] = {}
    for tag in root.iter("Tag"):
        key = tag.findtext("Key") or ""
        if key in tags:
            raise CosError(400, "InvalidTag", f"Duplicate tag key {key!r}.")
        tags[key] = tag.findtext("Value") or ""
    b.put_bucket_tagging(req.account, *bucket_region(req), tags)
    return cos_empty(req, 204)


def get_bucket_tagging(b: CosBackend, req: Request) -> Response:
    tags = b.get_bucket_tagging(req.account, *bucket_region(req))
    return cos_xml(req, "Tagging", {"TagSet": {"Tag": [{"Key": k, "Value": v} for k, v in tags.items()]}})


def delete_bucket_tagging(b: CosBackend, req: Request) -> Response:
    b.delete_bucket_tagging(req.account, *bucket_region(req))
    return cos_empty(req, 204)


# -- objects -----------------------------------------------------------------------------------
def object_key(req: Request) -> str:
    return req.path[1:]


# Headers COS stores with an object and answers on HEAD/GET (PUT Object 436/7749, HEAD Object 436/7745), besides
# every x-cos-meta-*; S3 clients' x-amz-meta-* are the same metadata (stored as x-cos-meta-*).
STORED_HEADERS = ("content-disposition", "cache-control", "content-encoding", "expires", "content-language")
META_PREFIXES = ("x-cos-meta-", "x-amz-meta-")
# GET Object's response-* parameters (436/7753): the answer's header for this one download, nothing stored.
RESPONSE_OVERRIDES = {"response-content-type": "Content-Type", "response-content-language": "Content-Language",
                      "response-expires": "Expires", "response-cache-control": "Cache-Control",
                      "response-content-disposition": "Content-Disposition",
                      "response-content-encoding": "Content-Encoding"}


def request_metadata(req: Request) -> dict[str, str]:
    """The metadata a PUT (or a copy with x-cos-metadata-directive: Replaced) asks COS to keep."""
    out = {name: req.headers[name] for name in STORED_HEADERS if name in req.headers}
    for name, value in req.headers.items():
        for prefix in META_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                out["x-cos-meta-" + name[len(prefix):]] = value
    return out


def put_object(b: CosBackend, req: Request) -> Response:
    etag = b.put_object(req.account, *bucket_region(req), object_key(req), req.body,
                        req.headers.get("content-type", ""), request_metadata(req))
    return cos_empty(req, headers={"ETag": etag})


def _object_headers(doc: dict[str, Any], req: Request) -> dict[str, str]:
    """ETag, Content-Type, Last-Modified and the stored metadata; an S3 (SigV4) caller reads x-amz-meta-*."""
    s3_caller = is_sigv4(req.headers, req.query)
    stored = {}
    for name, value in (doc.get("metadata") or {}).items():
        if s3_caller and name.startswith("x-cos-meta-"):
            name = "x-amz-meta-" + name[len("x-cos-meta-"):]
        elif not name.startswith("x-"):  # content-disposition -> Content-Disposition, as COS writes it
            name = "-".join(part.capitalize() for part in name.split("-"))
        stored[name] = value
    return {
        "ETag": doc["etag"],
        "Content-Type": doc["content_type"],
        "Last-Modified": formatdate(doc["modified"], usegmt=True),
        "x-cos-storage-class": "STANDARD",
        **stored,
    }


def get_object(b: CosBackend, req: Request) -> Response:
    doc = b.get_object(req.account, *bucket_region(req), object_key(req))
    overrides = {header: req.query[param] for param, header in RESPONSE_OVERRIDES.items() if param in req.query}
    resp = cos_empty(req, headers=_object_headers(doc, req) | overrides)
    resp.body = base64.b64decode(doc["body"])
    return resp


def head_object(b: CosBackend, req: Request) -> Response:
    doc = b.get_object(req.account, *bucket_region(req), object_key(req))
    return cos_empty(req, headers=_object_headers(doc, req) | {"Content-Length": str(doc["size"])})


def delete_object(b: CosBackend, req: Request) -> Response:
    b.delete_object(req.account, *bucket_region(req), object_key(req))
    return cos_empty(req, 204)


def initiate_multipart_upload(b: CosBackend, req: Request) -> Response:
    bucket, region = bucket_region(req)
    key = object_key(req)
    upload_id = b.initiate_multipart_upload(req.account, bucket, region, key)
    return cos_xml(req, "InitiateMultipartUploadResult", {"Bucket": bucket, "Key": key, "UploadId": upload_id})


def list_multipart_uploads(b: CosBackend, req: Request) -> Response:
    bucket, region = bucket_region(req)
    max_uploads = int(req.query.get("max-uploads") or 1000)
    uploads = b.list_multipart_uploads(req.account, bucket, region, req.query.get("prefix", ""), max_uploads)
    owner = {"ID": req.account.app_id, "DisplayName": req.account.app_id}
    return cos_xml(
        req,
        "ListMultipartUploadsResult",
        {
            "Bucket": bucket,
            "Prefix": req.query.get("prefix", ""),
            "KeyMarker": "",
            "UploadIdMarker": "",
            "MaxUploads": max_uploads,
            "IsTruncated": "false",
            "Upload": [
                {
                    "Key": u["key"],
                    "UploadId": u["upload_id"],
                    "StorageClass": "STANDARD",
                    "Initiator": owner,
                    "Owner": owner,
                    "Initiated": iso(u["initiated"]),
                }
                for u in uploads
            ],
        },
    )


def abort_multipart_upload(b: CosBackend, req: Request) -> Response:
    b.abort_multipart_upload(req.account, *bucket_region(req), object_key(req), req.query["uploadId"])
    return cos_empty(req, 204)
