"""SMH data-plane backend (the business API of fact sheet 5): one method per action, in snake_case.

The actions live in one module per group and are joined here:

    tokens.py       create_access_token, renew_access_token, delete_access_token, delete_user_access_tokens
                    (+ authenticate)
    spaces.py       create_space, list_spaces, get_space_count, delete_space, get_space_size,
                    get_space_extension, update_space_extension
    directories.py  create_directory, list_directory, delete_directory, move_directory
    files.py        upload_file (the one-request shortcut), delete_file, move_file (rename, move, copy)
    uploads.py      begin_upload, confirm_upload, abort_upload (through the library's bucket: cosref.py)
    reads.py        head_file, file_link (download, preview), create_share
    quotas.py       create_quota, get_quota, update_quota
    authority.py    init_role_list, role_list, authorize, revoke, directory_authority, delete_user_authority
    access.py       allow, read_filter, role_flags: the permission check of every action (grants and roles)
    people.py       create_user, get_user, modify_user, delete_user, create_group, list_groups, get_group,
                    modify_group, delete_group, add_member, remove_member, list_members

Methods raise SmhDataError and return plain data; the store layout is in common.py. Library documents belong to
the control plane (kind "library"); this backend only reads them.
"""

from __future__ import annotations

from typing import Any

from emulator.services.smhdata.authority import AuthorityActions
from emulator.services.smhdata.common import SINGLE_SPACE
from emulator.services.smhdata.reads import ReadActions
from emulator.services.smhdata.spaces import ATTRS, SpaceActions
from emulator.services.smhdata.tokens import TokenActions


class SmhDataBackend(TokenActions, SpaceActions, ReadActions, AuthorityActions):
    def _summary(self, library_id: str, space_id: str) -> dict[str, Any]:
        prefix = f"{library_id}/{space_id}/"
        return {"albums": [d["path"] for k, d in self.store.items("smh_dir", prefix) if "/" not in k[len(prefix):]],
                "directories": self.store.count("smh_dir", prefix), "files": self.store.count("smh_file", prefix),
                "size": self._usage(library_id, space_id)}

    def inventory(self) -> list[dict[str, Any]]:
        """Every tenant space, plus the `-` space of single-tenant libraries that hold anything."""
        out = []
        for _, doc in self.store.items("space"):
            attrs = {name: doc.get(name, default) for name, (_, default) in ATTRS.items()}
            out.append({"library": doc["libraryId"], "spaceId": doc["spaceId"], "userId": doc["userId"],
                        "creationTime": doc["creationTime"]} | attrs | self._summary(doc["libraryId"], doc["spaceId"]))
        for _, lib in self.store.items("library"):
            if (lib.get("LibraryExtension") or {}).get("IsMultiSpace"):
                continue
            summary = self._summary(lib["LibraryId"], SINGLE_SPACE)
            if summary["directories"] or summary["files"]:
                out.append({"library": lib["LibraryId"], "spaceId": SINGLE_SPACE} | summary)
        return out
