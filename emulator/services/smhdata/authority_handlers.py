"""Handlers of the permission calls (authority.py, people.py): roles, folder grants, users, groups, members.

The route's named segments are in req.params (`Space`, `Path` as a list, `User`, `Group`, `Member`);
`req.account` is the caller the service authenticated.
"""

from __future__ import annotations

import json
from typing import Any

from emulator.services.smhdata.common import invalid
from emulator.services.smhdata.handlers import body_json, call, param, path_parts, space_id
from emulator.services.smhdata.models import SmhDataBackend
from emulator.services.smhdata.render import ok
from emulator.wire import Request, Response

B = SmhDataBackend
USER, GROUP, MEMBER = param("User"), param("Group"), param("Member")


def _json_any(req: Request) -> Any:
    try:
        return json.loads(req.body or b"null")
    except ValueError:
        raise invalid("The request body is not valid JSON") from None


init_role_list = call(B.init_role_list, _json_any)
role_list = call(B.role_list)
authorize = call(B.authorize, space_id, path_parts, body_json, status=204)
revoke = call(B.revoke, space_id, path_parts, body_json, status=204)
directory_authority = call(B.directory_authority, space_id, path_parts)


def delete_user_authority(b: SmhDataBackend, req: Request) -> Response:
    b.delete_user_authority(req.account, req.query.get("user_id_list", ""))
    return ok(req, 204)


def _member_type(req: Request) -> str:
    return req.query.get("member_type", "user")


create_user = call(B.create_user, body_json, status=201, key="userId")
get_user = call(B.get_user, USER)
modify_user = call(B.modify_user, USER, body_json, status=204)
delete_user = call(B.delete_user, USER, status=204)
create_group = call(B.create_group, body_json, status=201, key="groupId")
list_groups = call(B.list_groups, key="list")
get_group = call(B.get_group, GROUP)
modify_group = call(B.modify_group, GROUP, body_json, status=204)
delete_group = call(B.delete_group, GROUP, status=204)
add_member = call(B.add_member, GROUP, MEMBER, _member_type, status=204)
remove_member = call(B.remove_member, GROUP, MEMBER, _member_type, status=204)
list_members = call(B.list_members, GROUP, key="list")
