"""SMH data plane (business API, fact sheet 5): `/api/v1/...` on `<LibraryId>.api.tencentsmh.cn` or a bare host.

`resolve` names the action from the method and the path shape (and, for PUT on a directory, whether the JSON body
has `from`); `handle` runs its handler, which authenticates the access token and calls the backend.

    GET|POST /api/v1/token                                 CreateAccessToken
    POST     /api/v1/token/{Lib}/{Token}                   RenewAccessToken
    DELETE   /api/v1/token/{Lib}/{Token}                   DeleteAccessToken
    DELETE   /api/v1/token/{Lib}                           DeleteUserAccessTokens
    POST     /api/v1/space/{Lib}                           CreateSpace
    GET      /api/v1/space/{Lib}/list                      ListSpaces
    GET      /api/v1/space/{Lib}/count                     GetSpaceCount
    DELETE   /api/v1/space/{Lib}/{Space}                   DeleteSpace
    GET      /api/v1/space/{Lib}/{Space}/size              GetSpaceSize
    GET|POST /api/v1/space/{Lib}/{Space}/extension         GetSpaceExtension / UpdateSpaceExtension
    PUT      /api/v1/directory/{Lib}/{Space}/{Path}        CreateDirectory, or MoveDirectory with body {"from"}
    GET      /api/v1/directory/{Lib}/{Space}[/{Path}]      ListDirectory
    DELETE   /api/v1/directory/{Lib}/{Space}/{Path}        DeleteDirectory
    PUT      /api/v1/file/{Lib}/{Space}/{Path}             UploadFile
    POST     /api/v1/quota/{Lib}                           CreateQuota
    GET|PUT  /api/v1/quota/{Lib}/{Space}                   GetQuota / UpdateQuota
    POST     /api/v1/authority/{Lib}/init-role-list        InitRoleList
    GET      /api/v1/authority/{Lib}/role-list             GetRoleList (also .../getRoleList)
    POST     /api/v1/authority/{Lib}/{Space}/authorize/{Path}           Authorize, or RevokeAuthorization with ?delete
    GET      /api/v1/authority/{Lib}/{Space}/directory-authority/{Path} GetDirectoryAuthority
    DELETE   /api/v1/authority/{Lib}/user-authority        DeleteUserAuthority (?user_id_list=a,b)
    POST     /api/v1/user/{Lib}                            CreateUser
    GET|POST|DELETE /api/v1/user/{Lib}/{User}              GetUser / ModifyUser / DeleteUser
    POST|GET /api/v1/group/{Lib}                           CreateGroup / ListGroups
    GET|POST|DELETE /api/v1/group/{Lib}/{Group}            GetGroup / ModifyGroup / DeleteGroup
    PUT|DELETE /api/v1/group/{Lib}/{Group}/member/{Member} AddGroupMember / RemoveGroupMember (?member_type=)
    GET      /api/v1/group/{Lib}/{Group}/member            ListGroupMembers
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from emulator.errors import EmulatorError, SmhDataError
from emulator.services import Context, Service
from emulator.services.smhdata.authority_handlers import HANDLERS as PERMISSION_HANDLERS
from emulator.services.smhdata.common import STATUS
from emulator.services.smhdata.handlers import HANDLERS
from emulator.services.smhdata.models import SmhDataBackend
from emulator.services.smhdata.render import smh_error
from emulator.wire import Request, Response

PREFIX = "/api/v1/"
REST = "**"  # zero or more further segments
ROUTES: list[tuple[str, tuple[str, ...], str]] = [
    ("GET", ("token",), "CreateAccessToken"),
    ("POST", ("token",), "CreateAccessToken"),
    ("POST", ("token", "*", "*"), "RenewAccessToken"),
    ("DELETE", ("token", "*", "*"), "DeleteAccessToken"),
    ("DELETE", ("token", "*"), "DeleteUserAccessTokens"),
    ("POST", ("space", "*"), "CreateSpace"),
    ("GET", ("space", "*", "list"), "ListSpaces"),
    ("GET", ("space", "*", "count"), "GetSpaceCount"),
    ("DELETE", ("space", "*", "*"), "DeleteSpace"),
    ("GET", ("space", "*", "*", "size"), "GetSpaceSize"),
    ("GET", ("space", "*", "*", "extension"), "GetSpaceExtension"),
    ("POST", ("space", "*", "*", "extension"), "UpdateSpaceExtension"),
    ("PUT", ("directory", "*", "*", REST), "CreateDirectory"),
    ("GET", ("directory", "*", "*", REST), "ListDirectory"),
    ("DELETE", ("directory", "*", "*", REST), "DeleteDirectory"),
    ("PUT", ("file", "*", "*", REST), "UploadFile"),
    ("POST", ("quota", "*"), "CreateQuota"),
    ("GET", ("quota", "*", "*"), "GetQuota"),
    ("PUT", ("quota", "*", "*"), "UpdateQuota"),
    ("POST", ("authority", "*", "init-role-list"), "InitRoleList"),
    ("GET", ("authority", "*", "role-list"), "GetRoleList"),
    ("GET", ("authority", "*", "getRoleList"), "GetRoleList"),  # the Android SDK's name for it
    ("DELETE", ("authority", "*", "user-authority"), "DeleteUserAuthority"),
    ("POST", ("authority", "*", "*", "authorize", REST), "Authorize"),
    ("GET", ("authority", "*", "*", "directory-authority", REST), "GetDirectoryAuthority"),
    ("POST", ("user", "*"), "CreateUser"),
    ("GET", ("user", "*", "*"), "GetUser"),
    ("POST", ("user", "*", "*"), "ModifyUser"),
    ("DELETE", ("user", "*", "*"), "DeleteUser"),
    ("POST", ("group", "*"), "CreateGroup"),
    ("GET", ("group", "*"), "ListGroups"),
    ("GET", ("group", "*", "*"), "GetGroup"),
    ("POST", ("group", "*", "*"), "ModifyGroup"),
    ("DELETE", ("group", "*", "*"), "DeleteGroup"),
    ("PUT", ("group", "*", "*", "member", "*"), "AddGroupMember"),
    ("DELETE", ("group", "*", "*", "member", "*"), "RemoveGroupMember"),
    ("GET", ("group", "*", "*", "member"), "ListGroupMembers"),
]


def _matches(pattern: tuple[str, ...], seg: list[str]) -> bool:
    if pattern[-1] == REST:
        pattern = pattern[:-1]
        if len(seg) < len(pattern):
            return False
    elif len(seg) != len(pattern):
        return False
    return all(p == "*" or p == s for p, s in zip(pattern, seg, strict=False))


def _body_keys(req: Request) -> set[str]:
    try:
        data = json.loads(req.body or b"null")
    except ValueError:
        return set()
    return set(data) if isinstance(data, dict) else set()


class SmhDataService(Service):
    name = "smhdata"
    mutating = frozenset({"CreateAccessToken", "RenewAccessToken", "DeleteAccessToken", "DeleteUserAccessTokens",
                          "CreateSpace", "DeleteSpace", "UpdateSpaceExtension", "CreateDirectory", "DeleteDirectory",
                          "MoveDirectory", "UploadFile", "CreateQuota", "UpdateQuota", "InitRoleList", "Authorize",
                          "RevokeAuthorization", "DeleteUserAuthority", "CreateUser", "ModifyUser", "DeleteUser",
                          "CreateGroup", "ModifyGroup", "DeleteGroup", "AddGroupMember", "RemoveGroupMember"})

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.backend = SmhDataBackend(ctx)

    def resolve(self, req: Request) -> str:
        """Fidelity gap: a path outside the table above answers 404 RouteNotFound (the real answer for an unknown
        data-plane path is undocumented); PUT on a directory with a `copyFrom` body (copy directory) and the other
        real data-plane APIs (file download, recycle bin, search, batch, ...) are not emulated and answer 501
        NotImplemented or 404 RouteNotFound. Real SMH is HTTPS-only; the emulator speaks plain http (reach it as an
        HTTP proxy)."""
        if not req.raw_path.startswith(PREFIX):
            raise SmhDataError(404, "RouteNotFound", f"{req.method} {req.path} is not an SMH data-plane API path")
        seg = [unquote(s) for s in req.raw_path[len(PREFIX):].split("/") if s]
        req.params["segments"] = seg
        for method, pattern, action in ROUTES:
            if method == req.method and _matches(pattern, seg):
                if action == "CreateDirectory":
                    keys = _body_keys(req)
                    if "copyFrom" in keys:
                        raise SmhDataError(501, "NotImplemented", "Copying directories is not emulated")
                    if "from" in keys:
                        return "MoveDirectory"
                if action == "Authorize" and "delete" in req.query:
                    return "RevokeAuthorization"
                return action
        raise SmhDataError(404, "RouteNotFound", f"{req.method} {req.path} matches no emulated SMH data-plane API")

    def handle(self, req: Request) -> Response:
        handler = HANDLERS.get(req.action) or PERMISSION_HANDLERS[req.action]
        return handler(self.backend, req, req.params["segments"])

    def render_error(self, err: EmulatorError, req: Request) -> Response:
        return smh_error(err, req)

    def injected_error(self, code: str, status: int, req: Request) -> EmulatorError:
        """A rule's own status wins when it is an error status; otherwise the documented one, else 500."""
        return SmhDataError(status if status and status >= 400 else STATUS.get(code, 500), code,
                            f"Injected fault: {code}.")

    def inventory(self) -> dict[str, Any]:
        return {"spaces": self.backend.inventory(), "permissions": self.backend.permission_inventory()}
