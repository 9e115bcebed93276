"""SMH data plane: directories and albums (create, list, delete, rename/move) and the minimal file upload."""

from __future__ import annotations

from tests.emulator.test_smhdata_support import Lib, error_of
from tests.emulator_process import EmulatorProcess


def test_albums_in_a_single_tenant_multi_album_library(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiAlbum=True)
    admin = lib.token()
    resp = lib.mkdir(admin, "-", "summer")
    assert resp.status_code == 201 and resp.content == b""
    assert error_of(lib.mkdir(admin, "-", "summer")) == (409, "SameNameDirectoryOrFileExists")
    resp = lib.mkdir(admin, "-", "summer", conflict_resolution_strategy="rename")
    assert resp.status_code == 201 and resp.json()["path"] == ["summer (1)"]
    assert error_of(lib.mkdir(admin, "-", "summer", conflict_resolution_strategy="keep")) == (
        400, "InvalidConflictResolutionStrategy")
    assert error_of(lib.mkdir(admin, "-", "summer/day1")) == (400, "DirectoryLevelExceed")
    assert error_of(lib.mkdir(admin, "-", "x" * 256)) == (400, "DirectoryNameLengthExceed")
    assert lib.mkdir(admin, "-", "y" * 255).status_code == 201
    assert error_of(lib.call("PUT", f"directory/{lib.id}/-", admin)) == (400, "EmptyPath")
    assert error_of(lib.mkdir(admin, "space0000000000001", "winter")) == (404, "SpaceNotFound")
    # Files go into albums, never the root.
    assert error_of(lib.upload(admin, "-", "a.jpg")) == (400, "UploadToRootDirectoryNotAllowed")
    assert error_of(lib.upload(admin, "-", "summer/day1/a.jpg")) == (400, "DirectoryLevelExceed")
    resp = lib.upload(admin, "-", "summer/a.jpg", b"\xff\xd8jpeg")
    assert resp.status_code == 201 and resp.json() == {"path": ["summer", "a.jpg"]}
    listing = lib.ls(admin, "-", "summer").json()
    assert listing["path"] == ["summer"] and (listing["fileCount"], listing["subDirCount"]) == (1, 0)
    (entry,) = listing["contents"]
    assert entry | {"creationTime": "", "modificationTime": "", "eTag": "", "crc64": ""} == {
        "name": "a.jpg", "type": "image", "contentType": "image/jpeg", "size": "6", "metaData": {},
        "creationTime": "", "modificationTime": "", "eTag": "", "crc64": ""}
    assert entry["eTag"].startswith('"') and entry["crc64"].isdigit()
    root = lib.ls(admin, "-").json()
    assert root["path"] == [] and root["subDirCount"] == 3 and root["totalNum"] == 3
    assert {c["type"] for c in root["contents"]} == {"dir"}


def test_directories_only_where_albums_are(emulator: EmulatorProcess) -> None:
    media = Lib(emulator)
    admin = media.token()
    assert error_of(media.mkdir(admin, "-", "a")) == (400, "DirectoryNotAllowed")
    assert error_of(media.upload(admin, "-", "a/b.jpg")) == (400, "DirectoryNotAllowed")
    assert media.upload(admin, "-", "b.jpg").status_code == 201  # a library without albums keeps files at the root
    multi = Lib(emulator, IsMultiSpace=True)
    admin = multi.token()
    flat, albums = multi.space(admin), multi.space(admin, isMultiAlbum=True)
    assert error_of(multi.mkdir(admin, flat, "a")) == (400, "DirectoryNotAllowed")
    assert multi.mkdir(admin, albums, "a").status_code == 201
    assert error_of(multi.mkdir(admin, "-", "a")) == (404, "SpaceNotFound")
    assert error_of(multi.mkdir(admin, "space0000000000001", "a")) == (404, "SpaceNotFound")
    assert error_of(multi.ls(admin, "space0000000000001")) == (404, "SpaceNotFound")


