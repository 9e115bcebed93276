"""COS service: `<bucket>-<appid>.cos.<region>.myqcloud.com` (bucket and object calls) and
`service.cos.myqcloud.com` / `cos.<region>.myqcloud.com` (GET Service); the action is named by the host kind,
the method and the sub-resource; q-sign, or SigV4 for S3 clients."""

from __future__ import annotations

import re

from emulator.auth import AuthFailure
from emulator.auth.cos_sign import verify_cos
from emulator.auth.sigv4 import credential_region, is_sigv4, verify_sigv4
from emulator.errors import CosError, EmulatorError
from emulator.services.base import Action, Handler, Service
from emulator.services.cos import config_handlers as cfg
from emulator.services.cos import handlers as h
from emulator.services.cos import multipart as mp
from emulator.services.cos import s3_handlers as s3
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


def _setting(name: str, sub: str, put: Handler, get: Handler, delete: Handler | None = None) -> dict[str, Action]:
    """PUT/GET (and DELETE) Bucket<name>: the bucket's `?<sub>` sub-resource."""
    actions = {f"PutBucket{name}": Action(put, ("bucket", "PUT", sub), mutating=True),
               f"GetBucket{name}": Action(get, ("bucket", "GET", sub))}
    if delete is not None:
        actions[f"DeleteBucket{name}"] = Action(delete, ("bucket", "DELETE", sub), mutating=True)
    return actions


# (scope, method, sub-resource): scope "service" is GET Service, "bucket" the path `/`, "object" a key path,
# "any" every path of a bucket host (the OPTIONS preflight).
# Two sub-resources are the emulator's own names: "list-type=2" (ListObjectsV2), "copy" (a PUT with a copy source).
ACTIONS: dict[str, Action] = {
    "GetService": Action(h.get_service, ("service", "GET", "")),
    "PutBucket": Action(h.put_bucket, ("bucket", "PUT", ""), mutating=True),
    "HeadBucket": Action(h.head_bucket, ("bucket", "HEAD", "")),
    "DeleteBucket": Action(h.delete_bucket, ("bucket", "DELETE", ""), mutating=True),
    "GetBucket": Action(h.get_bucket, ("bucket", "GET", "")),
    "ListObjectsV2": Action(s3.list_objects_v2, ("bucket", "GET", "list-type=2")),
    "GetBucketObjectVersions": Action(h.get_bucket_object_versions, ("bucket", "GET", "versions")),
    **_setting("ACL", "acl", h.put_bucket_acl, h.get_bucket_acl),
    **_setting("Tagging", "tagging", h.put_bucket_tagging, h.get_bucket_tagging, h.delete_bucket_tagging),
    "PutObject": Action(h.put_object, ("object", "PUT", ""), mutating=True),
    "PutObjectCopy": Action(s3.put_object_copy, ("object", "PUT", "copy"), mutating=True),
    "GetObject": Action(h.get_object, ("object", "GET", ""), auth="optional"),
    "HeadObject": Action(h.head_object, ("object", "HEAD", ""), auth="optional"),
    "DeleteObject": Action(h.delete_object, ("object", "DELETE", ""), mutating=True),
    "DeleteMultipleObjects": Action(h.delete_multiple_objects, ("bucket", "POST", "delete"), mutating=True),
    "InitiateMultipartUpload": Action(h.initiate_multipart_upload, ("object", "POST", "uploads"), mutating=True),
    "ListMultipartUploads": Action(h.list_multipart_uploads, ("bucket", "GET", "uploads")),
    "AbortMultipartUpload": Action(h.abort_multipart_upload, ("object", "DELETE", "uploadId"), mutating=True),
    "UploadPart": Action(mp.upload_part_handler, ("object", "PUT", "uploadId"), mutating=True),
    "ListParts": Action(mp.list_parts_handler, ("object", "GET", "uploadId")),
    "CompleteMultipartUpload": Action(mp.complete_handler, ("object", "POST", "uploadId"), mutating=True),
    # Bucket sub-settings (bucket_config.py); DELETE Bucket referer is a PUT with an empty body in the SDK.
    **_setting("Cors", "cors", cfg.put_bucket_cors, cfg.get_bucket_cors, cfg.delete_bucket_cors),
    **_setting("Lifecycle", "lifecycle", cfg.put_bucket_lifecycle, cfg.get_bucket_lifecycle,
               cfg.delete_bucket_lifecycle),
    **_setting("Referer", "referer", cfg.put_bucket_referer, cfg.get_bucket_referer),
    # A browser's preflight carries no signature (436/8288); any path of the bucket host, the root included.
    "OptionsObject": Action(cfg.options_object, ("any", "OPTIONS", ""), auth="none"),
}
ROUTES = {action.route: name for name, action in ACTIONS.items()}
PSEUDO_SUBRESOURCES = ("list-type=2", "copy")
SUBRESOURCES = tuple(dict.fromkeys(sub for _, _, sub in ROUTES if sub and sub not in PSEUDO_SUBRESOURCES))
# COS sub-resources the emulator does not model: without this list `GET /?cors` would answer as GET Bucket.
UNEMULATED = frozenset({
    "policy", "website", "logging", "versioning", "replication", "inventory",
    "intelligenttiering", "domain", "origin", "accelerate", "encryption", "object-lock", "restore", "select",
    "append", "notification", "location", "partNumber", "objectlock", "retention", "metaquery",
})
# The bucket part is not required to end in -APPID, so a name without one reaches COS (InvalidBucketName).
BUCKET_HOST = re.compile(
    r"^(?P<bucket>[a-z0-9][a-z0-9-]*)\.cos\.(?P<region>[a-z0-9-]+)\.(myqcloud\.com|tencentcos\.cn)$"
)
SERVICE_HOST = re.compile(
    r"^(service\.cos\.(myqcloud\.com|tencentcos\.cn)|cos\.(?P<region>[a-z0-9-]+)\.(myqcloud\.com|tencentcos\.cn))$"
)


