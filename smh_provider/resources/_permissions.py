"""What the permission resources (RoleTable, User, Group, GroupMember, FolderGrant) share: the rules of names and
folder paths, how a library or space given as a resource becomes inputs, and the library-mode check.

docs/smh-permissions.md is the fact sheet of the calls behind them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi

from smh_provider.clients import smh
from smh_provider.clients.permissions import PERMISSIONS

USER_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MAX_NESTING = 10
MAX_ROLES = 100
ANY_DEPTH = 255  # file libraries: directories at any depth


def user_id(value: str, _: Mapping[str, Any]) -> str | None:
    if not USER_ID.match(value or ""):
        return f"user_id {value!r} must be 1 to 64 letters, digits or `_ . @ -`"
    return None


def folder_path(value: str, inputs: Mapping[str, Any]) -> str | None:
    """'' or '/' is the root; otherwise `/`-separated names, no empty, `.` or `..` segment, each at most 255."""
    parts = value.strip("/").split("/") if value.strip("/") else []
    if "//" in value.strip("/") or any(p in (".", "..") or not p for p in parts):
        return f"path {value!r} must be `/` (the root) or names separated by single `/`, without `.` or `..`"
    long = [p for p in parts if len(p) > 255]
    if long:
        return f"path {value!r}: the name {long[0][:30]!r}... is {len(long[0])} characters; at most 255"
    depth = inputs.get("max_depth")
    if isinstance(depth, int) and depth >= 0 and len(parts) > depth:
        where = ("this library (or space) is not split into albums: only the root `/` can be granted"
                 if depth == 0 else "albums are one level deep: grant on `/` or on `<album>`")
        return f"path {value!r} is {len(parts)} levels deep; {where}"
    return None


def role_names(value: dict[str, str], _: Mapping[str, Any]) -> str | None:
    if not value:
        return "roles must name at least one role"
    if len(value) > MAX_ROLES:
        return f"roles has {len(value)} roles; at most {MAX_ROLES}"
    for name, perms in value.items():
        if not 1 <= len(name) <= 50:
            return f"role name {name!r} must be 1 to 50 characters"
        bad = sorted(p for p in perms.split(",") if p and p not in PERMISSIONS)
        if bad:
            return f"role {name!r}: unknown permission(s) {bad}; known: {sorted(PERMISSIONS)}"
    return None


def canonical_permissions(perms: Any) -> str:
    """A role's permissions as the schema keeps them: sorted, comma-separated, no duplicates."""
    if isinstance(perms, str):
        perms = perms.split(",")
    if not isinstance(perms, (list, tuple)):
        raise TypeError("a role's permissions must be a list of names, e.g. [view, download]")
    return ",".join(sorted({str(p).strip() for p in perms if str(p).strip()}))


def max_depth_of(declared: Mapping[str, Any], space_multi_album: bool | None) -> int:
    """How deep a folder grant may go, from the declared library (and space) settings; -1 when unknown."""
    if declared.get("file_library") is True:
        return ANY_DEPTH
    if declared.get("multi_tenant") is True:
        if space_multi_album is None:
            return -1
        return 1 if space_multi_album else 0
    if "multi_album" in declared:
        return 1 if declared.get("multi_album") is True else 0
    return -1


def mode_problem(settings: Any, library_id: str, space_id: str, parts: list[str]) -> str | None:
    """Why the library's mode does not allow a grant there (read from the library), or None."""
    mode = smh.library_mode(settings, library_id)
    if mode.multi_tenant and space_id == "-":
        return "the library is multi-tenant: a folder grant names a tenant space (space=...)"
    if not mode.multi_tenant and space_id != "-":
        return "the library is single-tenant: give library=... (space '-'), not a tenant space"
    if not mode.file_library and not mode.multi_tenant and len(parts) > (1 if mode.multi_album else 0):
        return ("the library is a media library " + ("split into albums: grant on `/` or on an album"
                                                       if mode.multi_album else
                                                       "without albums: only the root `/` can be granted"))
    return None


def library_inputs(resource_name: str, kind: str, library: Any, library_id: Any, deps: list[pulumi.Resource],
                   props: dict[str, Any]) -> Any:
    """Fill library_id (and its identity) from a MediaLibrary resource, or check library_id was given."""
    if library is not None:
        library_id = library.library_id
        props["library_identity"] = library.identity
        deps.append(library)
    if library_id is None:
        raise TypeError(f"{kind} {resource_name!r}: give library=... (a MediaLibrary) or library_id")
    props["library_id"] = library_id
    return library_id
