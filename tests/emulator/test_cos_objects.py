"""COS object calls through cos-python-sdk-v5: objects, listings, multipart uploads, batch delete, versions,
and the BucketNotEmpty rule they feed."""

from __future__ import annotations

from typing import Any

import pytest
from qcloud_cos import CosS3Client
from qcloud_cos.cos_auth import CosS3Auth

from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import APP_ID, REGION, code_status, cos

B = f"objects-{APP_ID}"
KEYS = ["a b.txt", "dir/one", "dir/sub/two", "dir/three", "p+q", "z", "中文/文件.txt", "100%.txt"]


@pytest.fixture
def client(emulator: EmulatorProcess) -> CosS3Client:
    c = cos(emulator.url)
    c.create_bucket(Bucket=B)
    return c


def fill(client: CosS3Client, keys: list[str] = KEYS) -> None:
    for k in keys:
        client.put_object(Bucket=B, Key=k, Body=k.encode())


def keys_of(listing: dict[str, Any]) -> list[str]:
    return [c["Key"] for c in listing.get("Contents", [])]


def prefixes_of(listing: dict[str, Any]) -> list[str]:
    return [p["Prefix"] for p in listing.get("CommonPrefixes", [])]


# -- PUT / GET / HEAD / DELETE Object --------------------------------------------------------------
def test_object_roundtrip(client: CosS3Client) -> None:
    put = client.put_object(Bucket=B, Key="docs/hello world.txt", Body=b"hello", ContentType="text/plain")
    assert put["ETag"] == '"5d41402abc4b2a76b9719d911017c592"'
    got = client.get_object(Bucket=B, Key="docs/hello world.txt")
    assert got["Body"].get_raw_stream().read() == b"hello"
    assert got["Content-Type"] == "text/plain"
    head = client.head_object(Bucket=B, Key="docs/hello world.txt")
    assert head["Content-Length"] == "5"
    assert head["ETag"] == put["ETag"]
    assert head["x-cos-storage-class"] == "STANDARD"
    client.put_object(Bucket=B, Key="docs/hello world.txt", Body=b"bye")
    assert client.get_object(Bucket=B, Key="docs/hello world.txt")["Body"].get_raw_stream().read() == b"bye"
    client.delete_object(Bucket=B, Key="docs/hello world.txt")
    assert code_status(client.get_object, Bucket=B, Key="docs/hello world.txt") == ("NoSuchKey", 404)
    assert code_status(client.head_object, Bucket=B, Key="docs/hello world.txt") == ("NoSuchResource", 404)
    client.delete_object(Bucket=B, Key="docs/hello world.txt")  # deleting a missing key is not an error


def test_unicode_and_special_keys_roundtrip(client: CosS3Client) -> None:
    fill(client)
    for k in KEYS:
        assert client.get_object(Bucket=B, Key=k)["Body"].get_raw_stream().read() == k.encode()


def test_object_calls_on_missing_bucket(emulator: EmulatorProcess) -> None:
    c = cos(emulator.url)
    missing = f"missing-{APP_ID}"
    assert code_status(c.put_object, Bucket=missing, Key="k", Body=b"x") == ("NoSuchBucket", 404)
    assert code_status(c.get_object, Bucket=missing, Key="k") == ("NoSuchBucket", 404)
    assert code_status(c.head_object, Bucket=missing, Key="k") == ("NoSuchResource", 404)
    assert code_status(c.delete_object, Bucket=missing, Key="k") == ("NoSuchBucket", 404)
    assert code_status(c.list_objects, Bucket=missing) == ("NoSuchBucket", 404)
    assert code_status(c.list_objects_versions, Bucket=missing) == ("NoSuchBucket", 404)
    assert code_status(c.list_multipart_uploads, Bucket=missing) == ("NoSuchBucket", 404)
    assert code_status(c.create_multipart_upload, Bucket=missing, Key="k") == ("NoSuchBucket", 404)
    assert code_status(c.delete_objects, Bucket=missing, Delete={"Object": [{"Key": "k"}]}) == ("NoSuchBucket", 404)


# -- GET Bucket (list objects) ---------------------------------------------------------------------
def test_list_objects_plain(client: CosS3Client) -> None:
    assert "Contents" not in client.list_objects(Bucket=B)
    fill(client)
    listing = client.list_objects(Bucket=B)
    assert keys_of(listing) == sorted(KEYS)
    assert listing["IsTruncated"] == "false"
    assert listing["Name"] == B
    first = listing["Contents"][0]
    assert first["StorageClass"] == "STANDARD" and first["Size"] == str(len(first["Key"].encode()))
    assert first["ETag"].startswith('"') and first["LastModified"].endswith("Z")


