"""COS and CI (media processing) through cos-python-sdk-v5.

One CosS3Client per (settings, region), built lazily in the provider process, with the SDK's
own retries off (`Retry=0`): `call` runs every request under `retry.DEFAULT_POLICY`, the one retry
policy. Against an emulator (`smh:endpoint`), the SDK is pointed at it with its documented `Proxies`
option and `Scheme=http`, so every request keeps its real host name.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_auth import CosS3Auth
from qcloud_cos.cos_comm import xml_to_dict
from qcloud_cos.cos_exception import CosClientError, CosServiceError

from smh_provider.config import Settings
from smh_provider.errors import NotFound, ProviderError, TransportError, cloud_error
from smh_provider.memo import PerKey
from smh_provider.retry import DEFAULT_POLICY

# The SDK logs request headers (Authorization included) at DEBUG: keep it quiet whatever the root level.
logging.getLogger("qcloud_cos").setLevel(logging.WARNING)

T = TypeVar("T")
# CosClientError covers both bad arguments and network failures; these words mark the latter.
NETWORK_MARKERS = ("Connection", "connection", "timed out", "Timeout", "Max retries", "RemoteDisconnected",
                   "Read timed out", "BadStatusLine", "reset by peer", "EOF")
_clients: PerKey[CosS3Client] = PerKey()


def client(settings: Settings, region: str) -> CosS3Client:
    def build() -> CosS3Client:
        settings.require()
        extra: dict[str, Any] = {}
        if settings.endpoint:
            extra = {"Scheme": "http", "Proxies": {"http": settings.endpoint, "https": settings.endpoint}}
        conf = CosConfig(Region=region, SecretId=settings.secret_id, SecretKey=settings.secret_key,
                         Token=settings.token, Timeout=30, **extra)
        return CosS3Client(conf, retry=0)

    return _clients.get((settings, region), build)


def _ci_code(err: CosServiceError) -> tuple[str, str]:
    """CI error bodies have no Resource, so the SDK reports 'Unknown'; read Code/Message ourselves."""
    code, message = err.get_error_code(), err.get_error_msg()
    if code in ("Unknown", None, ""):
        raw = err.get_origin_msg() or ""
        m = re.search(r"<Code>([^<]*)</Code>", raw)
        code = m.group(1) if m else f"HTTP{err.get_status_code()}"
        mm = re.search(r"<Message>([^<]*)</Message>", raw)
        message = mm.group(1) if mm else raw[:200]
    return code, message


def call(fn: Callable[[], T], doing: str, idempotent: bool = True,
         landed: Callable[[], T | None] | None = None) -> T:
    """Run one SDK call under the retry policy; its exceptions become the provider's error classes.

    A call that must not apply twice says `idempotent=False` and may give `landed` (see
    `RetryPolicy.look_before_retry`).
    """
    return DEFAULT_POLICY.run(lambda: _translate(fn, doing), doing, idempotent, landed)


def _translate(fn: Callable[[], T], doing: str) -> T:
    try:
        return fn()
    except CosServiceError as err:
        status = int(err.get_status_code() or 0)
        code, message = _ci_code(err)
        if code == "NoSuchResource" or (code in ("Unknown", f"HTTP{status}") and status == 404):
            code, message = "NoSuchBucket", "The specified bucket does not exist."
        raise cloud_error(code, message or code, err.get_request_id() or "", status, doing) from None
    except requests.RequestException as err:  # the SDK lets some transport errors (ProxyError, ...) through
        raise TransportError("ConnectionError", f"{type(err).__name__}: {str(err)[:250]}", "", 0, doing) from None
    except CosClientError as err:
        text = str(err)
        if any(marker in text for marker in NETWORK_MARKERS):
            raise TransportError("ConnectionError", text[:300], "", 0, doing) from None
        raise ProviderError(f"{doing}: {text}") from None


# -- buckets --------------------------------------------------------------------------------------
def create_bucket(c: CosS3Client, bucket: str, acl: str, tags: dict[str, str],
                  landed: Callable[[], bool | None] | None = None) -> None:
    """PutBucket; after a failure that may have applied, `landed()` says whether the bucket is ours now."""
    kwargs: dict[str, Any] = {"ACL": acl}
    if tags:
        kwargs["Tagging"] = urlencode(tags)
    call(lambda: c.create_bucket(Bucket=bucket, **kwargs), f"creating bucket {bucket}", idempotent=False,
         landed=landed)


def list_buckets(c: CosS3Client, region: str | None = None) -> list[dict[str, str]]:
    """The account's buckets (GET Service), each {"Name": <name>-<appid>, "Location": <region>, ...}; only those of
    `region` when given. GET Service answers every bucket at once (no paging below 1000 buckets)."""
    doing = f"listing the buckets{f' of region {region}' if region else ''}"
    data = call(lambda: c.list_buckets(**({"Region": region} if region else {})), doing)
    items = ((data or {}).get("Buckets") or {}).get("Bucket") or []
    return [items] if isinstance(items, dict) else list(items)


def find_bucket(c: CosS3Client, bucket: str) -> dict[str, str]:
    """The bucket's HEAD headers, or NotFound."""
    return call(lambda: c.head_bucket(Bucket=bucket), f"reading bucket {bucket}")


def delete_bucket(c: CosS3Client, bucket: str) -> None:
    call(lambda: c.delete_bucket(Bucket=bucket), f"deleting bucket {bucket}")


