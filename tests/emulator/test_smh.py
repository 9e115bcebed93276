"""SMH control plane (API 3.0, 2021-07-12) through the official tencentcloud-sdk-python-smh.

Errors are asserted as the SDK shows them: `TencentCloudSDKException.code`. `call_json` is the SDK's own
generic call; it is used where the raw `Response` (nulls, exact types) matters.
"""

from __future__ import annotations

import json
import re
import threading
import time
import types
from typing import Any

import pytest
import requests
from tencentcloud.common import abstract_client, credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.smh.v20210712 import models, smh_client

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Accounts
from emulator.server import make_server
from emulator.store import Store
from tests.emulator_process import EmulatorProcess
from tests.other_accounts import OTHER_APP_ID, SMH_OTHER, SMH_TEMP
from tests.sdk_clients import APP_ID, REGION, cos, smh

OTHER_ID, OTHER_KEY = SMH_OTHER
TEMP_ID, TEMP_KEY, TEMP_TOKEN = SMH_TEMP
SINGLE_MEDIA_DEFAULTS = {
    "IsFileLibrary": False,
    "IsMultiSpace": False,
    "CosStorageClass": "STANDARD",
    "UseRecycleBin": False,
    "AutoRemoveRecycledDays": None,
    "EnableSearch": False,
    "DenyOnQuotaLessThanUsage": False,
    "EnableFileHistory": False,
    "FileHistoryCount": None,
    "FileHistoryExpireDay": None,
    "MaxDirFileNameLength": 255,
    "IsPublicRead": False,
    "IsMultiAlbum": False,
    "AllowPhoto": True,
    "AllowPhotoExtName": [],
    "AllowVideo": True,
    "AllowVideoExtName": [],
    "AllowFileExtName": None,
    "RecognizeSensitiveContent": False,
    "EnableQuota": False,
    "LibraryQuota": None,
}
MEDIA_ONLY = ("IsMultiAlbum", "AllowPhoto", "AllowPhotoExtName", "AllowVideo", "AllowVideoExtName")
MEDIA_SETTINGS = {"IsMultiAlbum": True, "AllowVideo": False, "AllowPhotoExtName": ["jpg"], "MaxDirFileNameLength": 1,
                  "CosStorageClass": "STANDARD_IA", "IsPublicRead": True, "EnableSearch": True}


def code_of(call: Any, *args: Any) -> str:
    with pytest.raises(TencentCloudSDKException) as info:
        call(*args)
    assert info.value.requestId  # every API 3.0 error carries a RequestId
    return info.value.code


def request(model: type, **fields: Any) -> Any:
    req = model()
    req.from_json_string(json.dumps(fields))
    return req


def create(c: smh_client.SmhClient, name: str = "lib", **fields: Any) -> str:
    return c.CreateLibrary(request(models.CreateLibraryRequest, Name=name, **fields)).LibraryId


def describe(c: smh_client.SmhClient, **params: Any) -> dict[str, Any]:
    return c.call_json("DescribeLibraries", params)["Response"]


def library(c: smh_client.SmhClient, library_id: str) -> dict[str, Any]:
    found = describe(c, LibraryIds=[library_id])["List"]
    assert len(found) == 1
    return found[0]


def create_code(c: smh_client.SmhClient, **fields: Any) -> str:
    return code_of(c.call_json, "CreateLibrary", {"Name": "lib"} | fields)


def modify_code(c: smh_client.SmhClient, library_id: str, **fields: Any) -> str:
    return code_of(c.call_json, "ModifyLibrary", {"LibraryId": library_id} | fields)


@pytest.fixture
def client(emulator: EmulatorProcess) -> smh_client.SmhClient:
    return smh(emulator.url)


