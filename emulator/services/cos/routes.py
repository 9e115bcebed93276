"""COS service: name the action from method, host kind and sub-resource; authenticate; dispatch."""

from __future__ import annotations

from typing import Any

from emulator.auth import AuthFailure
from emulator.auth.cos_sign import verify_cos
from emulator.auth.sigv4 import is_sigv4, verify_sigv4
from emulator.errors import CosError, EmulatorError
from emulator.services import Context, Service
from emulator.services.cos import config_handlers, handlers, s3_handlers
from emulator.services.cos.models import CosBackend
from emulator.services.cos.render import cos_error
from emulator.wire import Request, Response

AUTH_ERRORS = {
    "missing": (403, "AccessDenied"),
    "malformed": (403, "AccessDenied"),
    "unknown_key": (403, "InvalidAccessKeyId"),
    "mismatch": (403, "SignatureDoesNotMatch"),
    "expired": (403, "Request has expired"),
    "skewed": (403, "RequestTimeTooSkewed"),
    "token": (403, "InvalidAccessKeyId"),
}
# SigV4 (S3) requests answer S3's codes where COS's q-sign table has no equivalent.
SIGV4_ERRORS = AUTH_ERRORS | {
    "malformed": (400, "AuthorizationHeaderMalformed"),
    "expired": (403, "AccessDenied"),  # S3: AccessDenied, "Request has expired"
    "payload": (400, "XAmzContentSHA256Mismatch"),
    "incomplete": (400, "IncompleteBody"),
    "digest": (400, "BadDigest"),
}

BUCKET_ACTIONS = {
    ("PUT", ""): "PutBucket", ("HEAD", ""): "HeadBucket", ("DELETE", ""): "DeleteBucket",
    ("GET", ""): "GetBucket", ("GET", "versions"): "GetBucketObjectVersions",
    ("PUT", "acl"): "PutBucketACL", ("GET", "acl"): "GetBucketACL",
    ("PUT", "tagging"): "PutBucketTagging", ("GET", "tagging"): "GetBucketTagging",
    ("DELETE", "tagging"): "DeleteBucketTagging", ("GET", "uploads"): "ListMultipartUploads",
    ("POST", "delete"): "DeleteMultipleObjects",
    ("PUT", "cors"): "PutBucketCors", ("GET", "cors"): "GetBucketCors", ("DELETE", "cors"): "DeleteBucketCors",
    ("PUT", "lifecycle"): "PutBucketLifecycle", ("GET", "lifecycle"): "GetBucketLifecycle",
    ("DELETE", "lifecycle"): "DeleteBucketLifecycle",
    ("PUT", "referer"): "PutBucketReferer", ("GET", "referer"): "GetBucketReferer",
}
OBJECT_ACTIONS = {
    ("PUT", ""): "PutObject", ("GET", ""): "GetObject", ("HEAD", ""): "HeadObject",
    ("DELETE", ""): "DeleteObject", ("POST", "uploads"): "InitiateMultipartUpload",
    ("DELETE", "uploadId"): "AbortMultipartUpload", ("PUT", "copy"): "PutObjectCopy",
}
SUBRESOURCES = ("acl", "tagging", "uploads", "versions", "delete", "uploadId", "cors", "lifecycle", "referer")
# COS sub-resources the emulator does not model: without this list `GET /?cors` would answer as GET Bucket.
UNEMULATED = frozenset({
    "policy", "website", "logging", "versioning", "replication", "inventory",
    "intelligenttiering", "domain", "origin", "accelerate", "encryption", "object-lock", "restore", "select",
    "append", "notification", "location", "partNumber", "objectlock", "retention", "metaquery",
})


