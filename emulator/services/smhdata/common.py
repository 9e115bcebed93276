"""Shared pieces of the SMH data-plane backend: errors, clock, the caller, library and space lookup, name rules.

State, all in the shared Store (SpaceId is `-` in single-tenant libraries):

    space          "<LibraryId>/<SpaceId>"          tenant space; the control plane counts these (DeleteLibrary)
    smh_token      "<LibraryId>/<AccessToken>"      access token
    smh_dir        "<LibraryId>/<SpaceId>/<Path>"   directory or album (Path without leading slash, `a/b`)
    smh_file       "<LibraryId>/<SpaceId>/<Path>"   file metadata; the bytes of a file uploaded through COS are an
                                                    object of the library's bucket (cosBucket, cosKey)
    smh_upload     "<LibraryId>/<ConfirmKey>"       an upload begun and not yet confirmed (uploads.py)
    smh_share      "<LibraryId>/<ShareId>"          an external share (reads.py)
    smh_quota      "<LibraryId>/<QuotaId>"          quota; doc["spaces"] lists the spaces it covers
    smh_recycled   "<LibraryId>/<RecycledItemId>"   a directory deleted into the recycle bin
    smh_counter    "<LibraryId>/<name>"             per-library sequence numbers (quota and recycled item ids)
    smh_roles, smh_grant                            role table and folder grants (authority.py)
    smh_user, smh_group, smh_member                 library users, groups and memberships (people.py)
"""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from emulator.errors import SmhDataError
from emulator.services.base import Context

SINGLE_SPACE = "-"
ID_CHARS = string.ascii_lowercase + string.digits
DEFAULT_MAX_NAME = 255
IMAGE_EXTS = frozenset({"jpg", "jpeg", "png", "gif", "bmp", "webp", "heic", "heif", "tif", "tiff", "svg", "ico"})
VIDEO_EXTS = frozenset({"mp4", "mov", "avi", "mkv", "wmv", "flv", "m4v", "3gp", "webm", "mpg", "mpeg", "ts"})

# Documented statuses (fact sheet 5.5), used for injected faults that name no status.
STATUS = {
    "EmptyLibraryIdOrSecret": 400, "EmptyLibrarySecret": 400, "EmptyLibraryId": 400, "NotMultiSpaceLibrary": 400,
    "EmptyAccessToken": 400, "EmptyPath": 400, "DirectoryNameLengthExceed": 400, "DirectoryNotAllowed": 400,
    "DirectoryLevelExceed": 400, "EmptyFileName": 400, "FileNameLengthExceed": 400, "ExtnameNotAllowed": 400,
    "UploadToRootDirectoryNotAllowed": 400, "InvalidSourceDirectory": 400, "QuotaLimitReached": 400,
    "InvalidConflictResolutionStrategy": 400, "InvalidAccessToken": 403, "AccessTokenNotMatchSpace": 403,
    "NoPermission": 403, "LibraryNotFound": 404, "SpaceNotFound": 404, "WrongLibraryIdOrSecret": 404,
    "DirectoryNotFound": 404, "SourceDirectoryNotFound": 404, "NoQuota": 404, "SameNameDirectoryOrFileExists": 409,
    "SpaceNotEmpty": 409, "DuplicateQuota": 409, "RateLimitExceeded": 429, "InternalServerError": 500,
    "ServerOverloaded": 503,
    # Permissions (docs/smh-permissions.md): only UserResourceInUse is documented; the rest are the emulator's.
    "UserResourceInUse": 409, "UserAlreadyExists": 409, "UserNotFound": 404, "GroupAlreadyExists": 409,
    "GroupNotFound": 404, "MemberNotFound": 404, "GroupNestingTooDeep": 400, "GroupNestingCycle": 400,
    "RoleListAlreadyInitialized": 409, "RoleNotFound": 404,
    # Files (fact sheet 5.5): documented codes.
    "UploadNotBelongYou": 403, "UploadNotFound": 404, "UploadIncomplete": 404, "FileNotFound": 404,
    "SourceFileNotFound": 404, "InvalidSourceFile": 400,
}


