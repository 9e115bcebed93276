"""Stack config of a library's permissions (the `roles`, `users`, `groups` and `grants` keys), for __main__.py.

    roles   map: role name -> list of permissions (view, preview, download, upload, delete, modify, authorize,
            share); the library's RoleTable, set once (see docs/resources.md)
    users   map: key -> {user_id (default: the key), nickname}
    groups  map: key -> {name (default: the key), parent: <group key>, members: [<user or group key>, ...]}
    grants  map: key -> {user: <user key> | group: <group key>, role: <role name>,
            album: <album key> | path (default "/"), space: <space key> (multi-tenant libraries)}
            (`album` names an album of the same config, by key; a grant waits for the albums of its space)

Resource names (with the library's prefix, see __main__.py): roles, user-<key>, group-<key>,
member-<group>-<member>, grant-<key>. Everything is checked before a resource is declared; messages name the key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi

from smh_provider.resources.album import Album
from smh_provider.resources.folder_grant import FolderGrant
from smh_provider.resources.group import Group
from smh_provider.resources.group_member import GroupMember
from smh_provider.resources.media_library import MediaLibrary
from smh_provider.resources.role_table import RoleTable
from smh_provider.resources.space import Space
from smh_provider.resources.user import User

KEYS = ("roles", "users", "groups", "grants")
USER_KEYS = {"user_id", "nickname", "adopt"}
GROUP_KEYS = {"name", "parent", "members", "adopt"}
GRANT_KEYS = {"user", "group", "role", "path", "album", "space"}


def _map(where: str, value: Any, fail: Callable[[str], None]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        fail(f"{where} must be a map of key -> settings")
    return value


def _entry(where: str, value: Any, known: set[str], fail: Callable[[str], None]) -> dict[str, Any]:
    value = {} if value is None else value
    if not isinstance(value, dict):
        fail(f"{where} must be an object")
    bad = sorted(set(value) - known)
    if bad:
        fail(f"{where} has unknown key(s) {bad}; known: {sorted(known)}")
    return value


def _parent_order(where: str, groups: dict[str, dict[str, Any]], fail: Callable[[str], None]) -> list[str]:
    """Group keys, each after its parent; unknown parents and cycles are errors."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(key: str, chain: list[str]) -> None:
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            fail(f"{where}: groups {' -> '.join([*chain, key])} form a cycle of parents")
        state[key] = "visiting"
        parent = groups[key].get("parent")
        if parent is not None:
            if parent not in groups:
                fail(f"{where}.{key}.parent {parent!r} is not a key of {where} ({sorted(groups)})")
            visit(parent, [*chain, key])
        state[key] = "done"
        order.append(key)

    for key in groups:
        visit(key, [])
    return order


