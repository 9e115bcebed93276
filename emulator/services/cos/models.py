"""COS backend: buckets, ACLs, tags, objects and multipart uploads, one method per cloud action.

Methods take the calling account and plain values, raise CosError, and return plain data;
handlers.py does the wire. A known gap of fidelity is written as `Fidelity gap:` in the
method's docstring and collected into emulator/README.md.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from emulator.accounts import Account
from emulator.errors import CosError
from emulator.regions import COS_REGIONS, MAZ_REGIONS
from emulator.services.base import Context
from emulator.services.cos.bucket_config import BucketConfigActions

MAX_BUCKETS = 200
MAX_HOST_LENGTH = 60
USER_PART = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
TAG_CHARS = re.compile(r"^[\w +\-=.:/]*$")
CANNED_BUCKET_ACLS = ("private", "public-read", "public-read-write", "authenticated-read")
PERMISSIONS = {
    "read": "READ",
    "write": "WRITE",
    "read-acp": "READ_ACP",
    "write-acp": "WRITE_ACP",
    "full-control": "FULL_CONTROL",
}


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def bucket_host(bucket: str, region: str) -> str:
    return f"{bucket}.cos.{region}.myqcloud.com"


class CosBackend(BucketConfigActions):
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store

    # -- buckets -------------------------------------------------------------------------
    def _owned(self, account: Account, bucket: str, region: str, res: str | None = None) -> dict[str, Any]:
        """The bucket doc, checked for existence, region and ownership.

        Fidelity gap: a bucket addressed through another region's host answers 404 NoSuchBucket;
        the real service's answer for a wrong-region host is not documented.
        """
        doc = self.store.get("bucket", bucket)
        res = res or bucket_host(bucket, region)
        if doc is None or doc["region"] != region:
            raise CosError(404, "NoSuchBucket", "The specified bucket does not exist.", res)
        if doc["app_id"] != account.app_id:
            raise CosError(403, "AccessDenied", "Access Denied.", res)
        return doc

    def put_bucket(
        self,
        account: Account,
        bucket: str,
        region: str,
        acl: str | None,
        grants: list[dict[str, str]],
        tags: dict[str, str],
        maz: bool,
    ) -> None:
        """Create a bucket.

        Fidelity gap: creating a name that carries another account's APPID answers 403 AccessDenied
        when free and 409 BucketAlreadyExists when taken; MAZ regions are taken as ap-beijing,
        ap-shanghai, ap-guangzhou and ap-singapore.
        """
        res = bucket_host(bucket, region)
        if region not in COS_REGIONS:
            raise CosError(400, "InvalidRegionName", f"The region {region} is not valid.", res)
        user_part, _, app_id = bucket.rpartition("-")
        if not USER_PART.match(user_part) or not app_id.isdigit():
            raise CosError(400, "InvalidBucketName", "The specified bucket is not valid.", res)
        if len(res) > MAX_HOST_LENGTH:
            raise CosError(400, "BucketNameTooLong", "The specified bucket name is too long.", res)
        if acl is not None and acl not in CANNED_BUCKET_ACLS:
            raise CosError(400, "InvalidArgument", f"x-cos-acl {acl!r} is not a canned bucket ACL.", res)
        if maz and region not in MAZ_REGIONS:
            raise CosError(400, "MultiAZFeatureNotSupport", f"Region {region} does not support MAZ buckets.", res)
        self._check_tags(tags, res)
        with self.store.transaction():
            existing = self.store.get("bucket", bucket)
            if existing is not None:
                if existing["app_id"] == account.app_id:
                    raise CosError(
                        409,
                        "BucketAlreadyOwnedByYou",
                        "Your previous request to create the named bucket succeeded and you already own it.",
                        res,
                    )
                raise CosError(409, "BucketAlreadyExists", "The requested bucket name is not available.", res)
            if app_id != account.app_id:
                raise CosError(403, "AccessDenied", "The APPID in the bucket name is not yours.", res)
            owned = sum(1 for _, d in self.store.items("bucket") if d["app_id"] == account.app_id)
            if owned >= MAX_BUCKETS:
                raise CosError(400, "TooManyBuckets", "You have attempted to create more buckets than allowed.", res)
            self.store.put(
                "bucket",
                bucket,
                {
                    "name": bucket,
                    "app_id": account.app_id,
                    "owner_uin": account.owner_uin,
                    "region": region,
                    "created": time.time(),
                    "acl": {"canned": acl or "private", "grants": grants},
                    "tags": tags,
                    "maz": maz,
                },
            )

    def head_bucket(self, account: Account, bucket: str, region: str) -> dict[str, Any]:
        doc = self._owned(account, bucket, region)
        window = self.ctx.faults.new_bucket_head_404_ms / 1000.0
        if window and time.time() - doc["created"] < window:
            raise CosError(404, "NoSuchBucket", "The specified bucket does not exist.", bucket_host(bucket, region))
        return doc

    def delete_bucket(self, account: Account, bucket: str, region: str) -> None:
        """Delete an empty bucket; objects or incomplete multipart uploads give 409 BucketNotEmpty."""
        with self.store.transaction():
            self._owned(account, bucket, region)
            if self.store.count("object", bucket + "/") or self.store.count("upload", bucket + "/"):
                raise CosError(
                    409, "BucketNotEmpty", "The bucket you tried to delete is not empty.", bucket_host(bucket, region)
                )
            self.store.delete("bucket", bucket)
            self.store.delete("media_bucket", bucket)

    def list_buckets(
        self, account: Account, region: str | None, tag_key: str | None, tag_value: str | None
    ) -> list[dict[str, Any]]:
        """Fidelity gap: GET Service is never truncated (no Marker/IsTruncated paging), and the create-time/range
        filter is ignored."""
        out = []
        for _, doc in self.store.items("bucket"):
            if doc["app_id"] != account.app_id or (region and doc["region"] != region):
                continue
            if tag_key and (tag_key not in doc["tags"] or tag_value not in (None, doc["tags"][tag_key])):
                continue
            out.append(doc)
        return out

    # -- ACL and tags ---------------------------------------------------------------------
    def put_bucket_acl(
        self, account: Account, bucket: str, region: str, acl: str | None, grants: list[dict[str, str]]
    ) -> None:
        """Replace the whole ACL (headers form; the XML body form is parsed by the handler)."""
        with self.store.transaction():
            doc = self._owned(account, bucket, region)
            if acl is not None and acl not in CANNED_BUCKET_ACLS:
                raise CosError(
                    400,
                    "InvalidArgument",
                    f"x-cos-acl {acl!r} is not a canned bucket ACL.",
                    bucket_host(bucket, region),
                )
            doc["acl"] = {"canned": acl or "private", "grants": grants}
            self.store.put("bucket", bucket, doc)

    def get_bucket_acl(self, account: Account, bucket: str, region: str) -> dict[str, Any]:
        """Fidelity gap: public-read-write is rendered as AllUsers READ + WRITE (what the SDK expects),
        not the FULL_CONTROL the ACL overview describes."""
        doc = self._owned(account, bucket, region)
        return {"owner_uin": doc["owner_uin"], **doc["acl"]}

    def _check_tags(self, tags: dict[str, str], res: str) -> None:
        if len(tags) > 50:
            raise CosError(400, "InvalidTag", "A bucket can have at most 50 tags.", res)
        for k, v in tags.items():
            if not k or len(k.encode()) >= 128 or len(v.encode()) >= 256:
                raise CosError(400, "InvalidTag", f"Tag {k!r}: key must be 1..127 bytes and value < 256 bytes.", res)
            if not TAG_CHARS.match(k) or not TAG_CHARS.match(v):
                raise CosError(
                    400,
                    "InvalidTag",
                    f"Tag {k!r} has characters outside letters, digits, space and + - _ = . : /.",
                    res,
                )

    def put_bucket_tagging(self, account: Account, bucket: str, region: str, tags: dict[str, str]) -> None:
        with self.store.transaction():
            doc = self._owned(account, bucket, region)
            self._check_tags(tags, bucket_host(bucket, region))
            doc["tags"] = tags
            self.store.put("bucket", bucket, doc)

    def get_bucket_tagging(self, account: Account, bucket: str, region: str) -> dict[str, str]:
        """Fidelity gap: an untagged bucket answers 404 NoSuchTagSet (as S3; COS docs do not say)."""
        doc = self._owned(account, bucket, region)
        if not doc["tags"]:
            raise CosError(404, "NoSuchTagSet", "The TagSet does not exist.", bucket_host(bucket, region))
        return doc["tags"]

    def delete_bucket_tagging(self, account: Account, bucket: str, region: str) -> None:
        with self.store.transaction():
            doc = self._owned(account, bucket, region)
            doc["tags"] = {}
            self.store.put("bucket", bucket, doc)

    # -- objects ---------------------------------------------------------------------------
    def put_object(self, account: Account, bucket: str, region: str, key: str, body: bytes, content_type: str,
                   metadata: dict[str, str] | None = None) -> str:
        """Store an object with its metadata: `metadata` holds the headers COS keeps and answers on HEAD/GET
        (handlers.STORED_HEADERS and every x-cos-meta-*; PUT Object 436/7749, HEAD Object 436/7745).

        Fidelity gap: the 2 KB limit on the total size of x-cos-meta-* headers is not enforced.
        """
        etag = '"' + hashlib.md5(body).hexdigest() + '"'
        with self.store.transaction():
            self._owned(account, bucket, region)
            self.store.put(
                "object",
                f"{bucket}/{key}",
                {
                    "key": key,
                    "size": len(body),
                    "etag": etag,
                    "modified": self.ctx.now(),
                    "content_type": content_type or "application/octet-stream",
                    "metadata": dict(metadata or {}),
                    "body": base64.b64encode(body).decode(),
                },
            )
        return etag

    def get_object(self, account: Account, bucket: str, region: str, key: str) -> dict[str, Any]:
        self._owned(account, bucket, region)
        doc = self.store.get("object", f"{bucket}/{key}")
        if doc is None:
            raise CosError(
                404, "NoSuchKey", "The specified key does not exist.", f"{bucket_host(bucket, region)}/{key}"
            )
        return doc

    def copy_object(
        self, account: Account, src_bucket: str, src_region: str, src_key: str, bucket: str, region: str, key: str,
        replaced: tuple[str, dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Copy an object; its metadata goes with it unless `replaced` (x-cos-metadata-directive: Replaced) gives
        the new Content-Type and metadata (PUT Object - Copy, 436/10881).

        Fidelity gap: a source in another account's bucket answers 403 AccessDenied (bucket policies are not
        modelled)."""
        with self.store.transaction():
            src = self.get_object(account, src_bucket, src_region, src_key)
            content_type, metadata = replaced or (src["content_type"], src.get("metadata") or {})
            self.put_object(account, bucket, region, key, base64.b64decode(src["body"]), content_type, metadata)
            return self.store.get("object", f"{bucket}/{key}")

    def delete_object(self, account: Account, bucket: str, region: str, key: str) -> None:
        """Fidelity gap: versioning is not emulated; deleting a missing key succeeds (204), as S3."""
        with self.store.transaction():
            self._owned(account, bucket, region)
            self.store.delete("object", f"{bucket}/{key}")

    def list_objects(
        self, account: Account, bucket: str, region: str, prefix: str, delimiter: str, marker: str, max_keys: int
    ) -> dict[str, Any]:
        self._owned(account, bucket, region)
        contents: list[dict[str, Any]] = []
        prefixes: list[str] = []
        truncated = False
        next_marker = ""
        base = f"{bucket}/"
        for full_key, doc in self.store.items("object", base + prefix, after=base + marker if marker else ""):
            key = full_key[len(base) :]
            entry_name = key
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    entry_name = key[: cut + len(delimiter)]
                    if prefixes and prefixes[-1] == entry_name:
                        continue
                    if marker and entry_name <= marker:
                        continue
            if len(contents) + len(prefixes) >= max_keys:
                truncated = True
                break
            if entry_name != key:
                prefixes.append(entry_name)
            else:
                contents.append(doc)
            next_marker = entry_name
        return {"contents": contents, "prefixes": prefixes, "truncated": truncated, "next_marker": next_marker}

    # -- multipart uploads -------------------------------------------------------------------
    def initiate_multipart_upload(self, account: Account, bucket: str, region: str, key: str) -> str:
        upload_id = f"{int(time.time())}{uuid.uuid4().hex}"
        initiated = self.ctx.now()
        with self.store.transaction():
            self._owned(account, bucket, region)
            self.store.put(
                "upload", f"{bucket}/{upload_id}", {"key": key, "upload_id": upload_id, "initiated": initiated}
            )
        return upload_id

    def list_multipart_uploads(
        self, account: Account, bucket: str, region: str, prefix: str, max_uploads: int
    ) -> list[dict[str, Any]]:
        """Fidelity gap: key-marker/upload-id-marker paging is not emulated; up to max-uploads are listed."""
        self._owned(account, bucket, region)
        uploads = [d for _, d in self.store.items("upload", f"{bucket}/") if d["key"].startswith(prefix)]
        return sorted(uploads, key=lambda d: (d["key"], d["upload_id"]))[:max_uploads]

    def abort_multipart_upload(self, account: Account, bucket: str, region: str, key: str, upload_id: str) -> None:
        with self.store.transaction():
            self._owned(account, bucket, region)
            doc = self.store.get("upload", f"{bucket}/{upload_id}")
            if doc is None or doc["key"] != key:
                raise CosError(
                    404,
                    "NoSuchUpload",
                    "The specified multipart upload does not exist.",
                    f"{bucket_host(bucket, region)}/{key}",
                )
            self.store.delete("upload", f"{bucket}/{upload_id}")

    def inventory(self) -> list[dict[str, Any]]:
        return [
            {
                "bucket": name,
                "region": d["region"],
                "app_id": d["app_id"],
                "acl": d["acl"]["canned"],
                "tags": d["tags"],
                "objects": self.store.count("object", name + "/"),
                "uploads": self.store.count("upload", name + "/"),
            }
            for name, d in self.store.items("bucket")
        ]
