"""Calls per tenant space: the library's mode and its token are fetched once per provider process, even when
the engine creates several spaces at once (it runs up to 4 provider RPCs concurrently)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from smh_provider.resources import AlbumProvider, MediaLibraryProvider, SpaceProvider


def test_concurrent_creates_share_one_mode_read_and_one_token(cloud) -> None:  # type: ignore[no-untyped-def]
    lib_p = MediaLibraryProvider()
    lib = lib_p.create(lib_p.check({}, {"library_name": "tenants", "multi_tenant": True}).inputs)
    space_p, album_p = SpaceProvider(), AlbumProvider()
    before = cloud.control("GET", "requests")["total"]

    def space_with_album(i: int) -> None:
        space = space_p.create(space_p.check({}, {"library_id": lib.id, "multi_album": True}).inputs)
        album_p.create(album_p.check({}, {"library_id": lib.id, "space_id": space.id, "album_name": f"a{i}"}).inputs)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(space_with_album, range(8)))
    calls = cloud.control("GET", "requests")["requests"][before:]
    counts: dict[str, int] = {}
    for c in calls:
        counts[c["action"]] = counts.get(c["action"], 0) + 1
    assert counts == {"DescribeLibraries": 1, "DescribeLibrarySecret": 1, "CreateAccessToken": 1,
                      "CreateSpace": 8, "CreateDirectory": 8}


def test_refresh_of_a_spaces_albums_lists_the_space_once(cloud) -> None:  # type: ignore[no-untyped-def]
    lib_p = MediaLibraryProvider()
    lib = lib_p.create(lib_p.check({}, {"library_name": "albums", "multi_album": True}).inputs)
    album_p = AlbumProvider()
    albums = [album_p.create(album_p.check({}, {"library_id": lib.id, "album_name": n}).inputs)
              for n in ("trip", "family", "pets")]
    before = cloud.control("GET", "requests")["total"]
    assert [album_p.read(a.id, a.outs).id for a in albums] == [a.id for a in albums]
    listings = [c for c in cloud.control("GET", "requests")["requests"][before:] if c["action"] == "ListDirectory"]
    assert len(listings) == 1
    # A change this process makes is never hidden by the cached listing.
    album_p.delete(albums[0].id, albums[0].outs)
    assert album_p.read(albums[0].id, albums[0].outs).id == ""
