"""Acting on the cloud outside Pulumi, the way a user or another tool would: the official SDKs for COS, CI and
the SMH control plane, plain HTTP for the SMH data plane (it has no SDK)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests
from qcloud_cos import CosS3Client
from qcloud_cos.cos_auth import CosS3Auth
from tencentcloud.smh.v20210712 import models

from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import smh


def library_secret(emulator: EmulatorProcess, lib_id: str) -> str:
    req = models.DescribeLibrarySecretRequest()
    req.LibraryId = lib_id
    return smh(emulator.url).DescribeLibrarySecret(req).LibrarySecret


def unbind_media(cos: CosS3Client, bucket: str) -> None:
    """DELETE /mediabucket: cos-python-sdk-v5 has no method for it (emulator/README.md shows this call)."""
    conf = cos._conf
    url = conf.uri(bucket=bucket, path="/mediabucket", endpoint=conf._endpoint_ci)
    cos.send_request(method="DELETE", url=url, auth=CosS3Auth(conf, "/mediabucket", params={}), params={},
                     headers={}, ci_request=True)


class DataPlane:
    """One library's SMH data plane with an admin token fetched the documented way (library secret -> token)."""

    def __init__(self, emulator: EmulatorProcess, lib_id: str) -> None:
        self.lib_id = lib_id
        self.base = f"http://{lib_id}.api.tencentsmh.cn/api/v1"
        self.proxies = {"http": emulator.url}
        self.secret = library_secret(emulator, lib_id)
        r = requests.get(f"{self.base}/token", params={"library_id": lib_id, "library_secret": self.secret,
                                                       "grant": "admin"}, proxies=self.proxies, timeout=10)
        r.raise_for_status()
        self.token = r.json()["accessToken"]

    def call(self, method: str, path: str, params: dict[str, str] | None = None, **kw: Any) -> Any:
        r = requests.request(method, self.base + path, params={"access_token": self.token, **(params or {})},
                             proxies=self.proxies, timeout=30, **kw)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else {}

    def path(self, kind: str, space: str, *names: str) -> str:
        return f"/{kind}/{self.lib_id}/{space}" + "".join("/" + quote(n, safe="") for n in names)

    def upload(self, space: str, *names: str, data: bytes = b"jpeg") -> None:
        self.call("PUT", self.path("file", space, *names), data=data)

    def names(self, space: str, *names: str) -> list[str]:
        listing = self.call("GET", self.path("directory", space, *names), params={"page_size": "1000"})
        return [c["name"] for c in listing.get("contents") or []]
