"""Suite 6, data safety: `destroy` never deletes data unless force_destroy says so.

One stack, three refusals, then the forced destroy:
1. a (file) library holding files: destroy stops at the library (it goes before its bucket);
2. the library emptied outside, the bucket holding 1,005 objects and an incomplete multipart upload: destroy
   stops at its first delete (the library), before deleting anything: the bucket it would reach last would
   refuse (smh_provider/preflight.py), and the library, its id and its secret would be lost for nothing;
3. the library redeclared multi-album with an album holding files: destroy stops at the album;
4. `forceDestroy: true`, `up`, `destroy`: everything is gone, the 1,005 objects and the upload included.
After each refusal every count (objects, uploads, files) must be what it was before.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pulumi import automation as auto

from tests import sdk_clients
from tests.e2e.conftest import base_config
from tests.reliability import report
from tests.reliability.cloud import state_resources
from tests.reliability.outside import DataPlane

SUITE = "data_safety"
QUIET = {"on_output": lambda _: None}
BUCKET = "safety-1250000000"
OBJECTS = 1005  # more than one 1,000-key listing page


def config(emulator, **library: Any) -> dict[str, auto.ConfigValue]:  # type: ignore[no-untyped-def]
    albums = library.pop("albums", None)
    cfg = {"smh-media:bucketName": "safety",
           "smh-media:library": json.dumps({"library_name": "safety", **library})}
    if albums:
        cfg["smh-media:albums"] = json.dumps(albums)
    return base_config(emulator, **cfg)


def counts(emulator, lib_id: str | None, album: str | None = None) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Everything that holds data: bucket objects and uploads, library files, files in the album."""
    inv = emulator.control("GET", "inventory")
    bucket = next((b for b in inv["buckets"] if b["bucket"] == BUCKET), {})
    lib = next((x for x in inv["libraries"] if x["LibraryId"] == lib_id), {})
    out = {"bucket objects": bucket.get("objects", 0), "multipart uploads": bucket.get("uploads", 0),
           "library files": int(lib.get("FileNum") or 0)}
    if album is not None:
        out["album files"] = len(DataPlane(emulator, lib_id).names("-", album)) if lib else 0
    return out


def refused_destroy(stack: auto.Stack, emulator, lib_id: str, case: str, needles: tuple[str, ...],  # type: ignore[no-untyped-def]
                    album: str | None = None) -> dict[str, int]:
    before = counts(emulator, lib_id, album)
    with pytest.raises(auto.CommandError) as info:
        stack.destroy(**QUIET)
    after = counts(emulator, lib_id, album)
    lost = sum(max(0, before[k] - after[k]) for k in before)
    message = next((line.strip() for line in str(info.value).splitlines() if "Nothing was deleted" in line), "")
    report.record(SUITE, refused_destroys=1, objects_lost=lost)
    report.row(SUITE, case=case, destroy="refused", held_before=before, held_after=after, lost=lost,
               message=message[message.find("deleting"):][:200])
    for needle in needles:
        assert needle in str(info.value), f"{case}: destroy error lacks {needle!r}\n{info.value}"
    assert after == before, f"{case}: data deleted by a refused destroy: {before} -> {after}"
    return after


def test_destroy_keeps_data_unless_force_destroy(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    # A file library: its files may sit in directories, which can be removed outside Pulumi in step 2.
    stack = make_stack(config(emulator, file_library=True))
    lib_id = stack.up(**QUIET).outputs["library_id"].value
    cos = sdk_clients.cos(emulator.url)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: cos.put_object(Bucket=BUCKET, Key=f"media/{i:04d}.jpg", Body=b"x"), range(OBJECTS)))
    cos.create_multipart_upload(Bucket=BUCKET, Key="media/big.mp4")
    plane = DataPlane(emulator, lib_id)
    plane.upload("-", "docs", "notes.txt")
    assert counts(emulator, lib_id) == {"bucket objects": OBJECTS, "multipart uploads": 1, "library files": 1}

    # 1. The library holds a file: destroy stops there, before anything is deleted.
    refused_destroy(stack, emulator, lib_id, "library holds files", ("deleting media library", "still holds 1 files",
                                                                     "Nothing was deleted", "force_destroy"))
    assert sorted(state_resources(stack)) == ["Bucket", "MediaLibrary", "MediaProcessing"]  # all still managed

    # 2. Library emptied outside, bucket full: destroy refuses at its first delete, nothing is deleted at all.
    plane.call("DELETE", plane.path("directory", "-", "docs"), params={"permanent": "1"})
    refused_destroy(stack, emulator, lib_id, "bucket holds 1,005 objects and an upload",
                    ("deleting media library", "bucket safety-1250000000 still holds objects and incomplete multipart "
                     "uploads", "Nothing was deleted", "force_destroy"))
    inv = emulator.control("GET", "inventory")
    assert [x["LibraryId"] for x in inv["libraries"]] == [lib_id] and len(inv["media_buckets"]) == 1
    assert sorted(state_resources(stack)) == ["Bucket", "MediaLibrary", "MediaProcessing"]

    # 3. A multi-album library whose album holds files: destroy stops at the album.
    stack.set_all_config(config(emulator, multi_album=True, albums={"trip": "Trip"}))
    lib_id = stack.up(**QUIET).outputs["library_id"].value
    plane = DataPlane(emulator, lib_id)
    plane.upload("-", "Trip", "beach.jpg")
    plane.upload("-", "Trip", "sunset.jpg")
    refused_destroy(stack, emulator, lib_id, "album holds files", ("deleting album 'Trip'", "still holds 2 files",
                                                                   "Nothing was deleted", "force_destroy"),
                    album="Trip")

    # 4. force_destroy: everything goes, data included.
    held = counts(emulator, lib_id, "Trip")
    stack.set_config("smh-media:forceDestroy", auto.ConfigValue("true"))
    up = stack.up(**QUIET)
    assert "create" not in up.summary.resource_changes and "delete" not in up.summary.resource_changes
    stack.destroy(**QUIET)
    inv = emulator.control("GET", "inventory")
    report.record(SUITE, forced_destroys=1, objects_removed_by_force_destroy=held["bucket objects"],
                  uploads_aborted_by_force_destroy=held["multipart uploads"],
                  files_removed_by_force_destroy=held["library files"])
    report.row(SUITE, case="forceDestroy: true", destroy="succeeded", held_before=held,
               held_after=counts(emulator, lib_id, "Trip"), lost="- (deletion asked for)", message="")
    assert held == {"bucket objects": OBJECTS, "multipart uploads": 1, "library files": 2, "album files": 2}
    assert {k: inv[k] for k in ("buckets", "media_buckets", "libraries", "spaces")} == {
        "buckets": [], "media_buckets": [], "libraries": [], "spaces": []}
