"""SMH data plane files, through plain HTTP: an upload is begun, its bytes go to the library's bucket with the answer's
signed headers (a real COS request), and a confirm makes the file appear; multipart the same way; delete, rename/move,
copy, head, download and preview links, shares; and the one-request upload the emulator keeps."""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import crcmod
import requests

from emulator.accounts import DEFAULT_SECRET_KEY
from tests.emulator.test_smhdata_support import Lib, error_of
from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import cos

BUCKET = "files-1250000000"
MB = 1024 * 1024
# CRC-64/ECMA-182 as cos-python-sdk-v5 computes x-cos-hash-crc64ecma (its crcmod parameters): an independent check.
CRC64 = crcmod.mkCrcFun(0x142F0E1EBA9EA3693, initCrc=0, xorOut=0xFFFFFFFFFFFFFFFF, rev=True)


def begin(lib: Lib, token: str, space: str, path: str, multipart: bool = False, **params: Any) -> requests.Response:
    if multipart:
        return lib.call("POST", f"file/{lib.id}/{space}/{path}", token, params={"multipart": ""} | params)
    return lib.call("PUT", f"file/{lib.id}/{space}/{path}", token, params=params)


def to_cos(lib: Lib, begun: dict[str, Any], data: bytes, path: str | None = None, **params: Any) -> requests.Response:
    """The client's own PUT to the bucket: the answer's domain, path and headers, nothing else."""
    return requests.put(f"http://{begun['domain']}{path or begun['path']}", headers=begun["headers"], data=data,
                        params=params, proxies={"http": lib.emulator.url}, timeout=10)


def confirm(lib: Lib, token: str, space: str, key: str, **params: Any) -> requests.Response:
    return lib.call("POST", f"file/{lib.id}/{space}/{key}", token, params={"confirm": ""} | params)


def upload(lib: Lib, token: str, space: str, path: str, data: bytes = b"hello", **params: Any) -> requests.Response:
    """begin, PUT to COS, confirm: the confirm's answer (or the first refusal)."""
    begun = begin(lib, token, space, path, **params)
    if begun.status_code != 200:
        return begun
    assert to_cos(lib, begun.json(), data).status_code == 200
    return confirm(lib, token, space, begun.json()["confirmKey"])


def presigned_ok(url: str, secret_key: str = DEFAULT_SECRET_KEY) -> bool:
    """Whether a pre-signed GET URL carries the right q-signature, recomputed here from Tencent's request-signature
    document (436/7778) alone: SignKey = HMAC-SHA1(SecretKey, KeyTime); HttpString = method, path, signed
    parameters, signed headers, each on its own line; StringToSign = sha1, KeyTime, SHA1(HttpString)."""
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    if q["q-header-list"] != "host" or q["q-url-param-list"] != "":
        return False
    http_string = f"get\n{unquote(parts.path)}\n\nhost={quote(parts.hostname or '', safe='')}\n"
    string_to_sign = f"sha1\n{q['q-key-time']}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n"
    sign_key = hmac.new(secret_key.encode(), q["q-key-time"].encode(), hashlib.sha1).hexdigest()
    return hmac.new(sign_key.encode(), string_to_sign.encode(), hashlib.sha1).hexdigest() == q["q-signature"]


def stored(lib: Lib, key: str) -> bytes:
    return cos(lib.emulator.url).get_object(Bucket=lib.bucket, Key=key)["Body"].get_raw_stream().read()