def test_list_objects_prefix_and_delimiter(client: CosS3Client) -> None:
    fill(client)
    top = client.list_objects(Bucket=B, Delimiter="/")
    assert prefixes_of(top) == ["dir/", "中文/"]
    assert keys_of(top) == ["100%.txt", "a b.txt", "p+q", "z"]
    inside = client.list_objects(Bucket=B, Prefix="dir/", Delimiter="/")
    assert keys_of(inside) == ["dir/one", "dir/three"]
    assert prefixes_of(inside) == ["dir/sub/"]
    assert inside["Prefix"] == "dir/"
    assert keys_of(client.list_objects(Bucket=B, Prefix="中文/")) == ["中文/文件.txt"]
    assert keys_of(client.list_objects(Bucket=B, Prefix="nothing")) == []


def test_list_objects_paging(client: CosS3Client) -> None:
    fill(client)
    seen: list[str] = []
    marker, pages = "", 0
    while True:
        page = client.list_objects(Bucket=B, Marker=marker, MaxKeys=3)
        pages += 1
        seen += keys_of(page)
        assert len(keys_of(page)) <= 3
        if page["IsTruncated"] == "false":
            break
        marker = page["NextMarker"]
        assert marker == keys_of(page)[-1]
    assert seen == sorted(KEYS)
    assert pages == 3


def test_list_objects_paging_with_delimiter(client: CosS3Client) -> None:
    fill(client)
    entries: list[str] = []
    marker = ""
    while True:
        page = client.list_objects(Bucket=B, Delimiter="/", Marker=marker, MaxKeys=2)
        entries += keys_of(page) + prefixes_of(page)
        if page["IsTruncated"] == "false":
            break
        marker = page["NextMarker"]
    assert sorted(entries) == sorted(["100%.txt", "a b.txt", "dir/", "p+q", "z", "中文/"])
    assert len(entries) == len(set(entries))


def raw_list(client: CosS3Client, **params: Any) -> str:
    """GET Bucket as the SDK sends it, with params it would not let through; the body as text."""
    url = client._conf.uri(bucket=B)
    return client.send_request(method="GET", url=url, bucket=B, auth=CosS3Auth(client._conf, params=params),
                               params=params, headers={}).text


def test_list_objects_max_keys_zero_and_bad_values(client: CosS3Client) -> None:
    fill(client)
    empty = client.list_objects(Bucket=B, MaxKeys=0)
    assert keys_of(empty) == [] and empty["IsTruncated"] == "true"
    assert code_status(client.list_objects, Bucket=B, MaxKeys=1001) == ("InvalidArgument", 400)
    assert code_status(raw_list, client, **{"encoding-type": "base64"}) == ("InvalidArgument", 400)
    assert code_status(raw_list, client, **{"max-keys": "many"}) == ("InvalidArgument", 400)


def test_url_encoded_keys_on_the_wire(client: CosS3Client) -> None:
    """The SDK unquotes what the server encodes: a `+` must arrive as %2B, a space as %20."""
    fill(client, ["a b+c/中"])
    encoded = raw_list(client, **{"encoding-type": "url"})
    assert "<EncodingType>url</EncodingType>" in encoded
    assert "<Key>a%20b%2Bc/%E4%B8%AD</Key>" in encoded
    plain = raw_list(client)
    assert "<Key>a b+c/中</Key>" in plain and "EncodingType" not in plain


# -- versions listing ------------------------------------------------------------------------------
def test_list_objects_versions(client: CosS3Client) -> None:
    fill(client, ["v/1", "v/2", "v/3"])
    listing = client.list_objects_versions(Bucket=B, Prefix="v/")
    assert [v["Key"] for v in listing["Version"]] == ["v/1", "v/2", "v/3"]
    assert {v["VersionId"] for v in listing["Version"]} == {"null"}
    assert all(v["IsLatest"] == "true" for v in listing["Version"])
    page = client.list_objects_versions(Bucket=B, Prefix="v/", MaxKeys=2)
    assert page["IsTruncated"] == "true"
    rest = client.list_objects_versions(Bucket=B, Prefix="v/", KeyMarker=page["NextKeyMarker"])
    assert [v["Key"] for v in rest["Version"]] == ["v/3"]