def get_acl(c: CosS3Client, bucket: str) -> str:
    data = call(lambda: c.get_bucket_acl(Bucket=bucket), f"reading the ACL of bucket {bucket}")
    return str(data.get("CannedACL") or "private")


def put_acl(c: CosS3Client, bucket: str, acl: str) -> None:
    call(lambda: c.put_bucket_acl(Bucket=bucket, ACL=acl), f"setting ACL {acl} on bucket {bucket}")


def get_tags(c: CosS3Client, bucket: str) -> dict[str, str]:
    try:
        data = call(lambda: c.get_bucket_tagging(Bucket=bucket), f"reading the tags of bucket {bucket}")
    except NotFound as err:
        if err.code == "NoSuchTagSet":
            return {}
        raise
    tags = (data or {}).get("TagSet", {}).get("Tag", []) if data else []
    if isinstance(tags, dict):
        tags = [tags]
    return {t["Key"]: t.get("Value") or "" for t in tags}


def put_tags(c: CosS3Client, bucket: str, tags: dict[str, str]) -> None:
    doing = f"setting the tags of bucket {bucket}"
    if tags:
        body = {"TagSet": {"Tag": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}}
        call(lambda: c.put_bucket_tagging(Bucket=bucket, Tagging=body), doing)
    else:
        call(lambda: c.delete_bucket_tagging(Bucket=bucket), doing)


def _versions(c: CosS3Client, bucket: str) -> Iterator[list[dict[str, str]]]:
    key_marker, version_marker = "", ""
    while True:
        page = call(lambda km=key_marker, vm=version_marker: c.list_objects_versions(
                        Bucket=bucket, KeyMarker=km, VersionIdMarker=vm, MaxKeys=1000),
                    f"listing object versions of bucket {bucket}")
        batch = [{"Key": v["Key"], "VersionId": v.get("VersionId") or "null"}
                 for v in (page.get("Version") or []) + (page.get("DeleteMarker") or [])]
        if batch:
            yield batch
        if str(page.get("IsTruncated", "false")).lower() != "true":
            return
        key_marker, version_marker = page.get("NextKeyMarker", ""), page.get("NextVersionIdMarker", "")


def _uploads(c: CosS3Client, bucket: str) -> list[dict[str, str]]:
    data = call(lambda: c.list_multipart_uploads(Bucket=bucket, MaxUploads=1000),
                f"listing incomplete multipart uploads of bucket {bucket}")
    uploads = data.get("Upload") or []
    return [uploads] if isinstance(uploads, dict) else uploads


def is_empty(c: CosS3Client, bucket: str) -> tuple[int, int]:
    """(objects seen on the first page, incomplete uploads) - zero and zero means empty."""
    page = call(lambda: c.list_objects(Bucket=bucket, MaxKeys=1), f"listing objects of bucket {bucket}")
    return len(page.get("Contents") or []), len(_uploads(c, bucket))


def empty_bucket(c: CosS3Client, bucket: str) -> int:
    """Delete every object version and abort every incomplete upload; return how many were removed."""
    removed = 0
    for batch in _versions(c, bucket):
        objects = [{"Key": o["Key"], **({"VersionId": o["VersionId"]} if o["VersionId"] != "null" else {})}
                   for o in batch]
        call(lambda objs=objects: c.delete_objects(Bucket=bucket, Delete={"Object": objs, "Quiet": "true"}),
             f"deleting {len(objects)} objects from bucket {bucket}")
        removed += len(objects)
    while uploads := _uploads(c, bucket):
        for u in uploads:
            call(lambda u=u: c.abort_multipart_upload(Bucket=bucket, Key=u["Key"], UploadId=u["UploadId"]),
                 f"aborting multipart upload {u['UploadId']} in bucket {bucket}")
            removed += 1
    return removed


# -- CI media processing ---------------------------------------------------------------------------
def _ci_request(c: CosS3Client, method: str, bucket: str, doing: str) -> dict[str, Any]:
    """POST/DELETE /mediabucket: the SDK has no method for it, so use its request and auth machinery."""
    conf = c._conf
    url = conf.uri(bucket=bucket, path="/mediabucket", endpoint=conf._endpoint_ci)
    rt = call(lambda: c.send_request(method=method, url=url, auth=CosS3Auth(conf, "/mediabucket", params={}),
                                     params={}, headers={"Content-Type": "application/xml"}, ci_request=True),
              doing)
    return xml_to_dict(rt.content) if rt.content else {}


def bind_media(c: CosS3Client, bucket: str) -> dict[str, Any]:
    return _ci_request(c, "POST", bucket, f"switching on media processing for bucket {bucket}")


def unbind_media(c: CosS3Client, bucket: str) -> None:
    _ci_request(c, "DELETE", bucket, f"switching off media processing for bucket {bucket}")


def find_media_binding(c: CosS3Client, bucket: str, region: str) -> dict[str, Any]:
    """The bucket's media processing binding as CI lists it, or NotFound."""
    doing = f"reading the media processing state of bucket {bucket}"
    data = call(lambda: c.ci_get_media_bucket(Regions=region, BucketNames=bucket, PageNumber="1", PageSize="100"),
                doing)
    items = (data or {}).get("MediaBucketList") or []
    if isinstance(items, dict):
        items = [items]
    found = next((i for i in items if i.get("BucketId") == bucket or i.get("Name") == bucket), None)
    if found is None:
        raise NotFound("ResourceNotFound", f"media processing is not switched on for bucket {bucket}", "", 0, doing)
    return found
