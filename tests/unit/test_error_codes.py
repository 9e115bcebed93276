"""Exhaustiveness (STYLE 10): every error code the emulator can emit maps to a specific provider error class.

The codes are collected from the emulator's source (every `*Error(...)` call with a literal code), so a new code
in the emulator without a row in smh_provider/errors.py fails here instead of surfacing as a bare CloudError.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from smh_provider.errors import CloudError, classify

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"^[A-Z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$")
ERROR_CLASSES = {"CosError", "CiError", "Api3Error", "SmhDataError"}


def _code(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
        return node.value
    return None


def emitted_codes() -> dict[str, set[int]]:
    """code -> HTTP statuses it is emitted with (0 when unknown, as for API 3.0 errors, always HTTP 200).

    Sources: the first argument (or `code=`) of every `*Error(...)`/`fail(...)` call; `_invalid(...)` (default
    InvalidParameterValue) and `_missing(...)` (MissingParameter) helpers; and the code tables (`*_ERRORS`,
    STATUS and DEFAULT_STATUS).
    """
    found: dict[str, set[int]] = {}

    def add(code: str | None, status: int = 0) -> None:
        if code:
            found.setdefault(code, set()).add(status)

    for path in (ROOT / "emulator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                ints = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, int)]
                if name in ERROR_CLASSES or name == "fail":
                    codes = [c for c in map(_code, node.args) if c] + \
                            [c for k in node.keywords if k.arg == "code" for c in [_code(k.value)] if c]
                    add(codes[0] if codes else None, ints[0] if ints else 0)
                elif name == "_invalid":
                    codes = [c for c in map(_code, node.args[1:]) if c] + \
                            [c for k in node.keywords if k.arg == "code" for c in [_code(k.value)] if c]
                    add(codes[0] if codes else "InvalidParameterValue")
                elif name == "_missing":
                    add("MissingParameter")
            elif isinstance(node, ast.Assign):
                target = node.targets[0].id if isinstance(node.targets[0], ast.Name) else ""
                tables = [d for d in ast.walk(node.value) if isinstance(d, ast.Dict)]
                if target in ("STATUS", "DEFAULT_STATUS"):
                    for k, v in ((k, v) for d in tables for k, v in zip(d.keys, d.values, strict=True)):
                        add(_code(k) if k is not None else None, v.value if isinstance(v, ast.Constant) else 0)
                elif target.endswith("_ERRORS"):
                    for v in (v for d in tables for v in d.values):
                        if isinstance(v, ast.Tuple):
                            add(_code(v.elts[1]), v.elts[0].value if isinstance(v.elts[0], ast.Constant) else 0)
                        else:
                            add(_code(v))
    return found


def test_the_scan_finds_the_codes_it_should() -> None:
    codes = emitted_codes()
    assert len(codes) > 40
    for known in ("NoSuchBucket", "BucketAlreadyOwnedByYou", "ResourceNotFound.Library", "SpaceNotFound"):
        assert known in codes


def test_every_emitted_code_maps_to_a_specific_error_class() -> None:
    unmapped = sorted(f"{code} (HTTP {sorted(statuses)})" for code, statuses in emitted_codes().items()
                      if any(classify(code, status) is CloudError for status in statuses))
    assert unmapped == [], "add these codes to CODE_TABLE or PREFIX_TABLE in smh_provider/errors.py"
