"""COS q-sign-algorithm=sha1 verification (fact sheet section 2.2).

The verifier recomputes the signature from what arrived: the header and parameter names
come from `q-header-list` / `q-url-param-list`, their values from the request. The SDK
signs the URL hostname without the port, so `host` is tried with the port stripped first.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from email.utils import parsedate_to_datetime
from urllib.parse import quote

from emulator.accounts import Account, Accounts, Key
from emulator.auth import AuthFailure

MAX_SKEW_SECONDS = 15 * 60


def _q(value: str) -> str:
    return quote(value, safe="-_.~")


def cos_signature(secret_key: str, method: str, path: str, params: dict[str, str], headers: dict[str, str],
                  key_time: str) -> str:
    """The q-signature for a canonical request; `params`/`headers` have lower-case names."""
    p = sorted((_q(k).lower(), _q(v)) for k, v in params.items())
    h = sorted((_q(k).lower(), _q(v)) for k, v in headers.items())
    http_string = "\n".join(
        [method.lower(), path, "&".join(f"{k}={v}" for k, v in p), "&".join(f"{k}={v}" for k, v in h), ""]
    )
    string_to_sign = f"sha1\n{key_time}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n"
    sign_key = hmac.new(secret_key.encode(), key_time.encode(), hashlib.sha1).hexdigest()
    return hmac.new(sign_key.encode(), string_to_sign.encode(), hashlib.sha1).hexdigest()


SIGN_FIELDS = ("q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list",
               "q-signature")


def signature_fields(query: dict[str, str], headers: dict[str, str]) -> tuple[dict[str, str], str]:
    """The q-sign fields of a request and where they came from: the Authorization header ("header"), or the
    query string of a pre-signed URL ("query", request-signature doc 436/7778: the same key=value pairs, each
    URL-encoded as a query parameter). Neither: AuthFailure("missing")."""
    auth = headers.get("authorization", "")
    if auth:
        return dict(part.split("=", 1) for part in auth.split("&") if "=" in part), "header"
    lower = {k.lower(): v for k, v in query.items()}
    if "q-signature" in lower or "q-sign-algorithm" in lower:
        return {k: lower[k] for k in SIGN_FIELDS if k in lower}, "query"
    raise AuthFailure("missing", "Authorization header is required")


def verify_cos(
    accounts: Accounts,
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    token_header: str = "x-cos-security-token",
    now: float | None = None,
) -> tuple[Account, Key]:
    """Check a q-sign signature, from the Authorization header or a pre-signed URL's query string (one set of
    rules for both); return the signing account and key or raise AuthFailure.

    `path` is the percent-decoded request path, `query` the decoded query, `headers` lower-case names.
    A pre-signed URL carries a temporary key's token as the `x-cos-security-token` query parameter (the SDK's
    `Params={"x-cos-security-token": ...}`: signed with the URL) or as the header; either is accepted.

    Fidelity gap: a pre-signed URL's token is accepted whether or not it is among the signed parameters
    (q-url-param-list); whether COS insists on it being signed is UNVERIFIED. A request with both an Authorization
    header and q-sign query parameters is judged by the header alone.
    """
    now = time.time() if now is None else now
    fields, where = signature_fields(query, headers)
    if fields.get("q-sign-algorithm") != "sha1" or any(k not in fields for k in SIGN_FIELDS):
        what = "Authorization" if where == "header" else "The pre-signed URL's q-sign parameters"
        raise AuthFailure("malformed", f"{what} is not a valid q-sign-algorithm=sha1 signature")
    found = accounts.lookup(fields["q-ak"])
    if found is None:
        raise AuthFailure("unknown_key", f"The SecretId {fields['q-ak']} does not exist")
    account, key = found
    # Both windows must hold now: q-key-time is the one signed, q-sign-time the one declared (equal in every
    # SDK); checking only q-sign-time would let a URL's holder widen it without breaking the signature.
    for name in ("q-sign-time", "q-key-time"):
        try:
            start, end = (int(x) for x in fields[name].split(";"))
        except ValueError as exc:
            raise AuthFailure("malformed", f"{name} is not <start>;<end>") from exc
        if not start <= now <= end:
            raise AuthFailure("expired", "Request has expired")
    if "date" in headers:
        try:
            skew = abs(parsedate_to_datetime(headers["date"]).timestamp() - now)
        except (TypeError, ValueError):
            skew = 0
        if skew > MAX_SKEW_SECONDS:
            raise AuthFailure("skewed", "The difference between the request time and the server's time is too large")
    header_names = [h for h in fields["q-header-list"].split(";") if h]
    param_names = [p for p in fields["q-url-param-list"].split(";") if p]
    lower_query = {k.lower(): v for k, v in query.items()}
    params = {name: lower_query.get(name, "") for name in param_names}
    host_candidates = [headers.get("host", "")]
    if ":" in host_candidates[0]:
        host_candidates.insert(0, host_candidates[0].rsplit(":", 1)[0].lower())
    for host in host_candidates:
        signed = {name: (host if name == "host" else headers.get(name, "")) for name in header_names}
        expected = cos_signature(key.secret_key, method, path, params, signed, fields["q-key-time"])
        if hmac.compare_digest(expected, fields["q-signature"]):
            break
    else:
        raise AuthFailure("mismatch", "The Signature you specified is invalid")
    token = headers.get(token_header)
    if token is None and where == "query":
        token = {k.lower(): v for k, v in query.items()}.get(token_header)
    if key.token is not None and token != key.token:
        raise AuthFailure("token", "The security token is missing or does not match the temporary key")
    return account, key
