"""SMH data plane: a library's role table, folder grants, users, groups and members (docs/smh-permissions.md).

Functions over a `DataPlane` (admin token, plain HTTP); they take and return Python values, and `DataPlane.call`
runs each request under the retry policy: reads and idempotent writes (grant, revoke, add/remove member, modify,
delete) are retried on every retryable error; creates (role table, user, group) pass `idempotent=False` with a
`landed` look. `find_*` raise NotFound.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from smh_provider.clients.smhdata import DataPlane
from smh_provider.errors import AlreadyExists, NotFound

# Role permissions as the stack writes them -> the data plane's flags.
PERMISSIONS = {"view": "canView", "preview": "canPreview", "download": "canDownload", "upload": "canUpload",
               "delete": "canDelete", "modify": "canModify", "authorize": "canAuthorize", "share": "canShare"}


def _path(parts: str) -> str:
    return "/".join(quote(p, safe="") for p in parts.split("/") if p)


# -- role table ------------------------------------------------------------------------------------
def role_id(role: dict[str, Any]) -> int:
    """The SDKs disagree on the key (Android `id`, iOS `roleId`)."""
    return int(role.get("id", role.get("roleId", 0)))


def role_permissions(role: dict[str, Any]) -> list[str]:
    return sorted(p for p, flag in PERMISSIONS.items() if role.get(flag))


def list_roles(plane: DataPlane) -> list[dict[str, Any]]:
    """The library's roles; [] before the table is initialised."""
    out = plane.call("GET", f"/authority/{plane.library_id}/role-list",
                 f"reading the role table of media library {plane.library_id}")
    return list(out or []) if isinstance(out, list) else []


def init_roles(plane: DataPlane, roles: dict[str, list[str]], descriptions: dict[str, str] | None = None) -> None:
    """Initialise the role table (once per library); raises AlreadyExists when it was initialised before."""
    body = [{"name": name, "roleDesc": (descriptions or {}).get(name, ""),
             **{PERMISSIONS[p]: True for p in perms}} for name, perms in roles.items()]
    doing = f"initialising the role table of media library {plane.library_id}"
    plane.call("POST", f"/authority/{plane.library_id}/init-role-list", doing, idempotent=False,
               landed=lambda: list_roles(plane) or None, body=body)


# -- folder grants ---------------------------------------------------------------------------------
def _grantee(kind: str, ident: str) -> dict[str, str]:
    return {"userId": ident} if kind == "user" else {"groupId": ident}


def find_grant(plane: DataPlane, space_id: str, path: str, kind: str, ident: str) -> dict[str, Any]:
    """This grantee's grant made on this directory (not inherited ones); NotFound when there is none."""
    doing = f"reading the grants on {path or '/'} in space {space_id}"
    url = f"/authority/{plane.library_id}/{space_id}/directory-authority/{_path(path)}".rstrip("/")
    for entry in plane.call("GET", url, doing) or []:
        if entry.get("userId" if kind == "user" else "groupId") == ident:
            return entry
    raise NotFound("GrantNotFound", f"no grant to {kind} {ident} on {path or '/'}", "", 404, doing)


def grant(plane: DataPlane, space_id: str, path: str, kind: str, ident: str, role: int) -> None:
    """Grant (or re-grant with another role: the service replaces it) a role on a directory."""
    url = f"/authority/{plane.library_id}/{space_id}/authorize/{_path(path)}".rstrip("/")
    plane.call("POST", url, f"granting role {role} on {path or '/'} to {kind} {ident}",
           body={"authorizeTo": [_grantee(kind, ident) | {"roleId": role}]})


def revoke(plane: DataPlane, space_id: str, path: str, kind: str, ident: str) -> None:
    """Remove exactly this grantee's grant on this directory (`authorize?delete`)."""
    url = f"/authority/{plane.library_id}/{space_id}/authorize/{_path(path)}".rstrip("/")
    plane.call("POST", url, f"revoking the grant on {path or '/'} of {kind} {ident}",
           params={"delete": ""}, body={"authorizeTo": [_grantee(kind, ident)]})


