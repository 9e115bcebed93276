"""Files (fact sheet 5.4 and the SMH SDKs' file calls): the one-request upload, delete, rename/move and copy.

Uploads through COS (begin, the client's PUT to the bucket, confirm) are in uploads.py; downloads, previews and
shares in reads.py. Every action is allowed either by the token's grants or, for an acl token, by the user's roles on
the folders involved (access.py); each rule's source is in docs/smh-permissions.md.
"""

from __future__ import annotations

import hashlib
import mimetypes
from typing import Any

from emulator.services.smhdata.common import (
    BackendBase,
    Caller,
    Target,
    check_directory_rules,
    check_names,
    check_strategy,
    fail,
    file_type,
    iso,
)
from emulator.services.smhdata.cosref import BucketRef, bucket_of, new_key
from emulator.services.smhdata.directories import DirectoryActions
from emulator.services.smhdata.quotas import QuotaActions

_CRC64_ECMA = 0xC96C5795D7870F42  # reflected ECMA-182, the polynomial COS uses for x-cos-hash-crc64ecma
_TABLE: list[int] = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ _CRC64_ECMA if _c & 1 else _c >> 1
    _TABLE.append(_c)

UPLOAD_GRANTS = ("space_admin", "upload_file", "upload_file_force", "begin_upload", "begin_upload_force")
FORCE_UPLOAD_GRANTS = ("space_admin", "upload_file_force", "begin_upload_force")


def crc64(data: bytes) -> int:
    crc = 0xFFFFFFFFFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFFFFFFFFF


def file_entry(doc: dict[str, Any]) -> dict[str, Any]:
    """A file as the confirm, rename and copy answers show it (smh_flutter_sdk SMHUploadFileResultEntity)."""
    return {"path": doc["path"].split("/"), "name": doc["name"], "type": doc["type"],
            "creationTime": doc["creationTime"], "modificationTime": doc["modificationTime"],
            "contentType": doc["contentType"], "size": str(doc["size"]), "eTag": doc["eTag"], "crc64": doc["crc64"],
            "metaData": {}}