def declare_permissions(values: dict[str, Any], where: str, library: MediaLibrary, spaces: dict[str, Space],
                        albums_of: dict[str | None, dict[str, tuple[str, Album]]], name: Callable[[str], str],
                        fail: Callable[[str], None]) -> None:
    """Declare the RoleTable, Users, Groups, GroupMembers and FolderGrants one library's config asks for.

    `albums_of` maps a space key (None: the library itself) to its albums (key -> (name, Album)).
    `where` prefixes config key names in messages ("smh-media:" or "smh-media:libraries.<key>."), `name` turns a
    resource key into the library's Pulumi resource name and `fail` raises the stack-config error.
    """
    roles_cfg = _map(f"{where}roles", values.get("roles"), fail)
    users_cfg = _map(f"{where}users", values.get("users"), fail)
    groups_cfg = _map(f"{where}groups", values.get("groups"), fail)
    grants_cfg = _map(f"{where}grants", values.get("grants"), fail)
    if not (roles_cfg or users_cfg or groups_cfg or grants_cfg):
        return
    for role, perms in roles_cfg.items():
        if not isinstance(perms, list) or not all(isinstance(p, str) for p in perms):
            fail(f"{where}roles.{role} must be a list of permissions, e.g. [view, download]")
    users_spec = {k: _entry(f"{where}users.{k}", v, USER_KEYS, fail) for k, v in users_cfg.items()}
    groups_spec = {k: _entry(f"{where}groups.{k}", v, GROUP_KEYS, fail) for k, v in groups_cfg.items()}
    grants_spec = {k: _entry(f"{where}grants.{k}", v, GRANT_KEYS, fail) for k, v in grants_cfg.items()}
    clash = sorted(set(users_spec) & set(groups_spec))
    if clash:
        fail(f"{where}users and {where}groups share the key(s) {clash}; group members name one or the other")

    table = RoleTable(name("roles"), library=library, roles=roles_cfg) if roles_cfg else None
    try:
        users = {k: User(name(f"user-{k}"), library=library, user_id=str(v.get("user_id", k)),
                         nickname=str(v.get("nickname", "")), adopt=v.get("adopt") is True)
                 for k, v in users_spec.items()}
        groups: dict[str, Group] = {}
        for key in _parent_order(f"{where}groups", groups_spec, fail):
            spec = groups_spec[key]
            parent = groups.get(spec["parent"]) if spec.get("parent") is not None else None
            if parent is not None and parent.nesting_depth >= 10:
                fail(f"{where}groups.{key}.parent: the chain of parents is {parent.nesting_depth + 1} groups deep; SMH "
                     "nests groups at most 10 deep")
            groups[key] = Group(name(f"group-{key}"), library=library, name=str(spec.get("name", key)),
                                parent=parent, adopt=spec.get("adopt") is True)
        for key, spec in groups_spec.items():
            members = spec.get("members") or []
            if not isinstance(members, list):
                fail(f"{where}groups.{key}.members must be a list of user or group keys")
            for member in members:
                target = users.get(member) or groups.get(member)
                if target is None:
                    fail(f"{where}groups.{key}.members: {member!r} is not a key of {where}users or {where}groups")
                GroupMember(name(f"member-{key}-{member}"), group=groups[key], member=target)
        for key, spec in grants_spec.items():
            at = f"{where}grants.{key}"
            kinds = [k for k in ("user", "group") if spec.get(k) is not None]
            if len(kinds) != 1:
                fail(f"{at} names exactly one grantee: user: <key of {where}users> or group: <key of {where}groups>")
            pool = users if kinds[0] == "user" else groups
            grantee = pool.get(spec[kinds[0]])
            if grantee is None:
                fail(f"{at}.{kinds[0]} {spec[kinds[0]]!r} is not a key of {where}{kinds[0]}s ({sorted(pool)})")
            if not spec.get("role"):
                fail(f"{at}.role is required (a role of {where}roles)")
            if table is None:
                fail(f"{at}: grants need the library's role table: declare {where}roles")
            space = None
            if spec.get("space") is not None:
                space = spaces.get(spec["space"])
                if space is None:
                    fail(f"{at}.space {spec['space']!r} is not a key of {where}spaces ({sorted(spaces)})")
            albums = albums_of.get(spec.get("space")) or {}
            path = str(spec.get("path", "/"))
            if spec.get("album") is not None:
                if spec.get("path") is not None:
                    fail(f"{at} gives both album and path; give one")
                if spec["album"] not in albums:
                    home = f"{where}spaces.{spec['space']}.albums" if space is not None else f"{where}albums"
                    fail(f"{at}.album {spec['album']!r} is not a key of {home} ({sorted(albums)})")
                path = albums[spec["album"]][0]
            FolderGrant(name(f"grant-{key}"), grantee=grantee, role=str(spec["role"]), path=path, library=library,
                        space=space, role_table=table,
                        opts=pulumi.ResourceOptions(depends_on=[a for _, a in albums.values()]))
    except (TypeError, ValueError) as err:
        fail(f"{where.rstrip('.')} {err}")
