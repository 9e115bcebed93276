"""SMH data plane: role table, users, groups, members, folder grants, and grants taking effect on reads."""

from __future__ import annotations

from typing import Any

from tests.emulator.test_smhdata_support import Lib, error_of
from tests.emulator_process import EmulatorProcess

VIEWER = {"name": "viewer", "canView": True, "canPreview": True, "canDownload": True}
EDITOR = {"name": "editor", "canView": True, "canUpload": True, "canModify": True}
BLIND = {"name": "uploader", "canUpload": True}


def _grant(lib: Lib, token: str, space: str, path: str, entries: list[dict[str, Any]], revoke: bool = False) -> Any:
    return lib.call("POST", f"authority/{lib.id}/{space}/authorize/{path}".rstrip("/"), token,
                    params={"delete": ""} if revoke else None, json={"authorizeTo": entries})


def _grants(lib: Lib, token: str, space: str, path: str) -> list[dict[str, Any]]:
    resp = lib.call("GET", f"authority/{lib.id}/{space}/directory-authority/{path}".rstrip("/"), token)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_role_table_is_set_once(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiAlbum=True)
    admin = lib.token()
    assert lib.call("GET", f"authority/{lib.id}/role-list", admin).json() == []
    resp = lib.call("POST", f"authority/{lib.id}/init-role-list", admin, json=[VIEWER, EDITOR])
    assert resp.status_code == 200, resp.text
    roles = lib.call("GET", f"authority/{lib.id}/role-list", admin).json()
    assert resp.json() == roles and [(r["id"], r["name"]) for r in roles] == [(1, "viewer"), (2, "editor")]
    assert lib.call("GET", f"authority/{lib.id}/getRoleList", admin).json() == roles
    assert roles[0]["canDownload"] is True and roles[0]["canUpload"] is False and roles[1]["canShare"] is False
    again = lib.call("POST", f"authority/{lib.id}/init-role-list", admin, json=[VIEWER])
    assert error_of(again) == (409, "RoleListAlreadyInitialized")
    other = Lib(emulator, IsMultiAlbum=True)
    for body in ([], {"name": "x"}, [{"name": ""}], [VIEWER, VIEWER], [{"name": "x", "canView": "yes"}]):
        resp = other.call("POST", f"authority/{other.id}/init-role-list", other.token(), json=body)
        assert error_of(resp) == (400, "InvalidParameter"), body
    assert error_of(other.call("POST", f"authority/{other.id}/init-role-list", other.token(""), json=[VIEWER])) == (
        403, "NoPermission")


def test_users_and_personal_space(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiSpace=True)
    admin = lib.token()
    resp = lib.call("POST", f"user/{lib.id}", admin, json={"userId": "alice", "nickname": "Alice"})
    assert resp.status_code == 201 and resp.json() == {"userId": "alice"}
    assert error_of(lib.call("POST", f"user/{lib.id}", admin, json={"userId": "alice"})) == (409, "UserAlreadyExists")
    assert error_of(lib.call("POST", f"user/{lib.id}", admin, json={"userId": "a b"})) == (400, "InvalidParameter")
    assert lib.call("GET", f"user/{lib.id}/alice", admin).json()["nickname"] == "Alice"
    assert lib.call("POST", f"user/{lib.id}/alice", admin, json={"nickname": "Al"}).status_code == 204
    assert lib.call("GET", f"user/{lib.id}/alice", admin).json()["nickname"] == "Al"
    space = lib.call("POST", f"space/{lib.id}", admin, params={"user_id": "alice"}).json()["spaceId"]
    assert error_of(lib.call("DELETE", f"user/{lib.id}/alice", admin)) == (409, "UserResourceInUse")
    assert lib.call("DELETE", f"space/{lib.id}/{space}", admin).status_code == 204
    assert lib.call("DELETE", f"user/{lib.id}/alice", admin).status_code == 204
    assert error_of(lib.call("GET", f"user/{lib.id}/alice", admin)) == (404, "UserNotFound")


def test_groups_nest_at_most_ten_deep(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiAlbum=True)
    admin = lib.token()
    ids = [lib.call("POST", f"group/{lib.id}", admin, json={"name": f"g{i}"}).json()["groupId"] for i in range(11)]
    assert error_of(lib.call("POST", f"group/{lib.id}", admin, json={"name": "g0"})) == (409, "GroupAlreadyExists")
    member = f"group/{lib.id}/{{}}/member/{{}}"
    for parent, child in zip(ids[:9], ids[1:10], strict=True):  # a chain of 10
        assert lib.call("PUT", member.format(parent, child), admin, params={"member_type": "group"}).status_code == 204
    deeper = lib.call("PUT", member.format(ids[9], ids[10]), admin, params={"member_type": "group"})
    assert error_of(deeper) == (400, "GroupNestingTooDeep")
    cycle = lib.call("PUT", member.format(ids[5], ids[0]), admin, params={"member_type": "group"})
    assert error_of(cycle) == (400, "GroupNestingCycle")
    assert error_of(lib.call("PUT", member.format(ids[0], "nobody"), admin, params={"member_type": "user"})) == (
        404, "UserNotFound")
    listed = lib.call("GET", f"group/{lib.id}/{ids[0]}/member", admin).json()
    assert listed == {"list": [{"memberId": ids[1], "memberType": "group"}]}
    assert lib.call("DELETE", member.format(ids[0], ids[1]), admin, params={"member_type": "group"}).status_code == 204
    assert error_of(lib.call("DELETE", member.format(ids[0], ids[1]), admin, params={"member_type": "group"})) == (
        404, "MemberNotFound")
    assert lib.call("POST", f"group/{lib.id}/{ids[0]}", admin, json={"name": "renamed"}).status_code == 204
    assert lib.call("GET", f"group/{lib.id}/{ids[0]}", admin).json()["name"] == "renamed"
    names = {g["groupId"]: g["name"] for g in lib.call("GET", f"group/{lib.id}", admin).json()["list"]}
    assert names[ids[0]] == "renamed" and len(names) == 11
    assert lib.call("DELETE", f"group/{lib.id}/{ids[0]}", admin).status_code == 204
    assert error_of(lib.call("GET", f"group/{lib.id}/{ids[0]}", admin)) == (404, "GroupNotFound")


