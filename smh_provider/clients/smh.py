"""SMH control plane (API 3.0, 2021-07-12) through tencentcloud-sdk-python-smh.

Functions take and return the provider's own terms: a library's settings are a dict keyed by the
MediaLibrary property names (`SETTINGS` maps them to LibraryExtension fields), tags a plain dict, and a
library read from the service is a `Library`. The SDK's own retryer stays off: `call` runs every request
under `retry.DEFAULT_POLICY`. Against an emulator the documented `HttpProfile(proxy=...)` with
`protocol="http"` sends every call there with its real Host, smh.tencentcloudapi.com.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tencentcloud.common import credential
from tencentcloud.common.abstract_model import AbstractModel
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.smh.v20210712 import models, smh_client

from smh_provider.config import Settings
from smh_provider.errors import NotFound, ProviderError, ServerError, TransportError, cloud_error
from smh_provider.memo import PerKey
from smh_provider.retry import DEFAULT_POLICY

T = TypeVar("T")
TRANSPORT_CODES = {"ClientNetworkError", "ClientError"}

# MediaLibrary property -> LibraryExtension field.
SETTINGS = {
    "file_library": "IsFileLibrary", "multi_tenant": "IsMultiSpace", "storage_class": "CosStorageClass",
    "recycle_bin": "UseRecycleBin", "recycle_days": "AutoRemoveRecycledDays", "enable_search": "EnableSearch",
    "deny_on_quota_less_than_usage": "DenyOnQuotaLessThanUsage", "file_history": "EnableFileHistory",
    "file_history_count": "FileHistoryCount", "file_history_expire_days": "FileHistoryExpireDay",
    "max_name_length": "MaxDirFileNameLength", "public_read": "IsPublicRead", "multi_album": "IsMultiAlbum",
    "allow_photo": "AllowPhoto", "allow_video": "AllowVideo", "allow_photo_ext": "AllowPhotoExtName",
    "allow_video_ext": "AllowVideoExtName", "allow_file_ext": "AllowFileExtName",
    "recognize_sensitive_content": "RecognizeSensitiveContent", "quota_bytes": "LibraryQuota",
}
INT_SETTINGS = {"recycle_days", "file_history_count", "file_history_expire_days", "max_name_length", "quota_bytes"}
# What ModifyLibrary is sent for a setting cleared back to None (a field left out would keep its value).
CLEARED = {"allow_photo_ext": [], "allow_video_ext": [], "allow_file_ext": [], "recycle_days": 0}


@dataclass(frozen=True)
class Library:
    """A media library as DescribeLibraries reports it."""

    id: str
    name: str
    remark: str
    bucket: str
    settings: dict[str, Any]  # property name -> value, for every SETTINGS field the service reports
    quota_enabled: bool
    tags: dict[str, str]
    access_domain: str = ""
    creation_time: str = ""
    files: int = 0
    dirs: int = 0
    size: int = 0
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Mode:
    """A library's mode flags, fixed at creation."""

    multi_tenant: bool
    multi_album: bool
    file_library: bool


_clients: PerKey[smh_client.SmhClient] = PerKey()
_modes: PerKey[Mode] = PerKey()


def client(settings: Settings) -> smh_client.SmhClient:
    def build() -> smh_client.SmhClient:
        settings.require()
        http = HttpProfile(reqTimeout=30)
        if settings.endpoint:
            http = HttpProfile(protocol="http", endpoint="smh.tencentcloudapi.com", proxy=settings.endpoint,
                               reqTimeout=30)
        cred = credential.Credential(settings.secret_id, settings.secret_key, settings.token)
        return smh_client.SmhClient(cred, settings.region or "", ClientProfile(httpProfile=http))

    return _clients.get(settings, build)


def call(fn: Callable[[], T], doing: str, idempotent: bool = True,
         landed: Callable[[], T | None] | None = None) -> T:
    """Run one SDK call under the retry policy; its exceptions become the provider's error classes."""
    return DEFAULT_POLICY.run(lambda: _translate(fn, doing), doing, idempotent, landed)