def fail(code: str, message: str, status: int | None = None) -> SmhDataError:
    return SmhDataError(status or STATUS.get(code, 400), code, message)


def invalid(message: str) -> SmhDataError:
    """A malformed parameter or body; the real codes for these are undocumented."""
    return SmhDataError(400, "InvalidParameter", message)


def iso(ts: float) -> str:
    """Times as the data plane writes them: `2020-10-16T02:31:50.000Z`."""
    dt = datetime.fromtimestamp(ts, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def random_id(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(ID_CHARS) for _ in range(length))


def file_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return "image" if ext in IMAGE_EXTS else "video" if ext in VIDEO_EXTS else "file"


def split_path(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


@dataclass
class Caller:
    """Who is calling: the library, the access token (empty for anonymous public reads) and the user id."""

    library: dict[str, Any]
    token: dict[str, Any] = field(default_factory=dict)
    user_id: str = ""

    @property
    def library_id(self) -> str:
        return self.library["LibraryId"]

    @property
    def ext(self) -> dict[str, Any]:
        return self.library.get("LibraryExtension") or {}

    @property
    def multi_space(self) -> bool:
        return bool(self.ext.get("IsMultiSpace"))

    @property
    def grants(self) -> set[str]:
        return set(self.token.get("grants") or [])

    @property
    def admin(self) -> bool:
        return "admin" in self.grants

    @property
    def acl(self) -> bool:
        """An "acl" token: issued for a user with the `acl` grant, so that the user's roles on folders decide
        what it may do ("acl: 使用基于目录和文件的细粒度权限控制", the grant list of tencentcloud-smh-sdk-java
        TokenRequest.java); admin tokens are never limited by roles."""
        return "acl" in self.grants and bool(self.user_id) and not self.admin

    def require(self, *grants: str) -> None:
        """Any one of `grants` (or `admin`) is enough; otherwise 403 NoPermission."""
        if self.admin or self.grants.intersection(grants):
            return
        raise fail("NoPermission", f"The access token lacks the permission for this operation "
                                   f"(needs one of: {', '.join(('admin', *grants))})")

    def precheck(self, *grants: str) -> None:
        """A token judged by its grants is refused before the space is looked at (NoPermission comes before
        AccessTokenNotMatchSpace, tokens.py); an acl token is judged once its folder is known (access.py)."""
        if not self.acl:
            self.require(*grants)

    def require_space(self, space_id: str) -> None:
        """A non-admin token of a multi-tenant library reaches only the spaces it was issued for.

        Fidelity gap: a non-admin token issued without `space_id` matches no space (the docs make space_id
        optional only with admin); space-management calls (create/list/count/delete space, size, extension,
        quotas) skip this check, as the docs say they need no space_id.
        """
        if not self.multi_space or self.admin or not self.token:
            return
        if space_id not in (self.token.get("spaceIds") or []):
            raise fail("AccessTokenNotMatchSpace", f"The access token was not issued for space `{space_id}`")


@dataclass
class Target:
    """Where a directory or file operation happens: one space (or `-`) of one library."""

    library: dict[str, Any]
    space_id: str
    space: dict[str, Any] | None

    @property
    def library_id(self) -> str:
        return self.library["LibraryId"]

    @property
    def prefix(self) -> str:
        return f"{self.library_id}/{self.space_id}/"

    @property
    def file_library(self) -> bool:
        return bool((self.library.get("LibraryExtension") or {}).get("IsFileLibrary"))

    @property
    def albums(self) -> bool:
        """A media library (or space) split into albums: exactly one directory level."""
        if self.file_library:
            return False
        if self.space is not None:
            return bool(self.space.get("isMultiAlbum"))
        return bool((self.library.get("LibraryExtension") or {}).get("IsMultiAlbum"))

    @property
    def max_name(self) -> int:
        return int((self.library.get("LibraryExtension") or {}).get("MaxDirFileNameLength") or DEFAULT_MAX_NAME)

    def key(self, parts: list[str]) -> str:
        return self.prefix + "/".join(parts)


class BackendBase:
    """Store access, the clock and the lookups every action group shares."""

    def __init__(self, ctx: Context, clock: Callable[[], float] = time.time) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.clock = clock  # wall time: token expiry must survive a restart

    def _library(self, library_id: str) -> dict[str, Any]:
        doc = self.store.get("library", library_id) if library_id else None
        if doc is None:
            raise fail("LibraryNotFound", f"The library `{library_id}` does not exist")
        return doc

    def _space_doc(self, library_id: str, space_id: str) -> dict[str, Any]:
        doc = self.store.get("space", f"{library_id}/{space_id}")
        if doc is None:
            raise fail("SpaceNotFound", f"The space `{space_id}` does not exist in library `{library_id}`")
        return doc

    def _target(self, caller: Caller, space_id: str) -> Target:
        """The space a directory/file call addresses: `-` in single-tenant libraries, a real space otherwise."""
        if not caller.multi_space:
            if space_id != SINGLE_SPACE:
                raise fail("SpaceNotFound", f"Library `{caller.library_id}` is single-tenant; use SpaceId `-`")
            return Target(caller.library, space_id, None)
        caller.require_space(space_id)
        if space_id == SINGLE_SPACE:
            raise fail("SpaceNotFound", f"Library `{caller.library_id}` is multi-tenant; name a space, not `-`")
        return Target(caller.library, space_id, self._space_doc(caller.library_id, space_id))

    def read_filter(self, caller: Caller, target: Target, parts: list[str]) -> set[str] | None:
        """Folder grants (access.py): None when the caller may list `parts`, else the root albums it may see."""
        return None

    def allow(self, caller: Caller, target: Target, folder: list[str], grants: tuple[str, ...] | None,
              flags: tuple[str, ...], what: str) -> None:
        """The permission check of every data-plane action (access.py); raises 403 NoPermission."""
        caller.require(*(grants or ()))

    def _next_id(self, library_id: str, name: str) -> int:
        key = f"{library_id}/{name}"
        doc = self.store.get("smh_counter", key) or {"next": 1}
        self.store.put("smh_counter", key, {"next": doc["next"] + 1})
        return int(doc["next"])

    def _usage(self, library_id: str, space_id: str) -> int:
        return sum(int(d.get("size", 0)) for _, d in self.store.items("smh_file", f"{library_id}/{space_id}/"))

    def _exists(self, target: Target, parts: list[str]) -> str:
        """'dir', 'file' or '' for the entry at `parts`."""
        key = target.key(parts)
        if self.store.get("smh_dir", key) is not None:
            return "dir"
        return "file" if self.store.get("smh_file", key) is not None else ""

    def _free_name(self, target: Target, parent: list[str], name: str, is_file: bool) -> str:
        """`name (1)`, `name (2)`, ... (before the extension for files) until nothing has that name."""
        stem, dot, ext = name.rpartition(".") if is_file and "." in name.strip(".") else (name, "", "")
        n = 1
        while True:
            candidate = f"{stem} ({n}){dot}{ext}"
            if not self._exists(target, parent + [candidate]):
                return candidate
            n += 1


def check_names(parts: list[str], target: Target, code: str, what: str) -> None:
    for part in parts:
        if len(part) > target.max_name:
            raise fail(code, f"The {what} name `{part[:40]}...` is {len(part)} characters; at most "
                             f"{target.max_name} are allowed")


def check_directory_rules(parts: list[str], target: Target) -> None:
    """Media libraries: directories only where albums are, one level deep. File libraries: any depth."""
    if target.file_library or not parts:
        return
    if not target.albums:
        where = f"space `{target.space_id}`" if target.space else f"library `{target.library_id}`"
        raise fail("DirectoryNotAllowed", f"The media {where} is not split into albums; directories are not allowed")
    if len(parts) > 1:
        raise fail("DirectoryLevelExceed", "Albums are one level deep; nested directories are not allowed")


def check_strategy(value: str, allowed: tuple[str, ...], default: str = "ask") -> str:
    value = value or default
    if value not in allowed:
        raise fail("InvalidConflictResolutionStrategy",
                   f"conflict_resolution_strategy must be one of {', '.join(allowed)}, got `{value}`")
    return value
