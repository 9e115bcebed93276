"""Bucket CORS, lifecycle and referer through cos-python-sdk-v5, and what the emulator does with them: a browser's
preflight answered per the rules, hotlink protection on unsigned reads, lifecycle applied when the clock moves."""

from __future__ import annotations

import pytest
import requests
from qcloud_cos import CosS3Client

from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import APP_ID, REGION, code_status, cos

BUCKET = f"web-{APP_ID}"
HOST = f"{BUCKET}.cos.{REGION}.myqcloud.com"
RULE = {"ID": "uploads", "AllowedOrigin": ["https://app.example.com"], "AllowedMethod": ["PUT", "GET", "POST"],
        "AllowedHeader": ["content-type", "x-cos-*"], "ExposeHeader": ["ETag"], "MaxAgeSeconds": 600}


@pytest.fixture
def client(emulator: EmulatorProcess) -> CosS3Client:
    c = cos(emulator.url)
    c.create_bucket(Bucket=BUCKET)
    return c


def raw(emulator: EmulatorProcess, method: str, path: str, headers: dict[str, str]) -> requests.Response:
    """An unsigned request as a browser sends it, through the emulator as proxy (the real bucket host)."""
    return requests.request(method, f"http://{HOST}{path}", headers=headers, timeout=10,
                            proxies={"http": emulator.url})


def test_cors_round_trip_and_errors(client: CosS3Client) -> None:
    assert code_status(client.get_bucket_cors, Bucket=BUCKET) == ("NoSuchCORSConfiguration", 404)
    client.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRule": [RULE]})
    got = client.get_bucket_cors(Bucket=BUCKET)["CORSRule"]
    assert got == [{**RULE, "MaxAgeSeconds": "600"}]
    bad = {"CORSRule": [{**RULE, "AllowedMethod": ["PATCH"]}]}
    assert code_status(client.put_bucket_cors, Bucket=BUCKET, CORSConfiguration=bad) == ("InvalidArgument", 400)
    no_origin = {"CORSRule": [{"AllowedMethod": ["GET"]}]}
    assert code_status(client.put_bucket_cors, Bucket=BUCKET, CORSConfiguration=no_origin) == ("MalformedXML", 400)
    client.delete_bucket_cors(Bucket=BUCKET)
    assert code_status(client.get_bucket_cors, Bucket=BUCKET) == ("NoSuchCORSConfiguration", 404)


def test_preflight_answered_per_rules(emulator: EmulatorProcess, client: CosS3Client) -> None:
    browser = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
               "Access-Control-Request-Headers": "Content-Type, x-cos-meta-album"}
    assert raw(emulator, "OPTIONS", "/photo.jpg", browser).status_code == 403  # no CORS rules yet
    client.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRule": [RULE]})
    ok = raw(emulator, "OPTIONS", "/photo.jpg", browser)
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert ok.headers["Access-Control-Allow-Methods"] == "PUT,GET,POST"
    assert ok.headers["Access-Control-Allow-Headers"] == "content-type,x-cos-meta-album"
    assert ok.headers["Access-Control-Expose-Headers"] == "ETag"
    assert ok.headers["Access-Control-Max-Age"] == "600"
    other = raw(emulator, "OPTIONS", "/photo.jpg", {**browser, "Origin": "https://evil.example.net"})
    assert other.status_code == 403 and "Access-Control-Allow-Origin" not in other.headers
    assert b"<Code>AccessForbidden</Code>" in other.content
    assert raw(emulator, "OPTIONS", "/", {**browser, "Access-Control-Request-Method": "DELETE"}).status_code == 403
    assert raw(emulator, "OPTIONS", "/", {**browser, "Access-Control-Request-Headers": "authorization"}
               ).status_code == 403
    log = emulator.control("GET", "requests")
    assert log["counts"].get("cos:OptionsObject") == 5 and log["mutating_counts"].get("cos:OptionsObject") is None


