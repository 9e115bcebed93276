"""COS pre-signed URLs: the q-sign fields in the query string instead of the Authorization header.

Two signers make the URLs: the SDK's own get_presigned_url / get_presigned_download_url, and `presign` below,
written from Tencent's request-signature document (COS API 436/7778) without the emulator's or the SDK's code,
so a bug shared by the emulator and the SDK cannot pass unseen.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
import qcloud_cos.cos_auth as cos_auth
import requests

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from tests.emulator_process import EmulatorProcess
from tests.other_accounts import COS_TEMP
from tests.sdk_clients import APP_ID, REGION, cos

B = f"presign-{APP_ID}"
HOST = f"{B}.cos.{REGION}.myqcloud.com"
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


# -- the independent signer (436/7778, steps 1-8) ---------------------------------------------------------------
def url_encode(text: str) -> str:
    """The document's UrlEncode: every byte outside A-Z a-z 0-9 - _ . ~ as %XX (upper-case hex)."""
    return "".join(ch if ch in UNRESERVED else "".join(f"%{b:02X}" for b in ch.encode()) for ch in text)


def _pairs(items: dict[str, str]) -> tuple[str, str]:
    """(key list, key=value string): keys encoded and lower-cased, values encoded, sorted by key."""
    encoded = sorted((url_encode(k).lower(), url_encode(v)) for k, v in items.items())
    return ";".join(k for k, _ in encoded), "&".join(f"{k}={v}" for k, v in encoded)


def presign(method: str, key: str, *, secret_id: str = DEFAULT_SECRET_ID, secret_key: str = DEFAULT_SECRET_KEY,
            window: tuple[int, int] = (-60, 600), params: dict[str, str] | None = None,
            headers: dict[str, str] | None = None) -> str:
    """A pre-signed URL for `method` on object `key`, signing host, `headers` and `params`."""
    now = int(time.time())
    key_time = f"{now + window[0]};{now + window[1]}"
    sign_key = hmac.new(secret_key.encode(), key_time.encode(), hashlib.sha1).hexdigest()
    param_list, http_parameters = _pairs(params or {})
    header_list, http_headers = _pairs({"host": HOST, **(headers or {})})
    http_string = f"{method.lower()}\n/{key}\n{http_parameters}\n{http_headers}\n"
    string_to_sign = f"sha1\n{key_time}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n"
    signature = hmac.new(sign_key.encode(), string_to_sign.encode(), hashlib.sha1).hexdigest()
    fields = {"q-sign-algorithm": "sha1", "q-ak": secret_id, "q-sign-time": key_time, "q-key-time": key_time,
              "q-header-list": header_list, "q-url-param-list": param_list, "q-signature": signature}
    query = "&".join(f"{k}={url_encode(v)}" for k, v in {**fields, **(params or {})}.items())
    path = "/".join(url_encode(part) for part in key.split("/"))
    return f"http://{HOST}/{path}?{query}"


def send(emulator: EmulatorProcess, method: str, url: str, **kwargs: object) -> requests.Response:
    """A plain HTTP request, as a browser or curl sends a pre-signed URL (no Authorization header)."""
    session = requests.Session()
    session.trust_env = False
    return session.request(method, url, proxies={"http": emulator.url}, timeout=5, **kwargs)  # type: ignore[arg-type]


def code(resp: requests.Response) -> str:
    return resp.text.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in resp.text else ""


@pytest.fixture
def bucket(emulator: EmulatorProcess) -> EmulatorProcess:
    client = cos(emulator.url)
    client.create_bucket(Bucket=B)
    client.put_object(Bucket=B, Key="a.txt", Body=b"hello")
    return emulator


# -- the SDK's pre-signing ---------------------------------------------------------------------------------------
def test_sdk_presigned_urls_for_get_put_head_delete(bucket: EmulatorProcess) -> None:
    client = cos(bucket.url)
    got = send(bucket, "GET", client.get_presigned_download_url(Bucket=B, Key="a.txt"))
    assert (got.status_code, got.content) == (200, b"hello")
    put = send(bucket, "PUT", client.get_presigned_url(Bucket=B, Key="new/b c.txt", Method="PUT"), data=b"uploaded")
    assert put.status_code == 200
    assert client.get_object(Bucket=B, Key="new/b c.txt")["Body"].get_raw_stream().read() == b"uploaded"
    head = send(bucket, "HEAD", client.get_presigned_url(Bucket=B, Key="new/b c.txt", Method="HEAD"))
    assert (head.status_code, head.headers["Content-Length"]) == (200, "8")
    deleted = send(bucket, "DELETE", client.get_presigned_url(Bucket=B, Key="new/b c.txt", Method="DELETE"))
    assert deleted.status_code == 204
    assert client.object_exists(Bucket=B, Key="new/b c.txt") is False


def test_sdk_presigned_download_with_response_params(bucket: EmulatorProcess) -> None:
    """Params are signed (q-url-param-list) and the response-* ones set the download's headers."""
    client = cos(bucket.url)
    url = client.get_presigned_download_url(Bucket=B, Key="a.txt",
                                            Params={"response-content-disposition": "attachment; filename=x.txt"})
    got = send(bucket, "GET", url)
    assert got.status_code == 200 and got.headers["Content-Disposition"] == "attachment; filename=x.txt"
    changed = url.replace("filename%3Dx.txt", "filename%3Dy.txt")
    assert changed != url
    assert code(send(bucket, "GET", changed)) == "SignatureDoesNotMatch"


