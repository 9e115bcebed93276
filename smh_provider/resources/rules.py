"""Validation rules shared by resources: each returns a message naming the rule, or None."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from smh_provider.ownership import FORCE_TAG, OWNER_TAG
from smh_provider.regions import REGIONS

BUCKET_USER_PART = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
APP_ID = re.compile(r"^[1-9][0-9]{4,11}$")
TAG_TEXT = re.compile(r"^[\w +\-=.:/]*$")
MAX_BUCKET_HOST = 60
SHOWN = 80  # characters of a value a message repeats


def shown(value: object) -> str:
    """A value as a message repeats it: its repr, cut to SHOWN characters (with its length) when longer."""
    text = repr(value)
    if len(text) <= SHOWN:
        return text
    size = f" ({len(value)} characters)" if isinstance(value, str) else ""
    return f"{text[:SHOWN - 1]}…{size}"


def bucket_name(value: str, inputs: Mapping[str, Any]) -> str | None:
    if not BUCKET_USER_PART.match(value or ""):
        return (f"bucket_name {shown(value)} may contain only lowercase letters, digits and '-', and must not start "
                "or end with '-' (do not include the '-<appid>' suffix)")
    app_id, region = inputs.get("app_id"), inputs.get("region")
    if isinstance(app_id, str) and APP_ID.match(app_id) and value.endswith(f"-{app_id}"):
        # The full name would be <name>-<appid>-<appid>: a bucket nobody meant to create.
        return (f"bucket_name {shown(value)} already ends with the APPID: give it without the '-{app_id}' suffix "
                f"({shown(value.removesuffix('-' + app_id))}); the provider appends it")
    if isinstance(app_id, str) and isinstance(region, str) and APP_ID.match(app_id) and region in REGIONS:
        host = f"{value}-{app_id}.cos.{region}.myqcloud.com"
        if len(host) > MAX_BUCKET_HOST:
            room = MAX_BUCKET_HOST - len(host) + len(value)
            return (f"bucket_name {shown(value)} is too long: the host {shown(host)} has {len(host)} characters, "
                    f"COS allows {MAX_BUCKET_HOST} (at most {room} characters for this APPID and region)")
    return None


def app_id(value: str, _: Mapping[str, Any]) -> str | None:
    if not APP_ID.match(value or ""):
        return (f"app_id {shown(value)} must be the account's APPID: 5 to 12 digits, not starting with 0 "
                "(e.g. 1250000000)")
    return None


def region(value: str, _: Mapping[str, Any], name: str = "region") -> str | None:
    if value not in REGIONS:
        return f"{name} {shown(value)} is not a Tencent Cloud COS region; use one of: {', '.join(REGIONS)}"
    return None


def one_of(name: str, allowed: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def rule(value: str, _: Mapping[str, Any]) -> str | None:
        if value not in allowed:
            return f"{name} {shown(value)} must be one of: {', '.join(allowed)}"
        return None

    return rule


def tags(value: dict[str, str], _: Mapping[str, Any]) -> str | None:
    if len(value) > 50:
        return f"tags has {len(value)} entries; at most 50 are allowed"
    for k, v in value.items():
        if k == OWNER_TAG:
            return f"tags key {shown(k)} is reserved: the provider writes this stack's ownership mark there"
        if k == FORCE_TAG:
            return f"tags key {shown(k)} is reserved: the provider records force_destroy there"
        if not k or len(k.encode()) > 127:
            return f"tags key {shown(k)} must be 1 to 127 bytes"
        if len(v.encode()) > 255:
            return f"tags value of {shown(k)} must be at most 255 bytes"
        if not TAG_TEXT.match(k) or not TAG_TEXT.match(v):
            return f"tags entry {shown(k)}: only letters, digits, spaces and + - _ = . : / are allowed"
    return None


def length(name: str, lo: int, hi: int):  # type: ignore[no-untyped-def]
    def rule(value: str | None, _: Mapping[str, Any]) -> str | None:
        if value is None:
            return None if lo == 0 else f"{name} is required"
        if not lo <= len(value) <= hi:
            return f"{name} must be {lo} to {hi} characters long, got {len(value)}"
        return None

    return rule


def int_range(name: str, lo: int, hi: int):  # type: ignore[no-untyped-def]
    def rule(value: int | None, _: Mapping[str, Any]) -> str | None:
        if value is not None and not lo <= value <= hi:
            return f"{name} must be between {lo} and {hi}, got {value}"
        return None

    return rule
