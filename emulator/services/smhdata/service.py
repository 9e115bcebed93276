"""SMH data plane (business API, fact sheet 5): `/api/v1/...` on `<LibraryId>.api.tencentsmh.cn` or a bare host.

`resolve` names the action from the method and the path shape of each action's route (and, for PUT on a
directory, whether the JSON body has `from`); `authenticate` checks the access token of the library in the path
(`{Lib}`) before every action that needs one.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from emulator.errors import EmulatorError, SmhDataError
from emulator.services.base import Action, Service
from emulator.services.smhdata import authority_handlers as ah
from emulator.services.smhdata import handlers as h
from emulator.services.smhdata.common import STATUS
from emulator.services.smhdata.models import SmhDataBackend
from emulator.services.smhdata.render import smh_error
from emulator.wire import Request, Response

PREFIX = "/api/v1/"
# Routes are "METHOD /path[?flag]" after PREFIX: `{Name}` is one segment, a trailing `{Path}` zero or more; the
# handlers read them from req.params by name (req.params["Space"], a list for "Path"). A route with `?flag`
# matches only when the query has that parameter, and is tried before the same path without one.
# auth "none": the call carries the library secret or the token itself, which its backend method checks.
ACTIONS: dict[str, Action] = {
    "CreateAccessToken": Action(h.create_access_token, ("GET /token", "POST /token"), mutating=True, auth="none"),
    "RenewAccessToken": Action(h.renew_access_token, "POST /token/{Lib}/{Token}", mutating=True, auth="none"),
    "DeleteAccessToken": Action(h.delete_access_token, "DELETE /token/{Lib}/{Token}", mutating=True, auth="none"),
    "DeleteUserAccessTokens": Action(h.delete_user_access_tokens, "DELETE /token/{Lib}", mutating=True, auth="none"),
    "CreateSpace": Action(h.create_space, "POST /space/{Lib}", mutating=True),
    "ListSpaces": Action(h.list_spaces, "GET /space/{Lib}/list"),
    "GetSpaceCount": Action(h.get_space_count, "GET /space/{Lib}/count"),
    "DeleteSpace": Action(h.delete_space, "DELETE /space/{Lib}/{Space}", mutating=True),
    "GetSpaceSize": Action(h.get_space_size, "GET /space/{Lib}/{Space}/size"),
    "GetSpaceExtension": Action(h.get_space_extension, "GET /space/{Lib}/{Space}/extension"),
    "UpdateSpaceExtension": Action(h.update_space_extension, "POST /space/{Lib}/{Space}/extension", mutating=True),
    "CreateDirectory": Action(h.create_directory, "PUT /directory/{Lib}/{Space}/{Path}", mutating=True),
    "MoveDirectory": Action(h.move_directory, None, mutating=True),  # CreateDirectory's route with a "from" body
    "ListDirectory": Action(h.list_directory, "GET /directory/{Lib}/{Space}/{Path}", auth="optional"),
    "DeleteDirectory": Action(h.delete_directory, "DELETE /directory/{Lib}/{Space}/{Path}", mutating=True),
    # Files. A PUT on a file path is a begin-upload, a move ("from"), a copy ("copyFrom") or, when its body is not
    # a JSON object, the emulator's one-request upload (UploadFile); resolve tells them apart.
    "BeginUpload": Action(h.begin_upload, "PUT /file/{Lib}/{Space}/{Path}", mutating=True),
    "UploadFile": Action(h.upload_file, None, mutating=True),
    "MoveFile": Action(h.move_file, None, mutating=True),
    "CopyFile": Action(h.copy_file, None, mutating=True),
    "BeginMultipartUpload": Action(h.begin_multipart_upload, "POST /file/{Lib}/{Space}/{Path}?multipart",
                                   mutating=True),
    "ConfirmUpload": Action(h.confirm_upload, "POST /file/{Lib}/{Space}/{ConfirmKey}?confirm", mutating=True),
    "AbortUpload": Action(h.abort_upload, "DELETE /file/{Lib}/{Space}/{ConfirmKey}?upload", mutating=True),
    "GetUploadState": Action(h.upload_state, "GET /file/{Lib}/{Space}/{ConfirmKey}?upload"),
    "RenewUpload": Action(h.renew_upload, "POST /file/{Lib}/{Space}/{ConfirmKey}?renew"),
    "DeleteFile": Action(h.delete_file, "DELETE /file/{Lib}/{Space}/{Path}", mutating=True),
    "HeadFile": Action(h.head_file, "HEAD /file/{Lib}/{Space}/{Path}", auth="optional"),
    "PreviewFile": Action(h.preview_file, "GET /file/{Lib}/{Space}/{Path}?preview", auth="optional"),
    "GetFileInfo": Action(h.file_info, "GET /file/{Lib}/{Space}/{Path}?info", auth="optional"),
    "DownloadFile": Action(h.download_file, "GET /file/{Lib}/{Space}/{Path}", auth="optional"),
    "CreateShare": Action(h.create_share, "POST /share/{Lib}/{Space}", mutating=True),
    "CreateQuota": Action(h.create_quota, "POST /quota/{Lib}", mutating=True),
    "GetQuota": Action(h.get_quota, "GET /quota/{Lib}/{Space}"),
    "UpdateQuota": Action(h.update_quota, "PUT /quota/{Lib}/{Space}", mutating=True),
    # Permissions (docs/smh-permissions.md); authority.py and people.py hold the backend.
    "InitRoleList": Action(ah.init_role_list, "POST /authority/{Lib}/init-role-list", mutating=True),
    "GetRoleList": Action(ah.role_list, ("GET /authority/{Lib}/role-list",
                                         "GET /authority/{Lib}/getRoleList")),  # the Android SDK's name
    "DeleteUserAuthority": Action(ah.delete_user_authority, "DELETE /authority/{Lib}/user-authority", mutating=True),
    "Authorize": Action(ah.authorize, "POST /authority/{Lib}/{Space}/authorize/{Path}", mutating=True),
    "RevokeAuthorization": Action(ah.revoke, None, mutating=True),  # Authorize's route with ?delete
    "GetDirectoryAuthority": Action(ah.directory_authority, "GET /authority/{Lib}/{Space}/directory-authority/{Path}"),
    "CreateUser": Action(ah.create_user, "POST /user/{Lib}", mutating=True),
    "GetUser": Action(ah.get_user, "GET /user/{Lib}/{User}"),
    "ModifyUser": Action(ah.modify_user, "POST /user/{Lib}/{User}", mutating=True),
    "DeleteUser": Action(ah.delete_user, "DELETE /user/{Lib}/{User}", mutating=True),
    "CreateGroup": Action(ah.create_group, "POST /group/{Lib}", mutating=True),
    "ListGroups": Action(ah.list_groups, "GET /group/{Lib}"),
    "GetGroup": Action(ah.get_group, "GET /group/{Lib}/{Group}"),
    "ModifyGroup": Action(ah.modify_group, "POST /group/{Lib}/{Group}", mutating=True),
    "DeleteGroup": Action(ah.delete_group, "DELETE /group/{Lib}/{Group}", mutating=True),
    "AddGroupMember": Action(ah.add_member, "PUT /group/{Lib}/{Group}/member/{Member}", mutating=True),
    "RemoveGroupMember": Action(ah.remove_member, "DELETE /group/{Lib}/{Group}/member/{Member}", mutating=True),
    "ListGroupMembers": Action(ah.list_members, "GET /group/{Lib}/{Group}/member"),
}
HOST = re.compile(r"^(?P<library>[a-z0-9]+)\.api\.tencentsmh\.cn$")


def _parts(route: str) -> tuple[str, str, tuple[str, ...]]:
    method, _, path = route.partition(" /")
    path, _, flag = path.partition("?")
    return method, flag, tuple(path.split("/"))


ROUTES: list[tuple[str, str, tuple[str, ...], str]] = sorted((
    (*_parts(route), name)
    for name, action in ACTIONS.items() if action.route
    for route in ((action.route,) if isinstance(action.route, str) else action.route)
), key=lambda r: not r[1])  # flagged routes first; sorted() keeps the table's order otherwise


def _bind(parts: tuple[str, ...], seg: list[str]) -> dict[str, Any] | None:
    """The path's named segments if it has the route's shape (a trailing `{Path}`: the list of the rest)."""
    rest = parts[-1] == "{Path}"
    fixed = parts[:-1] if rest else parts
    if len(seg) < len(fixed) or (not rest and len(seg) != len(fixed)):
        return None
    bound: dict[str, Any] = {"Path": seg[len(fixed):]} if rest else {}
    for part, value in zip(fixed, seg, strict=False):
        if part.startswith("{"):
            bound[part[1:-1]] = value
        elif part != value:
            return None
    return bound


def _body_object(req: Request) -> dict[str, Any] | None:
    """The body as a JSON object ({} when empty), or None when it is something else (bytes of a file)."""
    if not req.body.strip():
        return {}
    try:
        data = json.loads(req.body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _file_put(req: Request) -> str:
    """Fidelity gap: a PUT on a file path whose body is not a JSON object is the emulator's one-request upload
    (files.upload_file), so a file whose content is itself a JSON object cannot be sent that way (begin an upload
    and PUT it to COS instead)."""
    body = _body_object(req)
    if body is None:
        return "UploadFile"
    return "CopyFile" if "copyFrom" in body else "MoveFile" if "from" in body else "BeginUpload"


class SmhDataService(Service, name="smhdata", hosts=(HOST,), actions=ACTIONS, backend=SmhDataBackend,
                     inventory="spaces"):
    def identifies(self, req: Request) -> bool:
        """On a bare address the library comes from the path."""
        return req.path.startswith(PREFIX)

    def resolve(self, req: Request) -> str:
        """Fidelity gap: a path outside the ACTIONS routes answers 404 RouteNotFound (the real answer for an
        unknown data-plane path is undocumented); PUT on a directory with a `copyFrom` body (copy directory) and the
        other real data-plane APIs (file history, recycle bin, search, batch, share
        management, ...) are not emulated and answer 501 NotImplemented or 404 RouteNotFound. Real SMH is HTTPS-only;
        the emulator speaks plain http (reach it as an HTTP proxy)."""
        if not req.raw_path.startswith(PREFIX):
            raise SmhDataError(404, "RouteNotFound", f"{req.method} {req.path} is not an SMH data-plane API path")
        seg = [unquote(s) for s in req.raw_path[len(PREFIX):].split("/") if s]
        for method, flag, parts, action in ROUTES:
            bound = _bind(parts, seg) if method == req.method and (not flag or flag in req.query) else None
            if bound is not None:
                req.params.update(bound)
                if action == "BeginUpload":
                    return _file_put(req)
                if action == "CreateDirectory":
                    keys = set(_body_object(req) or {})
                    if "copyFrom" in keys:
                        raise SmhDataError(501, "NotImplemented", "Copying directories is not emulated")
                    if "from" in keys:
                        return "MoveDirectory"
                if action == "Authorize" and "delete" in req.query:
                    return "RevokeAuthorization"
                return action
        raise SmhDataError(404, "RouteNotFound", f"{req.method} {req.path} matches no emulated SMH data-plane API")

    def authenticate(self, req: Request, action: Action) -> None:
        """The access token (or, where the action allows it, none: a public read) of the library in the path."""
        library_id = h.library_of(req, req.params["Lib"])
        token = h.token_of(req)
        if action.auth == "optional" and not token:
            req.account = self.backend.public_caller(library_id, req.params["Space"])
        else:
            req.account = self.backend.authenticate(library_id, token, req.query.get("user_id", ""))

    def render_error(self, err: EmulatorError, req: Request) -> Response:
        return smh_error(err, req)

    def inventory(self) -> dict[str, Any]:
        """Spaces; and `permissions` (per library: roles, users, groups, members, grants) only when some library
        has any, so that the inventory of an emptied emulator keeps its shape."""
        permissions = self.backend.permission_inventory()
        return {"spaces": self.backend.inventory(), **({"permissions": permissions} if permissions else {})}

    def injected_error(self, code: str, status: int, req: Request) -> EmulatorError:
        """A rule's own status wins when it is an error status; otherwise the documented one, else 500."""
        return SmhDataError(status if status and status >= 400 else STATUS.get(code, 500), code,
                            f"Injected fault: {code}.")