def test_file_library_depth_and_listing(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsFileLibrary=True)
    admin = lib.token()
    assert lib.mkdir(admin, "-", "a/b/c").status_code == 201  # parents are created
    assert lib.names(admin, "-") == ["a"] and lib.names(admin, "-", "a/b") == ["c"]
    for name, data in (("z.txt", b"1"), ("m.txt", b"123"), ("k.txt", b"12")):
        assert lib.upload(admin, "-", f"a/{name}", data).status_code == 201
    assert lib.mkdir(admin, "-", "a/d").status_code == 201
    listing = lib.ls(admin, "-", "a").json()
    assert (listing["fileCount"], listing["subDirCount"], listing["totalNum"]) == (3, 2, 5)
    assert [c["name"] for c in listing["contents"]] == ["b", "d", "k.txt", "m.txt", "z.txt"]  # directories first
    assert lib.names(admin, "-", "a", order_by="size", order_by_type="desc") == ["b", "d", "m.txt", "k.txt", "z.txt"]
    assert lib.names(admin, "-", "a", filter="onlyFile", page="2", page_size="2") == ["z.txt"]
    assert lib.names(admin, "-", "a", filter="onlyDir") == ["b", "d"]
    assert lib.ls(admin, "-", "a", filter="onlyDir").json()["totalNum"] == 2
    for params in ({"page": "0"}, {"page_size": "1001"}, {"order_by": "colour"}, {"order_by_type": "up"},
                   {"filter": "onlyLinks"}, {"page": "x"}):
        assert error_of(lib.ls(admin, "-", "a", **params)) == (400, "InvalidParameter"), params
    assert error_of(lib.ls(admin, "-", "nope")) == (404, "DirectoryNotFound")
    assert error_of(lib.ls(admin, "-", "a/z.txt")) == (404, "DirectoryNotFound")
    # A path through a file conflicts whatever the strategy.
    for strategy in ("ask", "rename"):
        assert error_of(lib.mkdir(admin, "-", "a/z.txt/q", conflict_resolution_strategy=strategy)) == (
            409, "SameNameDirectoryOrFileExists")
    resp = lib.mkdir(admin, "-", "a/z.txt", conflict_resolution_strategy="rename")
    assert resp.json()["path"] == ["a", "z.txt (1)"]


def test_grants_for_directories_and_files(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsFileLibrary=True)
    reader = lib.token("")
    for resp in (lib.mkdir(reader, "-", "a"), lib.upload(reader, "-", "a.txt"),
                 lib.call("DELETE", f"directory/{lib.id}/-/a", reader),
                 lib.call("PUT", f"directory/{lib.id}/-/b", reader, json={"from": "a"})):
        assert error_of(resp) == (403, "NoPermission")
    assert lib.mkdir(lib.token("create_directory"), "-", "a").status_code == 201
    assert lib.upload(lib.token("upload_file"), "-", "a/f.txt").status_code == 201
    moved = lib.call("PUT", f"directory/{lib.id}/-/b", lib.token("move_directory"), json={"from": "a"})
    assert moved.status_code == 204
    assert lib.call("DELETE", f"directory/{lib.id}/-/b", lib.token("delete_directory")).status_code == 204


def test_delete_directory(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsFileLibrary=True)
    admin = lib.token()
    assert lib.mkdir(admin, "-", "a/b").status_code == 201
    assert lib.upload(admin, "-", "a/b/f.txt").status_code == 201
    resp = lib.call("DELETE", f"directory/{lib.id}/-/a", admin)
    assert resp.status_code == 204 and resp.content == b""
    assert lib.names(admin, "-") == []
    assert lib.call("GET", f"space/{lib.id}/-/size", admin).json() == {"size": "0"}
    assert error_of(lib.call("DELETE", f"directory/{lib.id}/-/a", admin)) == (404, "DirectoryNotFound")
    assert error_of(lib.call("DELETE", f"directory/{lib.id}/-", admin)) == (400, "EmptyPath")


def test_delete_directory_into_the_recycle_bin(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsFileLibrary=True, UseRecycleBin=True)
    admin = lib.token()
    for name in ("a", "b", "c"):
        assert lib.mkdir(admin, "-", name).status_code == 201
    for expected, name in ((1, "a"), (2, "b")):
        resp = lib.call("DELETE", f"directory/{lib.id}/-/{name}", admin)
        assert resp.status_code == 200 and resp.json() == {"recycledItemId": expected}
    permanent = f"directory/{lib.id}/-/c"
    assert error_of(lib.call("DELETE", permanent, lib.token("delete_directory"), params={"permanent": "1"})) == (
        403, "NoPermission")
    resp = lib.call("DELETE", permanent, lib.token("delete_directory_permanent"), params={"permanent": "1"})
    assert resp.status_code == 204
    assert lib.names(admin, "-") == []