# -- CreateLibrary / DescribeLibraries -----------------------------------------------------------------
def test_create_and_describe_defaults(client: smh_client.SmhClient) -> None:
    resp = client.CreateLibrary(
        request(models.CreateLibraryRequest, Name="photos", Remark="r", Tags=[{"TagKey": "env", "TagValue": "dev"}])
    )
    assert re.fullmatch(r"smh[a-z0-9]{13}", resp.LibraryId)
    assert resp.AccessDomain == f"{resp.LibraryId}.api.tencentsmh.cn"
    assert resp.RequestId
    listed = describe(client)
    assert listed["TotalCount"] == 1
    lib = listed["List"][0]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", lib.pop("CreationTime"))
    assert lib == {
        "LibraryId": resp.LibraryId,
        "Name": "photos",
        "Remark": "r",
        "BucketName": "",
        "BucketRegion": "",
        "AccessDomain": resp.AccessDomain,
        "LibraryExtension": SINGLE_MEDIA_DEFAULTS,
        "Size": "0",
        "DirNum": "0",
        "FileNum": "0",
        "Tags": [{"TagKey": "env", "TagValue": "dev"}],
    }
    typed = client.DescribeLibraries(models.DescribeLibrariesRequest())
    assert typed.TotalCount == 1 and typed.List[0].LibraryExtension.AllowPhoto is True


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"IsFileLibrary": True}, {"IsFileLibrary": True, "AllowFileExtName": []} | dict.fromkeys(MEDIA_ONLY)),
        (
            {"IsMultiSpace": True},
            {"IsMultiSpace": True, "IsPublicRead": None, "RecognizeSensitiveContent": None} | dict.fromkeys(MEDIA_ONLY),
        ),
        (
            {"IsMultiSpace": True, "IsFileLibrary": True, "EnableQuota": True, "LibraryQuota": 1024},
            {
                "IsMultiSpace": True,
                "IsFileLibrary": True,
                "EnableQuota": True,
                "LibraryQuota": 1024,
                "IsPublicRead": None,
                "RecognizeSensitiveContent": None,
            }
            | dict.fromkeys(MEDIA_ONLY),
        ),
        ({"UseRecycleBin": True}, {"UseRecycleBin": True, "AutoRemoveRecycledDays": 0}),
        (
            {"UseRecycleBin": True, "AutoRemoveRecycledDays": 1095},
            {"UseRecycleBin": True, "AutoRemoveRecycledDays": 1095},
        ),
        ({"UseRecycleBin": False, "AutoRemoveRecycledDays": 30}, {}),
        ({"EnableFileHistory": True}, {"EnableFileHistory": True, "FileHistoryCount": 999, "FileHistoryExpireDay": 0}),
        (
            {"EnableFileHistory": True, "FileHistoryCount": 1, "FileHistoryExpireDay": 999},
            {"EnableFileHistory": True, "FileHistoryCount": 1, "FileHistoryExpireDay": 999},
        ),
        (MEDIA_SETTINGS, MEDIA_SETTINGS),  # all kept as given
        ({"CosStorageClass": "MAZ_STANDARD"}, {}),  # the managed bucket is not multi-AZ
    ],
)
def test_extension_defaults_and_nulls(client: smh_client.SmhClient, given: dict, expected: dict) -> None:
    lib_id = create(client, LibraryExtension=given)
    assert library(client, lib_id)["LibraryExtension"] == SINGLE_MEDIA_DEFAULTS | expected


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"Name": ""}, "InvalidParameterValue"),
        ({"Name": "x" * 51}, "InvalidParameterValue"),
        ({"Remark": "x" * 251}, "InvalidParameterValue"),
        ({"Name": 5}, "InvalidParameter"),
        ({"Bogus": 1}, "UnknownParameter"),
        ({"LibraryExtension": {"IsMultiSpace": True, "IsMultiAlbum": False}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"IsMultiSpace": True, "IsPublicRead": True}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"IsMultiSpace": True, "AllowPhoto": True}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"IsMultiSpace": True, "AllowVideo": False}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"IsFileLibrary": True, "AllowPhoto": True}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"AllowFileExtName": ["txt"]}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"CosStorageClass": "ARCHIVE"}}, "InvalidParameterValue.CosStorageClass"),
        (
            {"LibraryExtension": {"IsMultiSpace": True, "EnableQuota": True}},
            "InvalidParameterValue.LibraryQuotaRequired",
        ),
        (
            {"LibraryExtension": {"EnableQuota": True, "LibraryQuota": 1}},
            "InvalidParameterValue.LibraryQuotaRequiresMultiSpace",
        ),
        ({"LibraryExtension": {"IsMultiSpace": True, "EnableQuota": True, "LibraryQuota": 0}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"LibraryQuota": 5}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"AutoRemoveRecycledDays": 1096, "UseRecycleBin": True}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"FileHistoryCount": 0, "EnableFileHistory": True}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"FileHistoryCount": 1000, "EnableFileHistory": True}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"FileHistoryExpireDay": 1000, "EnableFileHistory": True}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"FileHistoryExpireDay": -1, "EnableFileHistory": True}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"MaxDirFileNameLength": 256}}, "InvalidParameterValue"),
        ({"LibraryExtension": {"IsFileLibrary": "yes"}}, "InvalidParameter"),
        ({"LibraryExtension": {"Nope": True}}, "UnknownParameter"),
        ({"Tags": [{"TagKey": "a", "TagValue": "1"}, {"TagKey": "a", "TagValue": "2"}]}, "InvalidParameterValue"),
        ({"Tags": [{"TagKey": "a"}]}, "MissingParameter"),
    ],
)
def test_create_validation(client: smh_client.SmhClient, fields: dict, code: str) -> None:
    assert create_code(client, **fields) == code
    assert describe(client)["TotalCount"] == 0


