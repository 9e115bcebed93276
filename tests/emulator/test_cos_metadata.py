"""Object metadata kept and answered as COS does, and the CORS headers of error answers."""

from __future__ import annotations

import requests

from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import APP_ID, REGION, code_status, cos

B = f"meta-{APP_ID}"
HOST = f"{B}.cos.{REGION}.myqcloud.com"
ORIGIN = "https://app.example.com"
META = {"ContentType": "text/markdown", "ContentDisposition": 'attachment; filename="notes.md"',
        "CacheControl": "max-age=60", "ContentEncoding": "identity", "Expires": "Wed, 21 Oct 2037 07:28:00 GMT",
        "Metadata": {"x-cos-meta-author": "alice", "x-cos-meta-project": "photos"}}
ANSWERED = {"Content-Type": "text/markdown", "Content-Disposition": 'attachment; filename="notes.md"',
            "Cache-Control": "max-age=60", "Content-Encoding": "identity", "Expires": "Wed, 21 Oct 2037 07:28:00 GMT",
            "x-cos-meta-author": "alice", "x-cos-meta-project": "photos"}


def _subset(headers: dict[str, str]) -> dict[str, str]:
    lower = {k.lower(): v for k, v in headers.items()}
    return {k: lower.get(k.lower(), "") for k in ANSWERED}


def test_metadata_is_stored_and_answered_on_head_and_get(emulator: EmulatorProcess) -> None:
    client = cos(emulator.url)
    client.create_bucket(Bucket=B)
    client.put_object(Bucket=B, Key="notes.md", Body=b"# notes", **META)
    assert _subset(client.head_object(Bucket=B, Key="notes.md")) == ANSWERED
    got = client.get_object(Bucket=B, Key="notes.md")
    assert _subset(got) == ANSWERED and got["Body"].get_raw_stream().read() == b"# notes"
    # An overwrite replaces the metadata, it does not merge.
    client.put_object(Bucket=B, Key="notes.md", Body=b"v2", Metadata={"x-cos-meta-author": "bob"})
    head = client.head_object(Bucket=B, Key="notes.md")
    assert head["x-cos-meta-author"] == "bob" and "x-cos-meta-project" not in head
    assert "Content-Disposition" not in head and head["Content-Type"] == "application/octet-stream"


def test_copy_keeps_or_replaces_metadata(emulator: EmulatorProcess) -> None:
    client = cos(emulator.url)
    client.create_bucket(Bucket=B)
    client.put_object(Bucket=B, Key="src.md", Body=b"x", **META)
    source = {"Bucket": B, "Key": "src.md", "Region": REGION}
    client.copy_object(Bucket=B, Key="kept.md", CopySource=source)
    assert _subset(client.head_object(Bucket=B, Key="kept.md")) == ANSWERED
    client.copy_object(Bucket=B, Key="new.md", CopySource=source, CopyStatus="Replaced", ContentType="text/plain",
                       Metadata={"x-cos-meta-author": "carol"})
    head = client.head_object(Bucket=B, Key="new.md")
    assert head["Content-Type"] == "text/plain" and head["x-cos-meta-author"] == "carol"
    assert "x-cos-meta-project" not in head


def _get(emulator: EmulatorProcess, path: str, origin: str) -> requests.Response:
    session = requests.Session()
    session.trust_env = False
    return session.get(f"http://{HOST}{path}", headers={"Origin": origin}, proxies={"http": emulator.url}, timeout=5)


def test_error_answers_carry_the_buckets_cors_headers(emulator: EmulatorProcess) -> None:
    """A page must read COS's error code: an allowed origin gets Access-Control-* on errors too."""
    client = cos(emulator.url)
    client.create_bucket(Bucket=B)
    unsigned = _get(emulator, "/missing.txt", ORIGIN)  # private bucket, no signature: 403 AccessDenied
    assert unsigned.status_code == 403 and "Access-Control-Allow-Origin" not in unsigned.headers  # no CORS rule yet
    client.put_bucket_cors(Bucket=B, CORSConfiguration={"CORSRule": [{
        "AllowedOrigin": [ORIGIN], "AllowedMethod": ["GET", "PUT"], "AllowedHeader": ["*"],
        "ExposeHeader": ["ETag", "x-cos-request-id"], "MaxAgeSeconds": 600}]})
    denied = _get(emulator, "/missing.txt", ORIGIN)
    assert denied.status_code == 403 and "<Code>AccessDenied</Code>" in denied.text
    assert denied.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert denied.headers["Access-Control-Expose-Headers"] == "ETag,x-cos-request-id"
    url = client.get_presigned_download_url(Bucket=B, Key="missing.txt")
    session = requests.Session()
    session.trust_env = False
    missing = session.get(url, headers={"Origin": ORIGIN}, proxies={"http": emulator.url}, timeout=5)
    assert missing.status_code == 404 and missing.headers["Access-Control-Allow-Origin"] == ORIGIN
    other = _get(emulator, "/missing.txt", "https://evil.example.net")
    assert other.status_code == 403 and "Access-Control-Allow-Origin" not in other.headers
    assert code_status(client.head_object, Bucket=B, Key="missing.txt")[1] == 404
