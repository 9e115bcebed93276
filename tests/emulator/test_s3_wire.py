"""COS's S3 interface on the wire: SigV4-signed requests (plain `requests` and a signer built from the AWS spec),
ListObjectsV2 paging, PUT Object - Copy, aws-chunked uploads, and how signatures fail."""

from __future__ import annotations

import base64
import hashlib
import time
import xml.etree.ElementTree as ET
import zlib
from urllib.parse import urlencode

import pytest
import requests

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from emulator.auth.sigv4 import canonical_request, sign, signing_key, string_to_sign
from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import APP_ID, REGION, cos

B = f"s3wire-{APP_ID}"
HOST = f"{B}.cos.{REGION}.myqcloud.com"
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def s3(emulator: EmulatorProcess, method: str, path: str, query: dict[str, str] | None = None, body: bytes = b"",
       headers: dict[str, str] | None = None, host: str = HOST, secret: str = DEFAULT_SECRET_KEY,
       access_key: str = DEFAULT_SECRET_ID, when: float | None = None, payload_hash: str | None = None,
       via_proxy: bool = True) -> requests.Response:
    """Send one SigV4 header-signed request, as an S3 SDK would (virtual-hosted through the proxy by default)."""
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(when or time.time()))
    raw_query = urlencode(sorted((query or {}).items()))
    payload_hash = payload_hash or hashlib.sha256(body).hexdigest()
    h = {"host": host, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash} | (headers or {})
    signed = sorted(h)
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    canonical = canonical_request(method, path, raw_query, h, signed, payload_hash)
    sig = sign(signing_key(secret, amz_date[:8], REGION), string_to_sign(amz_date, scope, canonical))
    h["authorization"] = f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={';'.join(signed)}, " \
                         f"Signature={sig}"
    session = requests.Session()
    session.trust_env = False
    base = f"http://{host}" if via_proxy else emulator.url
    return session.request(method, f"{base}{path}" + (f"?{raw_query}" if raw_query else ""), data=body, headers=h,
                           proxies={"http": emulator.url} if via_proxy else None, timeout=10)


def code(resp: requests.Response) -> tuple[int, str]:
    return resp.status_code, ET.fromstring(resp.content).findtext("Code") or ""


@pytest.fixture
def bucket(emulator: EmulatorProcess) -> EmulatorProcess:
    cos(emulator.url).create_bucket(Bucket=B)
    return emulator


def test_put_get_head_copy_delete_object(bucket: EmulatorProcess) -> None:
    assert s3(bucket, "PUT", "/.pulumi/meta.yaml", body=b"version: 1\n",
              headers={"content-type": "text/plain"}).status_code == 200
    got = s3(bucket, "GET", "/.pulumi/meta.yaml", {"x-id": "GetObject"})
    assert (got.status_code, got.content, got.headers["ETag"]) == (
        200, b"version: 1\n", '"' + hashlib.md5(b"version: 1\n").hexdigest() + '"')
    copied = s3(bucket, "PUT", "/.pulumi/meta.yaml.bak", headers={"x-amz-copy-source": f"/{B}/.pulumi/meta.yaml"})
    assert ET.fromstring(copied.content).findtext("ETag") == got.headers["ETag"]
    assert cos(bucket.url).get_object(Bucket=B, Key=".pulumi/meta.yaml.bak")["Body"].get_raw_stream().read() == \
        b"version: 1\n"
    assert s3(bucket, "DELETE", "/.pulumi/meta.yaml").status_code == 204
    assert s3(bucket, "HEAD", "/.pulumi/meta.yaml").status_code == 404
    assert code(s3(bucket, "GET", "/.pulumi/meta.yaml")) == (404, "NoSuchKey")
    counts = bucket.control("GET", "requests")["counts"]
    assert counts["cos:PutObjectCopy"] == 1 and counts["cos:PutObject"] == 1


def test_list_objects_v2_paging_prefix_delimiter(bucket: EmulatorProcess) -> None:
    client = cos(bucket.url)
    keys = [".pulumi/stacks/p/a.json", ".pulumi/stacks/p/b.json", ".pulumi/stacks/p/c.json",
            ".pulumi/stacks/q/a.json", ".pulumi/meta.yaml"]
    for key in keys:
        client.put_object(Bucket=B, Key=key, Body=b"{}")
    top = ET.fromstring(s3(bucket, "GET", "/", {"list-type": "2", "prefix": ".pulumi/stacks/",
                                                 "delimiter": "/"}).content)
    assert top.tag == f"{NS}ListBucketResult"
    assert [p.text for p in top.iter(f"{NS}Prefix")][1:] == [".pulumi/stacks/p/", ".pulumi/stacks/q/"]
    assert (top.findtext(f"{NS}KeyCount"), top.findtext(f"{NS}IsTruncated")) == ("2", "false")
    seen, token, pages = [], "", 0
    while True:
        q = {"list-type": "2", "prefix": ".pulumi/stacks/", "max-keys": "2"} | (
            {"continuation-token": token} if token else {})
        page = ET.fromstring(s3(bucket, "GET", "/", q).content)
        pages += 1
        seen += [c.findtext(f"{NS}Key") for c in page.iter(f"{NS}Contents")]
        assert page.find(f"{NS}Contents/{NS}Owner") is None  # only with fetch-owner=true
        token = page.findtext(f"{NS}NextContinuationToken") or ""
        if page.findtext(f"{NS}IsTruncated") == "false":
            break
    assert (seen, pages) == (sorted(keys[:4]), 2)
    after = ET.fromstring(s3(bucket, "GET", "/", {"list-type": "2", "start-after": ".pulumi/stacks/p/b.json"}).content)
    assert [c.findtext(f"{NS}Key") for c in after.iter(f"{NS}Contents")] == keys[2:4]
    assert after.findtext(f"{NS}StartAfter") == ".pulumi/stacks/p/b.json"
    assert code(s3(bucket, "GET", "/", {"list-type": "2", "continuation-token": "%%%"})) == (400, "InvalidArgument")


