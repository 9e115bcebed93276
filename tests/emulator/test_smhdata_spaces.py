"""SMH data plane: tenant spaces, their extension attributes, quotas, and DeleteLibrary while spaces exist."""

from __future__ import annotations

import re

from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.smh.v20210712 import models

from tests.emulator.test_smhdata_support import SPACE_ID, Lib, error_of, sdk_request
from tests.emulator_process import EmulatorProcess

DEFAULTS = {"isPublicRead": False, "isMultiAlbum": False, "allowPhoto": False, "allowVideo": False,
            "allowPhotoExtname": [], "allowVideoExtname": [], "allowFileExtname": [],
            "recognizeSensitiveContent": False, "spaceTag": ""}


def test_space_lifecycle(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiSpace=True)
    admin = lib.token()
    resp = lib.call("POST", f"space/{lib.id}", admin)
    assert resp.status_code == 201 and resp.headers["Content-Type"] == "application/json"
    plain = resp.json()["spaceId"]
    assert re.fullmatch(SPACE_ID, plain)
    attrs = {"isPublicRead": True, "isMultiAlbum": True, "allowPhoto": True, "allowPhotoExtname": [".jpg"],
             "recognizeSensitiveContent": True, "spaceTag": "team", "ignored": 1}
    tagged = lib.space(admin, **attrs)
    ext = f"space/{lib.id}/{{}}/extension"
    assert lib.call("GET", ext.format(plain), admin).json() == DEFAULTS
    del attrs["ignored"]
    assert lib.call("GET", ext.format(tagged), admin).json() == DEFAULTS | attrs
    listed = lib.call("GET", f"space/{lib.id}/list", admin).json()
    assert sorted(s["spaceId"] for s in listed["list"]) == sorted([plain, tagged])
    assert set(listed["list"][0]) == {"spaceId", "userId", "creationTime"} and "nextMarker" not in listed
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", listed["list"][0]["creationTime"])
    assert lib.call("GET", f"space/{lib.id}/count", admin).json() == {"total": 2}
    assert lib.call("GET", f"space/{lib.id}/{plain}/size", admin).json() == {"size": "0"}
    resp = lib.call("DELETE", f"space/{lib.id}/{plain}", admin)
    assert resp.status_code == 204 and resp.content == b""
    assert lib.call("GET", f"space/{lib.id}/count", admin).json() == {"total": 1}
    for method, path in (("DELETE", plain), ("GET", f"{plain}/size"), ("GET", f"{plain}/extension"),
                         ("POST", f"{plain}/extension")):
        assert error_of(lib.call(method, f"space/{lib.id}/{path}", admin, json={})) == (404, "SpaceNotFound")
    assert error_of(lib.call("POST", f"space/{lib.id}", admin, data=b"{not json")) == (400, "InvalidParameter")
    assert error_of(lib.call("POST", f"space/{lib.id}", admin, json={"allowPhoto": "yes"})) == (
        400, "InvalidParameter")


def test_space_apis_need_a_multi_tenant_library(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiAlbum=True, IsPublicRead=True)
    admin = lib.token()
    for method, path in (("POST", ""), ("GET", "/list"), ("GET", "/count"), ("DELETE", "/space0000000000001"),
                         ("POST", "/-/extension")):
        assert error_of(lib.call(method, f"space/{lib.id}{path}", admin, json={})) == (400, "NotMultiSpaceLibrary")
    # The `-` space of a single-tenant library shows the library's own settings.
    ext = lib.call("GET", f"space/{lib.id}/-/extension", admin).json()
    assert ext == DEFAULTS | {"isPublicRead": True, "isMultiAlbum": True, "allowPhoto": True, "allowVideo": True}
    assert lib.call("GET", f"space/{lib.id}/-/size", admin).json() == {"size": "0"}


