"""RoleTable, User, Group, GroupMember and FolderGrant: their checks, and their provider methods against the
emulator's SMH data plane."""

from __future__ import annotations

import pytest
import requests

from smh_provider.errors import ProviderError
from smh_provider.resources import (
    FolderGrantProvider,
    GroupMemberProvider,
    GroupProvider,
    RoleTableProvider,
    SpaceProvider,
    UserProvider,
)
from tests.unit.test_provider_tenants import make_library, make_space

ROLES = {"viewer": "download,view", "editor": "upload,view"}


def checked(provider, news, olds=None):  # type: ignore[no-untyped-def]
    result = provider.check(olds or {}, news)
    return result.inputs, {f.property: f.reason for f in result.failures}


def test_role_table_refuses_a_change_unless_the_library_is_replaced(cloud) -> None:  # type: ignore[no-untyped-def]
    p = RoleTableProvider()
    old, problems = checked(p, {"library_id": "smhlib1", "roles": ROLES})
    assert problems == {}
    _, problems = checked(p, {"library_id": "smhlib1", "roles": ROLES | {"viewer": "view"}}, old)
    assert "initialised only once" in problems["roles"] and "viewer: download,view -> view" in problems["roles"]
    _, problems = checked(p, {"library_id": "smhlib2", "roles": ROLES | {"viewer": "view"}}, old)
    assert problems == {}  # a new library: a new table
    _, problems = checked(p, {"library_id": "smhlib1", "roles": {"viewer": "fly"}})
    assert "unknown permission" in problems["roles"]


@pytest.mark.parametrize(("news", "prop", "words"), [
    ({"path": "a/b", "max_depth": 1}, "path", "albums are one level deep"),
    ({"path": "a", "max_depth": 0}, "path", "only the root"),
    ({"path": "a//b"}, "path", "single `/`"),
    ({"path": "x" * 256, "max_depth": 255}, "path", "at most 255"),
    ({"role": "owner", "known_roles": ["viewer"]}, "role", "not in the library's role table"),
    ({"grantee_type": "team"}, "grantee_type", "one of"),
])
def test_folder_grant_rules_name_the_property(cloud, news, prop, words) -> None:  # type: ignore[no-untyped-def]
    base = {"library_id": "smhlib1", "space_id": "-", "path": "/", "grantee_type": "user", "grantee_id": "ana",
            "role": "viewer"}
    _, problems = checked(FolderGrantProvider(), base | news)
    assert words in problems[prop], problems


def test_user_and_group_rules(cloud) -> None:  # type: ignore[no-untyped-def]
    _, problems = checked(UserProvider(), {"library_id": "smhlib1", "user_id": "a b"})
    assert "1 to 64" in problems["user_id"]
    _, problems = checked(GroupProvider(), {"library_id": "smhlib1", "name": "g", "depth": 11})
    assert "at most 10" in problems["depth"]


def test_grant_lifecycle_and_exact_revoke(cloud) -> None:  # type: ignore[no-untyped-def]
    lib = make_library(multi_tenant=True)
    _, space = make_space(lib.id, multi_album=True)
    plane_args = {"library_id": lib.id}
    roles, _ = checked(RoleTableProvider(), plane_args | {"roles": ROLES})
    table = RoleTableProvider().create(roles)
    assert RoleTableProvider().read(table.id, table.outs).outs["roles"] == ROLES
    again = RoleTableProvider().create(roles)  # initialised already, with these roles: adopted
    assert again.outs["roles"] == ROLES
    with pytest.raises(ProviderError, match="initialised already, with other roles"):
        RoleTableProvider().create(roles | {"roles": {"viewer": "view"}})
    users = UserProvider()
    for user in ("ana", "ben"):
        users.create(checked(users, plane_args | {"user_id": user})[0])
    group = GroupProvider().create(checked(GroupProvider(), plane_args | {"name": "Design", "key": "g"})[0])
    member = checked(GroupMemberProvider(), plane_args | {"group_id": group.id, "member_type": "user",
                                                          "member_id": "ben"})[0]
    GroupMemberProvider().create(member)
    assert GroupMemberProvider().read("m", member).id == "m"

    # Grants on the space's root need no album; a grant on a missing album fails with the service's code.
    fg = FolderGrantProvider()
    ana = checked(fg, plane_args | {"space_id": space.id, "path": "/", "grantee_type": "user", "grantee_id": "ana",
                                    "role": "viewer"})[0]
    design = checked(fg, plane_args | {"space_id": space.id, "path": "/", "grantee_type": "group",
                                       "grantee_id": group.id, "role": "editor"})[0]
    a, d = fg.create(ana), fg.create(design)
    assert (a.outs["role_id"], d.outs["role_id"]) == (2, 1)  # roles sorted by name: editor 1, viewer 2
    changed = fg.update(a.id, a.outs, ana | {"role": "editor"})
    assert changed.outs["role_id"] == 1 and fg.read(a.id, changed.outs).outs["role"] == "editor"
    with pytest.raises(ProviderError, match="role 'owner' is not in the role table"):
        fg.create(ana | {"role": "owner"})
    with pytest.raises(ProviderError, match="multi-tenant"):
        fg.create(ana | {"space_id": "-"})
    fg.delete(a.id, changed.outs)  # revokes exactly ana's grant
    assert fg.read(a.id, changed.outs).id == "" and fg.read(d.id, d.outs).id == d.id
    fg.delete(a.id, changed.outs)  # gone already: fine

    # A user with a personal space cannot be deleted: the message says what to do, nothing is deleted.
    SpaceProvider().create(SpaceProvider().check({}, plane_args).inputs)  # an unrelated space is fine
    base = f"http://{lib.id}.api.tencentsmh.cn/api/v1"
    token = requests.get(f"{base}/token", params={"library_id": lib.id, "library_secret": lib.outs["library_secret"],
                                                  "grant": "admin"}, proxies={"http": cloud.url},
                         timeout=10).json()["accessToken"]
    requests.post(f"{base}/space/{lib.id}", params={"access_token": token, "user_id": "ben"},
                  proxies={"http": cloud.url}, timeout=10).raise_for_status()
    ben = checked(users, plane_args | {"user_id": "ben"})[0]
    with pytest.raises(ProviderError, match="UserResourceInUse.*personal space.*delete that Space first"):
        users.delete("ben", ben)
    assert users.read("ben", ben).id == "ben"
    users.delete("ana", checked(users, plane_args | {"user_id": "ana"})[0])
    assert users.read("ana", ben | {"user_id": "ana"}).id == ""