def _translate(fn: Callable[[], T], doing: str) -> T:
    try:
        return fn()
    except TencentCloudSDKException as err:
        code = err.get_code() or "Unknown"
        message = err.get_message() or ""
        if code == "ServerNetworkError":
            # The server answered with a status other than 200. API 3.0 answers its own errors with 200 and a
            # JSON body, so this is the gateway in front of it (502/503/504 and the like): a server error.
            raise ServerError(code, _text(message)[:300], err.get_request_id() or "", 0, doing) from None
        if code in TRANSPORT_CODES:  # no answer at all: refused, reset, timed out
            raise TransportError(code, _text(message)[:300], err.get_request_id() or "", 0, doing) from None
        raise cloud_error(code, _text(message), err.get_request_id() or "", 200, doing) from None


def _text(message: str | bytes) -> str:
    """The SDK hands a non-200 answer's body over as bytes."""
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


def _req(model: Any, params: dict[str, Any]) -> Any:
    """The SDK request for `params`. A field the SDK model lacks is an error here: the SDK would drop it with
    only a warning ("fileds are useless") and the call would go out without it."""
    m = model()
    m.from_json_string(json.dumps(params))
    unknown = _unknown_fields(m, params, "")
    if unknown:
        raise ProviderError(f"internal error: {model.__name__} of the pinned tencentcloud-sdk-python-smh has no "
                            f"field(s) {', '.join(unknown)}; the API does not define them")
    return m


def _unknown_fields(model: AbstractModel, params: dict[str, Any], path: str) -> list[str]:
    out = []
    for name, value in params.items():
        if not hasattr(model, "_" + name):
            out.append(path + name)
            continue
        sub = getattr(model, name)
        if isinstance(value, dict) and isinstance(sub, AbstractModel):
            out += _unknown_fields(sub, value, f"{path}{name}.")
        elif isinstance(value, list) and isinstance(sub, list):
            for i, (item, obj) in enumerate(zip(value, sub, strict=False)):
                if isinstance(item, dict) and isinstance(obj, AbstractModel):
                    out += _unknown_fields(obj, item, f"{path}{name}.{i}.")
    return out


def _extension(settings: dict[str, Any]) -> dict[str, Any]:
    """LibraryExtension fields for the settings that have a value; a cleared one gets its neutral value."""
    ext = {SETTINGS[name]: value for name, value in settings.items() if value is not None}
    ext.update({SETTINGS[name]: CLEARED[name] for name, value in settings.items()
                if value is None and name in CLEARED})
    return ext


def _wire_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"TagKey": k, "TagValue": v} for k, v in tags.items()]


def _library(raw: dict[str, Any]) -> Library:
    ext = raw.get("LibraryExtension") or {}
    settings = {}
    for name, wire in SETTINGS.items():
        if wire in ext:
            value = ext[wire]
            settings[name] = int(value) if name in INT_SETTINGS and value is not None else value
    return Library(
        id=raw["LibraryId"], name=raw.get("Name") or "", remark=raw.get("Remark") or "",
        bucket=raw.get("BucketName") or "", settings=settings, quota_enabled=bool(ext.get("EnableQuota")),
        tags={t["TagKey"]: t.get("TagValue") or "" for t in (raw.get("Tags") or [])},
        access_domain=raw.get("AccessDomain") or "", creation_time=raw.get("CreationTime") or "",
        files=int(raw.get("FileNum") or 0), dirs=int(raw.get("DirNum") or 0), size=int(raw.get("Size") or 0),
        raw=raw)


# -- libraries --------------------------------------------------------------------------------------------------
def create_library(c: smh_client.SmhClient, name: str, settings: dict[str, Any], *, remark: str | None = None,
                   bucket: str | None = None, bucket_region: str | None = None, tags: dict[str, str] | None = None,
                   landed: Callable[[], str | None] | None = None) -> str:
    """CreateLibrary; the new library's id. A quota in `settings` enables the quota (only possible here).

    Not idempotent: after a failure that may have applied, `landed()` finds the library an earlier attempt
    made (its id) or says None; without `landed`, only a throttled attempt is tried again.
    """
    params: dict[str, Any] = {"Name": name, "LibraryExtension": _extension(settings)}
    if settings.get("quota_bytes") is not None:
        params["LibraryExtension"]["EnableQuota"] = True
    if remark is not None:
        params["Remark"] = remark
    if bucket:
        params |= {"BucketName": bucket, "BucketRegion": bucket_region}
    if tags:
        params["Tags"] = _wire_tags(tags)
    doing = f"creating media library {name!r}"
    return call(lambda: str(c.CreateLibrary(_req(models.CreateLibraryRequest, params)).LibraryId), doing,
                idempotent=False, landed=landed)


