"""The library's bucket as the data plane reaches it: where a file's bytes go, the signed headers a client PUTs them
with, the pre-signed URL a download redirects to, and the object calls SMH makes itself (copy, delete, complete).

SMH answers a begin-upload with the COS `domain`, `path` and `headers` (`Authorization`, `x-cos-security-token`,
`Content-Type`, ...) of a request the client then sends to the bucket itself (smh-sdk-ios
QCloudSMHPutObjectRequest.h: "上传的目标 URL 为 https://{Domain}{Path} ... 需要指定一系列额外的请求头部字段";
smh_flutter_sdk SMHSimpleUploadParamsEntity), and a download with a 302 to a COS URL (1339/49948).

Fidelity gap: real SMH signs with temporary credentials of its own service role and keeps files under keys of its
own; the emulator signs with the first key of the account that owns the bucket (and adds its token when that key is
temporary) and names objects `<LibraryId>/<32 hex>`. A library created without a bucket (an SMH-managed bucket)
cannot take uploads through COS here: its begin-upload answers 501 NotImplemented (the one-request upload still
works). The download URL is http:// (the emulator speaks plain http; real SMH answers https).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from emulator.accounts import Account, Key
from emulator.auth.cos_sign import cos_signature
from emulator.errors import SmhDataError
from emulator.services.base import Context
from emulator.services.cos.models import CosBackend, bucket_host

SIGN_SECONDS = 3600


@dataclass(frozen=True)
class BucketRef:
    """The bucket a library's files live in, and the account (and key) that owns it."""

    bucket: str
    region: str
    account: Account
    key: Key

    @property
    def domain(self) -> str:
        return bucket_host(self.bucket, self.region)

    def cos(self, ctx: Context) -> CosBackend:
        return CosBackend(ctx)


def bucket_of(ctx: Context, library: dict[str, Any]) -> BucketRef:
    bucket, region = library.get("BucketName") or "", library.get("BucketRegion") or ""
    account = ctx.accounts.by_app_id(str(library.get("app_id", "")))
    if not bucket or not region or account is None or not account.keys:
        raise SmhDataError(501, "NotImplemented", "The library has no bucket of yours (an SMH-managed bucket): "
                                                  "uploads through COS are not emulated for it; send the bytes "
                                                  "in the body of PUT /api/v1/file/... instead")
    return BucketRef(bucket, region, account, account.keys[0])


def new_key(library_id: str) -> str:
    return f"{library_id}/{secrets.token_hex(16)}"


def _window() -> tuple[str, str]:
    now = int(time.time())
    window = f"{now - 60};{now + SIGN_SECONDS}"
    return window, time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now + SIGN_SECONDS))


def upload_headers(ref: BucketRef, key: str, content_type: str) -> tuple[dict[str, str], str]:
    """The headers of the client's PUT (object or part) to `/<key>`, and when they expire (ISO 8601).

    Only Host and Content-Type are signed and no query parameter, so one set of headers serves every part of a
    multipart upload (the SDKs send the same headers with each partNumber/uploadId).
    """
    window, expires = _window()
    signed = {"content-type": content_type, "host": ref.domain}
    signature = cos_signature(ref.key.secret_key, "put", "/" + key, {}, signed, window)
    auth = (f"q-sign-algorithm=sha1&q-ak={ref.key.secret_id}&q-sign-time={window}&q-key-time={window}"
            f"&q-header-list=content-type;host&q-url-param-list=&q-signature={signature}")
    headers = {"Content-Type": content_type, "Authorization": auth}
    if ref.key.token:
        headers["x-cos-security-token"] = ref.key.token
    return headers, expires


def presigned_get(ref: BucketRef, key: str) -> str:
    """A pre-signed GET URL of the object (436/7778: the q-sign fields as query parameters)."""
    window, _ = _window()
    signature = cos_signature(ref.key.secret_key, "get", "/" + key, {}, {"host": ref.domain}, window)
    query = {"q-sign-algorithm": "sha1", "q-ak": ref.key.secret_id, "q-sign-time": window, "q-key-time": window,
             "q-header-list": "host", "q-url-param-list": "", "q-signature": signature}
    if ref.key.token:
        query["x-cos-security-token"] = ref.key.token
    return f"http://{ref.domain}/{quote(key)}?{urlencode(query)}"
