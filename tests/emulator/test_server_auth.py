"""Request signatures as the SDK sees them: COS q-sign checks and temporary credentials."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from email.utils import formatdate

import pytest
import qcloud_cos.cos_auth as cos_auth
import requests
from qcloud_cos import CosConfig, CosS3Client

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from emulator.auth.cos_sign import cos_signature
from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import APP_ID, REGION, code_status, cos

B = f"auth-{APP_ID}"
HOST = f"{B}.cos.{REGION}.myqcloud.com"
TEMP_ID, TEMP_KEY, TOKEN = "AKIDTEMPORARY0000000000000000000000000", "temporarySecretKey000000000000000", "tok-123"


def signed_get(emulator: EmulatorProcess, key_time: str, headers: dict[str, str] | None = None,
               secret_key: str = DEFAULT_SECRET_KEY) -> requests.Response:
    """GET ?acl on the bucket with a hand-made q-sign Authorization over `host`."""
    sig = cos_signature(secret_key, "GET", "/", {"acl": ""}, {"host": HOST}, key_time)
    auth = (f"q-sign-algorithm=sha1&q-ak={DEFAULT_SECRET_ID}&q-sign-time={key_time}&q-key-time={key_time}"
            f"&q-header-list=host&q-url-param-list=acl&q-signature={sig}")
    session = requests.Session()
    session.trust_env = False
    return session.get(f"http://{HOST}/?acl", headers={"Authorization": auth, **(headers or {})},
                       proxies={"http": emulator.url}, timeout=5)


@pytest.fixture
def bucket_ready(emulator: EmulatorProcess) -> EmulatorProcess:
    cos(emulator.url).create_bucket(Bucket=B)
    return emulator


def test_right_key_is_accepted(bucket_ready: EmulatorProcess) -> None:
    assert cos(bucket_ready.url).get_bucket_acl(Bucket=B)["CannedACL"] == "private"
    now = int(time.time())
    assert signed_get(bucket_ready, f"{now - 60};{now + 600}").status_code == 200


def test_wrong_secret_key(bucket_ready: EmulatorProcess) -> None:
    wrong = cos(bucket_ready.url, secret_key="not-the-key")
    assert code_status(wrong.get_bucket_acl, Bucket=B) == ("SignatureDoesNotMatch", 403)
    assert code_status(wrong.list_buckets) == ("SignatureDoesNotMatch", 403)
    assert code_status(wrong.head_bucket, Bucket=B)[1] == 403


def test_unknown_secret_id(bucket_ready: EmulatorProcess) -> None:
    stranger = cos(bucket_ready.url, secret_id="AKIDNOBODY")
    assert code_status(stranger.get_bucket_acl, Bucket=B) == ("InvalidAccessKeyId", 403)
    assert code_status(stranger.create_bucket, Bucket=f"other-{APP_ID}") == ("InvalidAccessKeyId", 403)


@pytest.mark.parametrize("window", [(-7200, -3600), (3600, 7200)], ids=["past", "future"])
def test_signature_outside_its_time_window(bucket_ready: EmulatorProcess, window: tuple[int, int]) -> None:
    now = int(time.time())
    resp = signed_get(bucket_ready, f"{now + window[0]};{now + window[1]}")
    assert resp.status_code == 403
    assert "<Code>Request has expired</Code>" in resp.text


def test_expired_signature_through_the_sdk(bucket_ready: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK signs `now-60;now+10000`; an SDK clock three hours slow makes an already-expired signature."""
    real = time.time
    monkeypatch.setattr(cos_auth, "time", type("T", (), {"time": staticmethod(lambda: real() - 3 * 3600)}))
    assert code_status(cos(bucket_ready.url).get_bucket_acl, Bucket=B) == ("Request has expired", 403)


def test_tampered_signature(bucket_ready: EmulatorProcess) -> None:
    now = int(time.time())
    assert "<Code>SignatureDoesNotMatch</Code>" in signed_get(
        bucket_ready, f"{now - 60};{now + 600}", secret_key="other").text


def test_skewed_date_header(bucket_ready: EmulatorProcess) -> None:
    skewed = formatdate(time.time() - 3600, usegmt=True)
    client = cos(bucket_ready.url)
    assert code_status(client.get_bucket_acl, Bucket=B, Metadata={"Date": skewed}) == ("RequestTimeTooSkewed", 403)
    close = formatdate(time.time() - 60, usegmt=True)
    assert client.get_bucket_acl(Bucket=B, Metadata={"Date": close})["CannedACL"] == "private"


def test_missing_authorization(bucket_ready: EmulatorProcess) -> None:
    conf = CosConfig(Region=REGION, Anonymous=True, Scheme="http", Proxies={"http": bucket_ready.url})
    anonymous = CosS3Client(conf, retry=0)
    assert code_status(anonymous.get_bucket_acl, Bucket=B) == ("AccessDenied", 403)
    assert code_status(anonymous.list_buckets) == ("AccessDenied", 403)
    assert code_status(anonymous.head_bucket, Bucket=B)[1] == 403


def test_malformed_authorization(bucket_ready: EmulatorProcess) -> None:
    session = requests.Session()
    session.trust_env = False
    resp = session.get(f"http://{HOST}/?acl", headers={"Authorization": "Bearer abc"},
                       proxies={"http": bucket_ready.url}, timeout=5)
    assert resp.status_code == 403 and "<Code>AccessDenied</Code>" in resp.text


def test_signed_host_with_port_is_accepted(bucket_ready: EmulatorProcess) -> None:
    """The SDK signs the URL hostname without the port while the Host header carries host:port."""
    conf = CosConfig(Region=REGION, SecretId=DEFAULT_SECRET_ID, SecretKey=DEFAULT_SECRET_KEY, Scheme="http",
                     Endpoint=f"cos.{REGION}.myqcloud.com:8080", Proxies={"http": bucket_ready.url})
    assert CosS3Client(conf, retry=0).head_bucket(Bucket=B)["x-cos-bucket-region"] == REGION


# -- temporary credentials -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def temp_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    path = tmp_path_factory.mktemp("accounts") / "accounts.json"
    path.write_text(json.dumps([{"app_id": APP_ID, "keys": [
        {"secret_id": TEMP_ID, "secret_key": TEMP_KEY, "token": TOKEN}]}]))
    proc = EmulatorProcess(extra_args=["--accounts", str(path)])
    yield proc
    proc.stop()


def test_temporary_key_needs_its_token(temp_keys: EmulatorProcess) -> None:
    temp_keys.control("POST", "reset")
    with_token = cos(temp_keys.url, TEMP_ID, TEMP_KEY, token=TOKEN)
    with_token.create_bucket(Bucket=B)
    assert [b["Name"] for b in with_token.list_buckets()["Buckets"]["Bucket"]] == [B]
    # the temporary key acts for the same account as the permanent one
    assert cos(temp_keys.url).head_bucket(Bucket=B)["x-cos-bucket-region"] == REGION
    without = cos(temp_keys.url, TEMP_ID, TEMP_KEY)
    assert code_status(without.get_bucket_acl, Bucket=B) == ("InvalidAccessKeyId", 403)
    wrong = cos(temp_keys.url, TEMP_ID, TEMP_KEY, token="tok-999")
    assert code_status(wrong.get_bucket_acl, Bucket=B) == ("InvalidAccessKeyId", 403)
    assert code_status(wrong.head_bucket, Bucket=B)[1] == 403


def test_permanent_key_ignores_a_token(temp_keys: EmulatorProcess) -> None:
    temp_keys.control("POST", "reset")
    cos(temp_keys.url, token="anything").create_bucket(Bucket=B)
