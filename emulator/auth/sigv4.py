"""AWS Signature Version 4 for COS's S3-compatible interface (header and presigned query auth).

Real COS accepts S3 requests signed with SigV4, using the SecretId as the access key id and the
SecretKey as the secret; this is what lets S3 clients (the AWS SDKs, Pulumi's DIY backend through
gocloud.dev) use COS. Implemented from the AWS SigV4 specification:

    canonical request = method \\n canonical URI \\n canonical query \\n canonical headers \\n
                        signed headers \\n payload hash
    string to sign    = AWS4-HMAC-SHA256 \\n <x-amz-date> \\n <date>/<region>/s3/aws4_request \\n
                        hex(sha256(canonical request))
    signing key       = HMAC chain over "AWS4"+secret, date, region, service, "aws4_request"

The payload hash is the `x-amz-content-sha256` header: a hex SHA-256 of the body (checked against
the body), `UNSIGNED-PAYLOAD`, or a `STREAMING-*` value whose aws-chunked body is decoded here
(aws_chunked.py) with every chunk signature checked. An `x-amz-checksum-crc32|sha1|sha256` header (what the
SDKs send instead of a trailer over plain http) is checked against the body. Presigned URLs carry the same fields in
`X-Amz-*` query parameters and sign `UNSIGNED-PAYLOAD`.

UNVERIFIED against real COS (decided from the S3 documentation, not observed):
- the scope's region must be the region the Host names (S3 answers 400 AuthorizationHeaderMalformed);
  on a bare address (path style) the scope's region is taken as the bucket's region;
- the service in the scope must be `s3`;
- the allowed clock skew is S3's 15 minutes (RequestTimeTooSkewed), presigned expiry at most 7 days;
- a temporary key's token comes in `x-amz-security-token` (header or query);
- a wrong `x-amz-content-sha256` answers 400 XAmzContentSHA256Mismatch.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, unquote

from emulator.accounts import Account, Accounts, Key
from emulator.auth import AuthFailure
from emulator.auth.aws_chunked import checksum, decode_aws_chunked

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 15 * 60
MAX_PRESIGN_EXPIRES = 7 * 24 * 3600
UNSIGNED = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<cred>[^,\s]+),\s*SignedHeaders=(?P<headers>[^,\s]+),\s*"
    r"Signature=(?P<sig>[0-9a-f]{64})\s*$"
)
_SPACES = re.compile(r"\s+")


class PayloadMismatch(AuthFailure):
    """The body's SHA-256 is not the one the client signed (x-amz-content-sha256)."""

    def __init__(self, message: str) -> None:
        super().__init__("payload", message)


@dataclass
class SigV4Result:
    account: Account
    key: Key
    body: bytes  # decoded: aws-chunked framing removed
    region: str  # the credential scope's region
    trailers: dict[str, str]


def is_sigv4(headers: dict[str, str], query: dict[str, str]) -> bool:
    return headers.get("authorization", "").startswith(ALGORITHM) or query.get("X-Amz-Algorithm") == ALGORITHM


def credential_region(headers: dict[str, str], query: dict[str, str]) -> str | None:
    """The region of the credential scope, used to place path-style requests on a bare address."""
    m = _AUTH_RE.match(headers.get("authorization", ""))
    cred = m.group("cred") if m else query.get("X-Amz-Credential", "")
    parts = cred.split("/")
    return parts[2] if len(parts) == 5 else None


def _uri_encode(value: str, safe: str = "") -> str:
    return quote(value, safe="-_.~" + safe)


def canonical_uri(raw_path: str) -> str:
    """S3 signs the path encoded once (no normalisation); re-encode the decoded path the AWS way."""
    return _uri_encode(unquote(raw_path or "/"), safe="/")


def canonical_query(raw_query: str, drop: str | None = None) -> str:
    pairs = [(k, v) for k, v in parse_qsl(raw_query, keep_blank_values=True) if k != drop]
    return "&".join(f"{_uri_encode(k)}={_uri_encode(v)}" for k, v in sorted(pairs))


def canonical_request(
    method: str, raw_path: str, raw_query: str, headers: dict[str, str], signed: list[str], payload_hash: str,
    drop_query: str | None = None,
) -> str:
    canon_headers = "".join(f"{h}:{_SPACES.sub(' ', headers.get(h, '').strip())}\n" for h in signed)
    return "\n".join([method, canonical_uri(raw_path), canonical_query(raw_query, drop_query), canon_headers,
                      ";".join(signed), payload_hash])