def test_space_list_paging_and_ownership(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiSpace=True)
    admin = lib.token()
    alice = lib.token("create_space", user_id="alice")
    mine = {lib.space(alice), lib.space(alice)}
    lib.space(admin)
    url = f"space/{lib.id}/list"
    first = lib.call("GET", url, admin, params={"limit": "2"}).json()
    assert len(first["list"]) == 2 and first["marker"] == "" and first["nextMarker"]
    rest = lib.call("GET", url, admin, params={"marker": first["nextMarker"], "limit": "2"}).json()
    assert len(rest["list"]) == 1 and rest["marker"] == first["nextMarker"] and "nextMarker" not in rest
    own = lib.call("GET", url, alice).json()["list"]
    assert {s["spaceId"] for s in own} == mine and {s["userId"] for s in own} == {"alice"}
    assert len(lib.call("GET", url, lib.token("space_admin")).json()["list"]) == 3
    # An admin token issued without a user acts for `user_id`.
    bob_space = lib.call("POST", f"space/{lib.id}", admin, params={"user_id": "bob"}).json()["spaceId"]
    listed = lib.call("GET", url, admin).json()["list"]
    assert {s["spaceId"]: s["userId"] for s in listed}[bob_space] == "bob"
    for limit in ("0", "1001", "many"):
        assert error_of(lib.call("GET", url, admin, params={"limit": limit})) == (400, "InvalidParameter")


def test_space_grants(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiSpace=True)
    creator = lib.token("create_space")
    space = lib.space(creator)
    assert error_of(lib.call("DELETE", f"space/{lib.id}/{space}", creator)) == (403, "NoPermission")
    assert error_of(lib.call("POST", f"space/{lib.id}/{space}/extension", creator, json={})) == (403, "NoPermission")
    assert error_of(lib.call("POST", f"space/{lib.id}", lib.token("delete_space"))) == (403, "NoPermission")
    assert lib.call("DELETE", f"space/{lib.id}/{space}", lib.token("delete_space")).status_code == 204


def test_update_space_extension(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiSpace=True)
    admin = lib.token()
    space = lib.space(admin, isMultiAlbum=True)
    url = f"space/{lib.id}/{space}/extension"
    resp = lib.call("POST", url, lib.token("space_admin"), json={"allowVideo": True, "allowVideoExtname": [".mp4"]})
    assert resp.status_code == 204 and resp.content == b""
    resp = lib.call("POST", url, admin, json={"isPublicRead": True, "isMultiAlbum": True})  # unchanged: accepted
    assert resp.status_code == 204
    assert lib.call("GET", url, admin).json() == DEFAULTS | {"isMultiAlbum": True, "allowVideo": True,
                                                             "allowVideoExtname": [".mp4"], "isPublicRead": True}
    assert error_of(lib.call("POST", url, admin, json={"isMultiAlbum": False})) == (400, "ImmutableSpaceAttribute")
    assert error_of(lib.call("POST", url, admin, json={"allowPhotoExtname": [1]})) == (400, "InvalidParameter")
    assert error_of(lib.call("POST", url, admin, json=[1])) == (400, "InvalidParameter")


def test_non_empty_space_needs_force(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiSpace=True)
    admin = lib.token()
    albums, files = lib.space(admin, isMultiAlbum=True), lib.space(admin, isMultiAlbum=True)
    assert lib.mkdir(admin, albums, "summer").status_code == 201
    assert lib.upload(admin, files, "winter/a.jpg", b"abc").status_code == 201
    assert lib.call("GET", f"space/{lib.id}/{files}/size", admin).json() == {"size": "3"}
    for space in (albums, files):
        assert error_of(lib.call("DELETE", f"space/{lib.id}/{space}", admin)) == (409, "SpaceNotEmpty")
        assert lib.call("DELETE", f"space/{lib.id}/{space}", admin, params={"force": "1"}).status_code == 204
    assert lib.call("GET", f"space/{lib.id}/count", admin).json() == {"total": 0}
    assert emulator.control("GET", "inventory")["spaces"] == []


def test_delete_library_waits_for_its_spaces(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiSpace=True)
    admin = lib.token()
    space = lib.space(admin)
    delete = sdk_request(models.DeleteLibraryRequest, LibraryId=lib.id)
    try:
        lib.sdk.DeleteLibrary(delete)
        raise AssertionError("DeleteLibrary succeeded while a space exists")
    except TencentCloudSDKException as err:
        assert err.code == "ResourceInUse.MultiSpace"
    assert lib.call("DELETE", f"space/{lib.id}/{space}", admin).status_code == 204
    lib.sdk.DeleteLibrary(delete)
    assert error_of(lib.call("GET", f"space/{lib.id}/count", admin)) == (404, "LibraryNotFound")


