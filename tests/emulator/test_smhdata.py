"""SMH data plane: access tokens, the token check every call makes, routing, persistence and the emulator hooks.

Spaces and quotas are in test_smhdata_spaces.py, directories and files in test_smhdata_dirs.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from emulator.accounts import Accounts
from emulator.errors import SmhDataError
from emulator.services.base import Context
from emulator.services.smhdata.models import SmhDataBackend
from emulator.store import Store
from tests.emulator.test_smhdata_support import Lib, error_of
from tests.emulator_process import EmulatorProcess


# -- creating tokens -------------------------------------------------------------------------------------------
def test_create_token_by_get_and_post(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator)
    creds = {"library_id": lib.id, "library_secret": lib.secret}
    for method in ("GET", "POST"):
        resp = lib.call(method, "token", params=creds)
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/json"
        assert resp.headers["x-smh-request-id"]
        body = resp.json()
        assert set(body) == {"accessToken", "expiresIn"} and body["expiresIn"] == 86400
        assert re.fullmatch(r"acctk01[a-z0-9]{40}", body["accessToken"])
    for period, expected in (("100", 1200), ("1200", 1200), ("5000", 5000)):
        resp = lib.call("POST", "token", params=creds | {"period": period}, json={"isPublicRead": False})
        assert resp.json()["expiresIn"] == expected


def test_create_token_errors(emulator: EmulatorProcess) -> None:
    lib, other = Lib(emulator), Lib(emulator)
    cases = [
        ({}, (400, "EmptyLibraryIdOrSecret")),
        ({"library_secret": lib.secret}, (400, "EmptyLibraryId")),
        ({"library_id": lib.id}, (400, "EmptyLibrarySecret")),
        ({"library_id": lib.id, "library_secret": other.secret}, (404, "WrongLibraryIdOrSecret")),
        ({"library_id": "smhnosuchlib0001", "library_secret": lib.secret}, (404, "WrongLibraryIdOrSecret")),
        ({"library_id": lib.id, "library_secret": lib.secret, "period": "soon"}, (400, "InvalidParameter")),
        ({"library_id": lib.id, "library_secret": lib.secret, "period": "-5"}, (400, "InvalidParameter")),
    ]
    for params, expected in cases:
        assert error_of(lib.call("GET", "token", params=params)) == expected, params
    # The library named by the Host and by library_id must agree.
    mismatch = lib.call("GET", "token", params={"library_id": other.id, "library_secret": other.secret})
    assert error_of(mismatch) == (404, "WrongLibraryIdOrSecret")


def test_renew_and_delete_token(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator)
    token = lib.token("admin", period="3000")
    resp = lib.call("POST", f"token/{lib.id}/{token}")
    assert resp.status_code == 200 and resp.json() == {"accessToken": token, "expiresIn": 3000}
    assert error_of(lib.call("POST", f"token/{lib.id}/acctk01nosuchtoken")) == (403, "InvalidAccessToken")
    assert lib.call("GET", f"space/{lib.id}/count", token).status_code == 400  # valid token (not multi-space)
    resp = lib.call("DELETE", f"token/{lib.id}/{token}")
    assert resp.status_code == 204 and resp.content == b""
    assert error_of(lib.call("GET", f"directory/{lib.id}/-", token)) == (403, "InvalidAccessToken")
    assert error_of(lib.call("POST", f"token/{lib.id}/{token}")) == (403, "InvalidAccessToken")
    assert lib.call("DELETE", f"token/{lib.id}/{token}").status_code == 204  # deleting again is not an error
    gone = "smhnosuchlib0001"
    assert error_of(lib.call("POST", f"token/{gone}/{token}", host=emulator.url)) == (404, "LibraryNotFound")


def test_delete_all_tokens_of_users(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator)
    a1 = lib.token("", user_id="alice", client_id="phone")
    a2 = lib.token("", user_id="alice", client_id="laptop")
    b1 = lib.token("", user_id="bob")
    url = f"token/{lib.id}"

    def alive(token: str) -> bool:
        return lib.ls(token, "-").status_code == 200

    assert lib.call("DELETE", url, params={"library_secret": lib.secret, "user_id": "alice",
                                           "client_id": "phone"}).status_code == 204
    assert (alive(a1), alive(a2), alive(b1)) == (False, True, True)
    assert lib.call("DELETE", url, params={"library_secret": lib.secret, "user_id": "alice,bob"}).status_code == 204
    assert (alive(a2), alive(b1)) == (False, False)
    assert error_of(lib.call("DELETE", url, params={"user_id": "bob"})) == (400, "EmptyLibrarySecret")
    assert error_of(lib.call("DELETE", url, params={"library_secret": "wrong", "user_id": "bob"})) == (
        404, "WrongLibraryIdOrSecret")
    assert error_of(lib.call("DELETE", url, params={"library_secret": lib.secret})) == (400, "InvalidParameter")
    many = ",".join(f"u{i}" for i in range(11))
    assert error_of(lib.call("DELETE", url, params={"library_secret": lib.secret, "user_id": many})) == (
        400, "InvalidParameter")


# -- the token check ---------------------------------------------------------------------------------------------
def test_every_call_checks_the_token(emulator: EmulatorProcess) -> None:
    lib, other = Lib(emulator, IsMultiSpace=True), Lib(emulator, IsMultiSpace=True)
    admin = lib.token()
    space = lib.space(admin)
    count = f"space/{lib.id}/count"
    assert error_of(lib.call("GET", count)) == (400, "EmptyAccessToken")
    assert error_of(lib.call("GET", count, "acctk01garbage")) == (403, "InvalidAccessToken")
    assert error_of(lib.call("GET", count, other.token())) == (403, "InvalidAccessToken")
    # Bearer header instead of the query parameter.
    resp = lib.call("GET", count, headers={"Authorization": f"Bearer {admin}"})
    assert resp.status_code == 200 and resp.json() == {"total": 1}
    # No grant: read-only.
    reader = lib.token("", space_id=space)
    assert error_of(lib.call("POST", f"space/{lib.id}", reader)) == (403, "NoPermission")
    assert lib.ls(reader, space).status_code == 200
    # A non-admin token reaches only its spaces; admin reaches all.
    second = lib.space(admin)
    assert error_of(lib.ls(reader, second)) == (403, "AccessTokenNotMatchSpace")
    assert error_of(lib.ls(lib.token(""), space)) == (403, "AccessTokenNotMatchSpace")
    assert lib.ls(admin, second).status_code == 200
    assert lib.ls(lib.token("create_directory", space_id=f"{space},{second}"), second).status_code == 200


def test_library_from_host_or_path(emulator: EmulatorProcess) -> None:
    lib, other = Lib(emulator), Lib(emulator)
    token = lib.token()
    # A bare host (no proxy) finds the library in the path.
    resp = requests.get(f"{emulator.url}/api/v1/directory/{lib.id}/-", params={"access_token": token}, timeout=10)
    assert resp.status_code == 200 and resp.json()["path"] == []
    # The Host and the path must name the same library.
    assert error_of(lib.call("GET", f"directory/{other.id}/-", token)) == (404, "LibraryNotFound")
    missing = "smhnosuchlib0001"
    assert error_of(lib.call("GET", f"directory/{missing}/-", token, host=emulator.url)) == (404, "LibraryNotFound")


def test_unknown_paths(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsFileLibrary=True)
    token = lib.token()
    assert error_of(lib.call("GET", "nothing/here", token)) == (404, "RouteNotFound")
    assert error_of(lib.call("PATCH", f"space/{lib.id}", token)) == (404, "RouteNotFound")
    resp = requests.get(f"{lib.host}/index.html", proxies={"http": emulator.url}, timeout=10)
    assert error_of(resp) == (404, "RouteNotFound")
    copy = lib.call("PUT", f"directory/{lib.id}/-/b", token, json={"copyFrom": "a"})
    assert error_of(copy) == (501, "NotImplemented")


# -- persistence and expiry ------------------------------------------------------------------------------------
def test_tokens_and_spaces_survive_a_restart(tmp_path: Path) -> None:
    first = EmulatorProcess(state_dir=str(tmp_path))
    try:
        lib = Lib(first, IsMultiSpace=True)
        token = lib.token()
        space = lib.space(token, isMultiAlbum=True)
        assert lib.mkdir(token, space, "album").status_code == 201
    finally:
        first.stop()
    second = EmulatorProcess(state_dir=str(tmp_path))
    try:
        lib.emulator = second
        assert lib.names(token, space) == ["album"]
        assert lib.call("GET", f"space/{lib.id}/count", token).json() == {"total": 1}
    finally:
        second.stop()


def test_token_expiry_uses_wall_time_and_use_renews() -> None:
    store = Store()
    store.put("library", "smhlib1", {"LibraryId": "smhlib1", "secret": "s3cret", "LibraryExtension": {}})
    now = [1_000_000.0]
    backend = SmhDataBackend(Context(store, Accounts.build()), clock=lambda: now[0])
    token = backend.create_access_token("smhlib1", "s3cret", "", "", "", "", 1200, "admin")["accessToken"]
    now[0] += 1199
    assert backend.authenticate("smhlib1", token).admin  # still valid, and this use renews it to +1200
    now[0] += 1199
    assert backend.authenticate("smhlib1", token)
    now[0] += 30  # within the renewal slack: this use does not move the expiry
    backend.authenticate("smhlib1", token)
    now[0] += 1200 - 30
    with pytest.raises(SmhDataError) as info:
        backend.authenticate("smhlib1", token)
    assert (info.value.status, info.value.code) == (403, "InvalidAccessToken")
    with pytest.raises(SmhDataError) as info:
        backend.renew_access_token("smhlib1", token)
    assert info.value.code == "InvalidAccessToken"
    fresh = backend.create_access_token("smhlib1", "s3cret", "", "", "", "", None, "")["accessToken"]
    now[0] += 86000
    assert backend.renew_access_token("smhlib1", fresh) == {"accessToken": fresh, "expiresIn": 86400}
    now[0] += 86000
    assert backend.authenticate("smhlib1", fresh).token["accessToken"] == fresh


# -- emulator hooks: faults, request log, inventory ---------------------------------------------------------------
def test_faults_request_log_and_inventory(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiSpace=True)
    token = lib.token()
    emulator.control("POST", "faults", {"errors": [{"service": "smhdata", "action": "CreateSpace",
                                                    "code": "RateLimitExceeded"}]})
    assert error_of(lib.call("POST", f"space/{lib.id}", token)) == (429, "RateLimitExceeded")
    emulator.control("POST", "faults", {"errors": [{"service": "smhdata", "action": "ListSpaces",
                                                    "code": "RequestLimitExceeded", "status": 200}]})
    assert error_of(lib.call("GET", f"space/{lib.id}/list", token)) == (500, "RequestLimitExceeded")
    emulator.control("DELETE", "faults")
    space = lib.space(token, isMultiAlbum=True, spaceTag="team")
    assert lib.mkdir(token, space, "trip").status_code == 201
    assert lib.upload(token, space, "trip/a.jpg", b"12345").status_code == 201
    log = emulator.control("GET", "requests")
    assert log["mutating_counts"]["smhdata:CreateSpace"] == 1
    assert log["counts"]["smhdata:CreateSpace"] == 2 and log["counts"]["smhdata:CreateAccessToken"] == 1
    codes = [e["code"] for e in log["requests"] if e["service"] == "smhdata" and e["code"]]
    assert codes == ["RateLimitExceeded", "RequestLimitExceeded"]
    spaces = emulator.control("GET", "inventory")["spaces"]
    assert spaces == [{"library": lib.id, "spaceId": space, "userId": "", "creationTime": spaces[0]["creationTime"],
                       "isPublicRead": False, "isMultiAlbum": True, "allowPhoto": False, "allowVideo": False,
                       "allowPhotoExtname": [], "allowVideoExtname": [], "allowFileExtname": [],
                       "recognizeSensitiveContent": False, "spaceTag": "team", "albums": ["trip"],
                       "directories": 1, "files": 1, "size": 5}]
