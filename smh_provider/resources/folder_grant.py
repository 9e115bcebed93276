"""FolderGrant: one role on one folder (the root, an album or a directory) for one user or group.

Replace-only: library_id, space_id, path, grantee. The role changes in place (the service replaces a grantee's
role when it is granted again). Delete revokes exactly this grant (authorize?delete for this grantee on this
folder), never the grantee's other grants. Grants have no place for an ownership mark: a create that finds a grant
for its grantee on its folder takes it over and sets its role. The role is named, not numbered: its id comes from
the library's role table (declare a RoleTable; given `role_table=`, the role name is checked at preview).

Where a grant may go depends on the library's mode: in a multi-tenant library on a tenant space (`space=`), in a
single-tenant one on the library (`library=`); media libraries split into albums take grants on `/` or an album,
media libraries without albums only on `/`, file libraries on any directory.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from smh_provider.clients import permissions as perm
from smh_provider.clients.smhdata import DataPlane
from smh_provider.errors import NotFound, ProviderError, if_found
from smh_provider.resources import _permissions as common
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop
from smh_provider.resources.group import Group
from smh_provider.resources.media_library import MediaLibrary
from smh_provider.resources.role_table import RoleTable
from smh_provider.resources.space import Space
from smh_provider.resources.user import User


def _role(value: str, inputs: Any) -> str | None:
    known = inputs.get("known_roles") or []
    if not value:
        return "role must name a role of the library's role table"
    if known and value not in known:
        return f"role {value!r} is not in the library's role table; its roles: {sorted(known)}"
    return None


PROPS = (
    Prop("library_id", "str", replace=True, via="library_identity", doc="the media library"),
    Prop("space_id", "str", default="-", replace=True, via="space_identity",
         doc="tenant space id ('-' in a single-tenant library)"),
    Prop("path", "str", default="/", replace=True, rule=common.folder_path,
         doc="the folder: `/` (the root), `<album>` or `a/b` (file libraries)"),
    Prop("grantee_type", "str", replace=True, rule=rules.one_of("grantee_type", ("user", "group")),
         doc="user or group"),
    Prop("grantee_id", "str", replace=True, via="grantee_identity", doc="the user id, or the group id"),
    Prop("role", "str", rule=_role, doc="a role name of the library's RoleTable; changes in place"),
    Prop("known_roles", "list", default=[], internal=True, doc="the RoleTable's role names (set by role_table=)"),
    Prop("max_depth", "int", default=-1, internal=True,
         doc="how deep a grant may go in this library (from its declared mode; -1 unknown)"),
    Prop("library_identity", "str", internal=True, doc="the library's identity (set when given library=)"),
    Prop("space_identity", "str", internal=True, doc="the space's identity (set when given space=)"),
    Prop("grantee_identity", "str", internal=True, doc="the group's identity (set when the grantee is a Group)"),
    Prop("grantee_label", "str", default="", internal=True,
         doc="the user id or group name, for the preview comment (scripts/gitops_report.py)"),
)


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


class FolderGrantProvider(BaseProvider):
    props = PROPS
    type_label = "FolderGrant"

    def _role_id(self, plane: DataPlane, name: str, doing: str) -> int:
        roles = perm.list_roles(plane)
        for role in roles:
            if role.get("name") == name:
                return perm.role_id(role)
        if not roles:
            raise ProviderError(f"{doing}: media library {plane.library_id} has no role table yet; declare a "
                                "RoleTable for it (and pass role_table= to the grant)")
        raise ProviderError(f"{doing}: role {name!r} is not in the role table of media library "
                            f"{plane.library_id}; its roles: {sorted(str(r.get('name')) for r in roles)}")

    def _what(self, inputs: dict[str, Any]) -> str:
        return (f"the grant of role {inputs['role']!r} on {inputs['path'] or '/'} to {inputs['grantee_type']} "
                f"{inputs['grantee_id']}")

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        doing = f"creating {self._what(inputs)}"
        problem = common.mode_problem(self.settings(), inputs["library_id"], inputs["space_id"],
                                      _parts(inputs["path"]))
        if problem:
            raise ProviderError(f"{doing}: {problem}")
        plane = DataPlane(self.settings(), inputs["library_id"])
        role = self._role_id(plane, inputs["role"], doing)
        perm.grant(plane, inputs["space_id"], inputs["path"], inputs["grantee_type"], inputs["grantee_id"], role)
        grant_id = f"{inputs['space_id']}:{inputs['path'].strip('/')}#{inputs['grantee_type']}:{inputs['grantee_id']}"
        return CreateResult(grant_id, dict(inputs) | {"role_id": role})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        plane = DataPlane(self.settings(), inputs["library_id"])
        try:
            found = perm.find_grant(plane, inputs["space_id"], inputs["path"], inputs["grantee_type"],
                                    inputs["grantee_id"])
        except NotFound:  # no such grant (or folder, space, library): gone
            return ReadResult("", {})
        role_id = int(found.get("roleId") or 0)
        name = found.get("roleName") or next((r.get("name") for r in perm.list_roles(plane)
                                              if perm.role_id(r) == role_id), f"#{role_id}")
        return ReadResult(id_, dict(inputs) | {"role": str(name), "role_id": role_id})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        new = self.inputs_of(news)
        doing = f"changing {self._what(new)}"
        plane = DataPlane(self.settings(), new["library_id"])
        role = self._role_id(plane, new["role"], doing)
        args = (plane, new["space_id"], new["path"], new["grantee_type"], new["grantee_id"])
        perm.grant(*args, role)
        if int(perm.find_grant(*args).get("roleId") or 0) != role:
            # A service that kept the old role next to the new one: take the old away, then grant again.
            perm.revoke(*args)
            perm.grant(*args, role)
        return UpdateResult(dict(new) | {"role_id": role})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        # NotFound: the folder, space or library is gone, and the grant with it
        if_found(lambda: perm.revoke(DataPlane(self.settings(), inputs["library_id"]), inputs["space_id"],
                                     inputs["path"], inputs["grantee_type"], inputs["grantee_id"]))


class FolderGrant(Resource, module="smh", name="FolderGrant"):
    """A role on a folder of a media library for a user or group (授权)."""

    role_id: pulumi.Output[int]
    path: pulumi.Output[str]

    def __init__(self, resource_name: str, *, grantee: User | Group, role: str, path: str = "/",
                 library: MediaLibrary | None = None, space: Space | None = None,
                 library_id: pulumi.Input[str] | None = None, space_id: pulumi.Input[str] = "-",
                 role_table: RoleTable | None = None, opts: pulumi.ResourceOptions | None = None) -> None:
        deps: list[pulumi.Resource] = [grantee]
        if isinstance(path, str):  # one spelling per folder: `/` for the root, `a/b` otherwise
            path = ("/".join(p for p in path.split("/") if p) or "/") if "//" not in path.strip("/") else path
        props: dict[str, Any] = {"library_identity": None, "space_identity": None, "grantee_identity": None,
                                 "role": role, "path": path, "known_roles": [], "role_id": None}
        declared: dict[str, Any] = {}
        space_multi_album: bool | None = None
        if space is not None:
            if library is None and library_id is None:
                library_id = space.library_id
            space_id, props["space_identity"] = space.space_id, space.identity
            space_multi_album = space.declared_multi_album is True
            deps.append(space)
            declared["multi_tenant"] = True
        if library is not None:
            declared = dict(library.declared_settings) | declared
            if declared.get("multi_tenant") is True and space is None:
                raise ValueError(f"FolderGrant {resource_name!r}: library {library._name!r} is multi-tenant; a "
                                 "grant names a tenant space: pass space=...")
            if declared.get("multi_tenant") is not True and space is not None:
                raise ValueError(f"FolderGrant {resource_name!r}: library {library._name!r} is single-tenant; "
                                 "give library=... without space=")
        common.library_inputs(resource_name, "FolderGrant", library, library_id, deps, props)
        props["space_id"] = space_id
        props["max_depth"] = common.max_depth_of(declared, space_multi_album)
        if not isinstance(grantee, (User, Group)):
            raise TypeError(f"FolderGrant {resource_name!r}: grantee must be a User or a Group")
        props |= grantee.principal_props("grantee")
        if role_table is not None:
            props["known_roles"] = role_table.role_names
            deps.append(role_table)
        opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(depends_on=deps), opts)
        super().__init__(FolderGrantProvider(), resource_name, props, opts)