def test_aws_chunked_upload_with_crc32_trailer(bucket: EmulatorProcess) -> None:
    data = b'{"version": 3}'
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()

    def put(checksum: str) -> requests.Response:
        body = f"{len(data):x}\r\n".encode() + data + f"\r\n0\r\nx-amz-checksum-crc32:{checksum}\r\n\r\n".encode()
        return s3(bucket, "PUT", "/state.json", body=body, payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                  headers={"content-encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32",
                           "x-amz-decoded-content-length": str(len(data))})

    assert put(crc).status_code == 200
    assert s3(bucket, "GET", "/state.json").content == data
    assert code(put("AAAAAA==")) == (400, "BadDigest")
    # over plain http the AWS SDKs send the checksum as a header instead of a trailer
    assert s3(bucket, "PUT", "/h.json", body=data, headers={"x-amz-checksum-crc32": crc}).status_code == 200
    assert code(s3(bucket, "PUT", "/h.json", body=data, headers={"x-amz-checksum-crc32": "AAAAAA=="})) == (
        400, "BadDigest")


def test_signature_failures_answer_s3_style_cos_errors(bucket: EmulatorProcess) -> None:
    assert code(s3(bucket, "GET", "/", {"list-type": "2"}, secret="wrong")) == (403, "SignatureDoesNotMatch")
    assert code(s3(bucket, "GET", "/", {"list-type": "2"}, access_key="AKIDNOBODY")) == (403, "InvalidAccessKeyId")
    assert code(s3(bucket, "GET", "/", {"list-type": "2"}, when=time.time() - 3600)) == (403, "RequestTimeTooSkewed")
    assert code(s3(bucket, "PUT", "/k", body=b"abc", payload_hash="0" * 64)) == (400, "XAmzContentSHA256Mismatch")
    log = bucket.control("GET", "requests")
    assert (log["mutating_counts"], log["total"]) == ({"cos:PutBucket": 1}, 5)  # PutBucket: the fixture's


def test_path_style_refused_on_cos_host_accepted_on_emulator_address(bucket: EmulatorProcess) -> None:
    refused = s3(bucket, "GET", f"/{B}/k", host=f"cos.{REGION}.myqcloud.com")
    assert code(refused) == (403, "AccessDenied") and "created since 2024" in refused.text
    host = bucket.url.removeprefix("http://")
    assert s3(bucket, "PUT", f"/{B}/k", body=b"v", host=host, via_proxy=False).status_code == 200
    listed = ET.fromstring(s3(bucket, "GET", f"/{B}", {"list-type": "2"}, host=host, via_proxy=False).content)
    assert [c.findtext(f"{NS}Key") for c in listed.iter(f"{NS}Contents")] == ["k"]


def test_unsigned_payload_sent_with_transfer_encoding_chunked(bucket: EmulatorProcess) -> None:
    parts = [b"part one, ", b"part two"]
    resp = s3(bucket, "PUT", "/streamed", body=iter(parts), payload_hash="UNSIGNED-PAYLOAD")  # type: ignore[arg-type]
    assert resp.request.headers.get("Transfer-Encoding") == "chunked"
    assert resp.status_code == 200
    assert s3(bucket, "GET", "/streamed").content == b"".join(parts)


def presigned_get(emulator: EmulatorProcess, path: str, signed_at: float, expires: int) -> requests.Response:
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(signed_at))
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    query = urlencode({"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": f"{DEFAULT_SECRET_ID}/{scope}",
                       "X-Amz-Date": amz_date, "X-Amz-Expires": str(expires), "X-Amz-SignedHeaders": "host"})
    canonical = canonical_request("GET", path, query, {"host": HOST}, ["host"], "UNSIGNED-PAYLOAD")
    sig = sign(signing_key(DEFAULT_SECRET_KEY, amz_date[:8], REGION), string_to_sign(amz_date, scope, canonical))
    session = requests.Session()
    session.trust_env = False
    return session.get(f"http://{HOST}{path}?{query}&X-Amz-Signature={sig}", proxies={"http": emulator.url},
                       timeout=10)


def test_presigned_url(bucket: EmulatorProcess) -> None:
    cos(bucket.url).put_object(Bucket=B, Key="shared/report.txt", Body=b"ok")
    assert presigned_get(bucket, "/shared/report.txt", time.time(), 300).content == b"ok"
    expired = presigned_get(bucket, "/shared/report.txt", time.time() - 600, 300)
    assert code(expired) == (403, "AccessDenied") and "Request has expired" in expired.text