# -- multipart uploads -----------------------------------------------------------------------------
def test_multipart_upload_lifecycle(client: CosS3Client) -> None:
    assert "Upload" not in client.list_multipart_uploads(Bucket=B)
    first = client.create_multipart_upload(Bucket=B, Key="big/one.bin")
    second = client.create_multipart_upload(Bucket=B, Key="big/two.bin")
    client.create_multipart_upload(Bucket=B, Key="other.bin")
    assert first["Bucket"] == B and first["Key"] == "big/one.bin" and first["UploadId"]
    listing = client.list_multipart_uploads(Bucket=B, Prefix="big/")
    assert [(u["Key"], u["UploadId"]) for u in listing["Upload"]] == [
        ("big/one.bin", first["UploadId"]), ("big/two.bin", second["UploadId"])]
    assert len(client.list_multipart_uploads(Bucket=B, MaxUploads=1)["Upload"]) == 1
    client.abort_multipart_upload(Bucket=B, Key="big/one.bin", UploadId=first["UploadId"])
    assert [u["Key"] for u in client.list_multipart_uploads(Bucket=B)["Upload"]] == ["big/two.bin", "other.bin"]
    assert code_status(client.abort_multipart_upload, Bucket=B, Key="big/one.bin", UploadId=first["UploadId"]) == (
        "NoSuchUpload", 404)
    assert code_status(client.abort_multipart_upload, Bucket=B, Key="wrong.bin", UploadId=second["UploadId"]) == (
        "NoSuchUpload", 404)
    assert code_status(client.abort_multipart_upload, Bucket=B, Key="x", UploadId="nope") == ("NoSuchUpload", 404)


def test_multipart_upload_is_not_an_object(client: CosS3Client) -> None:
    client.create_multipart_upload(Bucket=B, Key="pending")
    assert keys_of(client.list_objects(Bucket=B)) == []
    assert code_status(client.get_object, Bucket=B, Key="pending") == ("NoSuchKey", 404)


# -- DeleteObjects batch ---------------------------------------------------------------------------
def test_delete_objects(client: CosS3Client) -> None:
    fill(client)
    result = client.delete_objects(Bucket=B, Delete={"Object": [{"Key": "z"}, {"Key": "p+q"}, {"Key": "absent"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["absent", "p+q", "z"]
    assert "z" not in keys_of(client.list_objects(Bucket=B))
    quiet = client.delete_objects(Bucket=B, Delete={"Quiet": "true", "Object": [{"Key": "中文/文件.txt"}]})
    assert not quiet.get("Deleted")
    assert "中文/文件.txt" not in keys_of(client.list_objects(Bucket=B))


# -- DELETE Bucket needs an empty bucket -----------------------------------------------------------
def test_delete_bucket_not_empty_with_objects(client: CosS3Client) -> None:
    client.put_object(Bucket=B, Key="keep", Body=b"x")
    assert code_status(client.delete_bucket, Bucket=B) == ("BucketNotEmpty", 409)
    client.delete_object(Bucket=B, Key="keep")
    client.delete_bucket(Bucket=B)
    assert not client.bucket_exists(Bucket=B)


def test_delete_bucket_not_empty_with_only_an_upload(client: CosS3Client) -> None:
    upload = client.create_multipart_upload(Bucket=B, Key="half")
    assert code_status(client.delete_bucket, Bucket=B) == ("BucketNotEmpty", 409)
    client.abort_multipart_upload(Bucket=B, Key="half", UploadId=upload["UploadId"])
    client.delete_bucket(Bucket=B)


def test_deleted_bucket_leaves_no_objects_behind(client: CosS3Client, emulator: EmulatorProcess) -> None:
    """A re-created bucket starts empty; the inventory agrees."""
    client.put_object(Bucket=B, Key="k", Body=b"x")
    client.delete_object(Bucket=B, Key="k")
    client.delete_bucket(Bucket=B)
    client.create_bucket(Bucket=B)
    assert keys_of(client.list_objects(Bucket=B)) == []
    inv = emulator.control("GET", "inventory")["buckets"]
    assert inv == [{"bucket": B, "region": REGION, "app_id": APP_ID, "acl": "private", "tags": {}, "objects": 0,
                    "uploads": 0}]