# -- quotas ----------------------------------------------------------------------------------------------------
def test_quota_lifecycle_multi_tenant(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiSpace=True, IsFileLibrary=True)
    admin = lib.token()
    a, b, c = lib.space(admin), lib.space(admin), lib.space(admin)
    body = {"spaces": [a, b], "capacity": "10", "removeWhenExceed": False, "removeAfterDays": 30}
    resp = lib.call("POST", f"quota/{lib.id}", admin, json=body)
    assert resp.status_code == 201 and resp.json() == {"quotaId": 1}
    assert lib.call("GET", f"quota/{lib.id}/{b}", admin).json() == {"id": 1, "capacity": "10"}
    # The quota is shared: 6 bytes in a and 4 in b fill it.
    assert lib.upload(admin, a, "x.bin", b"123456").status_code == 201
    assert lib.upload(admin, b, "y.bin", b"1234").status_code == 201
    assert error_of(lib.upload(admin, b, "z.bin", b"1")) == (400, "QuotaLimitReached")
    resp = lib.call("PUT", f"quota/{lib.id}/{a}", admin, json={"capacity": 11, "removeWhenExceed": True,
                                                                "removeAfterDays": 1, "removeNewest": True})
    assert resp.status_code == 204 and resp.content == b""
    assert lib.call("GET", f"quota/{lib.id}/{b}", admin).json() == {"id": 1, "capacity": "11"}
    assert lib.upload(admin, b, "z.bin", b"1").status_code == 201
    assert lib.upload(admin, c, "big.bin", b"x" * 100).status_code == 201  # c has no quota
    assert error_of(lib.call("POST", f"quota/{lib.id}", admin, json=body | {"spaces": [c, a]})) == (
        409, "DuplicateQuota")
    assert error_of(lib.call("GET", f"quota/{lib.id}/{c}", admin)) == (404, "NoQuota")
    assert error_of(lib.call("PUT", f"quota/{lib.id}/{c}", admin, json=body)) == (404, "NoQuota")
    assert error_of(lib.call("POST", f"quota/{lib.id}", admin, json=body | {"spaces": ["space0000000000001"]})) == (
        404, "SpaceNotFound")
    user = lib.token("space_admin", space_id=a)
    for method, path in (("POST", ""), ("GET", f"/{a}"), ("PUT", f"/{a}")):
        assert error_of(lib.call(method, f"quota/{lib.id}{path}", user, json=body)) == (403, "NoPermission")
    bad = [{k: v for k, v in body.items() if k != "capacity"}, body | {"capacity": "-1"}, body | {"capacity": "0"},
           body | {"spaces": []}, {k: v for k, v in body.items() if k != "removeWhenExceed"},
           body | {"removeAfterDays": "30"}, body | {"removeNewest": 1}]
    for case in bad:
        assert error_of(lib.call("POST", f"quota/{lib.id}", admin, json=case | {"spaces": case.get("spaces", [c])})
                        ) == (400, "InvalidParameter"), case
    # Deleting both spaces of the quota deletes the quota.
    for space in (a, b):
        assert lib.call("DELETE", f"space/{lib.id}/{space}", admin, params={"force": "1"}).status_code == 204
    assert lib.call("POST", f"quota/{lib.id}", admin, json=body | {"spaces": [c]}).json() == {"quotaId": 2}


def test_quota_single_tenant(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsFileLibrary=True)
    admin = lib.token()
    body = {"capacity": "4", "removeWhenExceed": False, "removeAfterDays": 0}
    assert error_of(lib.call("POST", f"quota/{lib.id}", admin, json=body | {"spaces": ["x"]})) == (
        400, "InvalidParameter")
    assert lib.call("POST", f"quota/{lib.id}", admin, json=body).json() == {"quotaId": 1}
    assert lib.call("GET", f"quota/{lib.id}/-", admin).json() == {"id": 1, "capacity": "4"}
    assert lib.upload(admin, "-", "a.txt", b"1234").status_code == 201
    # Overwriting with the same size does not grow usage.
    assert lib.upload(admin, "-", "a.txt", b"4321", conflict_resolution_strategy="overwrite").status_code == 201
    assert error_of(lib.upload(admin, "-", "b.txt", b"1")) == (400, "QuotaLimitReached")
    assert lib.call("GET", f"space/{lib.id}/-/size", admin).json() == {"size": "4"}
