"""SMH data-plane handlers: read the route's named path segments, query and body; call the backend; render.

The segments named in the route (`{Lib}`, `{Space}`, `{Token}`, a trailing `{Path}` as a list) are in req.params;
`req.account` is the caller the service authenticated (a `Caller`), except for the token calls, whose backend
methods check the library secret or the token in the path themselves.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from emulator.services.base import Handler
from emulator.services.smhdata.common import fail, invalid
from emulator.services.smhdata.models import SmhDataBackend
from emulator.services.smhdata.render import ok
from emulator.wire import Request, Response


def library_of(req: Request, path_library: str) -> str:
    """Fidelity gap: when both the Host (`<LibraryId>.api.tencentsmh.cn`) and the path name a library and they
    differ, the call answers 404 LibraryNotFound."""
    host = req.params.get("library") or ""
    if host and path_library and host != path_library:
        raise fail("LibraryNotFound", f"The path names library `{path_library}` but the host is `{req.host}`")
    return path_library or host


def token_of(req: Request) -> str:
    token = req.query.get("access_token", "")
    auth = req.headers.get("authorization", "")
    if not token and auth[:7].lower() == "bearer ":
        token = auth[7:].strip()
    return token


def space_id(req: Request) -> str:
    """The `{Space}` of the route (`-` in single-tenant libraries)."""
    return req.params["Space"]


def path_parts(req: Request) -> list[str]:
    """The directory or file path (`{Path}`), one item per segment."""
    return req.params["Path"]


def body_json(req: Request) -> dict[str, Any]:
    if not req.body.strip():
        return {}
    try:
        data = json.loads(req.body)
    except ValueError:
        raise invalid("The request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise invalid("The request body must be a JSON object")
    return data


def int_param(req: Request, name: str, default: int | None = None) -> int | None:
    raw = req.query.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid(f"{name} must be an integer, got `{raw}`") from None


def flag(req: Request, name: str) -> bool:
    return req.query.get(name, "").lower() in ("1", "true")


def param(name: str) -> Callable[[Request], str]:
    """Reads the route's named segment `name` (`{User}`, `{Group}`, ...)."""
    return lambda req: req.params[name]


def call(method: Callable[..., Any], *args: Callable[[Request], Any], status: int = 200,
         key: str | None = None) -> Handler:
    """The handler of a call that passes `req.account` and each of `args` read from the request to a backend
    method and renders what it returns: as the body (`key`: wrapped as {key: value}), or no body with 204 when
    the status is 204."""
    def handler(b: SmhDataBackend, req: Request) -> Response:
        result = method(b, req.account, *(arg(req) for arg in args))
        if status == 204:
            return ok(req, 204)
        return ok(req, status, result if key is None else {key: result})
    return handler


# -- tokens ---------------------------------------------------------------------------------------------------
def create_access_token(b: SmhDataBackend, req: Request) -> Response:
    q = req.query
    library_id = q.get("library_id", "")
    host = req.params.get("library")
    if host and library_id and host != library_id:
        raise fail("WrongLibraryIdOrSecret", f"library_id `{library_id}` does not match the host `{req.host}`")
    out = b.create_access_token(library_id, q.get("library_secret", ""), q.get("space_id", ""), q.get("user_id", ""),
                                q.get("client_id", ""), q.get("session_id", ""), int_param(req, "period"),
                                q.get("grant", ""))
    return ok(req, 200, out)


def renew_access_token(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.renew_access_token(library_of(req, req.params["Lib"]), req.params["Token"]))


def delete_access_token(b: SmhDataBackend, req: Request) -> Response:
    b.delete_access_token(library_of(req, req.params["Lib"]), req.params["Token"])
    return ok(req, 204)


def delete_user_access_tokens(b: SmhDataBackend, req: Request) -> Response:
    q = req.query
    b.delete_user_access_tokens(library_of(req, req.params["Lib"]), q.get("library_secret", ""),
                                q.get("user_id", ""), q.get("client_id", ""), q.get("session_id", ""))
    return ok(req, 204)


# -- spaces ---------------------------------------------------------------------------------------------------
def create_space(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 201, {"spaceId": b.create_space(req.account, body_json(req))})


def list_spaces(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.list_spaces(req.account, req.query.get("marker", ""), int_param(req, "limit")))


def get_space_count(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, {"total": b.get_space_count(req.account)})


def delete_space(b: SmhDataBackend, req: Request) -> Response:
    b.delete_space(req.account, space_id(req), flag(req, "force"))
    return ok(req, 204)


get_space_size = call(SmhDataBackend.get_space_size, space_id, key="size")
get_space_extension = call(SmhDataBackend.get_space_extension, space_id)
update_space_extension = call(SmhDataBackend.update_space_extension, space_id, body_json, status=204)


