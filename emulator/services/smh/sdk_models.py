"""The parameters each SMH action takes, derived from the pinned tencentcloud-sdk-python-smh request models.

The SDK is generated from Tencent's API definition; each model's `__init__` docstring lists its fields as
`:type Name: str`, `:type Tags: list of ResourceTag`, `:type LibraryExtension: :class:`...models.LibraryExtension``.
Reading them here means a field the API does not define (a misspelt name, a field of an older version) is refused
with UnknownParameter, as Tencent Cloud refuses it, and a new SDK pin brings its new fields with it (Tags,
TagFilters, EnableQuota, LibraryQuota, Offset, Limit since 3.0.919 ... 3.1.176).

Schema terms are those of params.py: "str", "int", "bool", "strlist", [item schema], {name: schema}.
"""

from __future__ import annotations

import inspect
import re
from functools import cache
from typing import Any

from tencentcloud.smh.v20210712 import models, smh_client

FIELD = re.compile(r":type (\w+): (.+)")
CLASS_REF = re.compile(r":class:`[\w.]*\.(\w+)`")
SCALARS = {"str": "str", "int": "int", "integer": "int", "bool": "bool", "boolean": "bool"}


@cache
def model_schema(model: str) -> dict[str, Any]:
    """{field: schema} of one SDK model class (e.g. "CreateLibraryRequest", "LibraryExtension")."""
    doc = getattr(models, model).__init__.__doc__ or ""
    return {name: _type(kind.strip(), f"{model}.{name}") for name, kind in FIELD.findall(doc)}


def _type(kind: str, where: str) -> Any:
    if kind in SCALARS:
        return SCALARS[kind]
    if kind.startswith("list of "):
        item = _type(kind[len("list of "):], where)
        return "strlist" if item == "str" else [item]
    ref = CLASS_REF.fullmatch(kind)
    name = ref[1] if ref else kind
    if hasattr(models, name):
        return model_schema(name)
    raise ValueError(f"{where}: the SDK model type {kind!r} has no schema mapping")


def request_schema(action: str) -> dict[str, Any]:
    """The parameters of `action` as its SDK request model defines them."""
    return model_schema(f"{action}Request")


def sdk_actions() -> set[str]:
    """Every action the pinned SDK's client can call (its public CamelCase methods)."""
    return {name for name, fn in inspect.getmembers(smh_client.SmhClient, inspect.isfunction)
            if name[:1].isupper()}