def list_libraries(c: smh_client.SmhClient, ids: list[str] | None = None,
                   doing: str = "listing media libraries") -> list[Library]:
    """Every library of the account (or those of `ids`); pages through with Offset/Limit."""
    out: list[Library] = []
    offset = 0
    while True:
        params: dict[str, Any] = {"Offset": offset, "Limit": 100}
        if ids is not None:
            params["LibraryIds"] = ids[:100]
        resp = call(lambda p=params: c.DescribeLibraries(_req(models.DescribeLibrariesRequest, p)), doing)
        page = [_library(json.loads(lib.to_json_string())) for lib in (resp.List or [])]
        out.extend(page)
        offset += len(page)
        if not page or offset >= int(resp.TotalCount or 0) or (ids is not None and len(ids) <= 100):
            return out


def find_library(c: smh_client.SmhClient, library_id: str) -> Library:
    """The library, or NotFound."""
    doing = f"reading media library {library_id}"
    try:
        found = list_libraries(c, [library_id], doing=doing)
    except NotFound:
        found = []
    lib = next((x for x in found if x.id == library_id), None)
    if lib is None:
        raise NotFound("ResourceNotFound.Library", f"media library {library_id} does not exist", "", 0, doing)
    return lib


def modify_library(c: smh_client.SmhClient, library_id: str, *, name: str | None = None,
                   remark: str | None = None, settings: dict[str, Any] | None = None,
                   tags: dict[str, str] | None = None, doing: str = "") -> None:
    """ModifyLibrary with what is given (a None setting is cleared; nothing to send, no call).

    After a failure that may have applied, the library is read first, and the call is tried again only if
    the change is not there yet.
    """
    params: dict[str, Any] = {"LibraryId": library_id}
    if name is not None:
        params["Name"] = name
    if remark is not None:
        params["Remark"] = remark
    ext = _extension(settings or {})
    if ext:
        params["LibraryExtension"] = ext
    if tags is not None:
        params["Tags"] = _wire_tags(tags)
    if len(params) == 1:
        return
    doing = doing or f"updating media library {library_id}"

    def landed() -> Library | None:
        lib = find_library(c, library_id)
        return lib if _applied(lib.raw, params) else None

    call(lambda: c.ModifyLibrary(_req(models.ModifyLibraryRequest, params)), doing, idempotent=False,
         landed=landed)


def _applied(lib: dict[str, Any], params: dict[str, Any]) -> bool:
    """Whether the library already shows everything a ModifyLibrary call asked for."""
    if "Name" in params and lib.get("Name") != params["Name"]:
        return False
    if "Remark" in params and (lib.get("Remark") or "") != params["Remark"]:
        return False
    ext = lib.get("LibraryExtension") or {}
    for wire, value in (params.get("LibraryExtension") or {}).items():
        current = ext.get(wire)
        if isinstance(value, int) and not isinstance(value, bool) and current is not None:
            current = int(current)
        if current != value:
            return False
    tags = {t["TagKey"]: t.get("TagValue") or "" for t in (lib.get("Tags") or [])}
    return "Tags" not in params or tags == {t["TagKey"]: t["TagValue"] for t in params["Tags"]}


def delete_library(c: smh_client.SmhClient, library_id: str) -> None:
    call(lambda: c.DeleteLibrary(_req(models.DeleteLibraryRequest, {"LibraryId": library_id})),
         f"deleting media library {library_id}")


def library_secret(c: smh_client.SmhClient, library_id: str) -> str:
    resp = call(lambda: c.DescribeLibrarySecret(_req(models.DescribeLibrarySecretRequest,
                                                     {"LibraryId": library_id})),
                f"reading the secret of media library {library_id}")
    return str(resp.LibrarySecret)


def library_mode(settings: Settings, library_id: str) -> Mode:
    """The library's mode flags, read with the provider's credentials.

    Read once per library per provider process: the mode flags (multi_tenant, multi_album, file_library) are
    replace-only, so a library whose mode changes gets a new id. N spaces and their albums then cost one
    DescribeLibraries, not one each; concurrent creates wait for the first read instead of repeating it.
    """
    def load() -> Mode:
        lib = find_library(client(settings), library_id)
        return Mode(bool(lib.settings.get("multi_tenant")), bool(lib.settings.get("multi_album")),
                    bool(lib.settings.get("file_library")))

    return _modes.get((settings, library_id), load)
