"""Space and Album provider methods against the emulator's SMH data plane."""

from __future__ import annotations

import pytest
import requests

from smh_provider.errors import ProviderError
from smh_provider.resources import AlbumProvider, MediaLibraryProvider, SpaceProvider


def make_library(**settings):  # type: ignore[no-untyped-def]
    p = MediaLibraryProvider()
    return p.create(p.check({}, {"library_name": "tenants", **settings}).inputs)


def make_space(lib_id: str, **settings):  # type: ignore[no-untyped-def]
    p = SpaceProvider()
    checked = p.check({}, {"library_id": lib_id, **settings})
    assert checked.failures == []
    return p, p.create(checked.inputs)


def upload(cloud, lib, space_id: str, path: str) -> None:  # type: ignore[no-untyped-def]
    base = f"http://{lib.id}.api.tencentsmh.cn/api/v1"
    proxies = {"http": cloud.url}
    token = requests.get(f"{base}/token", params={"library_id": lib.id, "library_secret": lib.outs["library_secret"],
                                                  "grant": "admin"}, proxies=proxies, timeout=10).json()["accessToken"]
    r = requests.put(f"{base}/file/{lib.id}/{space_id}/{path}", params={"access_token": token}, data=b"jpeg",
                     proxies=proxies, timeout=10)
    assert r.status_code == 201, r.text


def spaces(cloud) -> list[dict]:  # type: ignore[no-untyped-def]
    return cloud.control("GET", "inventory")["spaces"]


def test_space_lifecycle(cloud) -> None:  # type: ignore[no-untyped-def]
    lib = make_library(multi_tenant=True)
    p, space = make_space(lib.id, public_read=False, space_tag="team")
    assert space.id.startswith("space") and space.outs["space_id"] == space.id
    assert p.read(space.id, space.outs).outs == space.outs
    news = p.check({}, {"library_id": lib.id, "public_read": True, "space_tag": "team"}).inputs
    before = cloud.control("GET", "requests")["total"]
    updated = p.update(space.id, space.outs, news)
    calls = cloud.control("GET", "requests")["requests"][before:]
    assert [c["action"] for c in calls if c["mutated"]] == ["UpdateSpaceExtension"]
    assert updated.outs["public_read"] is True
    assert p.read(space.id, updated.outs).outs == updated.outs
    p.delete(space.id, updated.outs)
    assert spaces(cloud) == []
    assert p.read(space.id, updated.outs).id == ""
    p.delete(space.id, updated.outs)  # gone already: fine


def test_space_needs_multi_tenant_library(cloud) -> None:  # type: ignore[no-untyped-def]
    lib = make_library()
    with pytest.raises(ProviderError, match="single-tenant"):
        make_space(lib.id)
    assert spaces(cloud) == []


def test_space_with_files_is_kept_unless_force_destroy(cloud) -> None:  # type: ignore[no-untyped-def]
    lib = make_library(multi_tenant=True)
    p, space = make_space(lib.id)
    upload(cloud, lib, space.id, "cat.jpg")
    with pytest.raises(ProviderError, match="still holds"):
        p.delete(space.id, space.outs)
    assert len(spaces(cloud)) == 1
    p.delete(space.id, {**space.outs, "force_destroy": True})
    assert spaces(cloud) == []


def test_tokens_are_cached_per_library(cloud) -> None:  # type: ignore[no-untyped-def]
    lib = make_library(multi_tenant=True)
    for _ in range(5):
        make_space(lib.id)
    counts = cloud.control("GET", "requests")["counts"]
    assert counts["smhdata:CreateSpace"] == 5
    assert counts["smhdata:CreateAccessToken"] == 1
    assert counts["smh:DescribeLibrarySecret"] == 2  # once by the library create, once by the data plane


def test_album_in_multi_album_library_rename_keeps_contents(cloud) -> None:  # type: ignore[no-untyped-def]
    lib = make_library(multi_album=True)
    p = AlbumProvider()
    news = p.check({}, {"library_id": lib.id, "album_name": "summer"}).inputs
    album = p.create(news)
    assert p.read(album.id, album.outs).outs == album.outs
    upload(cloud, lib, "-", "summer/beach.jpg")
    renamed = {**news, "album_name": "summer-2026"}
    diff = p.diff(album.id, album.outs, renamed)
    assert diff.replaces == [] and diff.changes is True
    out = p.update(album.id, album.outs, renamed).outs
    assert out["album_name"] == "summer-2026"
    counts = cloud.control("GET", "requests")["counts"]
    assert counts.get("smhdata:DeleteDirectory") is None and counts["smhdata:MoveDirectory"] == 1
    with pytest.raises(ProviderError, match="still holds 1 files"):
        p.delete(album.id, out)
    assert p.read(album.id, album.outs).id == ""  # the old name is gone
    p.delete(album.id, {**out, "force_destroy": True})
    assert p.read(album.id, out).id == ""


def test_album_where_albums_are_not_allowed(cloud) -> None:  # type: ignore[no-untyped-def]
    p = AlbumProvider()
    plain = make_library()
    with pytest.raises(ProviderError, match="not multi-album"):
        p.create(p.check({}, {"library_id": plain.id, "album_name": "a"}).inputs)
    multi = make_library(multi_tenant=True)
    with pytest.raises(ProviderError, match="albums live in tenant spaces"):
        p.create(p.check({}, {"library_id": multi.id, "album_name": "a"}).inputs)
    _, flat_space = make_space(multi.id)
    with pytest.raises(ProviderError, match="multi_album=True"):
        p.create(p.check({}, {"library_id": multi.id, "album_name": "a", "space_id": flat_space.id}).inputs)
    _, album_space = make_space(multi.id, multi_album=True)
    album = p.create(p.check({}, {"library_id": multi.id, "album_name": "a", "space_id": album_space.id}).inputs)
    assert p.read(album.id, album.outs).id == album.id


def test_album_name_rules() -> None:
    from smh_provider import config

    config.set_current(config.load({"tencentcloud:secretId": "x", "tencentcloud:secretKey": "y"}, environ={}))
    failures = AlbumProvider().check({}, {"library_id": "smhx", "album_name": "a/b"}).failures
    assert [f.property for f in failures] == ["album_name"]


def test_space_quota_set_changed_and_read(cloud) -> None:  # type: ignore[no-untyped-def]
    lib = make_library(multi_tenant=True)
    p, space = make_space(lib.id, quota_bytes=1000)
    assert p.read(space.id, space.outs).outs["quota_bytes"] == 1000
    news = p.check({}, {"library_id": lib.id, "quota_bytes": 5000}).inputs
    assert p.diff(space.id, space.outs, news).replaces == []
    updated = p.update(space.id, space.outs, news).outs
    assert p.read(space.id, updated).outs["quota_bytes"] == 5000
    cleared = p.check({}, {"library_id": lib.id}).inputs
    assert "quota_bytes" in p.diff(space.id, updated, cleared).replaces


def test_library_with_unmanaged_spaces_names_them(cloud) -> None:  # type: ignore[no-untyped-def]
    lib = make_library(multi_tenant=True)
    _, space = make_space(lib.id)
    with pytest.raises(ProviderError, match=rf"ResourceInUse.MultiSpace.*{space.id}"):
        MediaLibraryProvider().delete(lib.id, lib.outs)
