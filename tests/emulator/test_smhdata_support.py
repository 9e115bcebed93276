"""Helpers for the SMH data-plane tests (no tests here).

Libraries are made with the official SMH SDK (CreateLibrary + DescribeLibrarySecret); data-plane calls are plain
`requests` to `http://<LibraryId>.api.tencentsmh.cn/api/v1/...` with the emulator as the HTTP proxy.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from tencentcloud.smh.v20210712 import models

from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import REGION, cos, smh

SPACE_ID = r"^space[a-z0-9]{13}$"


def sdk_request(model: type, **fields: Any) -> Any:
    req = model()
    req.from_json_string(json.dumps(fields))
    return req


def error_of(resp: requests.Response) -> tuple[int, str]:
    """(status, code) of a data-plane error, after checking its documented shape."""
    assert resp.headers["Content-Type"] == "application/json", resp.headers
    body = resp.json()
    assert set(body) == {"code", "message", "requestId"}, body
    assert body["requestId"] and body["requestId"] == resp.headers["x-smh-request-id"]
    return resp.status_code, body["code"]


class Lib:
    """One media library and its secret; `call` reaches its data-plane domain through the emulator."""

    def __init__(self, emulator: EmulatorProcess, bucket: str = "", **extension: Any) -> None:
        """`bucket`: a bucket (`<name>-<APPID>` in ap-guangzhou) made first and bound to the library."""
        self.emulator = emulator
        self.sdk = smh(emulator.url)
        self.bucket = bucket
        bound: dict[str, Any] = {}
        if bucket:
            cos(emulator.url).create_bucket(Bucket=bucket)
            bound = {"BucketName": bucket, "BucketRegion": REGION}
        created = self.sdk.CreateLibrary(sdk_request(models.CreateLibraryRequest, Name="lib",
                                                     LibraryExtension=extension, **bound))
        self.id = created.LibraryId
        assert created.AccessDomain == f"{self.id}.api.tencentsmh.cn"
        secret = self.sdk.DescribeLibrarySecret(sdk_request(models.DescribeLibrarySecretRequest, LibraryId=self.id))
        self.secret = secret.LibrarySecret
        self.host = f"http://{created.AccessDomain}"

    def call(self, method: str, path: str, token: str | None = None, params: dict[str, Any] | None = None,
             host: str | None = None, **kwargs: Any) -> requests.Response:
        query = dict(params or {})
        if token is not None:
            query["access_token"] = token
        return requests.request(method, f"{host or self.host}/api/v1/{path}", params=query,
                                proxies={"http": self.emulator.url}, timeout=10, **kwargs)

    def token(self, grant: str = "admin", **params: Any) -> str:
        resp = self.call("GET", "token", params={"library_id": self.id, "library_secret": self.secret,
                                                 "grant": grant} | params)
        assert resp.status_code == 200, resp.text
        return resp.json()["accessToken"]

    def space(self, token: str, **attrs: Any) -> str:
        resp = self.call("POST", f"space/{self.id}", token, json=attrs or None)
        assert resp.status_code == 201, resp.text
        return resp.json()["spaceId"]

    def mkdir(self, token: str, space: str, path: str, **params: Any) -> requests.Response:
        return self.call("PUT", f"directory/{self.id}/{space}/{path}", token, params=params)

    def ls(self, token: str | None, space: str, path: str = "", **params: Any) -> requests.Response:
        return self.call("GET", f"directory/{self.id}/{space}/{path}".rstrip("/"), token, params=params)

    def upload(self, token: str, space: str, path: str, data: bytes = b"hello", **params: Any) -> requests.Response:
        return self.call("PUT", f"file/{self.id}/{space}/{path}", token, params=params, data=data)

    def names(self, token: str | None, space: str, path: str = "", **params: Any) -> list[str]:
        resp = self.ls(token, space, path, **params)
        assert resp.status_code == 200, resp.text
        return [c["name"] for c in resp.json()["contents"]]
