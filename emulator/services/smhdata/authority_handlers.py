"""Handlers of the permission calls (authority.py, people.py): roles, folder grants, users, groups, members.

The route's named segments are in req.params (`Space`, `Path` as a list, `User`, `Group`, `Member`);
`req.account` is the caller the service authenticated.
"""

from __future__ import annotations

import json
from typing import Any

from emulator.services.smhdata.common import invalid
from emulator.services.smhdata.handlers import body_json, path_parts, space_id
from emulator.services.smhdata.models import SmhDataBackend
from emulator.services.smhdata.render import ok
from emulator.wire import Request, Response


def _json_any(req: Request) -> Any:
    try:
        return json.loads(req.body or b"null")
    except ValueError:
        raise invalid("The request body is not valid JSON") from None


def init_role_list(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.init_role_list(req.account, _json_any(req)))


def role_list(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.role_list(req.account))


def authorize(b: SmhDataBackend, req: Request) -> Response:
    b.authorize(req.account, space_id(req), path_parts(req), body_json(req))
    return ok(req, 204)


def revoke(b: SmhDataBackend, req: Request) -> Response:
    b.revoke(req.account, space_id(req), path_parts(req), body_json(req))
    return ok(req, 204)


def directory_authority(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.directory_authority(req.account, space_id(req), path_parts(req)))


def delete_user_authority(b: SmhDataBackend, req: Request) -> Response:
    b.delete_user_authority(req.account, req.query.get("user_id_list", ""))
    return ok(req, 204)


def create_user(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 201, {"userId": b.create_user(req.account, body_json(req))})


def get_user(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.get_user(req.account, req.params["User"]))


def modify_user(b: SmhDataBackend, req: Request) -> Response:
    b.modify_user(req.account, req.params["User"], body_json(req))
    return ok(req, 204)


def delete_user(b: SmhDataBackend, req: Request) -> Response:
    b.delete_user(req.account, req.params["User"])
    return ok(req, 204)


def create_group(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 201, {"groupId": b.create_group(req.account, body_json(req))})


def list_groups(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, {"list": b.list_groups(req.account)})


def get_group(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.get_group(req.account, req.params["Group"]))


def modify_group(b: SmhDataBackend, req: Request) -> Response:
    b.modify_group(req.account, req.params["Group"], body_json(req))
    return ok(req, 204)


def delete_group(b: SmhDataBackend, req: Request) -> Response:
    b.delete_group(req.account, req.params["Group"])
    return ok(req, 204)


def add_member(b: SmhDataBackend, req: Request) -> Response:
    b.add_member(req.account, req.params["Group"], req.params["Member"], req.query.get("member_type", "user"))
    return ok(req, 204)


def remove_member(b: SmhDataBackend, req: Request) -> Response:
    b.remove_member(req.account, req.params["Group"], req.params["Member"], req.query.get("member_type", "user"))
    return ok(req, 204)


def list_members(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, {"list": b.list_members(req.account, req.params["Group"])})