def test_wrong_method_is_refused(bucket: EmulatorProcess) -> None:
    client = cos(bucket.url)
    get_url = client.get_presigned_download_url(Bucket=B, Key="a.txt")
    refused = send(bucket, "DELETE", get_url)
    assert (refused.status_code, code(refused)) == (403, "SignatureDoesNotMatch")
    assert client.object_exists(Bucket=B, Key="a.txt") is True
    put_url = client.get_presigned_url(Bucket=B, Key="a.txt", Method="PUT")
    assert code(send(bucket, "GET", put_url)) == "SignatureDoesNotMatch"


def test_tampered_urls_are_refused(bucket: EmulatorProcess) -> None:
    client = cos(bucket.url)
    client.put_object(Bucket=B, Key="other.txt", Body=b"secret")
    url = client.get_presigned_download_url(Bucket=B, Key="a.txt")
    signature = url.split("q-signature=", 1)[1].split("&", 1)[0]
    flipped = url.replace(signature, signature[:-1] + ("0" if signature[-1] != "0" else "1"))
    assert code(send(bucket, "GET", flipped)) == "SignatureDoesNotMatch"
    assert code(send(bucket, "GET", url.replace("/a.txt?", "/other.txt?"))) == "SignatureDoesNotMatch"
    start, end = url.split("q-key-time=", 1)[1].split("&", 1)[0].split("%3B")
    widened = url.replace(f"{start}%3B{end}", f"{start}%3B{int(end) + 86400}")
    assert code(send(bucket, "GET", widened)) == "SignatureDoesNotMatch"
    without = url.split("&q-signature=", 1)[0]
    resp = send(bucket, "GET", without)
    assert (resp.status_code, code(resp)) == (403, "AccessDenied")


def test_wrong_and_unknown_keys_are_refused(bucket: EmulatorProcess) -> None:
    wrong = cos(bucket.url, secret_key="not-the-key").get_presigned_download_url(Bucket=B, Key="a.txt")
    assert code(send(bucket, "GET", wrong)) == "SignatureDoesNotMatch"
    stranger = cos(bucket.url, secret_id="AKIDNOBODY").get_presigned_download_url(Bucket=B, Key="a.txt")
    assert code(send(bucket, "GET", stranger)) == "InvalidAccessKeyId"


def test_expired_sdk_url(bucket: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK signs now-60;now+Expired; made by a clock an hour slow, a 300 s URL has expired."""
    real = time.time
    monkeypatch.setattr(cos_auth, "time", type("T", (), {"time": staticmethod(lambda: real() - 3600)}))
    url = cos(bucket.url).get_presigned_download_url(Bucket=B, Key="a.txt", Expired=300)
    resp = send(bucket, "GET", url)
    assert (resp.status_code, code(resp)) == (403, "Request has expired")
    assert "<Message>Request has expired</Message>" in resp.text


def test_temporary_key_url_carries_its_token(two: EmulatorProcess) -> None:
    secret_id, secret_key, token = COS_TEMP
    client = cos(two.url, secret_id, secret_key, token=token)
    client.create_bucket(Bucket=B)
    client.put_object(Bucket=B, Key="a.txt", Body=b"temp")
    with_token = client.get_presigned_download_url(Bucket=B, Key="a.txt", Params={"x-cos-security-token": token})
    assert send(two, "GET", with_token).content == b"temp"
    without = client.get_presigned_download_url(Bucket=B, Key="a.txt")
    assert code(send(two, "GET", without)) == "InvalidAccessKeyId"
    assert code(send(two, "GET", without, headers={"x-cos-security-token": token})) == ""  # the header form
    wrong = client.get_presigned_download_url(Bucket=B, Key="a.txt", Params={"x-cos-security-token": "tok-999"})
    assert code(send(two, "GET", wrong)) == "InvalidAccessKeyId"


# -- the independent signer --------------------------------------------------------------------------------------
def test_document_signer_get_put_head_delete(bucket: EmulatorProcess) -> None:
    key = "docs/photo (1) 腾讯.txt"
    put = send(bucket, "PUT", presign("PUT", key, headers={"content-type": "text/plain"}), data=b"doc",
               headers={"Content-Type": "text/plain"})
    assert put.status_code == 200, put.text
    head = send(bucket, "HEAD", presign("HEAD", key))
    assert (head.status_code, head.headers["Content-Type"]) == (200, "text/plain")
    got = send(bucket, "GET", presign("GET", key, params={"response-cache-control": "no-cache"}))
    assert (got.content, got.headers["Cache-Control"]) == (b"doc", "no-cache")
    assert send(bucket, "DELETE", presign("DELETE", key)).status_code == 204
    assert cos(bucket.url).object_exists(Bucket=B, Key=key) is False


def test_document_signer_refusals(bucket: EmulatorProcess) -> None:
    signed_type = presign("PUT", "t.txt", headers={"content-type": "text/plain"})
    assert code(send(bucket, "PUT", signed_type, data=b"x", headers={"Content-Type": "image/png"})) == \
        "SignatureDoesNotMatch"
    assert code(send(bucket, "GET", presign("GET", "a.txt", window=(-7200, -3600)))) == "Request has expired"
    assert code(send(bucket, "GET", presign("GET", "a.txt", window=(3600, 7200)))) == "Request has expired"
    assert code(send(bucket, "GET", presign("GET", "a.txt", secret_key="wrong"))) == "SignatureDoesNotMatch"
    assert code(send(bucket, "PUT", presign("GET", "a.txt"), data=b"x")) == "SignatureDoesNotMatch"
    assert send(bucket, "GET", presign("GET", "a.txt")).content == b"hello"