class CosService(Service, name="cos", hosts=(BUCKET_HOST, SERVICE_HOST), actions=ACTIONS, backend=CosBackend,
                 inventory="buckets"):
    def on_host(self, match: re.Match[str], req: Request) -> None:
        if match.re is BUCKET_HOST:
            req.params.update(kind="bucket", bucket=match["bucket"], region=match["region"])
        else:  # a path on the regional host is path style, refused in resolve
            req.params.update(kind="service" if req.path == "/" else "path_style", region=match["region"])

    def identifies(self, req: Request) -> bool:
        """An S3 (SigV4) request on a bare address is path style (`/<bucket>-<appid>/<key>`, region from the
        credential scope): an emulator-only convenience. req.path becomes the key path; raw_path stays signed."""
        if not is_sigv4(req.headers, req.query):
            return False
        bucket, _, rest = req.path[1:].partition("/")
        if not bucket:
            req.params.update(kind="service", region=None)
        else:
            req.params.update(kind="bucket", bucket=bucket, region=credential_region(req.headers, req.query),
                              path_style=True)
            req.path = "/" + rest
        return True

    def answers_bare(self, req: Request) -> bool:
        """`GET /` on a bare address is GET Service (the SDK's list_buckets with ServiceDomain=IP:port)."""
        if req.path == "/" and req.method == "GET":
            req.params.update(kind="service", region=None)
            return True
        return False

    def resolve(self, req: Request) -> str:
        """Fidelity gap: only the sub-resources in ACTIONS are emulated; the other
        COS sub-resources (policy, website, versioning, GET Object by partNumber, ...) answer 501 NotImplemented.

        Fidelity gap: path style on the regional host (`cos.<region>.myqcloud.com/<bucket>/...`) answers 403
        AccessDenied for every bucket, as real COS does for buckets created since 2024-01-01 (the real error
        code is unverified); path style on the emulator's own address with a SigV4 signature is accepted.
        ListObjectsV2 (`GET /?list-type=2`) is answered in S3's format; that COS serves it is unverified."""
        if req.params.get("kind") == "path_style":
            raise CosError(403, "AccessDenied", "Path-style requests (cos.<region>.myqcloud.com/<bucket>) are not "
                           "supported for buckets created since 2024-01-01; use <bucket>.cos.<region>.myqcloud.com.")
        if req.params.get("kind") == "service":
            if req.method == "GET" and req.path == "/":
                return ROUTES[("service", "GET", "")]
            raise CosError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
        if req.method == "OPTIONS":
            return ROUTES[("any", "OPTIONS", "")]
        # partNumber with uploadId is Upload Part (multipart.py); alone (GET Object by part) it is not emulated.
        part_of_upload = {"partNumber"} if "uploadId" in req.query else set()
        unemulated = sorted(UNEMULATED.intersection(req.query) - part_of_upload)
        if unemulated:
            raise CosError(501, "NotImplemented", f"{req.method} ?{unemulated[0]} is not implemented by the emulator.")
        sub = next((s for s in SUBRESOURCES if s in req.query), "")
        scope = "bucket" if req.path == "/" else "object"
        if scope == "bucket" and req.method == "GET" and not sub and req.query.get("list-type") == "2":
            sub = "list-type=2"
        if scope == "object" and req.method == "PUT" and not sub and s3.copy_source(req):
            sub = "copy"
        action = ROUTES.get((scope, req.method, sub))
        if action is None:
            raise CosError(501 if sub else 405, "NotImplemented" if sub else "MethodNotAllowed",
                           f"{req.method} {'?' + sub if sub else req.path} is not implemented by the emulator.")
        return action

    def authenticate(self, req: Request, action: Action) -> None:
        """COS q-sign, or AWS SigV4 for S3 clients (emulator/auth/sigv4.py, with its UNVERIFIED list).

        q-sign comes in the Authorization header or, for a pre-signed URL, in the query string (q-sign-algorithm,
        q-ak, q-sign-time, q-key-time, q-header-list, q-url-param-list, q-signature, and x-cos-security-token
        for a temporary key); both are checked by the same verify_cos (request-signature doc 436/7778). Codes:
        unknown q-ak 403 InvalidAccessKeyId, wrong signature (tampered URL, wrong key, another method or
        path) 403 SignatureDoesNotMatch, outside q-sign-time 403 `Request has expired` (the code string of the
        COS error-code table, 436/7730; the message is the same text).
        Fidelity gap: answers seen from the live service for an expired pre-signed URL may carry Code
        AccessDenied with Message "Request has expired" (as S3 does); the emulator follows the error-code table.

        Fidelity gap: SigV4 failures answer S3's codes where COS's q-sign table has none (400
        AuthorizationHeaderMalformed, XAmzContentSHA256Mismatch, IncompleteBody, BadDigest; 403 AccessDenied
        "Request has expired" for an expired presigned URL; unverified against COS); SigV4a (ECDSA) is refused.
        Objects carry no x-amz-checksum-* headers, so an S3 SDK that asks for checksum validation logs that the
        response has none and skips it.
        """
        if action.auth == "optional" and not _signed(req):
            self._admit_anonymous(req)
            return
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

    def render_error(self, err: EmulatorError, req: Request) -> Response:
        return self._with_cors(req, cos_error(err, req))

    def injected_error(self, code: str, status: int, req: Request) -> EmulatorError:
        return CosError(status, code, f"Injected fault: {code}.")

    def handle(self, req: Request) -> Response:
        """The action's answer, plus the Access-Control-* headers a cross-origin request (Origin) is allowed."""
        return self._with_cors(req, super().handle(req))

    def _with_cors(self, req: Request, response: Response) -> Response:
        """Add the bucket's CORS answer for a request with Origin, to successes and errors alike.

        Errors carry the same Access-Control-* headers as successes when a bucket rule allows the origin and
        method: COS evaluates the bucket's CORS configuration per request, not per outcome, as S3 does ("CORS
        configuration ... identifies the origins that you will allow to access your bucket", S3 user guide,
        cors-troubleshooting), and the COS browser SDK (cos-js-sdk-v5) hands a page COS's error Code and
        statusCode, which a browser only exposes when the error answer carries Access-Control-Allow-Origin; the
        SDK's "CORS blocked or network error" (cos-js-sdk-v5 issue #85) is what a page sees when it does not.
        Fidelity gap: which error answers carry the headers is UNVERIFIED against the live service; here every
        error on an existing bucket with a matching rule does, and none where the bucket does not exist.
        """
        origin = req.headers.get("origin")
        if origin and req.action != "OptionsObject" and req.params.get("kind") == "bucket":
            doc = self.ctx.store.get("bucket", req.params["bucket"]) or {}
            response.headers.update(self.backend.cors_response_headers(doc, origin, req.method))
        return response

    def _admit_anonymous(self, req: Request) -> None:
        """An unsigned object read: hotlink protection first, then the bucket's public-read ACL.

        Fidelity gap: a Referer the bucket's rules refuse answers 403 AccessDenied (the guide, 436/13319, gives
        the status only); signed requests skip the referer check, as the guide says. Object ACLs are not
        modelled: a public-read or public-read-write bucket ACL admits the read, anything else is 403 AccessDenied.
        """
        doc = self.ctx.store.get("bucket", req.params.get("bucket") or "")
        if doc is None or doc["region"] != req.params.get("region"):
            raise CosError(404, "NoSuchBucket", "The specified bucket does not exist.")
        if not self.backend.referer_allows(doc, req.headers.get("referer", "")):
            raise CosError(403, "AccessDenied", "Access Denied: the Referer is refused by the bucket's hotlink "
                           "protection.")
        if doc["acl"]["canned"] not in ("public-read", "public-read-write"):
            raise CosError(403, "AccessDenied", "Access Denied.")
        req.account = self.ctx.accounts.by_app_id(doc["app_id"])


def _signed(req: Request) -> bool:
    q = {k.lower() for k in req.query}
    return bool(req.headers.get("authorization")) or "q-signature" in q or "x-amz-signature" in q