class CosService(Service):
    name = "cos"
    mutating = frozenset({"PutBucket", "DeleteBucket", "PutBucketACL", "PutBucketTagging", "DeleteBucketTagging",
                          "PutObject", "DeleteObject", "DeleteMultipleObjects", "InitiateMultipartUpload",
                          "AbortMultipartUpload", "PutObjectCopy", "PutBucketCors", "DeleteBucketCors",
                          "PutBucketLifecycle", "DeleteBucketLifecycle", "PutBucketReferer"})
    # Answered without a signature: a browser's preflight cannot carry one (436/8288).
    unsigned = frozenset({"OptionsObject"})
    # Object reads an unsigned request may make on a public-read bucket, subject to hotlink protection.
    anonymous_reads = frozenset({"GetObject", "HeadObject"})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.backend = CosBackend(ctx)

    def resolve(self, req: Request) -> str:
        """Fidelity gap: only the sub-resources in BUCKET_ACTIONS / OBJECT_ACTIONS are emulated; the other
        COS sub-resources (policy, website, versioning, upload part, ...) answer 501 NotImplemented.

        Fidelity gap: path style on the regional host (`cos.<region>.myqcloud.com/<bucket>/...`) answers 403
        AccessDenied for every bucket, as real COS does for buckets created since 2024-01-01 (the real error
        code is unverified); path style on the emulator's own address with a SigV4 signature is accepted.
        ListObjectsV2 (`GET /?list-type=2`) is answered in S3's format; that COS serves it is unverified."""
        if req.params.get("kind") == "path_style":
            raise CosError(403, "AccessDenied", "Path-style requests (cos.<region>.myqcloud.com/<bucket>) are not "
                           "supported for buckets created since 2024-01-01; use <bucket>.cos.<region>.myqcloud.com.")
        if req.params.get("kind") == "service":
            if req.method == "GET" and req.path == "/":
                return "GetService"
            raise CosError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
        if req.method == "OPTIONS":
            return "OptionsObject"  # any path of the bucket host, the root and ?lifecycle included (436/8288)
        unemulated = sorted(UNEMULATED.intersection(req.query))
        if unemulated:
            raise CosError(501, "NotImplemented", f"{req.method} ?{unemulated[0]} is not implemented by the emulator.")
        sub = next((s for s in SUBRESOURCES if s in req.query), "")
        if req.path == "/" and req.method == "GET" and not sub and req.query.get("list-type") == "2":
            return "ListObjectsV2"
        if req.path != "/" and req.method == "PUT" and not sub and _copy_source(req):
            sub = "copy"
        table = BUCKET_ACTIONS if req.path == "/" else OBJECT_ACTIONS
        action = table.get((req.method, sub))
        if action is None:
            raise CosError(501 if sub else 405, "NotImplemented" if sub else "MethodNotAllowed",
                           f"{req.method} {'?' + sub if sub else req.path} is not implemented by the emulator.")
        return action

    def authenticate(self, req: Request) -> None:
        """COS q-sign, or AWS SigV4 for S3 clients (emulator/auth/sigv4.py, with its UNVERIFIED list).

        Fidelity gap: SigV4 failures answer S3's codes where COS's q-sign table has none (400
        AuthorizationHeaderMalformed, XAmzContentSHA256Mismatch, IncompleteBody, BadDigest; 403 AccessDenied
        "Request has expired" for an expired presigned URL; unverified against COS); SigV4a (ECDSA) is refused.
        Objects carry no x-amz-checksum-* headers, so an S3 SDK that asks for checksum validation logs that the
        response has none and skips it.
        """
        sigv4 = is_sigv4(req.headers, req.query)
        try:
            if sigv4:
                region = None if req.params.get("path_style") else req.params.get("region")
                found = verify_sigv4(self.ctx.accounts, req.method, req.raw_path, req.raw_query, req.headers,
                                     req.body, region)
                req.account, req.body = found.account, found.body
            else:
                req.account, _ = verify_cos(self.ctx.accounts, req.method, req.path, req.query, req.headers)
        except AuthFailure as fail:
            status, code = (SIGV4_ERRORS if sigv4 else AUTH_ERRORS)[fail.kind]
            raise CosError(status, code, fail.message) from None

    def handle(self, req: Request) -> Response:
        name = _snake(req.action)
        fn = getattr(handlers, name, None) or getattr(config_handlers, name, None) or getattr(s3_handlers, name)
        if req.action in self.unsigned:
            return fn(self.backend, req)
        if req.action in self.anonymous_reads and not _signed(req):
            self._admit_anonymous(req)
        else:
            self.authenticate(req)
        response = fn(self.backend, req)
        origin = req.headers.get("origin")
        if origin and req.params.get("kind") == "bucket" and response.status < 300:
            doc = self.ctx.store.get("bucket", req.params["bucket"]) or {}
            response.headers.update(self.backend.cors_response_headers(doc, origin, req.method))
        return response

    def _admit_anonymous(self, req: Request) -> None:
        """An unsigned object read: hotlink protection first, then the bucket's public-read ACL.

        Fidelity gap: a Referer the bucket's rules refuse answers 403 AccessDenied (the guide, 436/13319, gives
        the status only); signed requests skip the referer check, as the guide says. Object ACLs are not
        modelled: a public-read or public-read-write bucket ACL admits the read, anything else is 403 AccessDenied.
        """
        bucket, region = req.params.get("bucket"), req.params.get("region")
        doc = self.ctx.store.get("bucket", bucket or "")
        if doc is None or doc["region"] != region:
            raise CosError(404, "NoSuchBucket", "The specified bucket does not exist.")
        if not self.backend.referer_allows(doc, req.headers.get("referer", "")):
            raise CosError(403, "AccessDenied", "Access Denied: the Referer is refused by the bucket's hotlink "
                           "protection.")
        if doc["acl"]["canned"] not in ("public-read", "public-read-write"):
            raise CosError(403, "AccessDenied", "Access Denied.")
        req.account = self.ctx.accounts.by_app_id(doc["app_id"])

    def render_error(self, err: EmulatorError, req: Request) -> Response:
        return cos_error(err, req)

    def injected_error(self, code: str, status: int, req: Request) -> EmulatorError:
        return CosError(status, code, f"Injected fault: {code}.")

    def inventory(self) -> dict[str, Any]:
        return {"buckets": self.backend.inventory()}


def _signed(req: Request) -> bool:
    q = {k.lower() for k in req.query}
    return bool(req.headers.get("authorization")) or "q-signature" in q or "x-amz-signature" in q


def _copy_source(req: Request) -> str:
    return req.headers.get("x-cos-copy-source") or req.headers.get("x-amz-copy-source") or ""


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
