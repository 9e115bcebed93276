"""API 3.0 request parameters: JSON bodies and dotted GET/form parameters, checked against each action's schema.

The SDK sends POST with a JSON body of only the set fields, or GET with the same structure flattened to
`LibraryIds.0=...&LibraryExtension.IsFileLibrary=True` (Python's str() of a bool). Both end up as the
same typed dict here; wrong types answer InvalidParameter, unknown names UnknownParameter.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from emulator.errors import Api3Error
from emulator.wire import Request

Schema = Any  # "str" | "int" | "bool" | "strlist" | [Schema] | {name: Schema} (sdk_models.py derives them)


def _unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in pairs:
        node = root
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise Api3Error("InvalidParameter", f"The parameter `{key}` conflicts with another parameter")
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    """Turn {"0": a, "1": b} into [a, b] (the SDK numbers list items from 0)."""
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


def raw_params(req: Request) -> tuple[dict[str, Any], bool]:
    """The request's parameters and whether they came as strings (GET query or form body)."""
    content_type = req.headers.get("content-type", "").split(";")[0].strip().lower()
    if req.method == "GET":
        return _unflatten(parse_qsl(req.raw_query, keep_blank_values=True)), True
    if content_type == "application/x-www-form-urlencoded":
        return _unflatten(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True)), True
    if content_type != "application/json":
        raise Api3Error("InvalidParameter", f"Content-Type {content_type or '(none)'} is not supported; "
                                            "use application/json or application/x-www-form-urlencoded")
    try:
        data = json.loads(req.body or b"{}")
    except ValueError as exc:
        raise Api3Error("InvalidParameter", f"The request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Api3Error("InvalidParameter", "The request body must be a JSON object")
    return data, False


def conform(value: Any, schema: Schema, path: str, strings: bool) -> Any:
    """Check (and, for string-typed transports, convert) one value against its schema."""
    def wrong(expected: str) -> Api3Error:
        return Api3Error("InvalidParameter", f"The parameter `{path}` must be {expected}, got {value!r}")

    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise wrong("an object")
        out = {}
        for name, item in value.items():
            if name not in schema:
                raise Api3Error("UnknownParameter", f"The parameter `{path + '.' if path else ''}{name}` "
                                                    "is not recognized")
            if item is not None:
                out[name] = conform(item, schema[name], f"{path + '.' if path else ''}{name}", strings)
        return out
    if isinstance(schema, list) or schema == "strlist":
        item_schema = schema[0] if isinstance(schema, list) else "str"
        if not isinstance(value, list):
            raise wrong("an array")
        return [conform(item, item_schema, f"{path}.{i}", strings) for i, item in enumerate(value)]
    if schema == "str":
        if not isinstance(value, str):
            raise wrong("a string")
        return value
    if schema == "int":
        if strings and isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                raise wrong("an integer") from None
        if not isinstance(value, int) or isinstance(value, bool):
            raise wrong("an integer")
        return value
    if schema == "bool":
        if strings and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise wrong("a boolean")
        return value
    raise AssertionError(f"unknown schema {schema!r}")


def parse(req: Request, schema: Schema) -> dict[str, Any]:
    """The request's parameters (JSON body, or dotted GET/form parameters), checked against an action's schema."""
    data, strings = raw_params(req)
    return conform(data, schema, "", strings)