def test_create_requires_name_and_accepts_fifty_chars(client: smh_client.SmhClient) -> None:
    assert code_of(client.call_json, "CreateLibrary", {}) == "MissingParameter"
    assert library(client, create(client, "n" * 50))["Name"] == "n" * 50


def test_create_with_bucket(client: smh_client.SmhClient, emulator: EmulatorProcess) -> None:
    bucket_client = cos(emulator.url)
    bucket_client.create_bucket(Bucket=f"media-{APP_ID}")
    lib_id = create(client, BucketName=f"media-{APP_ID}", BucketRegion=REGION)
    lib = library(client, lib_id)
    assert (lib["BucketName"], lib["BucketRegion"]) == (f"media-{APP_ID}", REGION)
    bucket_client.create_bucket(Bucket=f"maz-{APP_ID}", BucketAZConfig="MAZ")
    maz_id = create(
        client, BucketName=f"maz-{APP_ID}", BucketRegion=REGION, LibraryExtension={"CosStorageClass": "STANDARD_IA"}
    )
    assert library(client, maz_id)["LibraryExtension"]["CosStorageClass"] == "MAZ_STANDARD_IA"
    # the same class, given with or without the MAZ_ prefix, is "unchanged"
    client.call_json("ModifyLibrary", {"LibraryId": maz_id, "LibraryExtension": {"CosStorageClass": "STANDARD_IA"}})

    cases = [
        ({"BucketName": f"media-{APP_ID}"}, "MissingParameter"),
        ({"BucketRegion": REGION}, "MissingParameter"),
        ({"BucketName": f"ghost-{APP_ID}", "BucketRegion": REGION}, "InvalidParameterValue.BucketNotFound"),
        ({"BucketName": f"media-{APP_ID}", "BucketRegion": "ap-shanghai"}, "InvalidParameterValue.BucketRegionInvalid"),
        ({"BucketName": f"media-{APP_ID}", "BucketRegion": "mars-1"}, "InvalidParameterValue.BucketRegionInvalid"),
        ({"BucketName": "Bad_Name", "BucketRegion": REGION}, "InvalidParameterValue.BucketNameInvalid"),
        (
            {"BucketName": f"ghost-{OTHER_APP_ID}", "BucketRegion": REGION},
            "InvalidParameterValue.BucketNameNotBelongYou",
        ),
    ]
    for fields, code in cases:
        assert create_code(client, **fields) == code, fields


