"""`--library-bucket ignored` (EMULATOR_LIBRARY_BUCKET=ignored): CreateLibrary takes BucketName/BucketRegion and
stores the library in a bucket of its own choosing, as the current SDK documents the fields."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from tencentcloud.smh.v20210712 import models

from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import APP_ID, REGION, cos, smh

MANAGED = re.compile(rf"^smh-[a-z0-9]{{10}}-{APP_ID}$")


@pytest.fixture(scope="module")
def ignoring() -> Iterator[EmulatorProcess]:
    """An emulator told by the environment variable (the e2e fixture uses the command-line switch); the variable
    is set only while it starts, so the session emulator never inherits it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EMULATOR_LIBRARY_BUCKET", "ignored")
        proc = EmulatorProcess()
    yield proc
    proc.stop()


def _create(url: str, **fields: object) -> str:
    req = models.CreateLibraryRequest()
    req.from_json_string(json.dumps({"Name": "lib", **fields}))
    return smh(url).CreateLibrary(req).LibraryId


def _library(url: str, library_id: str) -> dict:
    return smh(url).call_json("DescribeLibraries", {"LibraryIds": [library_id]})["Response"]["List"][0]


def test_ignored_bucket_is_replaced_by_one_the_service_chooses(ignoring: EmulatorProcess) -> None:
    ignoring.control("POST", "reset")
    client = cos(ignoring.url)
    client.create_bucket(Bucket=f"photos-{APP_ID}")
    lib_id = _create(ignoring.url, BucketName=f"photos-{APP_ID}", BucketRegion=REGION)
    lib = _library(ignoring.url, lib_id)
    assert MANAGED.match(lib["BucketName"]) and lib["BucketRegion"] == REGION
    listed = {b["Name"] for b in client.list_buckets()["Buckets"]["Bucket"]}
    assert listed == {f"photos-{APP_ID}", lib["BucketName"]}
    # Not even checked: a bucket that does not exist is accepted the same way.
    other = _library(ignoring.url, _create(ignoring.url, BucketName=f"nowhere-{APP_ID}", BucketRegion="ap-beijing"))
    assert MANAGED.match(other["BucketName"]) and other["BucketRegion"] == "ap-beijing"
    assert other["BucketName"] != lib["BucketName"]
    # The chosen bucket goes with its library; the declared one stays.
    smh(ignoring.url).call_json("DeleteLibrary", {"LibraryId": lib_id})
    listed = {b["Name"] for b in client.list_buckets()["Buckets"]["Bucket"]}
    assert lib["BucketName"] not in listed and f"photos-{APP_ID}" in listed


def test_honoured_is_the_default(emulator: EmulatorProcess) -> None:
    cos(emulator.url).create_bucket(Bucket=f"photos-{APP_ID}")
    lib_id = _create(emulator.url, BucketName=f"photos-{APP_ID}", BucketRegion=REGION)
    assert _library(emulator.url, lib_id)["BucketName"] == f"photos-{APP_ID}"
