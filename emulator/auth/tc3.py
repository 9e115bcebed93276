"""TC3-HMAC-SHA256 verification for TencentCloud API 3.0 (fact sheet section 4.4).

The payload hash is taken over the raw body bytes exactly as received; header values
are used verbatim, as the SDK signs them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from datetime import UTC, datetime

from emulator.accounts import Account, Accounts, Key
from emulator.auth import AuthFailure

MAX_SKEW_SECONDS = 300
_AUTH_RE = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/]+)/tc3_request,\s*"
    r"SignedHeaders=(?P<headers>[^,]+),\s*Signature=(?P<sig>[0-9a-f]{64})$"
)


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def tc3_signature(
    secret_key: str,
    method: str,
    query: str,
    headers: dict[str, str],
    signed_headers: list[str],
    body: bytes,
    timestamp: int,
    date: str,
    service: str,
) -> str:
    canonical_headers = "".join(f"{h}:{headers.get(h, '')}\n" for h in signed_headers)
    canonical = "\n".join(
        [method, "/", query, canonical_headers, ";".join(signed_headers), hashlib.sha256(body).hexdigest()]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    k = _hmac(_hmac(_hmac(("TC3" + secret_key).encode(), date), service), "tc3_request")
    return hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()


def credential_service(headers: dict[str, str]) -> str | None:
    """The service named in the credential scope, used to route bare-IP requests."""
    m = _AUTH_RE.match(headers.get("authorization", ""))
    return m.group("service") if m else None


def verify_tc3(
    accounts: Accounts, method: str, query: str, headers: dict[str, str], body: bytes, now: float | None = None
) -> tuple[Account, Key]:
    now = time.time() if now is None else now
    auth = headers.get("authorization", "")
    if not auth:
        raise AuthFailure("missing", "The Authorization header is missing")
    m = _AUTH_RE.match(auth)
    if not m:
        raise AuthFailure("malformed", "The Authorization header is not a TC3-HMAC-SHA256 signature")
    try:
        timestamp = int(headers.get("x-tc-timestamp", ""))
    except ValueError as exc:
        raise AuthFailure("malformed", "X-TC-Timestamp is missing or not an integer") from exc
    found = accounts.lookup(m.group("id"))
    if found is None:
        raise AuthFailure("unknown_key", "SecretId does not exist, please check your SecretId")
    account, key = found
    if abs(now - timestamp) > MAX_SKEW_SECONDS:
        raise AuthFailure(
            "expired", f"Signature expired, timestamp {timestamp} differs from server time by more than 5 minutes"
        )
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    if date != m.group("date"):
        raise AuthFailure("mismatch", "The credential date does not match X-TC-Timestamp")
    signed = m.group("headers").split(";")
    expected = tc3_signature(key.secret_key, method, query, headers, signed, body, timestamp, date, m.group("service"))
    if not hmac.compare_digest(expected, m.group("sig")):
        raise AuthFailure("mismatch", "The provided credentials could not be validated. Please check your signature")
    if key.token is not None and headers.get("x-tc-token") != key.token:
        raise AuthFailure("token", "The security token is missing or invalid")
    return account, key