def test_other_accounts_bucket_does_not_belong_to_you(two: EmulatorProcess) -> None:
    cos(two.url, OTHER_ID, OTHER_KEY).create_bucket(Bucket=f"theirs-{OTHER_APP_ID}")
    assert (
        create_code(smh(two.url), BucketName=f"theirs-{OTHER_APP_ID}", BucketRegion=REGION)
        == "InvalidParameterValue.BucketNameNotBelongYou"
    )
    assert create(smh(two.url, OTHER_ID, OTHER_KEY), BucketName=f"theirs-{OTHER_APP_ID}", BucketRegion=REGION)


def test_describe_paging_ids_and_tags(client: smh_client.SmhClient) -> None:
    ids = [create(client, f"lib{i}", Tags=[{"TagKey": "team", "TagValue": "a" if i % 2 else "b"}]) for i in range(5)]
    assert [lib["LibraryId"] for lib in describe(client)["List"]] == ids
    assert describe(client, LibraryIds=[])["TotalCount"] == 5
    page = describe(client, PageNumber=2, PageSize=2)
    assert (page["TotalCount"], [lib["LibraryId"] for lib in page["List"]]) == (5, ids[2:4])
    window = describe(client, Offset=3, Limit=10, PageNumber=1, PageSize=1)
    assert [lib["LibraryId"] for lib in window["List"]] == ids[3:]
    picked = describe(client, LibraryIds=[ids[4], "smhnosuchlibrary1", ids[0]])
    assert (picked["TotalCount"], {lib["LibraryId"] for lib in picked["List"]}) == (2, {ids[0], ids[4]})
    tagged = describe(client, TagFilters=[{"TagKey": "team", "TagValue": ["a"]}])
    assert [lib["LibraryId"] for lib in tagged["List"]] == [ids[1], ids[3]]
    assert describe(client, TagFilters=[{"TagKey": "team", "TagValue": ["a", "b"]}])["TotalCount"] == 5
    assert describe(client, TagFilters=[{"TagKey": "other", "TagValue": ["a"]}])["TotalCount"] == 0
    assert describe(client, TagFilters=[{"TagKey": "team"}])["TotalCount"] == 5


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"LibraryIds": [f"smh{i:013d}" for i in range(101)]}, "InvalidParameterValue.LimitExceeded"),
        ({"PageSize": 101}, "InvalidParameterValue.LimitExceeded"),
        ({"Limit": 101}, "InvalidParameterValue.LimitExceeded"),
        ({"PageNumber": 0}, "InvalidParameterValue"),
        ({"Offset": -1}, "InvalidParameterValue"),
        ({"PageSize": "10"}, "InvalidParameter"),
        ({"TagFilters": [{"TagValue": ["a"]}]}, "MissingParameter"),
    ],
)
def test_describe_validation(client: smh_client.SmhClient, params: dict, code: str) -> None:
    assert code_of(client.call_json, "DescribeLibraries", params) == code


def test_get_requests(emulator: EmulatorProcess) -> None:
    http = HttpProfile(protocol="http", endpoint="smh.tencentcloudapi.com", proxy=emulator.url, reqMethod="GET")
    get = smh_client.SmhClient(
        credential.Credential(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY), "", ClientProfile(httpProfile=http)
    )
    lib_id = create(
        get,
        "via-get",
        LibraryExtension={"IsFileLibrary": True, "AllowFileExtName": ["txt", "md"]},
        Tags=[{"TagKey": "k", "TagValue": "v"}],
    )
    found = get.DescribeLibraries(
        request(
            models.DescribeLibrariesRequest,
            LibraryIds=[lib_id],
            PageSize=5,
            TagFilters=[{"TagKey": "k", "TagValue": ["v"]}],
        )
    )
    assert found.TotalCount == 1
    assert found.List[0].LibraryExtension.AllowFileExtName == ["txt", "md"]
    assert found.List[0].LibraryExtension.IsFileLibrary is True