# -- users -------------------------------------------------------------------------------------------
def find_user(plane: DataPlane, user_id: str) -> dict[str, Any]:
    return plane.call("GET", f"/user/{plane.library_id}/{quote(user_id, safe='')}",
                  f"reading user {user_id} of media library {plane.library_id}")


def create_user(plane: DataPlane, user_id: str, fields: dict[str, str]) -> str:
    """Create a user: "created", "landed" (this call's earlier attempt did, its answer was lost) or "exists" (the
    id was taken before: the caller adopts it only when told to)."""
    doing = f"creating user {user_id} in media library {plane.library_id}"

    def landed() -> str | None:
        try:
            find_user(plane, user_id)
            return "landed"
        except NotFound:
            return None

    try:
        data = plane.call("POST", f"/user/{plane.library_id}", doing, idempotent=False, landed=landed,
                          body={"userId": user_id, **fields})
    except AlreadyExists:
        return "exists"
    return "landed" if data == "landed" else "created"


def modify_user(plane: DataPlane, user_id: str, fields: dict[str, str]) -> None:
    plane.call("POST", f"/user/{plane.library_id}/{quote(user_id, safe='')}",
           f"updating user {user_id} of media library {plane.library_id}", body=fields)


def delete_user(plane: DataPlane, user_id: str) -> None:
    plane.call("DELETE", f"/user/{plane.library_id}/{quote(user_id, safe='')}",
           f"deleting user {user_id} of media library {plane.library_id}")


# -- groups and members ------------------------------------------------------------------------------
def list_groups(plane: DataPlane) -> list[dict[str, Any]]:
    data = plane.call("GET", f"/group/{plane.library_id}", f"listing the groups of media library {plane.library_id}")
    return list((data or {}).get("list") or [])


def find_group(plane: DataPlane, group_id: str) -> dict[str, Any]:
    return plane.call("GET", f"/group/{plane.library_id}/{group_id}", f"reading group {group_id}")


def find_group_named(plane: DataPlane, name: str) -> dict[str, Any]:
    for group in list_groups(plane):
        if group.get("name") == name:
            return group
    raise NotFound("GroupNotFound", f"no group named {name!r}", "", 404, f"looking up group {name!r}")


def create_group(plane: DataPlane, name: str) -> tuple[str, str]:
    """(group id, "created" | "landed" | "exists"): "landed" when this call's earlier attempt made it (its answer
    was lost), "exists" when a group of that name was there before (adopted only when the caller is told to)."""
    doing = f"creating group {name!r} in media library {plane.library_id}"

    def found(how: str) -> tuple[str, str] | None:
        try:
            return str(find_group_named(plane, name)["groupId"]), how
        except NotFound:
            return None

    try:
        data = plane.call("POST", f"/group/{plane.library_id}", doing, idempotent=False,
                          landed=lambda: found("landed"), body={"name": name})
        if isinstance(data, tuple):  # an earlier attempt landed
            return data
        return str(data["groupId"]), "created"
    except AlreadyExists:
        there = found("exists")
        if there is None:
            raise
        return there


def rename_group(plane: DataPlane, group_id: str, name: str) -> None:
    plane.call("POST", f"/group/{plane.library_id}/{group_id}", f"renaming group {group_id} to {name!r}",
           body={"name": name})


def delete_group(plane: DataPlane, group_id: str) -> None:
    plane.call("DELETE", f"/group/{plane.library_id}/{group_id}", f"deleting group {group_id}")


def list_members(plane: DataPlane, group_id: str) -> list[dict[str, Any]]:
    data = plane.call("GET", f"/group/{plane.library_id}/{group_id}/member", f"listing the members of {group_id}")
    return list((data or {}).get("list") or [])


def add_member(plane: DataPlane, group_id: str, kind: str, member_id: str) -> None:
    plane.call("PUT", f"/group/{plane.library_id}/{group_id}/member/{quote(member_id, safe='')}",
           f"adding {kind} {member_id} to group {group_id}", params={"member_type": kind})


def remove_member(plane: DataPlane, group_id: str, kind: str, member_id: str) -> None:
    plane.call("DELETE", f"/group/{plane.library_id}/{group_id}/member/{quote(member_id, safe='')}",
           f"removing {kind} {member_id} from group {group_id}", params={"member_type": kind})
