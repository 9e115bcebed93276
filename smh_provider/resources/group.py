"""Group: a group of a media library's users, which folder grants can name (members: GroupMember).

Replace-only: library_id. The name changes in place (a rename); `parent` puts the group inside another
group (a member of type group) and changes in place too (the group moves). Groups nest at most 10 deep (checked at
preview along the `parent` chain the program declares; the service checks every chain). Groups have no place for
an ownership mark: a create that finds a group of its name adopts it. Deleting a group also removes its
memberships and folder grants.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from smh_provider import operation
from smh_provider.clients import permissions as perm
from smh_provider.clients.smhdata import DataPlane
from smh_provider.errors import NotFound, ProviderError, if_found
from smh_provider.resources import _permissions as common
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop
from smh_provider.resources.media_library import MediaLibrary


def _depth(value: int, _: Any) -> str | None:
    if value > common.MAX_NESTING:
        return (f"parent: this group would be {value} groups deep; SMH nests groups at most {common.MAX_NESTING} "
                "deep")
    return None


PROPS = (
    Prop("library_id", "str", replace=True, via="library_identity", doc="the media library"),
    Prop("name", "str", rule=rules.length("name", 1, 50), doc="group name, unique in the library; renames in place"),
    Prop("adopt", "bool", default=False, doc="take over a group of that name that exists already (no mark tells)"),
    Prop("parent_id", "str", default="", via="parent_identity",
         doc="id of the group this group is inside ('' = top level); moves in place"),
    Prop("depth", "int", default=1, rule=_depth, internal=True, doc="groups in the chain down to this one"),
    Prop("key", "str", internal=True, doc="the resource name (part of the identity)"),
    Prop("library_identity", "str", internal=True, doc="the library's identity (set when given library=)"),
    Prop("parent_identity", "str", internal=True, doc="the parent group's identity (set when given parent=)"),
    Prop("identity", "str", internal=True, doc="digest of what makes this group this group (its id is unknown "
                                               "at preview)"),
)


class GroupProvider(BaseProvider):
    props = PROPS
    type_label = "Group"

    def identity_extra(self, inputs: dict[str, Any]) -> list[Any]:
        return [inputs.get("key")]

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        plane = DataPlane(self.settings(), inputs["library_id"])
        group_id, how = perm.create_group(plane, inputs["name"])
        if how == "exists":
            if not inputs["adopt"]:
                raise ProviderError(
                    f"creating group {inputs['name']!r} in media library {inputs['library_id']}: a group of that name "
                    f"exists already ({group_id}), and groups carry no ownership mark, so nothing tells that this "
                    "stack made it. Nothing was changed. To take it over (this stack then deletes it on destroy), set "
                    "adopt: true on the group (smh-media:groups.<key>.adopt); otherwise choose another name.")
            operation.say(f"group {inputs['name']!r} exists in media library {inputs['library_id']}: adopted "
                          "(adopt: true)")
        if inputs["parent_id"]:
            perm.add_member(plane, inputs["parent_id"], "group", group_id)
        return CreateResult(group_id, dict(inputs) | {"group_id": group_id})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        plane = DataPlane(self.settings(), inputs["library_id"])
        try:
            group = perm.find_group(plane, id_)
        except NotFound:
            return ReadResult("", {})
        parent = inputs["parent_id"]
        if parent:
            members = if_found(lambda: perm.list_members(plane, parent)) or []
            if not any(m.get("memberId") == id_ and m.get("memberType") == "group" for m in members):
                parent = ""
        return ReadResult(id_, dict(inputs) | {"name": str(group.get("name") or ""), "parent_id": parent,
                                               "group_id": id_})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        old, new = self.inputs_of(olds), self.inputs_of(news)
        plane = DataPlane(self.settings(), new["library_id"])
        if old["name"] != new["name"]:
            perm.rename_group(plane, id_, new["name"])
        if old["parent_id"] != new["parent_id"]:
            if new["parent_id"]:
                perm.add_member(plane, new["parent_id"], "group", id_)
            if old["parent_id"]:
                if_found(lambda: perm.remove_member(plane, old["parent_id"], "group", id_))
        return UpdateResult(dict(new) | {"group_id": id_})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        if_found(lambda: perm.delete_group(DataPlane(self.settings(), inputs["library_id"]), id_))


class Group(Resource, module="smh", name="Group"):
    """A group (群组) of a media library's users; groups nest."""

    group_id: pulumi.Output[str]
    library_id: pulumi.Output[str]
    identity: pulumi.Output[str]

    def __init__(self, resource_name: str, *, name: str, library: MediaLibrary | None = None,
                 library_id: pulumi.Input[str] | None = None, parent: Group | None = None,
                 adopt: bool = False, opts: pulumi.ResourceOptions | None = None) -> None:
        deps: list[pulumi.Resource] = []
        props: dict[str, Any] = {"library_identity": None, "parent_identity": None, "name": name,
                                 "key": resource_name, "identity": None, "parent_id": "", "group_id": None,
                                 "adopt": adopt}
        common.library_inputs(resource_name, "Group", library, library_id, deps, props)
        depth = 1
        if parent is not None:
            depth = parent.nesting_depth + 1
            props["parent_id"], props["parent_identity"] = parent.group_id, parent.identity
            deps.append(parent)
        props["depth"] = depth
        opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(depends_on=deps), opts)
        super().__init__(GroupProvider(), resource_name, props, opts)
        self.nesting_depth = depth  # a plain value (the `depth` output is not known in the program)
        self.declared_name = name

    def principal_props(self, role: str) -> dict[str, Any]:
        """This group as the `role` (grantee, member) of a grant or membership: its type, id, identity and label
        inputs."""
        return {f"{role}_type": "group", f"{role}_id": self.group_id, f"{role}_identity": self.identity,
                f"{role}_label": self.declared_name}