# -- ModifyLibrary / DeleteLibrary / DescribeLibrarySecret -----------------------------------------------
def test_modify_changes_only_passed_fields(client: smh_client.SmhClient) -> None:
    lib_id = create(
        client,
        "before",
        Remark="keep",
        LibraryExtension={"UseRecycleBin": True, "AutoRemoveRecycledDays": 7},
        Tags=[{"TagKey": "a", "TagValue": "1"}],
    )
    client.ModifyLibrary(request(models.ModifyLibraryRequest, LibraryId=lib_id, Name="after"))
    lib = library(client, lib_id)
    assert (lib["Name"], lib["Remark"], lib["Tags"]) == ("after", "keep", [{"TagKey": "a", "TagValue": "1"}])
    assert lib["LibraryExtension"]["AutoRemoveRecycledDays"] == 7
    client.ModifyLibrary(
        request(
            models.ModifyLibraryRequest,
            LibraryId=lib_id,
            Remark="",
            Tags=[],
            LibraryExtension={
                "EnableSearch": True,
                "IsFileLibrary": False,
                "IsMultiAlbum": False,
                "CosStorageClass": "STANDARD",
            },
        )
    )
    lib = library(client, lib_id)
    assert (lib["Remark"], lib["Tags"], lib["LibraryExtension"]["EnableSearch"]) == ("", [], True)
    assert lib["LibraryExtension"]["AutoRemoveRecycledDays"] == 7
    client.call_json("ModifyLibrary", {"LibraryId": lib_id, "LibraryExtension": {"UseRecycleBin": False}})
    assert library(client, lib_id)["LibraryExtension"]["AutoRemoveRecycledDays"] is None
    client.call_json("ModifyLibrary", {"LibraryId": lib_id, "LibraryExtension": {"UseRecycleBin": True}})
    assert library(client, lib_id)["LibraryExtension"]["AutoRemoveRecycledDays"] == 0


@pytest.mark.parametrize(
    ("extension", "code"),
    [
        ({"IsFileLibrary": True}, "InvalidParameterValue"),
        ({"IsMultiSpace": True}, "InvalidParameterValue"),
        ({"CosStorageClass": "STANDARD_IA"}, "InvalidParameterValue"),
        ({"CosStorageClass": "COLD"}, "InvalidParameterValue.CosStorageClass"),
        ({"IsMultiAlbum": True}, "InvalidParameterValue"),
        ({"EnableQuota": True}, "InvalidParameterValue"),
        ({"LibraryQuota": 10}, "InvalidParameterValue"),
        ({"AllowFileExtName": ["txt"]}, "InvalidParameterValue"),
        ({"FileHistoryCount": 1000}, "InvalidParameterValue"),
        ({"MaxDirFileNameLength": 0}, "InvalidParameterValue"),
    ],
)
def test_modify_refuses_immutable_and_invalid(client: smh_client.SmhClient, extension: dict, code: str) -> None:
    lib_id = create(client)
    assert modify_code(client, lib_id, LibraryExtension=extension) == code
    assert library(client, lib_id)["LibraryExtension"] == SINGLE_MEDIA_DEFAULTS


def test_modify_multi_space_library(client: smh_client.SmhClient) -> None:
    lib_id = create(client, LibraryExtension={"IsMultiSpace": True, "EnableQuota": True, "LibraryQuota": 100})
    for field, value in (("IsMultiAlbum", False), ("IsPublicRead", True), ("AllowPhoto", True), ("AllowVideo", True)):
        assert modify_code(client, lib_id, LibraryExtension={field: value}) == "InvalidParameterValue", field
    client.call_json(
        "ModifyLibrary", {"LibraryId": lib_id, "LibraryExtension": {"LibraryQuota": 200, "EnableQuota": True}}
    )
    assert library(client, lib_id)["LibraryExtension"]["LibraryQuota"] == 200