def test_simple_upload_goes_through_the_bucket(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, bucket=BUCKET, IsFileLibrary=True)
    admin = lib.token()
    assert lib.mkdir(admin, "-", "docs").status_code == 201
    resp = begin(lib, admin, "-", "docs/a.txt", filesize=5)
    assert resp.status_code == 200, resp.text
    begun = resp.json()
    assert set(begun) == {"domain", "path", "headers", "confirmKey", "expiration"}
    assert begun["domain"] == f"{BUCKET}.cos.ap-guangzhou.myqcloud.com" and begun["path"].startswith(f"/{lib.id}/")
    assert begun["headers"]["Authorization"].startswith("q-sign-algorithm=sha1&q-ak=")
    assert error_of(confirm(lib, admin, "-", begun["confirmKey"])) == (404, "UploadIncomplete")  # no bytes yet

    # The signed headers are good for that object only, and the bytes land in the library's bucket.
    wrong = to_cos(lib, begun, b"hello", path=f"/{lib.id}/elsewhere")
    assert wrong.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in wrong.text
    assert to_cos(lib, begun, b"hello").status_code == 200
    assert lib.names(admin, "-", "docs") == []  # not a file before the confirm
    done = confirm(lib, admin, "-", begun["confirmKey"])
    assert done.status_code == 200, done.text
    assert done.json() | {"creationTime": "", "modificationTime": ""} == {
        "path": ["docs", "a.txt"], "name": "a.txt", "type": "file", "contentType": "text/plain", "size": "5",
        "eTag": f'"{hashlib.md5(b"hello").hexdigest()}"', "crc64": str(CRC64(b"hello")), "metaData": {},
        "creationTime": "", "modificationTime": ""}
    assert lib.names(admin, "-", "docs") == ["a.txt"]
    assert stored(lib, begun["path"][1:]) == b"hello"
    assert error_of(confirm(lib, admin, "-", begun["confirmKey"])) == (404, "UploadNotFound")  # used up

    # Same name again: renamed by default, 409 with ask; no parent: refused (uploads create no directories).
    assert upload(lib, admin, "-", "docs/a.txt", b"again").json()["path"] == ["docs", "a (1).txt"]
    assert error_of(begin(lib, admin, "-", "docs/a.txt", conflict_resolution_strategy="ask")) == (
        409, "SameNameDirectoryOrFileExists")
    assert error_of(begin(lib, admin, "-", "nope/a.txt")) == (404, "DirectoryNotFound")
    replaced = upload(lib, admin, "-", "docs/a.txt", b"third", conflict_resolution_strategy="overwrite").json()
    assert replaced["path"] == ["docs", "a.txt"] and replaced["size"] == "5"

    # A confirm belongs to the user who began; a library without a bucket of yours takes only the shortcut.
    mine = begin(lib, lib.token("upload_file", user_id="ann"), "-", "docs/b.txt").json()
    assert error_of(confirm(lib, lib.token("upload_file", user_id="bo"), "-", mine["confirmKey"])) == (
        403, "UploadNotBelongYou")
    bare = Lib(emulator, IsFileLibrary=True)
    assert error_of(begin(bare, bare.token(), "-", "a.txt")) == (501, "NotImplemented")
    assert bare.upload(bare.token(), "-", "a.txt").status_code == 201  # the one-request shortcut


def test_multipart_upload_parts_go_to_cos(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, bucket=BUCKET, IsFileLibrary=True)
    admin = lib.token()
    data = os.urandom(MB) + b"tail"
    resp = begin(lib, admin, "-", "big.bin", multipart=True, filesize=len(data))
    assert resp.status_code == 200, resp.text
    begun = resp.json()
    assert begun["uploadId"] and begun["confirmKey"]
    for number, chunk in ((1, data[:MB]), (2, data[MB:])):  # one set of headers serves every part
        part = to_cos(lib, begun, chunk, partNumber=number, uploadId=begun["uploadId"])
        assert part.status_code == 200 and part.headers["ETag"] == f'"{hashlib.md5(chunk).hexdigest()}"'
    done = confirm(lib, admin, "-", begun["confirmKey"])
    assert done.status_code == 200 and done.json()["size"] == str(len(data))
    assert stored(lib, begun["path"][1:]) == data
    assert cos(emulator.url).list_multipart_uploads(Bucket=BUCKET).get("Upload") is None  # completed by SMH

    # Resumable: the state lists the parts COS holds; renew signs fresh headers for the same object and upload.
    again = begin(lib, admin, "-", "big2.bin", multipart=True).json()
    assert to_cos(lib, again, b"x", partNumber=1, uploadId=again["uploadId"]).status_code == 200
    state = lib.call("GET", f"file/{lib.id}/-/{again['confirmKey']}", admin, params={"upload": ""})
    assert state.status_code == 200, state.text
    assert [(p["PartNumber"], p["Size"]) for p in state.json()["parts"]] == [("1", "1")]
    assert state.json()["path"] == ["big2.bin"] and state.json()["uploadPartInfo"]["uploadId"] == again["uploadId"]
    renewed = lib.call("POST", f"file/{lib.id}/-/{again['confirmKey']}", admin, params={"renew": ""}).json()
    assert (renewed["path"], renewed["uploadId"]) == (again["path"], again["uploadId"])
    assert to_cos(lib, renewed, b"y", partNumber=2, uploadId=again["uploadId"]).status_code == 200

    # Abandoned: the COS upload is aborted and the confirmKey is gone.
    gone = lib.call("DELETE", f"file/{lib.id}/-/{again['confirmKey']}", admin, params={"upload": ""})
    assert gone.status_code == 204
    assert cos(emulator.url).list_multipart_uploads(Bucket=BUCKET).get("Upload") is None
    assert error_of(confirm(lib, admin, "-", again["confirmKey"])) == (404, "UploadNotFound")