def test_grants_are_enforced_on_reads(emulator: EmulatorProcess) -> None:
    """An acl token lists a folder only with a grant (direct or through a nested group) whose role can view."""
    lib = Lib(emulator, IsMultiSpace=True)
    admin = lib.token()
    space = lib.space(admin, isMultiAlbum=True)
    for album in ("trip", "family"):
        assert lib.mkdir(admin, space, album).status_code == 201
    assert lib.upload(admin, space, "trip/a.jpg").status_code == 201
    lib.call("POST", f"authority/{lib.id}/init-role-list", admin, json=[VIEWER, EDITOR, BLIND])
    for user in ("alice", "bob"):
        lib.call("POST", f"user/{lib.id}", admin, json={"userId": user})
    alice = lib.token("acl", user_id="alice", space_id=space)
    bob = lib.token("acl", user_id="bob", space_id=space)

    assert error_of(lib.ls(alice, space, "trip")) == (403, "NoPermission")  # no grant: refused
    assert lib.names(alice, space) == []
    assert _grant(lib, admin, space, "trip", [{"userId": "alice", "roleId": 1}]).status_code == 204
    assert lib.names(alice, space, "trip") == ["a.jpg"]  # with the grant: served
    assert lib.names(alice, space) == ["trip"]
    assert error_of(lib.ls(alice, space, "family")) == (403, "NoPermission")
    assert error_of(lib.ls(bob, space, "trip")) == (403, "NoPermission")

    # In place: a role that cannot view takes the read away; a grant on the root reaches every album.
    _grant(lib, admin, space, "trip", [{"userId": "alice", "roleId": 3}])
    assert _grants(lib, admin, space, "trip") == [{"userId": "alice", "name": "", "roleId": 3,
                                                   "roleName": "uploader"}]
    assert error_of(lib.ls(alice, space, "trip")) == (403, "NoPermission")
    _grant(lib, admin, space, "", [{"userId": "alice", "roleId": 1}])
    assert lib.names(alice, space, "family") == [] and lib.names(alice, space) == ["family", "trip"]

    # Through a group nested in a group.
    outer = lib.call("POST", f"group/{lib.id}", admin, json={"name": "family"}).json()["groupId"]
    inner = lib.call("POST", f"group/{lib.id}", admin, json={"name": "kids"}).json()["groupId"]
    lib.call("PUT", f"group/{lib.id}/{outer}/member/{inner}", admin, params={"member_type": "group"})
    lib.call("PUT", f"group/{lib.id}/{inner}/member/bob", admin, params={"member_type": "user"})
    _grant(lib, admin, space, "family", [{"groupId": outer, "roleId": 2}])
    assert lib.names(bob, space, "family") == []
    assert error_of(lib.ls(bob, space, "trip")) == (403, "NoPermission")

    # Revoking removes exactly that grant; admin tokens are never filtered.
    assert _grant(lib, admin, space, "", [{"userId": "alice"}], revoke=True).status_code == 204
    assert error_of(lib.ls(alice, space, "family")) == (403, "NoPermission")
    assert [g["roleId"] for g in _grants(lib, admin, space, "trip")] == [3]
    assert lib.names(admin, space) == ["family", "trip"]
    assert lib.call("DELETE", f"authority/{lib.id}/user-authority", admin,
                    params={"user_id_list": "alice"}).status_code == 204
    assert _grants(lib, admin, space, "trip") == []
    assert error_of(_grant(lib, admin, space, "trip", [{"userId": "alice", "roleId": 9}])) == (404, "RoleNotFound")
    assert error_of(_grant(lib, admin, space, "trip", [{"userId": "carol", "roleId": 1}])) == (404, "UserNotFound")
    assert error_of(_grant(lib, admin, space, "nope", [{"userId": "alice", "roleId": 1}])) == (
        404, "DirectoryNotFound")


def test_only_acl_tokens_are_judged_by_roles(emulator: EmulatorProcess) -> None:
    """A user token without the acl grant reads everything (non-acl: reads need no grant); with it, only what a
    role allows (none without a role table); the management calls need admin, not acl."""
    lib = Lib(emulator, IsMultiAlbum=True)
    admin = lib.token()
    lib.mkdir(admin, "-", "trip")
    lib.call("POST", f"authority/{lib.id}/init-role-list", admin, json=[VIEWER])
    lib.call("POST", f"user/{lib.id}", admin, json={"userId": "alice"})
    assert lib.names(lib.token("", user_id="alice"), "-") == ["trip"]
    acl = lib.token("acl", user_id="alice")
    assert lib.names(acl, "-") == []
    assert error_of(lib.ls(acl, "-", "trip")) == (403, "NoPermission")
    assert error_of(lib.call("POST", f"group/{lib.id}", acl, json={"name": "x"})) == (403, "NoPermission")
    assert error_of(_grant(lib, acl, "-", "trip", [{"userId": "alice", "roleId": 1}])) == (403, "NoPermission")
