"""The SigV4 verifier against AWS's published examples, and the ways a signature must fail.

Vectors: the SigV4 test suite's `get-vanilla`, and the S3 examples "GET Object" (header auth), "presigned
URL" and "PUT Object in chunks" (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) from the S3 API reference.
"""

from __future__ import annotations

import base64
import zlib
from datetime import UTC, datetime

import pytest

from emulator.accounts import Account, Accounts, Key
from emulator.auth import AuthFailure
from emulator.auth.aws_chunked import decode_aws_chunked
from emulator.auth.sigv4 import (
    EMPTY_SHA256,
    canonical_request,
    sign,
    signing_key,
    string_to_sign,
    verify_sigv4,
)

AK, SK = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCOUNTS = Accounts([Account("1250000000", "100000000001", [Key(AK, SK), Key("AKIDTEMP", SK + "x", "tok")])])
NOW = datetime(2013, 5, 24, tzinfo=UTC).timestamp()
SCOPE = "20130524/us-east-1/s3/aws4_request"


def get_object_headers(signature: str = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
                       access_key: str = AK) -> dict[str, str]:
    return {
        "host": "examplebucket.s3.amazonaws.com", "range": "bytes=0-9", "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": "20130524T000000Z",
        "authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/{SCOPE},"
                         f"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature={signature}",
    }


def fails(kind: str, **kwargs: object) -> str:
    args = {"accounts": ACCOUNTS, "method": "GET", "raw_path": "/test.txt", "raw_query": "",
            "headers": get_object_headers(), "body": b"", "region": "us-east-1", "now": NOW} | kwargs
    with pytest.raises(AuthFailure) as info:
        verify_sigv4(**args)  # type: ignore[arg-type]
    assert info.value.kind == kind, info.value.message
    return info.value.message


def test_get_vanilla_vector() -> None:
    canonical = canonical_request("GET", "/", "", {"host": "example.amazonaws.com", "x-amz-date": "20150830T123600Z"},
                                  ["host", "x-amz-date"], EMPTY_SHA256)
    key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service")
    to_sign = string_to_sign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical)
    assert sign(key, to_sign) == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"


def test_s3_get_object_vector() -> None:
    found = verify_sigv4(ACCOUNTS, "GET", "/test.txt", "", get_object_headers(), b"", "us-east-1", NOW)
    assert (found.account.app_id, found.key.secret_id, found.region) == ("1250000000", AK, "us-east-1")


def test_s3_presigned_vector() -> None:
    query = ("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3"
             "%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
             "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    headers = {"host": "examplebucket.s3.amazonaws.com"}
    assert verify_sigv4(ACCOUNTS, "GET", "/test.txt", query, headers, b"", "us-east-1", NOW).key.secret_id == AK
    assert fails("expired", raw_query=query, headers=headers, now=NOW + 86401) == "Request has expired"
    assert fails("mismatch", raw_query=query.replace("Expires=86400", "Expires=86399"), headers=headers)


CHUNK_SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
CHUNKED_HEADERS = {
    "host": "s3.amazonaws.com", "content-encoding": "aws-chunked", "content-length": "66824",
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "x-amz-date": "20130524T000000Z",
    "x-amz-decoded-content-length": "66560", "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "authorization": f"AWS4-HMAC-SHA256 Credential={AK}/{SCOPE},SignedHeaders=content-encoding;content-length;host;"
                     f"x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"
                     f"Signature={CHUNK_SEED}",
}


def chunked_body(first_chunk: bytes = b"a" * 65536) -> bytes:
    return (b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"
            + first_chunk + b"\r\n"
            + b"400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n"
            + b"a" * 1024 + b"\r\n"
            + b"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n")


def test_s3_chunked_upload_vector() -> None:
    found = verify_sigv4(ACCOUNTS, "PUT", "/examplebucket/chunkObject.txt", "", CHUNKED_HEADERS, chunked_body(),
                         "us-east-1", NOW)
    assert found.body == b"a" * 66560
    tampered = chunked_body(b"b" + b"a" * 65535)
    msg = fails("mismatch", method="PUT", raw_path="/examplebucket/chunkObject.txt", headers=CHUNKED_HEADERS,
                body=tampered)
    assert "chunk signature" in msg


def test_unsigned_trailer_body_is_decoded_and_its_checksum_checked() -> None:
    data = b"hello state"
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    headers = {"x-amz-trailer": "x-amz-checksum-crc32", "x-amz-decoded-content-length": str(len(data))}

    def body(checksum: str) -> bytes:
        return b"b\r\nhello state\r\n0\r\nx-amz-checksum-crc32:" + checksum.encode() + b"\r\n\r\n"

    mode = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    decoded, trailers = decode_aws_chunked(body(crc), mode, headers, b"", "", "", "")
    assert (decoded, trailers) == (data, {"x-amz-checksum-crc32": crc})
    with pytest.raises(AuthFailure) as info:
        decode_aws_chunked(body("AAAAAA=="), mode, headers, b"", "", "", "")
    assert info.value.kind == "digest"


def test_wrong_key_unknown_key_tampered_header_skew_and_payload() -> None:
    assert "does not match" in fails("mismatch", headers=get_object_headers("0" * 64))
    assert "AKIDNOBODY" in fails("unknown_key", headers=get_object_headers(access_key="AKIDNOBODY"))
    fails("mismatch", headers=get_object_headers() | {"range": "bytes=0-99"})
    fails("skewed", now=NOW + 16 * 60)
    fails("skewed", now=NOW - 16 * 60)
    assert "region" in fails("malformed", region="ap-guangzhou")
    declared = hand_signed("/k", SK, AK, "1" * 64, "PUT")
    fails("payload", method="PUT", raw_path="/k", headers=declared, body=b"not what was signed")
    fails("malformed", headers={k: v for k, v in get_object_headers().items() if k != "x-amz-date"})


def hand_signed(path: str, secret: str, access_key: str, payload_hash: str = EMPTY_SHA256,
                method: str = "GET") -> dict[str, str]:
    headers = {"host": "h", "x-amz-content-sha256": payload_hash, "x-amz-date": "20130524T000000Z"}
    canonical = canonical_request(method, path, "", headers, sorted(headers), payload_hash)
    sig = sign(signing_key(secret, "20130524", "us-east-1"), string_to_sign("20130524T000000Z", SCOPE, canonical))
    return headers | {"authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/{SCOPE}, "
                                       f"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={sig}"}


def test_temporary_key_needs_its_token() -> None:
    headers = hand_signed("/k", SK + "x", "AKIDTEMP")
    fails("token", raw_path="/k", headers=headers)
    assert verify_sigv4(ACCOUNTS, "GET", "/k", "", headers | {"x-amz-security-token": "tok"}, b"", None, NOW)
