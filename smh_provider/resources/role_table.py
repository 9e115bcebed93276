"""RoleTable: the roles of a media library (init-role-list), which folder grants name.

Create-only, because the service initialises a library's role table once and has no call to change it: a change
of `roles` is refused at preview, with the reason, unless the library itself is being replaced (a new library id,
e.g. after `pulumi up --replace <library URN>` or a replace-only change of the library), in which case the table
is created anew on the new library. Refresh reads the role list back: a table changed outside the stack shows as
drift (and the next preview refuses to "fix" it, for the same reason). Roles have no place for an ownership mark:
a create that finds the table initialised already adopts it when its roles are the declared ones and fails,
naming the differences, otherwise. Delete only forgets it: the table lives as long as the library.

Role permissions: view, preview, download, upload, delete, modify, authorize, share (the data plane's can* flags).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, Resource

from smh_provider.clients import permissions as perm
from smh_provider.clients.smhdata import DataPlane
from smh_provider.errors import AlreadyExists, NotFound, ProviderError
from smh_provider.resources import _permissions as common
from smh_provider.resources._base import BaseProvider, Prop, is_unknown
from smh_provider.resources.media_library import MediaLibrary

PROPS = (
    Prop("library_id", "str", replace=True, via="library_identity", doc="the media library"),
    Prop("roles", "map", replace=True, rule=common.role_names,
         doc="role name -> comma-separated permissions (view, preview, download, upload, delete, modify, "
             "authorize, share); create-only"),
    Prop("library_identity", "str", internal=True, doc="the library's identity (set when given library=)"),
)


def live_roles(plane: DataPlane) -> dict[str, str]:
    return {r["name"]: ",".join(perm.role_permissions(r)) for r in perm.list_roles(plane)}


def _differences(live: Mapping[str, str], declared: Mapping[str, str]) -> str:
    parts = [f"{n}: {live.get(n, '(missing)')} -> {declared.get(n, '(not declared)')}"
             for n in sorted(set(live) | set(declared)) if live.get(n) != declared.get(n)]
    return "; ".join(parts)


class RoleTableProvider(BaseProvider):
    props = PROPS
    type_label = "RoleTable"

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        old_roles, new_roles = olds.get("roles"), result.inputs.get("roles")
        old_lib, new_lib = olds.get("library_id"), result.inputs.get("library_id")
        if (old_roles is not None and not is_unknown(new_roles) and not is_unknown(new_lib) and old_lib == new_lib
                and dict(old_roles) != dict(new_roles or {})):
            result.failures.append(CheckFailure("roles", (
                f"the role table of media library {new_lib} can be initialised only once and never changed "
                f"(init-role-list), so this change cannot be applied ({_differences(old_roles, new_roles or {})}). "
                "Keep the roles as they are (after a refresh: as the library has them), or replace the whole "
                "library, which deletes its contents: `pulumi up --replace <the MediaLibrary's URN>`; the role "
                "table is then created anew on the new library.")))
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        plane = DataPlane(self.settings(), inputs["library_id"])
        roles = {name: [p for p in perms.split(",") if p] for name, perms in inputs["roles"].items()}
        try:
            perm.init_roles(plane, roles)
        except AlreadyExists:
            live = live_roles(plane)
            if live != inputs["roles"]:
                raise ProviderError(
                    f"initialising the role table of media library {inputs['library_id']}: it was initialised "
                    f"already, with other roles ({_differences(live, inputs['roles'])}), and cannot be changed. "
                    "Declare the library's roles as they are, or use a new library.") from None
        return CreateResult(f"roles-{inputs['library_id']}", dict(inputs))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        try:
            live = live_roles(DataPlane(self.settings(), inputs["library_id"]))
        except NotFound:  # the library is gone, and its roles with it
            return ReadResult("", {})
        if not live:
            return ReadResult("", {})
        return ReadResult(id_, dict(inputs) | {"roles": live})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        pulumi.log.info(f"the role table of media library {props.get('library_id')} stays with the library "
                        "(SMH has no call to remove it); it is only dropped from the stack")


class RoleTable(Resource, module="smh", name="RoleTable"):
    """The role table (角色列表) of a media library, initialised once."""

    library_id: pulumi.Output[str]
    roles: pulumi.Output[dict]

    def __init__(self, resource_name: str, *, roles: Mapping[str, Sequence[str] | str],
                 library: MediaLibrary | None = None, library_id: pulumi.Input[str] | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        deps: list[pulumi.Resource] = []
        props: dict[str, Any] = {"library_identity": None}
        common.library_inputs(resource_name, "RoleTable", library, library_id, deps, props)
        if not isinstance(roles, Mapping):
            raise TypeError(f"RoleTable {resource_name!r}: roles must be a map of role name -> permissions")
        props["roles"] = {str(name): common.canonical_permissions(p) for name, p in roles.items()}
        opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(depends_on=deps), opts)
        super().__init__(RoleTableProvider(), resource_name, props, opts)
        self.role_names = sorted(props["roles"])