class FileActions(DirectoryActions, QuotaActions, BackendBase):
    # -- shared by every way a file arrives --------------------------------------------------------------
    def _file_target(self, caller: Caller, space_id: str, parts: list[str]) -> Target:
        target = self._target(caller, space_id)
        if not parts:
            raise fail("EmptyFileName", "The file path is empty")
        check_names(parts[:-1], target, "DirectoryNameLengthExceed", "directory")
        check_names(parts[-1:], target, "FileNameLengthExceed", "file")
        if target.albums and len(parts) == 1:
            raise fail("UploadToRootDirectoryNotAllowed", "Files of a multi-album space go into an album")
        check_directory_rules(parts[:-1], target)
        return target

    def _parent_exists(self, target: Target, parts: list[str]) -> None:
        """Uploads through COS, moves and copies need the parent folder (they create no directories:
        smh-sdk-ios QCloudSMHPutObjectRequest.h "不会自动创建所需的各级父目录", smh_flutter_sdk copyFile)."""
        if parts[:-1] and self._exists(target, parts[:-1]) != "dir":
            raise fail("DirectoryNotFound", f"The directory `{'/'.join(parts[:-1])}` does not exist")

    def _overwrites(self, target: Target, parts: list[str], strategy: str) -> bool:
        return strategy == "overwrite" and self._exists(target, parts) == "file"

    def _store_file(self, caller: Caller, target: Target, parts: list[str], strategy: str, info: dict[str, Any],
                    cos: tuple[BucketRef, str] | None = None) -> dict[str, Any]:
        """Put a file's record at `parts` (or its renamed path); `info` has size, eTag, crc64 and contentType,
        `cos` the bucket and key of its bytes. The file it replaces, if any, loses its object. Returns the doc."""
        existing = self.store.get("smh_file", target.key(parts))
        now = self.clock()
        if strategy == "overwrite" and existing is not None:
            final, created, replaced = parts, existing["creationTime"], int(existing["size"])
        else:
            final, created, replaced, existing = self._place(target, parts, strategy, is_file=True), iso(now), 0, None
        self._check_quota(caller.library_id, target.space_id, int(info["size"]) - replaced)
        guessed = mimetypes.guess_type(final[-1])[0] or "application/octet-stream"
        doc = {"name": final[-1], "path": "/".join(final), "type": file_type(final[-1]), "size": int(info["size"]),
               "contentType": info.get("contentType") or guessed, "eTag": info["eTag"], "crc64": info["crc64"],
               "creationTime": created, "modificationTime": iso(now)}
        if cos is not None:
            doc |= {"cosBucket": cos[0].bucket, "cosKey": cos[1]}
        if existing is not None:
            self._drop_object(caller, existing)
        self.store.put("smh_file", target.key(final), doc)
        return doc

    def _drop_object(self, caller: Caller, doc: dict[str, Any]) -> None:
        if doc.get("cosKey"):
            ref = bucket_of(self.ctx, caller.library)
            self.store.delete("object", f"{ref.bucket}/{doc['cosKey']}")

    def _file(self, target: Target, parts: list[str], code: str = "FileNotFound") -> dict[str, Any]:
        doc = self.store.get("smh_file", target.key(parts)) if parts else None
        if doc is None:
            raise fail(code, f"The file `{'/'.join(parts)}` does not exist")
        return doc

    # -- the one-request upload -------------------------------------------------------------------------
    def upload_file(self, caller: Caller, space_id: str, parts: list[str], data: bytes, content_type: str,
                    strategy: str) -> list[str]:
        """Store a file at `parts` from the request body in one call; returns the final path.

        Fidelity gap: this one-request upload is the emulator's shortcut, not an SMH call: real SMH uploads in
        three steps (uploads.py: begin, the client's PUT to COS, confirm). A PUT /api/v1/file/... whose body is
        not a JSON object takes this path (service.resolve) and answers 201 {"path": [...]} at once. Only size,
        eTag (MD5), crc64 (ECMA) and the content type are kept, not the bytes (nothing reaches the bucket, so the
        file's download link answers 404 NoSuchKey from COS). conflict_resolution_strategy ask|rename|overwrite
        defaults to rename. Missing parent directories (and albums) are created. Photo/video type and extension
        rules (allowPhoto, ExtnameNotAllowed, FileTypeNotMatched) and sensitive-content recognition are not
        applied. Its permission is the begin-upload's (uploads.py).
        """
        caller.precheck(*UPLOAD_GRANTS)
        strategy = check_strategy(strategy, ("ask", "rename", "overwrite"), "rename")
        with self.store.transaction():
            target = self._file_target(caller, space_id, parts)
            self._allow_upload(caller, target, parts, strategy)
            self._make_parents(target, parts[:-1], self.clock())
            info = {"size": len(data), "eTag": f'"{hashlib.md5(data).hexdigest()}"', "crc64": str(crc64(data)),
                    "contentType": content_type}
            final = self._store_file(caller, target, parts, strategy, info)
        return final["path"].split("/")

    def _allow_upload(self, caller: Caller, target: Target, parts: list[str], strategy: str,
                      grants: tuple[str, ...] = UPLOAD_GRANTS, force: tuple[str, ...] = FORCE_UPLOAD_GRANTS) -> None:
        """Upload grants (or canUpload); replacing a file needs a *_force grant (or canUpload and canModify)."""
        if self._overwrites(target, parts, strategy):
            self.allow(caller, target, parts[:-1], force, ("canUpload", "canModify"), "replace files")
        else:
            self.allow(caller, target, parts[:-1], grants, ("canUpload",), "upload")

    # -- delete, move, copy --------------------------------------------------------------------------------
    def delete_file(self, caller: Caller, space_id: str, parts: list[str], permanent: bool) -> int | None:
        """Delete a file (204), or move it to the recycle bin (200 {"recycledItemId"}) when the library has one and
        permanent is not 1 (smh_flutter_sdk deleteFile). A permanent delete removes its object from the bucket.

        Fidelity gap: a recycled file keeps its object and cannot be restored here.
        """
        recycle = bool(caller.ext.get("UseRecycleBin")) and not permanent
        grants = ("space_admin", "delete_file" if recycle or not caller.ext.get("UseRecycleBin")
                  else "delete_file_permanent")
        caller.precheck(*grants)
        with self.store.transaction():
            target = self._target(caller, space_id)
            doc = self._file(target, parts)
            self.allow(caller, target, parts[:-1], grants, ("canDelete",), "delete")
            self.store.delete("smh_file", target.key(parts))
            if not recycle:
                self._drop_object(caller, doc)
                return None
            item_id = self._next_id(caller.library_id, "recycled")
            self.store.put("smh_recycled", f"{caller.library_id}/{item_id}",
                           {"id": item_id, "spaceId": space_id, "path": doc["path"], "type": "file", "files": 1,
                            "dirs": 0, "removalTime": iso(self.clock())})
            return item_id

    def move_file(self, caller: Caller, space_id: str, parts: list[str], source: str, strategy: str,
                  copy: bool = False) -> dict[str, Any]:
        """Rename or move (body {"from"}) or copy (body {"copyFrom"}) a file to `parts`; the file as it ends up.

        Fidelity gap: success answers 200 with the file (its final `path` first; the SDKs read `path`), a status
        the SDK comments do not give. A copy gets its own object in the bucket.
        """
        grants = ("space_admin", "copy_file", "copy_file_force") if copy else ("space_admin", "move_file",
                                                                                "move_file_force")
        caller.precheck(*grants)
        strategy = check_strategy(strategy, ("ask", "rename", "overwrite"), "rename")
        src = [p for p in source.split("/") if p]
        with self.store.transaction():
            target = self._file_target(caller, space_id, parts)
            if not src:
                raise fail("InvalidSourceFile", "The source file path is empty")
            doc = self._file(target, src, "SourceFileNotFound")
            self._parent_exists(target, parts)
            out = ("copy files out", ("canDownload",)) if copy else ("move files out", ("canDownload", "canDelete"))
            self.allow(caller, target, src[:-1], grants, out[1], out[0])
            forced = tuple(g for g in grants if g.endswith("_force") or g == "space_admin")
            self._allow_upload(caller, target, parts, strategy, grants, forced)
            if src == parts:
                return file_entry(doc)
            info, cos = dict(doc), None
            if doc.get("cosKey"):
                ref = bucket_of(self.ctx, caller.library)
                key = doc["cosKey"]
                if copy:
                    key = new_key(caller.library_id)
                    obj = self.store.get("object", f"{ref.bucket}/{doc['cosKey']}")
                    if obj is not None:
                        self.store.put("object", f"{ref.bucket}/{key}", obj | {"key": key})
                cos = (ref, key)
            if not copy:
                self.store.delete("smh_file", target.key(src))
                doc.pop("cosKey", None)
            final = self._store_file(caller, target, parts, strategy, info, cos)
            if not copy:
                final["creationTime"] = doc["creationTime"]
                self.store.put("smh_file", target.key(final["path"].split("/")), final)
        return file_entry(final)
