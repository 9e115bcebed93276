"""The role table and folder grants of a library (docs/smh-permissions.md, sections 1 and 2); access.py makes the
grants take effect.

State (see common.py for the rest):

    smh_roles    "<LibraryId>/roles"                                the role table, once initialised
    smh_grant    "<LibraryId>/<SpaceId>/<Path>#<user|group>:<Id>"   one grant on one directory (Path "" = root)

Fidelity gaps (the request bodies and several codes are UNVERIFIED; the emulator's choices):
- init-role-list takes a JSON array of role objects (`name`, optional `roleDesc`, the `can*` flags) and answers
  200 with the stored roles, each with its `id` (1, 2, ... in the order given); a second call answers 409
  RoleListAlreadyInitialized; role names are 1..50 characters, unique, at most MAX_ROLES roles.
- role-list answers 200 with that array (an empty array before init-role-list).
- authorize takes {"authorizeTo": [{"userId"|"groupId": ..., "roleId": <int>}]} (the SMH mobile SDKs' body; a
  `spaceId` grantee, for team spaces, answers 400 InvalidParameter here) and answers 204; granting the same
  grantee again on the same directory replaces its role. `?delete` with the same body revokes exactly those
  grantees' grants on that directory (roleId is ignored) and answers 204, also when nothing was granted.
- directory-authority answers 200 with [{"userId"|"groupId", "name", "roleId", "roleName"}] of that directory only.
- user-authority?user_id_list=a,b (at most 10 ids) removes every grant of those users in the library; 204.
- init-role-list and user-authority need an admin token; authorize, revoke and directory-authority an admin or
  space_admin token, or an acl token whose user has a role with canAuthorize on that directory (or above it).
"""

from __future__ import annotations

from typing import Any

from emulator.services.smhdata.access import AccessActions
from emulator.services.smhdata.common import BackendBase, Caller, Target, fail, invalid, iso, split_path

AUTHORITY_GRANTS = ("space_admin",)  # besides admin; UNVERIFIED (access.py)
MAX_ROLES = 100
MAX_USER_IDS = 10
FLAGS = ("canView", "canPreview", "canDownload", "canUpload", "canDelete", "canModify", "canAuthorize",
         "canShare")


