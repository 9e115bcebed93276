"""Files, as far as the emulator models them: a one-request upload that makes spaces and albums non-empty."""

from __future__ import annotations

import hashlib
import mimetypes

from emulator.services.smhdata.common import (
    BackendBase,
    Caller,
    check_directory_rules,
    check_names,
    check_strategy,
    fail,
    file_type,
    iso,
)
from emulator.services.smhdata.directories import DirectoryActions
from emulator.services.smhdata.quotas import QuotaActions

_CRC64_ECMA = 0xC96C5795D7870F42  # reflected ECMA-182, the polynomial COS uses for x-cos-hash-crc64ecma
_TABLE: list[int] = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ _CRC64_ECMA if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc64(data: bytes) -> int:
    crc = 0xFFFFFFFFFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFFFFFFFFF


class FileActions(DirectoryActions, QuotaActions, BackendBase):
    def upload_file(self, caller: Caller, space_id: str, parts: list[str], data: bytes, content_type: str,
                    strategy: str) -> list[str]:
        """Store a file's metadata at `parts` (the request body is the content); returns the final path.

        Fidelity gap: real SMH uploads in three steps (PUT /api/v1/file/... answers COS upload parameters, the
        client PUTs the bytes to COS, then confirms); the emulator takes the bytes in the body of that first PUT
        and answers 201 {"path": [...]} at once. Only size, eTag (MD5), crc64 (ECMA) and the content type are
        kept, not the bytes. conflict_resolution_strategy ask|rename|overwrite defaults to rename. Missing parent
        directories (and albums) are created. Photo/video type and extension rules (allowPhoto, ExtnameNotAllowed,
        FileTypeNotMatched) and sensitive-content recognition are not applied.
        """
        caller.require("space_admin", "upload_file", "upload_file_force", "begin_upload", "begin_upload_force")
        strategy = check_strategy(strategy, ("ask", "rename", "overwrite"), "rename")
        with self.store.transaction():
            target = self._target(caller, space_id)
            if not parts:
                raise fail("EmptyFileName", "The file path is empty")
            check_names(parts[:-1], target, "DirectoryNameLengthExceed", "directory")
            check_names(parts[-1:], target, "FileNameLengthExceed", "file")
            if target.albums and len(parts) == 1:
                raise fail("UploadToRootDirectoryNotAllowed", "Files of a multi-album space go into an album")
            check_directory_rules(parts[:-1], target)
            now = self.clock()
            self._make_parents(target, parts[:-1], now)
            existing = self.store.get("smh_file", target.key(parts))
            if strategy == "overwrite" and existing is not None:
                final, created, replaced = parts, existing["creationTime"], int(existing["size"])
            else:
                final, created, replaced = self._place(target, parts, strategy, is_file=True), iso(now), 0
            self._check_quota(caller.library_id, space_id, len(data) - replaced)
            guessed = mimetypes.guess_type(final[-1])[0] or "application/octet-stream"
            self.store.put("smh_file", target.key(final), {
                "name": final[-1], "path": "/".join(final), "type": file_type(final[-1]), "size": len(data),
                "contentType": content_type or guessed, "eTag": f'"{hashlib.md5(data).hexdigest()}"',
                "crc64": str(crc64(data)), "creationTime": created, "modificationTime": iso(now),
            })
        return final
