"""SMH data plane: every file action allowed or refused, by a token's own grants ("non-acl") or by the roles an acl
token's user holds on the folder (directly or through nested groups, inherited by sub-folders); revokes take effect
on the next request, and admin tokens are never limited."""

from __future__ import annotations

from typing import Any

from tests.emulator.test_smhdata_files import BUCKET, begin, confirm, to_cos, upload
from tests.emulator.test_smhdata_support import Lib, error_of
from tests.emulator_process import EmulatorProcess

ALL = ("canView", "canPreview", "canDownload", "canUpload", "canDelete", "canModify", "canAuthorize", "canShare")
ROLES = [{"name": "viewer", "canView": True, "canPreview": True, "canDownload": True},  # 1
         {"name": "uploader", "canView": True, "canUpload": True},  # 2
         {"name": "editor", **{f: True for f in ALL if f not in ("canAuthorize", "canShare")}},  # 3
         {"name": "manager", **{f: True for f in ALL}}]  # 4
REFUSED = (403, "NoPermission")


def _grant(lib: Lib, token: str, path: str, who: dict[str, Any], role: int | None = None) -> Any:
    body = {"authorizeTo": [who | ({"roleId": role} if role else {})]}
    return lib.call("POST", f"authority/{lib.id}/-/authorize/{path}", token, json=body,
                    params=None if role else {"delete": ""})


def _team(emulator: EmulatorProcess) -> tuple[Lib, str]:
    """A file library with proj/sub and other/, four roles, users ann, bob, cy; bob in `crew` inside `all`."""
    lib = Lib(emulator, bucket=BUCKET, IsFileLibrary=True)
    admin = lib.token()
    for path in ("proj/sub", "other"):
        assert lib.mkdir(admin, "-", path).status_code == 201
    assert lib.call("POST", f"authority/{lib.id}/init-role-list", admin, json=ROLES).status_code == 200
    for user in ("ann", "bob", "cy"):
        lib.call("POST", f"user/{lib.id}", admin, json={"userId": user})
    outer = lib.call("POST", f"group/{lib.id}", admin, json={"name": "all"}).json()["groupId"]
    inner = lib.call("POST", f"group/{lib.id}", admin, json={"name": "crew"}).json()["groupId"]
    lib.call("PUT", f"group/{lib.id}/{outer}/member/{inner}", admin, params={"member_type": "group"})
    lib.call("PUT", f"group/{lib.id}/{inner}/member/bob", admin, params={"member_type": "user"})
    assert _grant(lib, admin, "proj", {"userId": "ann"}, 3).status_code == 204
    assert _grant(lib, admin, "proj", {"groupId": outer}, 1).status_code == 204
    assert _grant(lib, admin, "proj", {"userId": "cy"}, 2).status_code == 204
    return lib, admin


