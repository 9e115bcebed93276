"""Signature verification: COS q-sign (COS and CI) and TC3-HMAC-SHA256 (API 3.0)."""

from __future__ import annotations


class AuthFailure(Exception):
    """Why a signature was refused; each service maps `kind` to its own error code.

    kinds: missing, malformed, unknown_key, mismatch, expired, skewed, token
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
