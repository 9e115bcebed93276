"""Who may do what on a folder: the one check every data-plane action makes (docs/smh-permissions.md, section 5).

SMH allows a request in one of two ways, and the SMH SDKs name both in their request comments ("要求权限"):

- "non-acl" (非 acl 鉴权): the token's own grants, the same for every file ("非 acl 鉴权是指当前用户对所有文件的操作
  权限", smh-sdk-ios QCloudSMHCompleteUploadRequest.h): `admin`, `space_admin`, `upload_file`, `delete_file`, ...
  A token issued without grants may read (list, download, preview) everything ("如为空则只拥有读取权限",
  tencentcloud-smh-sdk-java TokenRequest.java).
- "acl" (acl 鉴权): the user's roles on the folder, granted per folder by the authority calls ("acl 鉴权是通过共享授权
  接口给指定用户，以文件夹为单位授予的权限", same header): `canView`, `canUpload`, `canDelete`, ...

A token is judged by roles when it carries the `acl` grant and was issued for a user (common.Caller.acl). Such a
token may still do what its other grants allow; reads it may do only where a role lets it. Admin tokens are never
limited.

A user's roles on a folder are those of every grant on that folder or on a folder above it (grants are inherited by
sub-folders), made to the user or to a group the user is in, directly or through nested groups; their flags add up.
Grants are read on every request, so a revoke takes effect on the next one.

Fidelity gap: how real SMH combines several grants on the same path (nearest wins, or all add up) is undocumented;
the emulator adds them up, and a grant reaches every folder below it. Which grant a non-acl token needs for the
authority calls (authorize, revoke, directory grants) and for creating a share is undocumented: admin or space_admin
here; the role table, users, groups and user-authority need admin.

Fidelity gap: the SDKs document the acl rule of download (canDownload), confirm and abort (canUpload), delete file
(canDelete), rename/move file (canDownload and canDelete where it is, canUpload where it goes) and copy file
(canDownload, canUpload). The others are the emulator's choices, by the flags' names: list and head canView, preview
canPreview, begin an upload canUpload, replace a file canUpload and canModify, create a directory canUpload on its
parent, delete a directory canDelete on its parent, rename/move a directory as a file, authorize/revoke/read grants
canAuthorize on the directory, create a share canShare where each path is. canPreviewSelf, canDownloadSelf and
canRestore are not used.
"""

from __future__ import annotations

from typing import Any

from emulator.services.smhdata.common import BackendBase, Caller, Target, fail
from emulator.services.smhdata.people import PeopleActions

# The role flags by the names the permission resources use (smh_provider/clients/permissions.py).
FLAG_NAMES = {"canView": "view", "canPreview": "preview", "canDownload": "download", "canUpload": "upload",
              "canDelete": "delete", "canModify": "modify", "canAuthorize": "authorize", "canShare": "share"}


class AccessActions(PeopleActions, BackendBase):
    def _roles(self, library_id: str) -> list[dict[str, Any]]:
        doc = self.store.get("smh_roles", f"{library_id}/roles")
        return list(doc["roles"]) if doc else []

    def role_flags(self, caller: Caller, target: Target, folder: list[str]) -> set[str]:
        """The flags of every role the caller's user holds on `folder`, through grants on it or above it."""
        roles = {r["id"]: r for r in self._roles(caller.library_id)}
        if not roles or not caller.user_id:
            return set()
        principals = {("user", caller.user_id)} | {
            ("group", g) for g in self.groups_of(caller.library_id, "user", caller.user_id)}
        flags: set[str] = set()
        for depth in range(len(folder) + 1):
            path = folder[:depth]
            for _, doc in self.store.items("smh_grant", f"{target.key(path)}#"):
                if doc["path"] == "/".join(path) and (doc["granteeType"], doc["granteeId"]) in principals:
                    role = roles.get(doc["roleId"], {})
                    flags |= {flag for flag in FLAG_NAMES if role.get(flag)}
        return flags

    def allow(self, caller: Caller, target: Target, folder: list[str], grants: tuple[str, ...] | None,
              flags: tuple[str, ...], what: str) -> None:
        """Allow the caller to do `what` in `folder`, or raise 403 NoPermission (the documented code, fact sheet
        5.5). `grants`: the token grants that allow it ("non-acl"; None: a read, which any token may do);
        `flags`: the role flags the user needs on the folder ("acl")."""
        if caller.admin or not caller.token:
            return  # anonymous callers got here through a public-read space (tokens.public_caller)
        if grants is None and not caller.acl:
            return
        if grants and caller.grants.intersection(grants):
            return
        if caller.acl:
            missing = [f for f in flags if f not in self.role_flags(caller, target, folder)]
            if not missing:
                return
            where = "/".join(folder) or "the root"
            raise fail("NoPermission", f"The user `{caller.user_id}` may not {what} in `{where}`: no role granted on "
                                       f"it or above it has {', '.join(FLAG_NAMES[f] for f in missing)}")
        raise fail("NoPermission", f"The access token may not {what} (needs one of the grants: "
                                   f"{', '.join(('admin', *(grants or ())))})")

    def read_filter(self, caller: Caller, target: Target, parts: list[str]) -> set[str] | None:
        """None: the caller may list `parts`. Otherwise the names of the root's entries it may see (root only).

        An acl token may list a folder where one of its roles there (or above) has canView; listing the root
        without that shows only the top folders (albums) it may view. Otherwise 403 NoPermission.
        """
        if not caller.acl:
            return None
        if "canView" in self.role_flags(caller, target, parts):
            return None
        if parts:
            self.allow(caller, target, parts, None, ("canView",), "view")
        prefix = target.prefix
        tops = [k[len(prefix):] for k, _ in self.store.items("smh_dir", prefix) if "/" not in k[len(prefix):]]
        return {name for name in tops if "canView" in self.role_flags(caller, target, [name])}