def test_roles_decide_for_acl_tokens(emulator: EmulatorProcess) -> None:
    lib, admin = _team(emulator)
    ann, bob, cy = (lib.token("acl", user_id=u) for u in ("ann", "bob", "cy"))
    assert upload(lib, admin, "-", "proj/sub/f.txt", b"hello").status_code == 200
    link = lambda token, path, **q: lib.call("GET", f"file/{lib.id}/-/{path}", token, params=q,  # noqa: E731
                                             allow_redirects=False)

    # view, preview, download: bob through a group inside a group, granted on proj, inherited by proj/sub.
    assert lib.names(bob, "-", "proj/sub") == ["f.txt"] and lib.names(bob, "-") == ["proj"]
    assert error_of(lib.ls(bob, "-", "other")) == REFUSED
    assert link(bob, "proj/sub/f.txt").status_code == 302 and link(bob, "proj/sub/f.txt", preview="").status_code == 302
    assert lib.call("HEAD", f"file/{lib.id}/-/proj/sub/f.txt", bob).status_code == 200
    assert error_of(link(cy, "proj/sub/f.txt")) == REFUSED  # uploader: view and upload only
    assert error_of(link(cy, "proj/sub/f.txt", preview="")) == REFUSED
    assert error_of(link(cy, "proj/sub/f.txt", info="")) == REFUSED and link(bob, "proj/sub/f.txt", info="").ok

    # upload (begin and confirm; multipart too): ann and cy yes, bob no.
    assert upload(lib, ann, "-", "proj/sub/a.txt").status_code == 200
    assert upload(lib, cy, "-", "proj/c.txt").status_code == 200
    assert error_of(begin(lib, bob, "-", "proj/b.txt")) == REFUSED
    assert error_of(begin(lib, bob, "-", "proj/b.txt", multipart=True)) == REFUSED
    assert begin(lib, cy, "-", "proj/m.bin", multipart=True).status_code == 200

    # modify: replacing a file needs canModify besides canUpload (ann editor yes, cy uploader no).
    assert upload(lib, ann, "-", "proj/sub/a.txt", b"new", conflict_resolution_strategy="overwrite").status_code == 200
    assert error_of(begin(lib, cy, "-", "proj/c.txt", conflict_resolution_strategy="overwrite")) == REFUSED

    # delete; rename/move (download + delete where it was, upload where it goes); copy (download + upload).
    assert error_of(lib.call("DELETE", f"file/{lib.id}/-/proj/c.txt", cy)) == REFUSED
    assert lib.call("DELETE", f"file/{lib.id}/-/proj/c.txt", ann).status_code == 204
    assert error_of(lib.call("PUT", f"file/{lib.id}/-/proj/g.txt", cy, json={"from": "proj/sub/f.txt"})) == REFUSED
    assert lib.call("PUT", f"file/{lib.id}/-/proj/g.txt", ann, json={"from": "proj/sub/f.txt"}).status_code == 200
    assert error_of(lib.call("PUT", f"file/{lib.id}/-/other/g.txt", ann, json={"from": "proj/g.txt"})) == REFUSED
    assert error_of(lib.call("PUT", f"file/{lib.id}/-/proj/h.txt", bob, json={"copyFrom": "proj/g.txt"})) == REFUSED
    assert lib.call("PUT", f"file/{lib.id}/-/proj/h.txt", ann, json={"copyFrom": "proj/g.txt"}).status_code == 200
    assert error_of(lib.mkdir(bob, "-", "proj/new")) == REFUSED and lib.mkdir(ann, "-", "proj/new").status_code == 201

    # authorize and share: only where a role has them (manager on proj/sub for ann).
    assert error_of(_grant(lib, ann, "proj/sub", {"userId": "cy"}, 1)) == REFUSED
    share = {"name": "s", "filePath": ["proj/sub/a.txt"]}
    assert error_of(lib.call("POST", f"share/{lib.id}/-", ann, json=share)) == REFUSED
    assert _grant(lib, admin, "proj/sub", {"userId": "ann"}, 4).status_code == 204
    assert _grant(lib, ann, "proj/sub", {"userId": "cy"}, 1).status_code == 204
    assert lib.call("GET", f"authority/{lib.id}/-/directory-authority/proj/sub", ann).status_code == 200
    assert error_of(_grant(lib, ann, "proj", {"userId": "cy"}, 1)) == REFUSED  # not above where it was given
    assert lib.call("POST", f"share/{lib.id}/-", ann, json=share).status_code == 200
    assert error_of(lib.call("POST", f"share/{lib.id}/-", bob, json=share)) == REFUSED

    # A revoke takes effect on the next request, also between begin and confirm.
    started = begin(lib, cy, "-", "proj/late.txt").json()
    assert to_cos(lib, started, b"late").status_code == 200
    assert _grant(lib, admin, "proj", {"userId": "cy"}).status_code == 204
    assert error_of(confirm(lib, cy, "-", started["confirmKey"])) == REFUSED
    assert error_of(lib.call("GET", f"file/{lib.id}/-/{started['confirmKey']}", cy, params={"upload": ""})) == REFUSED
    assert _grant(lib, admin, "proj", {"userId": "ann"}).status_code == 204
    assert error_of(begin(lib, ann, "-", "proj/x.txt")) == REFUSED
    assert upload(lib, ann, "-", "proj/sub/x.txt").status_code == 200  # still manager on proj/sub

    # Admin tokens are not limited.
    assert lib.call("DELETE", f"file/{lib.id}/-/proj/g.txt", admin).status_code == 204


def test_token_grants_decide_without_acl(emulator: EmulatorProcess) -> None:
    lib, admin = _team(emulator)
    plain = lib.token("", user_id="bob")  # no acl grant: reads everything, writes nothing
    assert lib.names(plain, "-", "other") == [] and error_of(begin(lib, plain, "-", "other/a.txt")) == REFUSED
    up = lib.token("upload_file", user_id="svc")
    assert upload(lib, up, "-", "other/a.txt").status_code == 200
    assert error_of(begin(lib, up, "-", "other/a.txt", conflict_resolution_strategy="overwrite")) == REFUSED
    assert error_of(lib.call("DELETE", f"file/{lib.id}/-/other/a.txt", up)) == REFUSED
    assert lib.call("DELETE", f"file/{lib.id}/-/other/a.txt", lib.token("delete_file")).status_code == 204

    # begin_upload and confirm_upload split the steps between a front end and a back end of the same user.
    front, back = lib.token("begin_upload", user_id="svc"), lib.token("confirm_upload", user_id="svc")
    started = begin(lib, front, "-", "other/b.txt").json()
    assert to_cos(lib, started, b"b").status_code == 200
    assert error_of(confirm(lib, front, "-", started["confirmKey"])) == REFUSED
    assert error_of(begin(lib, back, "-", "other/c.txt")) == REFUSED
    assert confirm(lib, back, "-", started["confirmKey"]).status_code == 200
    mover = lib.token("move_file")
    assert lib.call("PUT", f"file/{lib.id}/-/proj/b.txt", mover, json={"from": "other/b.txt"}).status_code == 200
    assert error_of(lib.call("PUT", f"file/{lib.id}/-/proj/c.txt", mover, json={"copyFrom": "proj/b.txt"})) == REFUSED
    assert error_of(lib.call("POST", f"share/{lib.id}/-", up, json={"name": "s", "filePath": ["proj/b.txt"]})) == (
        REFUSED)
