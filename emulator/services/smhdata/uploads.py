"""Uploads as SMH has them: begin (simple or multipart), the client's own PUTs to the library's bucket, confirm.

    PUT    /api/v1/file/{Lib}/{Space}/{Path}[?filesize=..]    begin a simple upload  (QCloudSMHPutObjectRequest)
    POST   /api/v1/file/{Lib}/{Space}/{Path}?multipart        begin a multipart one  (QCloudSMHUploadPartRequest)
    PUT    https://{domain}{path}[?partNumber=N&uploadId=..]  the bytes, to COS, with the answer's `headers`
    POST   /api/v1/file/{Lib}/{Space}/{ConfirmKey}?confirm    the file appears       (QCloudSMHCompleteUploadRequest)
    DELETE /api/v1/file/{Lib}/{Space}/{ConfirmKey}?upload     abandon it     (QCloudSMHAbortMultipfartUploadRequest)
    GET    /api/v1/file/{Lib}/{Space}/{ConfirmKey}?upload     its state, to resume  (QCloudSMHGetUploadStateRequest)
    POST   /api/v1/file/{Lib}/{Space}/{ConfirmKey}?renew      fresh headers          (QCloudSMHPutObjectRenewRequest)

(smh-sdk-ios QCloudCOSSMH/Classes/Api/Request/Transfer/; the answers' fields: QCloudSMHInitUploadInfo.h and
smh_flutter_sdk SMHSimpleUploadParamsEntity / SMHBeginPartUploadEntity.) The confirm step finishes a multipart upload
on COS itself (the clients send no part list) and reads the object for the file's size, ETag and CRC64.

Fidelity gap: begin answers 200 (the SDKs accept any 2xx; 202 is the instant-upload match, not emulated: fullHash
and beginningHash are ignored). The confirmKey is 32 hex characters; an upload that is never confirmed stays until
it is aborted (real SMH expires it with its `expiration`). A confirm needs the same user as the begin (403
UploadNotBelongYou) and the object (or its parts) at COS (404 UploadIncomplete); labels, category and local times
are ignored. Uploads never
confirmed (`smh_upload`) and shares (`smh_share`) of a deleted library stay in the store, out of every inventory.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import secrets
from typing import Any

from emulator.errors import CosError
from emulator.services.cos import multipart
from emulator.services.smhdata.common import Caller, Target, check_strategy, fail, file_type, iso
from emulator.services.smhdata.cosref import bucket_of, new_key, upload_headers
from emulator.services.smhdata.files import UPLOAD_GRANTS, FileActions, crc64, file_entry

CONFIRM_GRANTS = ("space_admin", "upload_file", "upload_file_force", "confirm_upload")
FORCE_CONFIRM_GRANTS = ("space_admin", "upload_file_force", "confirm_upload")


class UploadActions(FileActions):
    def begin_upload(self, caller: Caller, space_id: str, parts: list[str], strategy: str,
                     multipart_upload: bool) -> dict[str, Any]:
        """Begin an upload: the COS domain, path and signed headers of the client's PUT (its parts' PUTs), the
        confirmKey and when the headers expire; a multipart upload also has its COS uploadId.

        Needs upload_file(_force), begin_upload(_force) or space_admin, or canUpload on the folder for an acl
        token (replacing a file: a *_force grant, or canUpload and canModify).

        Fidelity gap: the acl rule of the begin step is UNVERIFIED (the SDKs document it for confirm and abort);
        the emulator checks canUpload at both.
        """
        caller.precheck(*UPLOAD_GRANTS)
        strategy = check_strategy(strategy, ("ask", "rename", "overwrite"), "rename")
        with self.store.transaction():
            target = self._file_target(caller, space_id, parts)
            self._parent_exists(target, parts)
            self._allow_upload(caller, target, parts, strategy)
            if strategy == "ask" and self._exists(target, parts):
                raise fail("SameNameDirectoryOrFileExists", f"`{'/'.join(parts)}` already exists")
            ref = bucket_of(self.ctx, caller.library)
            key = new_key(caller.library_id)
            content_type = mimetypes.guess_type(parts[-1])[0] or "application/octet-stream"
            headers, expires = upload_headers(ref, key, content_type)
            confirm_key = secrets.token_hex(16)
            record = {"spaceId": space_id, "path": "/".join(parts), "strategy": strategy, "userId": caller.user_id,
                      "bucket": ref.bucket, "key": key, "contentType": content_type, "created": iso(self.clock())}
            out = {"domain": ref.domain, "path": "/" + key, "headers": headers, "confirmKey": confirm_key,
                   "expiration": expires}  # the same shape as _upload_info
            if multipart_upload:
                upload_id = ref.cos(self.ctx).initiate_multipart_upload(ref.account, ref.bucket, ref.region, key)
                record["uploadId"] = out["uploadId"] = upload_id
            self.store.put("smh_upload", f"{caller.library_id}/{confirm_key}", record)
        return out

    def _upload(self, caller: Caller, target: Target, confirm_key: str) -> dict[str, Any]:
        record = self.store.get("smh_upload", f"{caller.library_id}/{confirm_key}")
        if record is None or record["spaceId"] != target.space_id:
            raise fail("UploadNotFound", f"No upload with confirmKey `{confirm_key}` in this space")
        if record["userId"] != caller.user_id:
            raise fail("UploadNotBelongYou", "The upload was begun by another user")
        return record

    def confirm_upload(self, caller: Caller, space_id: str, confirm_key: str, strategy: str) -> dict[str, Any]:
        """Make the uploaded file appear: finish the COS upload, record the file, answer it (200).

        Needs upload_file(_force), confirm_upload or space_admin, or canUpload on the folder for an acl token
        (smh-sdk-ios QCloudSMHCompleteUploadRequest.h); replacing a file: upload_file_force, confirm_upload or
        space_admin, or canUpload and canModify. The roles are read now, so a grant revoked after the begin refuses
        the confirm.
        """
        caller.precheck(*CONFIRM_GRANTS)
        with self.store.transaction():
            target = self._target(caller, space_id)
            record = self._upload(caller, target, confirm_key)
            parts = record["path"].split("/")
            strategy = check_strategy(strategy or record["strategy"], ("ask", "rename", "overwrite"), "rename")
            self._allow_upload(caller, target, parts, strategy, CONFIRM_GRANTS, FORCE_CONFIRM_GRANTS)
            self._parent_exists(target, parts)
            ref = bucket_of(self.ctx, caller.library)
            if record.get("uploadId"):
                try:
                    multipart.complete(ref.cos(self.ctx), ref.account, ref.bucket, ref.region, record["key"],
                                       record["uploadId"], None, record["contentType"])
                except CosError as err:
                    raise fail("UploadIncomplete", f"The parts at COS cannot be completed: {err.message}") from None
            obj = self.store.get("object", f"{ref.bucket}/{record['key']}")
            if obj is None:
                raise fail("UploadIncomplete", "Nothing was uploaded to COS for this confirmKey")
            data = base64.b64decode(obj["body"])
            info = {"size": len(data), "eTag": f'"{hashlib.md5(data).hexdigest()}"', "crc64": str(crc64(data)),
                    "contentType": obj.get("content_type") or record["contentType"]}
            doc = self._store_file(caller, target, parts, strategy, info, (ref, record["key"]))
            self.store.delete("smh_upload", f"{caller.library_id}/{confirm_key}")
        return file_entry(doc)

    def _upload_info(self, ref: Any, record: dict[str, Any], confirm_key: str) -> dict[str, Any]:
        headers, expires = upload_headers(ref, record["key"], record["contentType"])
        out = {"domain": ref.domain, "path": "/" + record["key"], "headers": headers, "confirmKey": confirm_key,
               "expiration": expires}
        return out | ({"uploadId": record["uploadId"]} if record.get("uploadId") else {})

    def renew_upload(self, caller: Caller, space_id: str, confirm_key: str) -> dict[str, Any]:
        """Fresh signed headers for an upload begun earlier (`POST ...{ConfirmKey}?renew`,
        smh-sdk-ios QCloudSMHPutObjectRenewRequest.m): the begin's answer again, with a new expiration."""
        caller.precheck(*UPLOAD_GRANTS)
        target = self._target(caller, space_id)
        record = self._upload(caller, target, confirm_key)
        self.allow(caller, target, record["path"].split("/")[:-1], UPLOAD_GRANTS, ("canUpload",), "upload")
        return self._upload_info(bucket_of(self.ctx, caller.library), record, confirm_key)

    def upload_state(self, caller: Caller, space_id: str, confirm_key: str) -> dict[str, Any]:
        """Where an upload stands (`GET ...{ConfirmKey}?upload`, smh-sdk-ios QCloudSMHGetUploadStateRequest.m and
        QCloudSMHUploadStateInfo.h): its path, the parts COS holds, and fresh upload parameters to go on with.

        Fidelity gap: `type` is the file type the path suggests; `force` is always "0".
        """
        caller.precheck(*UPLOAD_GRANTS)
        target = self._target(caller, space_id)
        record = self._upload(caller, target, confirm_key)
        parts = record["path"].split("/")
        self.allow(caller, target, parts[:-1], UPLOAD_GRANTS, ("canUpload",), "upload")
        ref = bucket_of(self.ctx, caller.library)
        held: dict[str, Any] = {}
        if record.get("uploadId"):
            held = (self.store.get("upload", f"{ref.bucket}/{record['uploadId']}") or {}).get("parts") or {}
        return {"path": parts, "type": file_type(parts[-1]), "creationTime": record["created"], "force": "0",
                "parts": [{"PartNumber": n, "LastModified": iso(p["modified"]), "ETag": p["etag"],
                           "Size": str(p["size"])} for n, p in sorted(held.items(), key=lambda item: int(item[0]))],
                "uploadPartInfo": self._upload_info(ref, record, confirm_key)}

    def abort_upload(self, caller: Caller, space_id: str, confirm_key: str) -> None:
        """Abandon an upload (204): its COS multipart upload is aborted, a simple upload's object deleted.

        Needs the begin step's grants, or canUpload (smh-sdk-ios QCloudSMHAbortMultipfartUploadRequest.h).
        """
        caller.precheck(*UPLOAD_GRANTS)
        with self.store.transaction():
            target = self._target(caller, space_id)
            record = self._upload(caller, target, confirm_key)
            parts = record["path"].split("/")
            self.allow(caller, target, parts[:-1], UPLOAD_GRANTS, ("canUpload",), "upload")
            ref = bucket_of(self.ctx, caller.library)
            if record.get("uploadId"):
                self.store.delete("upload", f"{ref.bucket}/{record['uploadId']}")
            self.store.delete("object", f"{ref.bucket}/{record['key']}")
            self.store.delete("smh_upload", f"{caller.library_id}/{confirm_key}")