# -- directories and files ----------------------------------------------------------------------------------------
def create_directory(b: SmhDataBackend, req: Request) -> Response:
    final = b.create_directory(req.account, space_id(req), path_parts(req),
                               req.query.get("conflict_resolution_strategy", ""))
    return ok(req, 201, None if final is None else {"path": final})


def list_directory(b: SmhDataBackend, req: Request) -> Response:
    q = req.query
    out = b.list_directory(req.account, space_id(req), path_parts(req), int_param(req, "page", 1) or 0,
                           int_param(req, "page_size", 20) or 0, q.get("order_by", ""), q.get("order_by_type", ""),
                           q.get("filter", ""))
    return ok(req, 200, out)


def delete_directory(b: SmhDataBackend, req: Request) -> Response:
    item = b.delete_directory(req.account, space_id(req), path_parts(req), flag(req, "permanent"))
    return ok(req, 204) if item is None else ok(req, 200, {"recycledItemId": item})


def move_directory(b: SmhDataBackend, req: Request) -> Response:
    source = body_json(req).get("from")
    if not isinstance(source, str):
        raise fail("InvalidSourceDirectory", "`from` must be the source directory path (a string)")
    final = b.move_directory(req.account, space_id(req), path_parts(req), source,
                             req.query.get("conflict_resolution_strategy", ""))
    return ok(req, 204) if final is None else ok(req, 200, {"path": final})


# -- files (files.py, uploads.py, reads.py) ---------------------------------------------------------------------
def _strategy(req: Request) -> str:
    return req.query.get("conflict_resolution_strategy", "")


def upload_file(b: SmhDataBackend, req: Request) -> Response:
    final = b.upload_file(req.account, space_id(req), path_parts(req), req.body, req.headers.get("content-type", ""),
                          _strategy(req))
    return ok(req, 201, {"path": final})


def begin_upload(b: SmhDataBackend, req: Request) -> Response:
    body_json(req)  # a JSON object (fullHash, size, labels, ...) or nothing; its fields are not used
    return ok(req, 200, b.begin_upload(req.account, space_id(req), path_parts(req), _strategy(req), False))


def begin_multipart_upload(b: SmhDataBackend, req: Request) -> Response:
    body_json(req)
    return ok(req, 200, b.begin_upload(req.account, space_id(req), path_parts(req), _strategy(req), True))


def confirm_upload(b: SmhDataBackend, req: Request) -> Response:
    body_json(req)  # crc64, labels, category, local times: accepted, not used
    return ok(req, 200, b.confirm_upload(req.account, space_id(req), req.params["ConfirmKey"], _strategy(req)))


def renew_upload(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.renew_upload(req.account, space_id(req), req.params["ConfirmKey"]))


def upload_state(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.upload_state(req.account, space_id(req), req.params["ConfirmKey"]))


def abort_upload(b: SmhDataBackend, req: Request) -> Response:
    b.abort_upload(req.account, space_id(req), req.params["ConfirmKey"])
    return ok(req, 204)


def delete_file(b: SmhDataBackend, req: Request) -> Response:
    item = b.delete_file(req.account, space_id(req), path_parts(req), flag(req, "permanent"))
    return ok(req, 204) if item is None else ok(req, 200, {"recycledItemId": item})


def _move(req: Request, key: str) -> str:
    source = body_json(req).get(key)
    if not isinstance(source, str):
        raise fail("InvalidSourceFile", f"`{key}` must be the source file path (a string)")
    return source


def move_file(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.move_file(req.account, space_id(req), path_parts(req), _move(req, "from"), _strategy(req)))


def copy_file(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.move_file(req.account, space_id(req), path_parts(req), _move(req, "copyFrom"),
                                    _strategy(req), copy=True))


def head_file(b: SmhDataBackend, req: Request) -> Response:
    resp = ok(req, 200)
    resp.headers.update(b.head_file(req.account, space_id(req), path_parts(req)))
    return resp


def _redirect(req: Request, url: str) -> Response:
    resp = ok(req, 302)
    resp.headers["Location"] = url
    return resp


def download_file(b: SmhDataBackend, req: Request) -> Response:
    return _redirect(req, b.file_link(req.account, space_id(req), path_parts(req), preview=False))


def file_info(b: SmhDataBackend, req: Request) -> Response:
    return ok(req, 200, b.file_info(req.account, space_id(req), path_parts(req), req.query.get("purpose", "")))


def preview_file(b: SmhDataBackend, req: Request) -> Response:
    return _redirect(req, b.file_link(req.account, space_id(req), path_parts(req), preview=True))


create_share = call(SmhDataBackend.create_share, space_id, body_json)


# -- quotas ---------------------------------------------------------------------------------------------------
create_quota = call(SmhDataBackend.create_quota, body_json, status=201, key="quotaId")
get_quota = call(SmhDataBackend.get_quota, space_id)
update_quota = call(SmhDataBackend.update_quota, space_id, body_json, status=204)
