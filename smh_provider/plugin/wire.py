"""Property bags between the gRPC protocol (protobuf Structs) and the dicts the resource providers take.

The plugin accepts secrets (ConfigureResponse.acceptSecrets): a secret input arrives wrapped, anywhere in a value.
The providers see plain values; which top-level properties held a secret is kept, and those properties go back
wrapped as secrets in the outputs, together with the outputs the schema marks secret (`library_secret`), so no
secret leaves the plugin in plain text.
"""

from __future__ import annotations

import asyncio
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import rpc


def _unwrap(value: Any) -> tuple[Any, bool]:
    if rpc.is_rpc_secret(value):
        inner, _ = _unwrap(rpc.unwrap_rpc_secret(value))
        return inner, True
    if isinstance(value, dict):
        out, secret = {}, False
        for k, v in value.items():
            out[k], s = _unwrap(v)
            secret = secret or s
        return out, secret
    if isinstance(value, list):
        items = [_unwrap(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def to_dict(struct: struct_pb2.Struct | None, keep_unknowns: bool = False) -> tuple[dict[str, Any], set[str]]:
    """(plain properties, names of the top-level properties that held a secret)."""
    if struct is None:
        return {}, set()
    raw = rpc.deserialize_properties(struct, keep_unknowns) or {}
    out: dict[str, Any] = {}
    secrets: set[str] = set()
    for key, value in raw.items():
        out[key], secret = _unwrap(value)
        if secret:
            secrets.add(key)
    return out, secrets


def to_struct(props: dict[str, Any], secrets: set[str] | frozenset[str] = frozenset()) -> struct_pb2.Struct:
    """The Struct of `props`, the properties named in `secrets` wrapped as secrets."""
    wrapped = {k: rpc.wrap_rpc_secret(v) if k in secrets and v is not None else v for k, v in props.items()}
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(wrapped, {}))
    finally:
        loop.close()
