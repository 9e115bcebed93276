"""Grants on every data-plane action, after one `up` of the team stack through the real CLI (stacks/Pulumi.team.yaml:
a team space split into albums, users ana, ben and chen, group design nested in everyone, grants on two albums).
Then every permission is played through plain HTTP (requests) for a user it allows and one it refuses: view,
preview, download, upload (simple, multipart, confirm), modify, delete, rename, authorize, share; a revoke takes
effect on the next request, admin tokens are not limited."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.e2e.test_permissions import QUIET, team_config
from tests.targets import Target

ALL = ["view", "preview", "download", "upload", "delete", "modify", "authorize", "share"]
ROLES = {"viewer": ["view", "preview", "download"], "editor": ["view", "preview", "download", "upload", "modify"],
         "owner": ALL}
GRANTS = {"everyone-launch": {"space": "shared", "album": "launch", "group": "everyone", "role": "viewer"},
          "design-brand": {"space": "shared", "album": "brand", "group": "design", "role": "editor"},
          "ana-brand": {"space": "shared", "album": "brand", "user": "ana", "role": "owner"}}
REFUSED = (403, "NoPermission")


class Plane:
    """The library's data plane over plain HTTP through the emulator (an HTTP proxy), one token per caller."""

    def __init__(self, target: Target, lib_id: str, secret: str, space: str) -> None:
        self.lib, self.secret, self.space, self.proxies = lib_id, secret, space, {"http": target.endpoint}
        self.base = f"http://{lib_id}.api.tencentsmh.cn/api/v1"

    def token(self, user: str = "", grant: str = "acl") -> str:
        params = {"library_id": self.lib, "library_secret": self.secret, "space_id": self.space, "grant": grant}
        resp = requests.get(f"{self.base}/token", params=params | ({"user_id": user} if user else {}),
                            proxies=self.proxies, timeout=10)
        assert resp.status_code == 200, resp.text
        return str(resp.json()["accessToken"])

    def __call__(self, token: str, method: str, path: str, params: dict[str, Any] | None = None,
                 **kw: Any) -> requests.Response:
        path = path.format(lib=self.lib, space=self.space)
        return requests.request(method, self.base + path, params={"access_token": token} | (params or {}),
                                proxies=self.proxies, timeout=10, allow_redirects=False, **kw)

    def upload(self, token: str, path: str, data: bytes = b"jpeg", **params: Any) -> requests.Response:
        """Begin, PUT the bytes to COS with the answer's headers, confirm; the first refusal or the confirm."""
        begun = self(token, "PUT", f"/file/{{lib}}/{{space}}/{path}", params)
        if begun.status_code != 200:
            return begun
        info = begun.json()
        put = requests.put(f"http://{info['domain']}{info['path']}", headers=info["headers"], data=data,
                           proxies=self.proxies, timeout=10)
        assert put.status_code == 200, put.text
        return self(token, "POST", f"/file/{{lib}}/{{space}}/{info['confirmKey']}", {"confirm": ""})


def code(resp: requests.Response) -> tuple[int, str]:
    return resp.status_code, resp.json().get("code", "") if resp.content else ""


