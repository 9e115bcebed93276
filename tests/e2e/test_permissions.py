"""Permissions as code through the real engine: role table, users, nested groups, members and folder grants on the
target's SMH data plane (the emulator, or live with SMH_LIVE=1), and the grants taking effect on reads."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from pulumi import automation as auto

from tests.e2e.conftest import base_config
from tests.e2e.test_gitops import gitops
from tests.e2e.test_tenants import data_plane
from tests.targets import Target

QUIET = {"on_output": lambda _: None}
ROLES = {"viewer": ["view", "preview", "download"], "editor": ["view", "preview", "download", "upload", "modify"]}


def team_config(target: Target, grants: dict[str, Any], roles: dict[str, Any] | None = None) -> dict:
    return base_config(target, **{
        "smh-media:bucketName": "team",
        "smh-media:library": '{"library_name": "team", "multi_tenant": true}',
        "smh-media:forceDestroy": "true",
        "smh-media:spaces": json.dumps({"shared": {"multi_album": True,
                                                   "albums": {"launch": "Launch", "brand": "Brand"}}}),
        "smh-media:roles": json.dumps(roles or ROLES),
        "smh-media:users": json.dumps({"ana": {"nickname": "Ana"}, "ben": {}, "chen": {"nickname": "Chen"}}),
        "smh-media:groups": json.dumps({"everyone": {"members": ["chen"]},
                                        "design": {"name": "Design", "parent": "everyone", "members": ["ana", "ben"]}}),
        "smh-media:grants": json.dumps(grants),
    })


def _calls(target: Target) -> int:
    return int(target.emulator.control("GET", "requests")["total"]) if target.emulator else 0


def _reader(target: Target, lib_id: str, secret: str, space: str, user: str):  # type: ignore[no-untyped-def]
    """Whether `user`, with an acl token for the space, may list an album (status code of the listing)."""
    scheme = "http" if target.endpoint else "https"
    base = f"{scheme}://{lib_id}.api.tencentsmh.cn/api/v1"
    proxies = {"http": target.endpoint} if target.endpoint else None
    token = requests.get(f"{base}/token", params={"library_id": lib_id, "library_secret": secret, "user_id": user,
                                                  "space_id": space, "grant": "acl"},  # judged by the user's roles
                         proxies=proxies, timeout=10).json()["accessToken"]
    return lambda album: requests.get(f"{base}/directory/{lib_id}/{space}/{album}", params={"access_token": token},
                                      proxies=proxies, timeout=10).status_code


def test_permissions_lifecycle(target: Target, make_stack, project_dir, engine_env) -> None:  # type: ignore[no-untyped-def]
    grants = {"everyone-launch": {"space": "shared", "album": "launch", "group": "everyone", "role": "viewer"},
              "design-brand": {"space": "shared", "album": "brand", "group": "design", "role": "editor"},
              "ana-launch": {"space": "shared", "album": "launch", "user": "ana", "role": "viewer"}}
    cfg = team_config(target, grants)
    stack = make_stack(cfg)
    up = stack.up(**QUIET)
    lib_id, secret = up.outputs["library_id"].value, up.outputs["library_secret"].value
    space = up.outputs["space_ids"].value["shared"]
    call = data_plane(target, lib_id, secret)
    launch = {g.get("userId") or g.get("groupId"): g for g in call("GET", f"/authority/{lib_id}/{space}/"
                                                                          "directory-authority/Launch")}
    assert sorted(g["roleName"] for g in launch.values()) == ["viewer", "viewer"] and "ana" in launch
    assert call("GET", f"/user/{lib_id}/ana")["nickname"] == "Ana"
    if target.emulator:  # the grants take effect: chen (in everyone) sees Launch, not Brand
        chen = _reader(target, lib_id, secret, space, "chen")
        assert (chen("Launch"), chen("Brand")) == (200, 403)
        ben = _reader(target, lib_id, secret, space, "ben")  # design is inside everyone
        assert (ben("Launch"), ben("Brand")) == (200, 200)

    # A no-op preview makes no cloud call at all.
    before = _calls(target)
    stack.preview(expect_no_changes=True, **QUIET)
    assert _calls(target) == before

    # A role changes in place: the same grant, no revoke-and-grant.
    grants["ana-launch"]["role"] = "editor"
    stack.set_config("smh-media:grants", auto.ConfigValue(json.dumps(grants)))
    up = stack.up(**QUIET)
    assert up.summary.resource_changes.get("update") == 1
    assert "create" not in up.summary.resource_changes and "delete" not in up.summary.resource_changes
    launch = {g.get("userId") or g.get("groupId"): g for g in call("GET", f"/authority/{lib_id}/{space}/"
                                                                          "directory-authority/Launch")}
    assert launch["ana"]["roleName"] == "editor" and len(launch) == 2

    # Drift through the data plane: a grant revoked and a nickname changed out of band.
    call("POST", f"/authority/{lib_id}/{space}/authorize/Brand?delete",
         json={"authorizeTo": [{"groupId": next(g["groupId"] for g in call("GET", f"/group/{lib_id}")["list"]
                                                if g["name"] == "Design")}]})
    call("POST", f"/user/{lib_id}/chen", json={"nickname": "someone else"})
    refreshed = stack.refresh(**QUIET)
    assert refreshed.summary.resource_changes.get("delete") == 1  # the revoked grant leaves the state
    assert refreshed.summary.resource_changes.get("update") == 1  # chen's nickname as the library has it
    up = stack.up(**QUIET)
    assert up.summary.resource_changes.get("create") == 1 and up.summary.resource_changes.get("update") == 1
    assert call("GET", f"/user/{lib_id}/chen")["nickname"] == "Chen"
    assert [g["roleName"] for g in call("GET", f"/authority/{lib_id}/{space}/directory-authority/Brand")] == [
        "editor"]
    stack.preview(expect_no_changes=True, **QUIET)

    # The role table cannot change: refused at preview, with the reason, and nothing is called to change it.
    stack.set_config("smh-media:roles", auto.ConfigValue(json.dumps(ROLES | {"viewer": ["view"]})))
    with pytest.raises(auto.CommandError) as info:
        stack.preview(**QUIET)
    assert "can be initialised only once" in str(info.value) and "--replace" in str(info.value)
    stack.set_config("smh-media:roles", auto.ConfigValue(json.dumps(ROLES)))

    # A grant revoked and a user deleted: the pull request's comment lists both first; up removes exactly them.
    del grants["everyone-launch"]
    stack.set_config("smh-media:grants", auto.ConfigValue(json.dumps(grants)))
    users = json.loads(cfg["smh-media:users"].value)
    del users["chen"]
    stack.set_config("smh-media:users", auto.ConfigValue(json.dumps(users)))
    stack.set_config("smh-media:groups", auto.ConfigValue(json.dumps(
        {"everyone": {}, "design": {"name": "Design", "parent": "everyone", "members": ["ana", "ben"]}})))
    res = gitops("preview-comment", "--stack", stack.name, env=engine_env, cwd=project_dir)
    assert res.returncode == 0, res.stdout + res.stderr
    access, _, rest = res.stdout.partition("### 🔐 Access changes")[2].partition("### Changes")
    assert (f"- **Access removed**: group `everyone` as `viewer` on `Launch` of space `{space}` "
            "(resource `grant-everyone-launch`)") in access
    assert "- **Access removed**: user `chen` is deleted, with its grants and group memberships" in access
    assert "- **Access removed**: user `chen` leaves group `everyone`" in access
    up = stack.up(**QUIET)
    assert up.summary.resource_changes.get("delete") == 3
    assert [g.get("userId") for g in call("GET", f"/authority/{lib_id}/{space}/directory-authority/Launch")] == [
        "ana"]

    # Destroy leaves no grant, user or group: each is removed by its own resource, before the library goes.
    before = _calls(target)
    stack.destroy(**QUIET)
    assert target.library(lib_id) is None
    if target.emulator:
        log = target.emulator.control("GET", "requests")["requests"][before:]
        done = [e["action"] for e in log if e["status"] < 300]
        assert (done.count("RevokeAuthorization"), done.count("DeleteUser"), done.count("DeleteGroup")) == (2, 2, 2)
        assert done.count("RemoveGroupMember") == 2
        assert max(i for i, a in enumerate(done) if a in ("DeleteUser", "DeleteGroup")) < done.index("DeleteLibrary")
        inv = target.emulator.control("GET", "inventory")
        assert inv == {"buckets": [], "media_buckets": [], "libraries": [], "spaces": []}  # no "permissions"