def _role(raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise invalid(f"role {index} must be a JSON object")
    name = raw.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 50:
        raise invalid(f"role {index}: `name` must be a string of 1..50 characters")
    desc = raw.get("roleDesc", "")
    if not isinstance(desc, str):
        raise invalid(f"role {index}: `roleDesc` must be a string")
    out: dict[str, Any] = {"id": index, "name": name, "roleDesc": desc, "isDefault": False, "isOwner": False}
    for flag in FLAGS:
        value = raw.get(flag, False)
        if not isinstance(value, bool):
            raise invalid(f"role {index}: `{flag}` must be true or false")
        out[flag] = value
    return out


class AuthorityActions(AccessActions, BackendBase):
    # -- role table -------------------------------------------------------------------------------
    def init_role_list(self, caller: Caller, body: Any) -> list[dict[str, Any]]:
        """Store the library's role table, once.

        Fidelity gap: the body (a JSON array of roles with `name`, `roleDesc` and the `can*` flags), the 200
        answer with each role's `id`, 409 RoleListAlreadyInitialized on a second call and the name/count limits
        are the emulator's choices (the documented request shape was not found); an empty table before it.
        """
        caller.require()
        if not isinstance(body, list) or not body:
            raise invalid("The body must be a non-empty JSON array of roles")
        if len(body) > MAX_ROLES:
            raise invalid(f"At most {MAX_ROLES} roles, got {len(body)}")
        roles = [_role(raw, i) for i, raw in enumerate(body, start=1)]
        names = [r["name"] for r in roles]
        if len(set(names)) != len(names):
            raise invalid(f"Role names must be unique: {sorted(n for n in set(names) if names.count(n) > 1)}")
        with self.store.transaction():
            if self.store.get("smh_roles", f"{caller.library_id}/roles") is not None:
                raise fail("RoleListAlreadyInitialized", "The role table of this library was initialised already; "
                                                         "it can be initialised only once", 409)
            self.store.put("smh_roles", f"{caller.library_id}/roles",
                           {"roles": roles, "creationTime": iso(self.clock())})
        return roles

    def role_list(self, caller: Caller) -> list[dict[str, Any]]:
        return self._roles(caller.library_id)

    def permission_inventory(self) -> list[dict[str, Any]]:
        """Per library: its role names and the users, groups, memberships and grants it holds."""
        libraries = {k.split("/", 1)[0] for kind in ("smh_roles", "smh_user", "smh_group", "smh_grant")
                     for k, _ in self.store.items(kind)}
        out = []
        for lib in sorted(libraries):
            out.append({"library": lib, "roles": [r["name"] for r in self._roles(lib)],
                        "users": [d["userId"] for _, d in self.store.items("smh_user", f"{lib}/")],
                        "groups": [d["name"] for _, d in self.store.items("smh_group", f"{lib}/")],
                        "members": self.store.count("smh_member", f"{lib}/"),
                        "grants": [{"spaceId": d["spaceId"], "path": d["path"], "grantee": d["granteeId"],
                                    "type": d["granteeType"], "roleId": d["roleId"]}
                                   for _, d in self.store.items("smh_grant", f"{lib}/")]})
        return out

    # -- grants ---------------------------------------------------------------------------------
    def _grantees(self, library_id: str, body: dict[str, Any], need_role: bool) -> list[tuple[str, str, int]]:
        entries = body.get("authorizeTo")
        if not isinstance(entries, list) or not entries:
            raise invalid("`authorizeTo` must be a non-empty array of {userId|groupId, roleId}")
        roles = {r["id"]: r for r in self._roles(library_id)}
        out = []
        for entry in entries:
            if not isinstance(entry, dict):
                raise invalid("each `authorizeTo` entry must be a JSON object")
            if "spaceId" in entry:
                raise invalid("Grants to team spaces (`spaceId`) are not emulated; grant to a userId or groupId")
            kinds = [k for k in ("userId", "groupId") if entry.get(k)]
            if len(kinds) != 1 or not isinstance(entry[kinds[0]], str):
                raise invalid("each `authorizeTo` entry names exactly one of userId, groupId (a string)")
            kind, ident = ("user" if kinds[0] == "userId" else "group"), entry[kinds[0]]
            if kind == "user":
                self._user(library_id, ident)
            else:
                self._group(library_id, ident)
            role_id = entry.get("roleId")
            if need_role:
                if isinstance(role_id, bool) or not isinstance(role_id, int):
                    raise invalid("`roleId` must be the integer id of a role from role-list")
                if role_id not in roles:
                    raise fail("RoleNotFound", f"No role with id {role_id} in this library's role table", 404)
            out.append((kind, ident, role_id if isinstance(role_id, int) else 0))
        return out

    def _grant_target(self, caller: Caller, space_id: str, parts: list[str]) -> Target:
        target = self._target(caller, space_id)
        if parts and self.store.get("smh_dir", target.key(parts)) is None:
            raise fail("DirectoryNotFound", f"The directory `{'/'.join(parts)}` does not exist")
        return target

    def authorize(self, caller: Caller, space_id: str, parts: list[str], body: dict[str, Any]) -> None:
        """Grant roles on a directory (or the root) to users and groups.

        Fidelity gap: body {"authorizeTo": [{"userId"|"groupId", "roleId"}]} as the SMH mobile SDKs send it;
        team-space grantees (`spaceId`) answer 400 InvalidParameter; granting a grantee again replaces its role;
        404 RoleNotFound / UserNotFound / GroupNotFound are the emulator's codes. Grants do not follow a moved
        directory (`move_authority` is ignored); deleting a directory drops the grants on and under it.
        """
        with self.store.transaction():
            target = self._grant_target(caller, space_id, parts)
            self.allow(caller, target, parts, AUTHORITY_GRANTS, ("canAuthorize",), "authorize")
            for kind, ident, role_id in self._grantees(caller.library_id, body, need_role=True):
                self.store.put("smh_grant", f"{target.key(parts)}#{kind}:{ident}",
                               {"spaceId": space_id, "path": "/".join(parts), "granteeType": kind,
                                "granteeId": ident, "roleId": role_id, "creationTime": iso(self.clock())})

    def revoke(self, caller: Caller, space_id: str, parts: list[str], body: dict[str, Any]) -> None:
        with self.store.transaction():
            target = self._grant_target(caller, space_id, parts)
            self.allow(caller, target, parts, AUTHORITY_GRANTS, ("canAuthorize",), "revoke grants")
            for kind, ident, _ in self._grantees(caller.library_id, body, need_role=False):
                self.store.delete("smh_grant", f"{target.key(parts)}#{kind}:{ident}")

    def directory_authority(self, caller: Caller, space_id: str, parts: list[str]) -> list[dict[str, Any]]:
        target = self._grant_target(caller, space_id, parts)
        self.allow(caller, target, parts, AUTHORITY_GRANTS, ("canAuthorize",), "read the grants")
        roles = {r["id"]: r["name"] for r in self._roles(caller.library_id)}
        out = []
        for _, doc in self.store.items("smh_grant", f"{target.key(parts)}#"):
            if doc["path"] != "/".join(parts):
                continue  # a directory whose name continues with `#`
            ident = doc["granteeId"]
            if doc["granteeType"] == "user":
                who = self.store.get("smh_user", f"{caller.library_id}/{ident}") or {}
                entry = {"userId": ident, "name": who.get("nickname", "")}
            else:
                who = self.store.get("smh_group", f"{caller.library_id}/{ident}") or {}
                entry = {"groupId": ident, "name": who.get("name", "")}
            out.append(entry | {"roleId": doc["roleId"], "roleName": roles.get(doc["roleId"], "")})
        return out

    def delete_user_authority(self, caller: Caller, user_ids: str) -> int:
        caller.require()
        users = set(split_path(user_ids.replace(",", "/")))
        if not users:
            raise invalid("user_id_list is required (comma-separated user ids)")
        if len(users) > MAX_USER_IDS:
            raise invalid(f"At most {MAX_USER_IDS} user ids per call, got {len(users)}")
        removed = 0
        with self.store.transaction():
            for key, doc in self.store.items("smh_grant", f"{caller.library_id}/"):
                if doc["granteeType"] == "user" and doc["granteeId"] in users:
                    self.store.delete("smh_grant", key)
                    removed += 1
        return removed