def test_modify_errors(client: smh_client.SmhClient) -> None:
    lib_id = create(client)
    assert modify_code(client, lib_id, Name="x" * 51) == "InvalidParameterValue.LimitExceeded"
    assert modify_code(client, lib_id, Remark="x" * 251) == "InvalidParameterValue.LimitExceeded"
    assert modify_code(client, lib_id, Name="") == "InvalidParameterValue"
    assert modify_code(client, "smhnosuchlibrary1", Name="x") == "ResourceNotFound.Library"
    assert code_of(client.call_json, "ModifyLibrary", {"Name": "x"}) == "MissingParameter"


def test_delete_and_secret(client: smh_client.SmhClient) -> None:
    lib_id = create(client)
    secret = client.DescribeLibrarySecret(request(models.DescribeLibrarySecretRequest, LibraryId=lib_id))
    assert secret.LibraryId == lib_id
    assert re.fullmatch(r"[0-9a-f]{64}", secret.LibrarySecret)
    again = client.call_json("DescribeLibrarySecret", {"LibraryId": lib_id})["Response"]
    assert again["LibrarySecret"] == secret.LibrarySecret
    assert client.DeleteLibrary(request(models.DeleteLibraryRequest, LibraryId=lib_id)).RequestId
    assert describe(client)["TotalCount"] == 0
    for action in ("DeleteLibrary", "DescribeLibrarySecret", "ModifyLibrary"):
        assert code_of(client.call_json, action, {"LibraryId": lib_id}) == "ResourceNotFound.Library"
        assert code_of(client.call_json, action, {}) == "MissingParameter"


def test_libraries_are_per_account(two: EmulatorProcess) -> None:
    mine, theirs = smh(two.url), smh(two.url, OTHER_ID, OTHER_KEY)
    their_id = create(theirs, "theirs")
    assert describe(mine)["TotalCount"] == 0
    assert describe(mine, LibraryIds=[their_id])["TotalCount"] == 0
    for action in ("DeleteLibrary", "DescribeLibrarySecret", "ModifyLibrary"):
        assert code_of(mine.call_json, action, {"LibraryId": their_id}) == "ResourceNotFound.Library"
    assert describe(theirs)["TotalCount"] == 1


def test_delete_refused_while_spaces_remain() -> None:
    server, emu = make_server("127.0.0.1", 0, Store(), Accounts.build())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        c = smh(url)
        lib_id = create(c, LibraryExtension={"IsMultiSpace": True})
        emu.ctx.store.put("space", f"{lib_id}/space1", {"spaceId": "space1"})
        assert code_of(c.call_json, "DeleteLibrary", {"LibraryId": lib_id}) == "ResourceInUse.MultiSpace"
        emu.ctx.store.delete("space", f"{lib_id}/space1")
        c.call_json("DeleteLibrary", {"LibraryId": lib_id})
    finally:
        server.shutdown()
        server.server_close()


# -- signatures, actions, versions -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "action", ["CreateLibrary", "DescribeLibraries", "ModifyLibrary", "DeleteLibrary", "DescribeLibrarySecret"]
)
def test_signature_errors(emulator: EmulatorProcess, action: str, monkeypatch: pytest.MonkeyPatch) -> None:
    params = {"CreateLibrary": {"Name": "x"}, "DescribeLibraries": {}}.get(action, {"LibraryId": "smhnosuchlibrary1"})
    assert (
        code_of(smh(emulator.url, DEFAULT_SECRET_ID, "wrong").call_json, action, params)
        == "AuthFailure.SignatureFailure"
    )
    assert code_of(smh(emulator.url, "AKIDNOSUCHKEY", "k").call_json, action, params) == "AuthFailure.SecretIdNotFound"
    real = time.time
    monkeypatch.setattr(abstract_client, "time", types.SimpleNamespace(time=lambda: real() - 600, sleep=time.sleep))
    assert code_of(smh(emulator.url).call_json, action, params) == "AuthFailure.SignatureExpire"


