"""GroupMember: one user or group inside a group.

Every input is replace-only. Adding is idempotent (a membership that exists already is taken over: memberships
have no place for an ownership mark); delete removes exactly this membership. Nesting a group into a group is
checked by the service (at most 10 deep, no cycles).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource

from smh_provider.clients import permissions as perm
from smh_provider.clients.smhdata import DataPlane
from smh_provider.errors import if_found
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop
from smh_provider.resources.group import Group
from smh_provider.resources.user import User

PROPS = (
    Prop("library_id", "str", replace=True, via="library_identity", doc="the media library"),
    Prop("group_id", "str", replace=True, via="group_identity", doc="the group"),
    Prop("member_type", "str", replace=True, rule=rules.one_of("member_type", ("user", "group")),
         doc="user or group"),
    Prop("member_id", "str", replace=True, via="member_identity", doc="the user id, or the group id"),
    Prop("library_identity", "str", internal=True, doc="the library's identity (set when given library=)"),
    Prop("group_identity", "str", internal=True, doc="the group's identity (set when given group=)"),
    Prop("member_identity", "str", internal=True, doc="the member group's identity (set when member is a Group)"),
    Prop("group_label", "str", default="", internal=True, doc="the group's name, for the preview comment"),
    Prop("member_label", "str", default="", internal=True, doc="the user id or group name, for the preview comment"),
)


class GroupMemberProvider(BaseProvider):
    props = PROPS
    type_label = "GroupMember"

    def check_resource(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        if inputs.get("member_type") == "group" and inputs.get("member_id") == inputs.get("group_id") \
                and inputs.get("member_id"):
            return [("member_id", "a group cannot be a member of itself")]
        return []

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        perm.add_member(DataPlane(self.settings(), inputs["library_id"]), inputs["group_id"], inputs["member_type"],
                        inputs["member_id"])
        return CreateResult(f"{inputs['group_id']}/{inputs['member_type']}:{inputs['member_id']}", dict(inputs))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        members = if_found(lambda: perm.list_members(DataPlane(self.settings(), inputs["library_id"]),
                                                     inputs["group_id"]))
        if not any(m.get("memberId") == inputs["member_id"] and m.get("memberType") == inputs["member_type"]
                   for m in members or []):
            return ReadResult("", {})
        return ReadResult(id_, dict(inputs))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        if_found(lambda: perm.remove_member(DataPlane(self.settings(), inputs["library_id"]), inputs["group_id"],
                                            inputs["member_type"], inputs["member_id"]))


class GroupMember(Resource, module="smh", name="GroupMember"):
    """One user or group inside a group."""

    group_id: pulumi.Output[str]
    member_id: pulumi.Output[str]

    def __init__(self, resource_name: str, *, group: Group, member: User | Group,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        props: dict[str, Any] = {"library_id": group.library_id, "library_identity": None,
                                 "group_id": group.group_id, "group_identity": group.identity,
                                 "member_identity": None, "group_label": group.declared_name}
        if not isinstance(member, (User, Group)):
            raise TypeError(f"GroupMember {resource_name!r}: member must be a User or a Group")
        props |= member.principal_props("member")
        opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(depends_on=[group, member]), opts)
        super().__init__(GroupMemberProvider(), resource_name, props, opts)
