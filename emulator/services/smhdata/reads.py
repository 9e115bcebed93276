"""Reading files and sharing them: head (view), download and preview (302 to a pre-signed COS URL), create a share.

    HEAD /api/v1/file/{Lib}/{Space}/{Path}               x-smh-* headers      (smh_flutter_sdk headFile)
    GET  /api/v1/file/{Lib}/{Space}/{Path}               302 to the bytes     (1339/49948; QCloudSMHDownloadFileRequest)
    GET  /api/v1/file/{Lib}/{Space}/{Path}?preview       302 to a preview     (smh_flutter_sdk getPreview)
    GET  /api/v1/file/{Lib}/{Space}/{Path}?info          the link as JSON     (QCloudSMHGetDownloadInfoRequest)
    POST /api/v1/share/{Lib}/{Space}                     an external share    (smh-sdk-ios QCloudSMHCreateShareRequest)

A token judged by its grants may read everything (no grant needed: "非 acl 鉴权：无", smh-sdk-ios
QCloudSMHGetDownloadInfoRequest.h); an acl token needs canView (head), canDownload (download, the same header) or
canPreview (preview) on the file's folder.
"""

from __future__ import annotations

import secrets
from typing import Any

from emulator.services.smhdata.common import Caller, fail, invalid, iso
from emulator.services.smhdata.cosref import bucket_of, presigned_get
from emulator.services.smhdata.files import file_entry
from emulator.services.smhdata.uploads import UploadActions

SHARE_GRANTS = ("space_admin",)  # besides admin; UNVERIFIED (access.py)


class ReadActions(UploadActions):
    def head_file(self, caller: Caller, space_id: str, parts: list[str]) -> dict[str, str]:
        """The file's x-smh-* headers (type, creation time, content type, size, etag, crc64).

        Fidelity gap: no x-smh-meta-* headers (custom metadata is not kept)."""
        target = self._target(caller, space_id)
        doc = self._file(target, parts)
        self.allow(caller, target, parts[:-1], None, ("canView",), "view")
        return {"x-smh-type": doc["type"], "x-smh-creation-time": doc["creationTime"],
                "x-smh-content-type": doc["contentType"], "x-smh-size": str(doc["size"]), "x-smh-etag": doc["eTag"],
                "x-smh-crc64": doc["crc64"]}

    def file_link(self, caller: Caller, space_id: str, parts: list[str], preview: bool) -> str:
        """The pre-signed COS URL a download (or a preview) redirects to.

        Fidelity gap: a preview redirects to the file itself (real SMH serves images and documents processed by
        CI); a file stored by the one-request upload has no object, so its link answers 404 NoSuchKey at COS.
        """
        target = self._target(caller, space_id)
        doc = self._file(target, parts)
        flag, what = ("canPreview", "preview") if preview else ("canDownload", "download")
        self.allow(caller, target, parts[:-1], None, (flag,), what)
        ref = bucket_of(self.ctx, caller.library)
        return presigned_get(ref, doc.get("cosKey") or f"{caller.library_id}/{space_id}/{doc['path']}")

    def file_info(self, caller: Caller, space_id: str, parts: list[str], purpose: str) -> dict[str, Any]:
        """The download link and the file's facts (`GET ...?info`, smh-sdk-ios QCloudSMHGetDownloadInfoRequest.m;
        fields: smh_flutter_sdk SMHFileDownloadUrlEntity): canDownload, or canPreview for purpose=preview.

        Fidelity gap: the link is signed for an hour (the SDK comment says about 2 hours); no preview flags."""
        entry = file_entry(self._file(self._target(caller, space_id), parts))
        url = self.file_link(caller, space_id, parts, preview=purpose == "preview")
        return {"cosUrl": url} | {k: v for k, v in entry.items() if k not in ("path", "name")}

    def create_share(self, caller: Caller, space_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Share files or directories by link; body {"name", "filePath": [...], "config": {...}} (at most 1000 paths).

        Needs admin or space_admin, or canShare on the folder holding each path for an acl token.
        Fidelity gap: the answer's status (200), the share code and endpoint are the emulator's; the share link
        itself is not served, and `config` is stored as given.
        """
        name, paths = body.get("name"), body.get("filePath")
        if not isinstance(name, str) or not name:
            raise invalid("`name` is required (a string)")
        if not isinstance(paths, list) or not 1 <= len(paths) <= 1000 or not all(isinstance(p, str) for p in paths):
            raise invalid("`filePath` must be an array of 1..1000 paths")
        caller.precheck(*SHARE_GRANTS)
        with self.store.transaction():
            target = self._target(caller, space_id)
            for path in paths:
                parts = [p for p in path.split("/") if p]
                if not parts or not self._exists(target, parts):
                    raise fail("FileNotFound", f"`{path}` does not exist")
                self.allow(caller, target, parts[:-1], SHARE_GRANTS, ("canShare",), "share")
            share_id = secrets.token_hex(8)
            config = body.get("config") if isinstance(body.get("config"), dict) else {}
            doc = {"id": share_id, "code": secrets.token_urlsafe(6), "createTime": iso(self.clock()),
                   "expireTime": config.get("expireTime", ""), "isPermanent": bool(config.get("isPermanent")),
                   "endpoint": f"https://{caller.library_id}.share.tencentsmh.cn/s/{share_id}"}
            self.store.put("smh_share", f"{caller.library_id}/{share_id}",
                           doc | {"spaceId": space_id, "name": name, "filePath": paths, "userId": caller.user_id})
        return doc
