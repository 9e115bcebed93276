"""Official SDK clients pointed at the emulator only through their documented options.

COS (cos-python-sdk-v5): `CosConfig(Scheme="http", Proxies={"http": <emulator>})` - every call keeps its
real host (bucket, service and CI hosts), sent to the emulator as an HTTP proxy.
SMH (tencentcloud-sdk-python-smh): `HttpProfile(protocol="http", endpoint="smh.tencentcloudapi.com",
proxy=<emulator>)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from qcloud_cos import CosConfig, CosS3Client, CosServiceError
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.smh.v20210712 import smh_client

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY

REGION = "ap-guangzhou"
APP_ID = "1250000000"


def cos(
    url: str,
    secret_id: str = DEFAULT_SECRET_ID,
    secret_key: str = DEFAULT_SECRET_KEY,
    region: str = REGION,
    token: str | None = None,
) -> CosS3Client:
    conf = CosConfig(
        Region=region,
        SecretId=secret_id,
        SecretKey=secret_key,
        Token=token,
        Scheme="http",
        Proxies={"http": url, "https": url},
    )
    return CosS3Client(conf, retry=0)


def smh(
    url: str, secret_id: str = DEFAULT_SECRET_ID, secret_key: str = DEFAULT_SECRET_KEY, token: str | None = None
) -> smh_client.SmhClient:
    http = HttpProfile(protocol="http", endpoint="smh.tencentcloudapi.com", proxy=url)
    return smh_client.SmhClient(
        credential.Credential(secret_id, secret_key, token), "", ClientProfile(httpProfile=http)
    )


def code_status(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, int]:
    """The COS error code and HTTP status that `call(*args, **kwargs)` fails with (it must fail)."""
    with pytest.raises(CosServiceError) as info:
        call(*args, **kwargs)
    return info.value.get_error_code(), info.value.get_status_code()