def test_every_permission_over_http(target: Target, make_stack) -> None:  # type: ignore[no-untyped-def]
    if not target.emulator:
        pytest.skip("plays the emulator's documented choices (docs/smh-permissions.md); live SMH may differ")
    stack = make_stack(team_config(target, GRANTS, ROLES))
    up = stack.up(**QUIET)
    plane = Plane(target, up.outputs["library_id"].value, up.outputs["library_secret"].value,
                  up.outputs["space_ids"].value["shared"])
    admin = plane.token(grant="admin")
    ana, ben, chen = (plane.token(user) for user in ("ana", "ben", "chen"))
    for album in ("Launch", "Brand"):
        assert plane.upload(admin, f"{album}/seed.jpg").status_code == 200
    roles = {r["name"]: r["id"] for r in plane(admin, "GET", "/authority/{lib}/role-list").json()}
    design = next(g["groupId"] for g in plane(admin, "GET", "/group/{lib}").json()["list"] if g["name"] == "Design")
    file = "/file/{lib}/{space}/"

    # view, preview, download: chen (in everyone) on Launch, not on Brand; ben through design inside everyone.
    assert plane(chen, "GET", "/directory/{lib}/{space}/Launch").status_code == 200
    assert code(plane(chen, "GET", "/directory/{lib}/{space}/Brand")) == REFUSED
    assert plane(ben, "GET", "/directory/{lib}/{space}/Launch").status_code == 200
    assert plane(chen, "GET", file + "Launch/seed.jpg", {"preview": ""}).status_code == 302
    assert code(plane(chen, "GET", file + "Brand/seed.jpg", {"preview": ""})) == REFUSED
    download = plane(chen, "GET", file + "Launch/seed.jpg")
    assert download.status_code == 302 and ".cos.ap-guangzhou.myqcloud.com/" in download.headers["Location"]
    assert code(plane(chen, "GET", file + "Brand/seed.jpg")) == REFUSED

    # upload (simple and multipart; the confirm checks again): ben on Brand, not chen on Launch.
    assert plane.upload(ben, "Brand/ben.jpg").json()["path"] == ["Brand", "ben.jpg"]
    assert plane(ben, "POST", file + "Brand/big.bin", {"multipart": ""}).status_code == 200
    assert code(plane(chen, "PUT", file + "Launch/chen.jpg")) == REFUSED
    assert code(plane(chen, "POST", file + "Launch/big.bin", {"multipart": ""})) == REFUSED

    # modify: replacing a file (ben: editor) yes; chen (viewer) no.
    assert plane.upload(ben, "Brand/ben.jpg", b"v2", conflict_resolution_strategy="overwrite").status_code == 200
    assert code(plane(chen, "PUT", file + "Launch/seed.jpg", {"conflict_resolution_strategy": "overwrite"})) == (
        REFUSED)

    # delete and rename (download + delete + upload): ana (owner on Brand) yes; ben (editor, no delete) no.
    assert code(plane(ben, "DELETE", file + "Brand/ben.jpg")) == REFUSED
    assert plane(ana, "DELETE", file + "Brand/ben.jpg").status_code == 204
    assert code(plane(ben, "PUT", file + "Brand/renamed.jpg", json={"from": "Brand/seed.jpg"})) == REFUSED
    assert plane(ana, "PUT", file + "Brand/renamed.jpg", json={"from": "Brand/seed.jpg"}).status_code == 200

    # authorize: ana lets chen view Brand; chen sees it on the next request, and not after ana revokes it.
    grant = {"authorizeTo": [{"userId": "chen", "roleId": roles["viewer"]}]}
    assert code(plane(ben, "POST", "/authority/{lib}/{space}/authorize/Brand", json=grant)) == REFUSED
    assert plane(ana, "POST", "/authority/{lib}/{space}/authorize/Brand", json=grant).status_code == 204
    assert plane(chen, "GET", "/directory/{lib}/{space}/Brand").status_code == 200
    assert plane(ana, "POST", "/authority/{lib}/{space}/authorize/Brand", {"delete": ""}, json=grant).status_code == 204
    assert code(plane(chen, "GET", "/directory/{lib}/{space}/Brand")) == REFUSED

    # share: ana yes, ben no.
    share = {"name": "brand", "filePath": ["Brand/renamed.jpg"], "config": {"isPermanent": True}}
    assert plane(ana, "POST", "/share/{lib}/{space}", json=share).status_code == 200
    assert code(plane(ben, "POST", "/share/{lib}/{space}", json=share)) == REFUSED

    # A revoke between begin and confirm refuses the confirm; admin tokens are not limited.
    begun = plane(ben, "PUT", file + "Brand/late.jpg").json()
    design_grant = {"authorizeTo": [{"groupId": design, "roleId": roles["editor"]}]}
    assert plane(admin, "POST", "/authority/{lib}/{space}/authorize/Brand", {"delete": ""},
                 json=design_grant).status_code == 204
    assert code(plane(ben, "POST", file + begun["confirmKey"], {"confirm": ""})) == REFUSED
    assert plane(admin, "POST", "/authority/{lib}/{space}/authorize/Brand", json=design_grant).status_code == 204
    assert plane(admin, "DELETE", file + "Launch/seed.jpg").status_code == 204

    # The stack still matches what it declared, and destroy removes everything, the uploaded objects included.
    stack.preview(expect_no_changes=True, **QUIET)
    stack.destroy(**QUIET)
    assert target.emulator.control("GET", "inventory") == {"buckets": [], "media_buckets": [], "libraries": [],
                                                           "spaces": []}