def test_move_directory_in_a_file_library(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsFileLibrary=True)
    admin = lib.token()
    assert lib.mkdir(admin, "-", "a/b/c").status_code == 201
    assert lib.upload(admin, "-", "a/b/f.txt", b"xyz").status_code == 201

    def move(target: str, source: object, **params: str):  # type: ignore[no-untyped-def]
        return lib.call("PUT", f"directory/{lib.id}/-/{target}", admin, json={"from": source}, params=params)

    resp = move("x/y", "a/b")
    assert resp.status_code == 204 and resp.content == b""
    assert lib.names(admin, "-", "x/y") == ["c", "f.txt"] and lib.names(admin, "-", "a") == []
    moved = lib.ls(admin, "-", "x/y").json()["contents"][1]
    assert moved["size"] == "3"
    assert error_of(move("q", "a/b")) == (404, "SourceDirectoryNotFound")
    assert error_of(move("x/y/c/deeper", "x/y")) == (400, "InvalidSourceDirectory")
    assert error_of(move("q", "")) == (400, "InvalidSourceDirectory")
    assert error_of(move("q", 5)) == (400, "InvalidSourceDirectory")
    assert lib.mkdir(admin, "-", "a/y").status_code == 201
    assert error_of(move("a/y", "x/y")) == (409, "SameNameDirectoryOrFileExists")
    resp = move("a/y", "x/y", conflict_resolution_strategy="rename")
    assert resp.status_code == 200 and resp.json() == {"path": ["a", "y (1)"]}
    assert lib.names(admin, "-", "a/y (1)") == ["c", "f.txt"]
    assert error_of(move("", "a")) == (400, "EmptyPath")


def test_rename_album_keeps_its_files(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiSpace=True)
    admin = lib.token()
    space = lib.space(admin, isMultiAlbum=True)
    assert lib.upload(admin, space, "old/p.jpg").status_code == 201
    resp = lib.call("PUT", f"directory/{lib.id}/{space}/new", admin, json={"from": "old"})
    assert resp.status_code == 204
    assert lib.names(admin, space) == ["new"] and lib.names(admin, space, "new") == ["p.jpg"]
    assert error_of(lib.call("PUT", f"directory/{lib.id}/{space}/new/sub", admin, json={"from": "new"})) == (
        400, "DirectoryLevelExceed")


def test_upload_conflicts_and_names(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsFileLibrary=True)
    admin = lib.token()
    assert lib.upload(admin, "-", "d/x.txt", b"one").json() == {"path": ["d", "x.txt"]}
    assert lib.upload(admin, "-", "d/x.txt", b"two").json() == {"path": ["d", "x (1).txt"]}  # rename by default
    assert error_of(lib.upload(admin, "-", "d/x.txt", conflict_resolution_strategy="ask")) == (
        409, "SameNameDirectoryOrFileExists")
    resp = lib.upload(admin, "-", "d/x.txt", b"three!", conflict_resolution_strategy="overwrite")
    assert resp.json() == {"path": ["d", "x.txt"]}
    sizes = {c["name"]: c["size"] for c in lib.ls(admin, "-", "d").json()["contents"]}
    assert sizes == {"x.txt": "6", "x (1).txt": "3"}
    assert error_of(lib.upload(admin, "-", "d", conflict_resolution_strategy="overwrite")) == (
        409, "SameNameDirectoryOrFileExists")
    assert error_of(lib.call("PUT", f"file/{lib.id}/-", admin, data=b"x")) == (400, "EmptyFileName")
    assert error_of(lib.upload(admin, "-", "f" * 256)) == (400, "FileNameLengthExceed")
    assert error_of(lib.upload(admin, "-", "d" * 256 + "/f")) == (400, "DirectoryNameLengthExceed")
    assert error_of(lib.upload(admin, "-", "f", conflict_resolution_strategy="merge")) == (
        400, "InvalidConflictResolutionStrategy")


def test_public_read_space_lists_without_a_token(emulator: EmulatorProcess) -> None:
    lib = Lib(emulator, IsMultiSpace=True)
    admin = lib.token()
    public, private = lib.space(admin, isPublicRead=True, isMultiAlbum=True), lib.space(admin)
    assert lib.mkdir(admin, public, "open").status_code == 201
    assert lib.names(None, public) == ["open"]
    assert error_of(lib.ls(None, private)) == (400, "EmptyAccessToken")
    assert error_of(lib.mkdir("", public, "x")) == (400, "EmptyAccessToken")
    unknown = lib.call("GET", "directory/smhnosuchlib0001/-", host=emulator.url)
    assert error_of(unknown) == (400, "EmptyAccessToken")
    single = Lib(emulator, IsPublicRead=True)
    assert single.names(None, "-") == []