def test_delete_move_copy_head_and_links(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, bucket=BUCKET, IsFileLibrary=True, UseRecycleBin=True)
    admin = lib.token()
    lib.mkdir(admin, "-", "a/b")
    first = upload(lib, admin, "-", "a/f.txt", b"hello").json()
    key = lambda path: lib.call("GET", f"file/{lib.id}/-/{path}", admin,  # noqa: E731
                                allow_redirects=False).headers["Location"]

    # Download and preview: 302 to a pre-signed GET of the object in the bound bucket.
    link = urlsplit(key("a/f.txt"))
    assert link.netloc == f"{BUCKET}.cos.ap-guangzhou.myqcloud.com" and link.path.startswith(f"/{lib.id}/")
    assert set(parse_qs(link.query)) >= {"q-sign-algorithm", "q-ak", "q-sign-time", "q-signature"}
    assert presigned_ok(link.geturl()) and not presigned_ok(link._replace(path=link.path + "x").geturl())
    info = lib.call("GET", f"file/{lib.id}/-/a/f.txt", admin, params={"info": "", "purpose": "download"}).json()
    assert presigned_ok(info["cosUrl"]) and (info["size"], info["type"]) == ("5", "file")
    preview = lib.call("GET", f"file/{lib.id}/-/a/f.txt", admin, params={"preview": ""}, allow_redirects=False)
    assert preview.status_code == 302
    head = lib.call("HEAD", f"file/{lib.id}/-/a/f.txt", admin)
    assert (head.status_code, head.headers["x-smh-size"], head.headers["x-smh-type"]) == (200, "5", "file")
    assert lib.call("GET", f"file/{lib.id}/-/a/nope.txt", admin).status_code == 404

    # Rename/move (body "from"), copy (body "copyFrom"): the answer is the file where it ends up.
    moved = lib.call("PUT", f"file/{lib.id}/-/a/b/g.txt", admin, json={"from": "a/f.txt"})
    assert moved.status_code == 200 and moved.json()["path"] == ["a", "b", "g.txt"], moved.text
    assert lib.names(admin, "-", "a") == ["b"] and lib.names(admin, "-", "a/b") == ["g.txt"]
    copied = lib.call("PUT", f"file/{lib.id}/-/a/h.txt", admin, json={"copyFrom": "a/b/g.txt"})
    assert copied.status_code == 200 and copied.json()["size"] == "5"
    assert urlsplit(key("a/h.txt")).path != urlsplit(key("a/b/g.txt")).path  # its own object
    assert error_of(lib.call("PUT", f"file/{lib.id}/-/a/x.txt", admin, json={"from": "a/none.txt"})) == (
        404, "SourceFileNotFound")
    assert error_of(lib.call("PUT", f"file/{lib.id}/-/z/x.txt", admin, json={"copyFrom": "a/h.txt"})) == (
        404, "DirectoryNotFound")

    # Delete: to the recycle bin (200), or for good (204, the object leaves the bucket).
    recycled = lib.call("DELETE", f"file/{lib.id}/-/a/h.txt", admin)
    assert recycled.status_code == 200 and isinstance(recycled.json()["recycledItemId"], int)
    gone = urlsplit(key("a/b/g.txt")).path[1:]
    assert lib.call("DELETE", f"file/{lib.id}/-/a/b/g.txt", admin, params={"permanent": "1"}).status_code == 204
    assert first["path"] == ["a", "f.txt"] and lib.names(admin, "-", "a/b") == []
    assert cos(emulator.url).list_objects(Bucket=BUCKET, Prefix=gone).get("Contents") is None
    assert error_of(lib.call("DELETE", f"file/{lib.id}/-/a/b/g.txt", admin)) == (404, "FileNotFound")

    # A share of what exists.
    upload(lib, admin, "-", "a/s.txt")
    share = lib.call("POST", f"share/{lib.id}/-", admin, json={"name": "s", "filePath": ["a/s.txt"],
                                                               "config": {"isPermanent": True}})
    assert share.status_code == 200 and share.json()["isPermanent"] is True and share.json()["code"]
    assert error_of(lib.call("POST", f"share/{lib.id}/-", admin, json={"name": "s", "filePath": ["a/no"]})) == (
        404, "FileNotFound")
