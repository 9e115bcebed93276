"""SMH control plane (API 3.0, 2021-07-12) through tencentcloud-sdk-python-smh.

The SDK's own retryer stays off; against an emulator the documented `HttpProfile(proxy=...)`
with `protocol="http"` sends every call there with its real Host, smh.tencentcloudapi.com.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.smh.v20210712 import models, smh_client

from smh_provider.config import Settings
from smh_provider.errors import NotFound, ServerError, TransportError, cloud_error

T = TypeVar("T")
_clients: dict[Settings, smh_client.SmhClient] = {}
_lock = threading.Lock()
TRANSPORT_CODES = {"ClientNetworkError", "ServerNetworkError", "ClientError"}


def client(settings: Settings) -> smh_client.SmhClient:
    with _lock:
        if settings not in _clients:
            settings.require()
            http = HttpProfile(reqTimeout=30)
            if settings.proxy:
                http = HttpProfile(protocol="http", endpoint="smh.tencentcloudapi.com", proxy=settings.proxy,
                                   reqTimeout=30)
            cred = credential.Credential(settings.secret_id, settings.secret_key, settings.token)
            _clients[settings] = smh_client.SmhClient(cred, settings.region or "", ClientProfile(httpProfile=http))
        return _clients[settings]


def call(fn: Callable[[], T], doing: str) -> T:
    try:
        return fn()
    except TencentCloudSDKException as err:
        code = err.get_code() or "Unknown"
        message = err.get_message() or ""
        if code in TRANSPORT_CODES:
            # ServerNetworkError carries an HTTP status in its message when the server answered non-200.
            cls = ServerError if "50" in message[:40] else TransportError
            raise cls(code, message[:300], err.get_request_id() or "", 0, doing) from None
        raise cloud_error(code, message, err.get_request_id() or "", 200, doing) from None


def _req(model: Any, params: dict[str, Any]) -> Any:
    m = model()
    m.from_json_string(json.dumps(params))
    return m


def create_library(c: smh_client.SmhClient, params: dict[str, Any], doing: str) -> dict[str, str]:
    resp = call(lambda: c.CreateLibrary(_req(models.CreateLibraryRequest, params)), doing)
    return {"LibraryId": resp.LibraryId, "AccessDomain": resp.AccessDomain}


def describe_libraries(c: smh_client.SmhClient, ids: list[str] | None = None, tag_filters: list[dict] | None = None,
                       doing: str = "listing media libraries") -> list[dict[str, Any]]:
    """Every library matching; pages through with Offset/Limit."""
    out: list[dict[str, Any]] = []
    offset = 0
    while True:
        params: dict[str, Any] = {"Offset": offset, "Limit": 100}
        if ids is not None:
            params["LibraryIds"] = ids[:100]
        if tag_filters:
            params["TagFilters"] = tag_filters
        resp = call(lambda p=params: c.DescribeLibraries(_req(models.DescribeLibrariesRequest, p)), doing)
        page = [json.loads(lib.to_json_string()) for lib in (resp.List or [])]
        out.extend(page)
        offset += len(page)
        if not page or offset >= int(resp.TotalCount or 0) or (ids is not None and len(ids) <= 100):
            return out


def find_library(c: smh_client.SmhClient, library_id: str, doing: str) -> dict[str, Any]:
    """The library, or NotFound."""
    try:
        found = describe_libraries(c, [library_id], doing=doing)
    except NotFound:
        found = []
    lib = next((x for x in found if x.get("LibraryId") == library_id), None)
    if lib is None:
        raise NotFound("ResourceNotFound.Library", f"media library {library_id} does not exist", "", 0, doing)
    return lib


def modify_library(c: smh_client.SmhClient, params: dict[str, Any], doing: str) -> None:
    call(lambda: c.ModifyLibrary(_req(models.ModifyLibraryRequest, params)), doing)


def delete_library(c: smh_client.SmhClient, library_id: str, doing: str) -> None:
    call(lambda: c.DeleteLibrary(_req(models.DeleteLibraryRequest, {"LibraryId": library_id})), doing)


def library_secret(c: smh_client.SmhClient, library_id: str, doing: str) -> str:
    resp = call(lambda: c.DescribeLibrarySecret(_req(models.DescribeLibrarySecretRequest,
                                                     {"LibraryId": library_id})), doing)
    return str(resp.LibrarySecret)