def test_temporary_token(two: EmulatorProcess) -> None:
    assert create(smh(two.url, TEMP_ID, TEMP_KEY, TEMP_TOKEN))
    assert describe(smh(two.url))["TotalCount"] == 1  # the temporary key acts for its account
    assert code_of(smh(two.url, TEMP_ID, TEMP_KEY).call_json, "DescribeLibraries", {}) == "AuthFailure.TokenFailure"
    assert (
        code_of(smh(two.url, TEMP_ID, TEMP_KEY, "tok-2").call_json, "DescribeLibraries", {})
        == "AuthFailure.TokenFailure"
    )


def test_unsigned_and_malformed(emulator: EmulatorProcess) -> None:
    base = {
        "Content-Type": "application/json",
        "X-TC-Action": "DescribeLibraries",
        "X-TC-Version": "2021-07-12",
        "X-TC-Timestamp": str(int(time.time())),
    }
    for extra in ({}, {"Authorization": "TC3-HMAC-SHA256 garbage"}):
        rt = requests.post(
            "http://smh.tencentcloudapi.com/",
            data=b"{}",
            headers=base | extra,
            proxies={"http": emulator.url},
            timeout=10,
        )
        assert rt.status_code == 200
        assert rt.headers["Content-Type"] == "application/json"
        body = rt.json()["Response"]
        assert body["Error"]["Code"] == "AuthFailure.InvalidAuthorization"
        assert body["RequestId"]


def test_actions_versions_and_services(client: smh_client.SmhClient, emulator: EmulatorProcess) -> None:
    assert code_of(client.call_json, "CreateBucket", {}) == "InvalidAction"
    assert code_of(client.call_json, "DescribeOfficialInstances", {}) == "UnsupportedOperation"
    old = smh(emulator.url)
    old._apiVersion = "2020-01-01"
    assert code_of(old.call_json, "DescribeLibraries", {}) == "NoSuchVersion"
    cvm_host = HttpProfile(protocol="http", endpoint="cvm.tencentcloudapi.com", proxy=emulator.url)
    cvm = smh_client.SmhClient(
        credential.Credential(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY), "", ClientProfile(httpProfile=cvm_host)
    )
    assert code_of(cvm.call_json, "DescribeLibraries", {}) == "InvalidAction"
    wrong_scope = smh(emulator.url)
    wrong_scope._service = "cvm"
    assert code_of(wrong_scope.call_json, "DescribeLibraries", {}) == "AuthFailure.SignatureFailure"


def test_endpoint_mode_and_unsigned_payload(emulator: EmulatorProcess) -> None:
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=f"127.0.0.1:{emulator.port}"))
    profile.unsignedPayload = True
    direct = smh_client.SmhClient(credential.Credential(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY), REGION, profile)
    lib_id = create(direct, "direct")
    assert library(direct, lib_id)["Name"] == "direct"


def test_injected_fault_and_request_log(client: smh_client.SmhClient, emulator: EmulatorProcess) -> None:
    emulator.control(
        "POST", "faults", {"errors": [{"service": "smh", "action": "CreateLibrary", "code": "RequestLimitExceeded"}]}
    )
    assert code_of(client.call_json, "CreateLibrary", {"Name": "x"}) == "RequestLimitExceeded"
    emulator.control("DELETE", "faults")
    lib_id = create(client)
    assert create_code(client, Name="") == "InvalidParameterValue"
    client.call_json("DeleteLibrary", {"LibraryId": lib_id})
    log = emulator.control("GET", "requests")
    assert log["mutating_counts"] == {"smh:CreateLibrary": 1, "smh:DeleteLibrary": 1}
    assert log["faults_injected"] == 1
    assert "InvalidParameterValue" in [e["code"] for e in log["requests"]]
    create(client, "kept")
    assert [lib["Name"] for lib in emulator.control("GET", "inventory")["libraries"]] == ["kept"]
    assert "secret" not in emulator.control("GET", "inventory")["libraries"][0]
