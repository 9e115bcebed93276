"""Handlers of the permission calls (authority.py, people.py): roles, folder grants, users, groups, members.

`seg` is the path after `/api/v1/`, split and percent-decoded, e.g. ["authority", LibraryId, SpaceId, "authorize",
...dir path].
"""

from __future__ import annotations

import json
from typing import Any

from emulator.services.smhdata.common import invalid
from emulator.services.smhdata.handlers import body_json, caller_of
from emulator.services.smhdata.models import SmhDataBackend
from emulator.services.smhdata.render import ok
from emulator.wire import Request, Response


def _json_any(req: Request) -> Any:
    try:
        return json.loads(req.body or b"null")
    except ValueError:
        raise invalid("The request body is not valid JSON") from None


def init_role_list(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    return ok(req, 200, b.init_role_list(caller_of(b, req, seg[1]), _json_any(req)))


def role_list(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    return ok(req, 200, b.role_list(caller_of(b, req, seg[1])))


def authorize(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    b.authorize(caller_of(b, req, seg[1]), seg[2], seg[4:], body_json(req))
    return ok(req, 204)


def revoke(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    b.revoke(caller_of(b, req, seg[1]), seg[2], seg[4:], body_json(req))
    return ok(req, 204)


def directory_authority(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    return ok(req, 200, b.directory_authority(caller_of(b, req, seg[1]), seg[2], seg[4:]))


def delete_user_authority(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    b.delete_user_authority(caller_of(b, req, seg[1]), req.query.get("user_id_list", ""))
    return ok(req, 204)


def create_user(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    return ok(req, 201, {"userId": b.create_user(caller_of(b, req, seg[1]), body_json(req))})


def get_user(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    return ok(req, 200, b.get_user(caller_of(b, req, seg[1]), seg[2]))


def modify_user(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    b.modify_user(caller_of(b, req, seg[1]), seg[2], body_json(req))
    return ok(req, 204)


def delete_user(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    b.delete_user(caller_of(b, req, seg[1]), seg[2])
    return ok(req, 204)


def create_group(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    return ok(req, 201, {"groupId": b.create_group(caller_of(b, req, seg[1]), body_json(req))})


def list_groups(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    return ok(req, 200, {"list": b.list_groups(caller_of(b, req, seg[1]))})


def get_group(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    return ok(req, 200, b.get_group(caller_of(b, req, seg[1]), seg[2]))


def modify_group(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    b.modify_group(caller_of(b, req, seg[1]), seg[2], body_json(req))
    return ok(req, 204)


def delete_group(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    b.delete_group(caller_of(b, req, seg[1]), seg[2])
    return ok(req, 204)


def add_member(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    b.add_member(caller_of(b, req, seg[1]), seg[2], seg[4], req.query.get("member_type", "user"))
    return ok(req, 204)


def remove_member(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    b.remove_member(caller_of(b, req, seg[1]), seg[2], seg[4], req.query.get("member_type", "user"))
    return ok(req, 204)


def list_members(b: SmhDataBackend, req: Request, seg: list[str]) -> Response:
    return ok(req, 200, {"list": b.list_members(caller_of(b, req, seg[1]), seg[2])})


HANDLERS = {
    "InitRoleList": init_role_list, "GetRoleList": role_list, "Authorize": authorize,
    "RevokeAuthorization": revoke, "GetDirectoryAuthority": directory_authority,
    "DeleteUserAuthority": delete_user_authority,
    "CreateUser": create_user, "GetUser": get_user, "ModifyUser": modify_user, "DeleteUser": delete_user,
    "CreateGroup": create_group, "ListGroups": list_groups, "GetGroup": get_group, "ModifyGroup": modify_group,
    "DeleteGroup": delete_group, "AddGroupMember": add_member, "RemoveGroupMember": remove_member,
    "ListGroupMembers": list_members,
}
