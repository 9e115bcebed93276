"""COS multipart uploads with cos-python-sdk-v5: Upload Part, List Parts, Complete (the parts SMH's multipart
uploads send to the bound bucket), and the SDK's own upload_file, which splits a large file into parts."""

from __future__ import annotations

import os
from pathlib import Path

from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import code_status, cos

BUCKET = "parts-1250000000"
MB = 1024 * 1024


def test_upload_part_list_and_complete(emulator: EmulatorProcess) -> None:
    c = cos(emulator.url)
    c.create_bucket(Bucket=BUCKET)
    upload_id = c.create_multipart_upload(Bucket=BUCKET, Key="big.bin")["UploadId"]
    first, second = os.urandom(MB), b"end"
    etags = [c.upload_part(Bucket=BUCKET, Key="big.bin", Body=body, PartNumber=n, UploadId=upload_id)["ETag"]
             for n, body in ((1, first), (2, second))]
    listed = c.list_parts(Bucket=BUCKET, Key="big.bin", UploadId=upload_id)["Part"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed] == [
        ("1", etags[0], str(MB)), ("2", etags[1], "3")]
    parts = {"Part": [{"PartNumber": n, "ETag": e} for n, e in ((1, etags[0]), (2, etags[1]))]}
    assert code_status(c.complete_multipart_upload, Bucket=BUCKET, Key="big.bin", UploadId=upload_id,
                       MultipartUpload={"Part": [{"PartNumber": 1, "ETag": '"bad"'}]}) == ("InvalidPart", 400)
    c.complete_multipart_upload(Bucket=BUCKET, Key="big.bin", UploadId=upload_id, MultipartUpload=parts)
    body = c.get_object(Bucket=BUCKET, Key="big.bin")["Body"].get_raw_stream().read()
    assert body == first + second
    assert code_status(c.upload_part, Bucket=BUCKET, Key="big.bin", Body=b"x", PartNumber=1,
                       UploadId=upload_id) == ("NoSuchUpload", 404)

    # A part below 1 MB that is not the last one is refused at completion.
    small = c.create_multipart_upload(Bucket=BUCKET, Key="small.bin")["UploadId"]
    tags = [c.upload_part(Bucket=BUCKET, Key="small.bin", Body=b"ab", PartNumber=n, UploadId=small)["ETag"]
            for n in (1, 2)]
    assert code_status(c.complete_multipart_upload, Bucket=BUCKET, Key="small.bin", UploadId=small,
                       MultipartUpload={"Part": [{"PartNumber": n, "ETag": t} for n, t in zip((1, 2), tags,
                                                                                           strict=True)]}) == (
        "EntityTooSmall", 400)


def test_sdk_upload_file_in_parts(emulator: EmulatorProcess, tmp_path: Path) -> None:
    c = cos(emulator.url)
    c.create_bucket(Bucket=BUCKET)
    data = os.urandom(2 * MB + 100)
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    c.upload_file(Bucket=BUCKET, Key="up.bin", LocalFilePath=str(src), PartSize=1, MAXThread=1)
    assert c.get_object(Bucket=BUCKET, Key="up.bin")["Body"].get_raw_stream().read() == data
    assert c.list_multipart_uploads(Bucket=BUCKET).get("Upload") is None