def signing_key(secret_key: str, date: str, region: str, service: str = "s3") -> bytes:
    k = hmac.new(("AWS4" + secret_key).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def sign(key: bytes, string_to_sign: str) -> str:
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"


def _parse_time(amz_date: str) -> float:
    try:
        return datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError as exc:
        raise AuthFailure("malformed", f"X-Amz-Date {amz_date!r} is not in the form YYYYMMDDTHHMMSSZ") from exc


def verify_sigv4(
    accounts: Accounts,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: dict[str, str],
    body: bytes,
    region: str | None = None,
    now: float | None = None,
) -> SigV4Result:
    """Check a SigV4 request (Authorization header or presigned query); return who signed it and the body.

    `headers` have lower-case names; `region` is the region the Host names (None on a bare address).
    Raises AuthFailure with the kinds of emulator.auth (and `payload` for a body that fails its hash).
    """
    now = time.time() if now is None else now
    query = dict(parse_qsl(raw_query, keep_blank_values=True))
    presigned = "authorization" not in headers and query.get("X-Amz-Algorithm") == ALGORITHM
    if presigned:
        for name in ("X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Expires"):
            if not query.get(name):
                raise AuthFailure("malformed", f"Query-string authentication requires {name}")
        cred, amz_date = query["X-Amz-Credential"], query["X-Amz-Date"]
        signed, signature = query["X-Amz-SignedHeaders"].split(";"), query["X-Amz-Signature"]
        payload_hash = UNSIGNED
    else:
        m = _AUTH_RE.match(headers.get("authorization", ""))
        if not m:
            raise AuthFailure("malformed", "The Authorization header is not a valid AWS4-HMAC-SHA256 signature")
        cred, signed, signature = m.group("cred"), m.group("headers").split(";"), m.group("sig")
        amz_date = headers.get("x-amz-date", "")
        if not amz_date:
            raise AuthFailure("malformed", "AWS authentication requires a valid X-Amz-Date header")
        payload_hash = headers.get("x-amz-content-sha256", "")
        if not payload_hash:
            raise AuthFailure("malformed", "Missing required header for this request: x-amz-content-sha256")
    parts = cred.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise AuthFailure("malformed", f"Credential {cred!r} is not <key>/<date>/<region>/<service>/aws4_request")
    access_key, scope_date, scope_region, service = parts[:4]
    if "host" not in signed:
        raise AuthFailure("malformed", "SignedHeaders must include host")
    found = accounts.lookup(access_key)
    if found is None:
        raise AuthFailure("unknown_key", f"The AWS Access Key Id {access_key} you provided does not exist")
    account, key = found
    signed_at = _parse_time(amz_date)
    if scope_date != amz_date[:8]:
        raise AuthFailure("malformed", f"The credential date {scope_date} does not match X-Amz-Date {amz_date}")
    if service != "s3":
        raise AuthFailure("malformed", f"The credential scope names service {service!r}; expecting 's3'")
    if region and scope_region != region:
        raise AuthFailure("malformed", f"The authorization header is malformed; the region '{scope_region}' is "
                                       f"wrong; expecting '{region}'")
    if presigned:
        try:
            expires = int(query["X-Amz-Expires"])
        except ValueError as exc:
            raise AuthFailure("malformed", "X-Amz-Expires must be a number of seconds") from exc
        if not 0 <= expires <= MAX_PRESIGN_EXPIRES:
            raise AuthFailure("malformed", "X-Amz-Expires must be between 0 and 604800 seconds")
        if now > signed_at + expires:
            raise AuthFailure("expired", "Request has expired")
        if signed_at - now > MAX_SKEW_SECONDS:
            raise AuthFailure("skewed", "The difference between the request time and the server's time is too large")
    elif abs(now - signed_at) > MAX_SKEW_SECONDS:
        raise AuthFailure("skewed", "The difference between the request time and the server's time is too large")
    scope = f"{scope_date}/{scope_region}/{service}/aws4_request"
    canonical = canonical_request(method, raw_path, raw_query, headers, signed, payload_hash,
                                  drop_query="X-Amz-Signature" if presigned else None)
    skey = signing_key(key.secret_key, scope_date, scope_region, service)
    if not hmac.compare_digest(sign(skey, string_to_sign(amz_date, scope, canonical)), signature):
        raise AuthFailure("mismatch", "The request signature we calculated does not match the signature you provided")
    token = headers.get("x-amz-security-token") or query.get("X-Amz-Security-Token")
    if key.token is not None and token != key.token:
        raise AuthFailure("token", "The security token is missing or does not match the temporary key")
    trailers: dict[str, str] = {}
    if payload_hash.startswith("STREAMING-"):
        body, trailers = decode_aws_chunked(body, payload_hash, headers, skey, amz_date, scope, signature)
    elif payload_hash != UNSIGNED:
        if not hmac.compare_digest(hashlib.sha256(body).hexdigest(), payload_hash.lower()):
            raise PayloadMismatch("The provided 'x-amz-content-sha256' header does not match what was computed.")
    for name, value in headers.items():  # e.g. x-amz-checksum-crc32, sent by SDKs over plain http
        if name.startswith("x-amz-checksum-") and checksum(name, body) not in (None, value):
            raise AuthFailure("digest", f"The {name} you specified did not match the calculated checksum")
    return SigV4Result(account, key, body, scope_region, trailers)