def test_referer_refuses_unsigned_reads(emulator: EmulatorProcess, client: CosS3Client) -> None:
    client.put_bucket_acl(Bucket=BUCKET, ACL="public-read")
    client.put_object(Bucket=BUCKET, Key="a.jpg", Body=b"jpeg")
    assert not client.get_bucket_referer(Bucket=BUCKET).get("Status")  # none set: an empty configuration
    assert raw(emulator, "GET", "/a.jpg", {"Referer": "https://anyone.example.org/"}).status_code == 200
    config = {"Status": "Enabled", "RefererType": "White-List", "EmptyReferConfiguration": "Deny",
              "DomainList": {"Domain": ["*.example.com"]}}
    client.put_bucket_referer(Bucket=BUCKET, RefererConfiguration=config)
    assert client.get_bucket_referer(Bucket=BUCKET) == config
    assert raw(emulator, "GET", "/a.jpg", {"Referer": "https://app.example.com/page"}).status_code == 200
    assert raw(emulator, "GET", "/a.jpg", {"Referer": "https://example.com/"}).status_code == 200
    refused = raw(emulator, "GET", "/a.jpg", {"Referer": "https://thief.example.org/"})
    assert refused.status_code == 403 and b"<Code>AccessDenied</Code>" in refused.content
    assert raw(emulator, "GET", "/a.jpg", {}).status_code == 403  # empty referer denied
    assert client.get_object(Bucket=BUCKET, Key="a.jpg")["Body"].get_raw_stream().read() == b"jpeg"  # signed: no check
    bad = {**config, "RefererType": "Grey-List"}
    assert code_status(client.put_bucket_referer, Bucket=BUCKET, RefererConfiguration=bad) == ("MalformedXML", 400)
    client.delete_bucket_referer(Bucket=BUCKET)
    assert not client.get_bucket_referer(Bucket=BUCKET).get("Status")  # none set: an empty configuration
    assert raw(emulator, "GET", "/a.jpg", {}).status_code == 200


def test_lifecycle_round_trip_errors_and_clock(emulator: EmulatorProcess, client: CosS3Client) -> None:
    assert code_status(client.get_bucket_lifecycle, Bucket=BUCKET) == ("NoSuchLifecycleConfiguration", 404)
    assert code_status(client.delete_bucket_lifecycle, Bucket=BUCKET) == ("NoSuchLifecycleConfiguration", 404)
    abort = {"ID": "abort-uploads", "Filter": {"Prefix": ""}, "Status": "Enabled",
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": "7"}}
    mixed = {"ID": "mixed", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
             "Expiration": {"Days": "30"}, "Transition": [{"Date": "2027-01-01T00:00:00+08:00",
                                                           "StorageClass": "ARCHIVE"}]}
    assert code_status(client.put_bucket_lifecycle, Bucket=BUCKET,
                       LifecycleConfiguration={"Rule": [mixed]}) == ("InvalidArgument", 400)
    no_status = {k: v for k, v in abort.items() if k != "Status"}
    assert code_status(client.put_bucket_lifecycle, Bucket=BUCKET,
                       LifecycleConfiguration={"Rule": [no_status]}) == ("MalformedXML", 400)
    client.put_bucket_lifecycle(Bucket=BUCKET, LifecycleConfiguration={"Rule": [abort]})
    # The SDK reads an empty <Prefix></Prefix> back as None.
    assert client.get_bucket_lifecycle(Bucket=BUCKET)["Rule"] == [{**abort, "Filter": {"Prefix": None}}]

    old = client.create_multipart_upload(Bucket=BUCKET, Key="old.mp4")["UploadId"]
    emulator.control("POST", "clock", {"advance_days": 5})
    new = client.create_multipart_upload(Bucket=BUCKET, Key="new.mp4")["UploadId"]
    tick = emulator.control("POST", "clock", {"advance_days": 3})  # old: 8 days, new: 3 days
    assert tick["lifecycle"] == {"aborted_uploads": 1, "expired_objects": 0}
    left = client.list_multipart_uploads(Bucket=BUCKET).get("Upload") or []
    assert [u["UploadId"] for u in (left if isinstance(left, list) else [left])] == [new]
    assert old != new
    client.delete_bucket_lifecycle(Bucket=BUCKET)
    assert code_status(client.get_bucket_lifecycle, Bucket=BUCKET) == ("NoSuchLifecycleConfiguration", 404)


def test_clock_refuses_going_back(emulator: EmulatorProcess) -> None:
    with pytest.raises(Exception, match="400"):
        emulator.control("POST", "clock", {"advance_seconds": -1})
    assert emulator.control("GET", "clock")["offset_seconds"] == 0
