"""User: a user of a media library (the principal folder grants and group memberships name).

Replace-only: library_id, user_id. The nickname changes in place. Users have no place for an ownership mark, so
the user id is the natural key: a create that finds the id taken is refused unless `adopt=True`, which takes that
user over (and sets its nickname); the stack then deletes it on destroy. Delete is refused by the service (409
UserResourceInUse) while the user still has a personal space (a tenant space created for it): delete that space
first. Deleting a user also removes its group memberships and folder grants.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from smh_provider import operation
from smh_provider.clients import permissions as perm
from smh_provider.clients.smhdata import DataPlane
from smh_provider.errors import Conflict, NotFound, ProviderError, if_found
from smh_provider.resources import _permissions as common
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop
from smh_provider.resources.media_library import MediaLibrary

PROPS = (
    Prop("library_id", "str", replace=True, via="library_identity", doc="the media library"),
    Prop("user_id", "str", replace=True, rule=common.user_id, doc="the user's id, chosen by you (natural key)"),
    Prop("nickname", "str", default="", rule=rules.length("nickname", 0, 100), doc="display name"),
    Prop("adopt", "bool", default=False, doc="take over a user of that id that exists already (no mark tells)"),
    Prop("library_identity", "str", internal=True, doc="the library's identity (set when given library=)"),
)


class UserProvider(BaseProvider):
    props = PROPS
    type_label = "User"

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        plane = DataPlane(self.settings(), inputs["library_id"])
        if perm.create_user(plane, inputs["user_id"], {"nickname": inputs["nickname"]}) == "exists":
            if not inputs["adopt"]:
                raise ProviderError(
                    f"creating user {inputs['user_id']} in media library {inputs['library_id']}: a user with that id "
                    "exists already, and users carry no ownership mark, so nothing tells that this stack made it. "
                    "Nothing was changed. To take it over (this stack then sets its nickname and deletes it on "
                    "destroy), set adopt: true on the user (smh-media:users.<key>.adopt); otherwise choose another "
                    "user_id.")
            operation.say(f"user {inputs['user_id']} exists in media library {inputs['library_id']}: adopted "
                          "(adopt: true)")
            perm.modify_user(plane, inputs["user_id"], {"nickname": inputs["nickname"]})
        return CreateResult(f"{inputs['library_id']}/{inputs['user_id']}", dict(inputs))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        user = if_found(lambda: perm.find_user(DataPlane(self.settings(), inputs["library_id"]), inputs["user_id"]))
        if user is None:
            return ReadResult("", {})
        return ReadResult(id_, dict(inputs) | {"nickname": str(user.get("nickname") or "")})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        new = self.inputs_of(news)
        perm.modify_user(DataPlane(self.settings(), new["library_id"]), new["user_id"], {"nickname": new["nickname"]})
        return UpdateResult(dict(new))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        try:
            perm.delete_user(DataPlane(self.settings(), inputs["library_id"]), inputs["user_id"])
        except NotFound:
            return
        except Conflict as err:
            if err.code != "UserResourceInUse":
                raise
            raise ProviderError(f"{err}. Nothing was deleted. The user still has a personal space (a tenant space "
                                "created for it): delete that Space first (remove it from the stack, or run "
                                "`pulumi destroy` on it), then destroy the user.") from None


class User(Resource, module="smh", name="User"):
    """A user (用户) of a media library."""

    user_id: pulumi.Output[str]
    library_id: pulumi.Output[str]

    def __init__(self, resource_name: str, *, user_id: str, nickname: str = "",
                 library: MediaLibrary | None = None, library_id: pulumi.Input[str] | None = None,
                 adopt: bool = False, opts: pulumi.ResourceOptions | None = None) -> None:
        deps: list[pulumi.Resource] = []
        props: dict[str, Any] = {"library_identity": None, "user_id": user_id, "nickname": nickname, "adopt": adopt}
        common.library_inputs(resource_name, "User", library, library_id, deps, props)
        self.declared_user_id = user_id  # a plain value: grants and members name the user by it at preview
        opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(depends_on=deps), opts)
        super().__init__(UserProvider(), resource_name, props, opts)

    def principal_props(self, role: str) -> dict[str, Any]:
        """This user as the `role` (grantee, member) of a grant or membership: its type, id and label inputs."""
        return {f"{role}_type": "user", f"{role}_id": self.declared_user_id, f"{role}_label": self.declared_user_id}
