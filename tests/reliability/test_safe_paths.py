"""Issue 19's cases through the real CLI against the emulator: the paths a user can take that once lost files or
left the state naming objects that were gone. Each test ends with the state checked against the cloud
(`cloud.compare`): no duplicate, no orphan with this stack's mark, nothing in the state that does not exist."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from pulumi import automation as auto

from smh_provider import state
from tests.emulator_process import EmulatorProcess
from tests.reliability.cloud import full_config, state_resources
from tests.reliability.outside import DataPlane
from tests.reliability.test_crash import kill_after_mutation, recover

QUIET: dict[str, Any] = {"on_output": lambda _: None}


def urn_of(stack: auto.Stack, kind: str, name: str) -> str:
    for res in state_resources(stack).get(kind, []):
        if res["urn"].endswith(f"::{name}"):
            return str(res["urn"])
    raise AssertionError(f"no {kind} {name} in the state")


def set_spaces(stack: auto.Stack, spaces: dict[str, Any], **extra: str) -> None:
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(spaces)))
    for key, value in extra.items():
        stack.set_config(f"smh-media:{key}", auto.ConfigValue(value))


def clean(emulator: EmulatorProcess, stack: auto.Stack) -> None:
    """State == cloud: every space, library and bucket of the emulator is held by exactly the resources that the
    state says (a SpaceSet's spaces included), and every id the state names exists."""
    snap = state.parse({"deployment": stack.export_stack().deployment})
    inv = emulator.control("GET", "inventory")
    cloud = {("space", s["spaceId"]) for s in inv["spaces"] if s["spaceId"] != "-"} | \
        {("library", lib["LibraryId"]) for lib in inv["libraries"]} | {("bucket", b["bucket"]) for b in inv["buckets"]}
    held = {k for k in snap.holders if k[0] in ("space", "library", "bucket")}
    assert sorted(cloud - held) == [], "in the cloud, not in the state"
    assert sorted(held - cloud) == [], "in the state, not in the cloud"
    shared = {k: v for k, v in snap.holders.items() if len(v) > 1}
    assert shared == {}, "one object held by two resources"
    outputs = stack.outputs()
    for sid in (outputs["space_ids"].value if "space_ids" in outputs else {}).values():
        assert ("space", sid) in cloud


def spaces_of(emulator: EmulatorProcess, lib_id: str) -> set[str]:
    return {s["spaceId"] for s in emulator.control("GET", "inventory")["spaces"]
            if s["library"] == lib_id and s["spaceId"] != "-"}


def test_replace_space_makes_a_new_space_and_deletes_the_old(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Case 1: `up --replace` of a Space (force_destroy on): a new space, the old one deleted, state == cloud."""
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps({"a": {}}),
                                                "smh-media:forceDestroy": "true"}))
    up = stack.up(**QUIET)
    lib_id, old = up.outputs["library_id"].value, up.outputs["space_ids"].value["a"]
    DataPlane(emulator, lib_id).upload(old, "cat.jpg")
    up = stack.up(replace=[urn_of(stack, "Space", "space-a")], **QUIET)
    new = up.outputs["space_ids"].value["a"]
    assert new != old
    assert spaces_of(emulator, lib_id) == {new}
    clean(emulator, stack)
    stack.preview(expect_no_changes=True, **QUIET)


def test_replace_space_with_files_and_no_force_keeps_them(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Case 1 without force_destroy: the old space holds a file, so its delete is refused; nothing is lost and the
    state names exactly what exists."""
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps({"a": {}})}))
    up = stack.up(**QUIET)
    lib_id, old = up.outputs["library_id"].value, up.outputs["space_ids"].value["a"]
    plane = DataPlane(emulator, lib_id)
    plane.upload(old, "cat.jpg")
    with pytest.raises(auto.CommandError):
        stack.up(replace=[urn_of(stack, "Space", "space-a")], **QUIET)
    assert plane.names(old) == ["cat.jpg"]
    ids = {r["id"] for r in state_resources(stack)["Space"]}
    assert old in ids and ids <= spaces_of(emulator, lib_id)
    clean(emulator, stack)
    stack.set_config("smh-media:forceDestroy", auto.ConfigValue("true"))


def test_replace_library_and_space_set(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Case 1 on MediaLibrary and SpaceSet (force_destroy on): each replacement makes new objects, the old ones
    go, and the state names exactly what exists."""
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps({"a": {}, "b": {}}),
                                                "smh-media:spaceSet": "true", "smh-media:forceDestroy": "true"}))
    up = stack.up(**QUIET)
    ids = up.outputs["space_ids"].value
    up = stack.up(replace=[urn_of(stack, "SpaceSet", "spaces")], **QUIET)
    new_ids = up.outputs["space_ids"].value
    assert set(new_ids) == {"a", "b"} and not set(new_ids.values()) & set(ids.values())
    clean(emulator, stack)
    old_lib = up.outputs["library_id"].value
    up = stack.up(replace=[urn_of(stack, "MediaLibrary", "media-library")], **QUIET)
    assert up.outputs["library_id"].value != old_lib
    clean(emulator, stack)
    stack.preview(expect_no_changes=True, **QUIET)


def test_moves_between_space_resources_and_sets_keep_every_space(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Cases 2, 3 and 5: Space resources -> SpaceSet -> two chunks -> Space resources again (by spaceSet true,
    {chunks: 2}, a threshold the stack falls below when a key goes): the same spaces throughout, the file kept,
    the removed key's space deleted, never a create and a delete of one space."""
    spaces = {"a": {}, "b": {}, "c": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces)}))
    up = stack.up(**QUIET)
    lib_id, ids = up.outputs["library_id"].value, up.outputs["space_ids"].value
    plane = DataPlane(emulator, lib_id)
    plane.upload(ids["a"], "cat.jpg")
    for setting in ("true", '{"chunks": 2}', "3"):
        set_spaces(stack, spaces, spaceSet=setting)
        up = stack.up(**QUIET)
        assert up.outputs["space_ids"].value == ids, setting
        assert spaces_of(emulator, lib_id) == set(ids.values())
        clean(emulator, stack)
        stack.preview(expect_no_changes=True, **QUIET)
    spaces.pop("c")  # below the threshold of 3: Space resources again, and c's (empty) space goes
    set_spaces(stack, spaces)
    up = stack.up(**QUIET)
    assert up.outputs["space_ids"].value == {k: ids[k] for k in ("a", "b")}
    assert spaces_of(emulator, lib_id) == {ids["a"], ids["b"]}
    assert plane.names(ids["a"]) == ["cat.jpg"]
    assert set(state_resources(stack)) >= {"Space"} and "SpaceSet" not in state_resources(stack)
    clean(emulator, stack)
    stack.preview(expect_no_changes=True, **QUIET)


def test_space_set_delete_with_a_file_deletes_nothing(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Case 4: destroying a set one of whose spaces holds a file (no force) is refused before the first delete."""
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps({"a": {}, "b": {}, "c": {}}),
                                                "smh-media:spaceSet": "true"}))
    up = stack.up(**QUIET)
    lib_id, ids = up.outputs["library_id"].value, up.outputs["space_ids"].value
    DataPlane(emulator, lib_id).upload(ids["b"], "cat.jpg")
    with pytest.raises(auto.CommandError, match=r"refused before it started.*Nothing was deleted"):
        stack.destroy(**QUIET)
    assert spaces_of(emulator, lib_id) == set(ids.values())
    clean(emulator, stack)
    stack.preview(expect_no_changes=True, **QUIET)
    stack.set_config("smh-media:forceDestroy", auto.ConfigValue("true"))
    stack.up(**QUIET)


def test_replacing_a_set_entry_with_a_file_is_refused_at_preview(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Case 6: multi_album flipped on a set entry whose space holds a file, without force_destroy: preview
    refuses naming the key; with force_destroy on that key, the replacement leaves exactly one space."""
    spaces: dict[str, Any] = {"a": {}, "b": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:spaceSet": "true"}))
    up = stack.up(**QUIET)
    lib_id, ids = up.outputs["library_id"].value, up.outputs["space_ids"].value
    DataPlane(emulator, lib_id).upload(ids["a"], "cat.jpg")
    spaces["a"] = {"multi_album": True}
    set_spaces(stack, spaces)
    with pytest.raises(auto.CommandError, match=r'spaces\["a"\].*multi_album'):
        stack.preview(**QUIET)
    with pytest.raises(auto.CommandError):
        stack.up(**QUIET)
    assert spaces_of(emulator, lib_id) == set(ids.values())
    spaces["a"]["force_destroy"] = True
    set_spaces(stack, spaces)
    up = stack.up(**QUIET)
    new = up.outputs["space_ids"].value
    assert new["b"] == ids["b"] and new["a"] != ids["a"]
    assert spaces_of(emulator, lib_id) == set(new.values())
    clean(emulator, stack)
    stack.preview(expect_no_changes=True, **QUIET)
    stack.set_config("smh-media:forceDestroy", auto.ConfigValue("true"))
    stack.up(**QUIET)


@pytest.mark.parametrize("space_set", ["true", "false"])
def test_album_swaps_and_cycles_keep_every_file(emulator: EmulatorProcess, make_stack, space_set: str) -> None:  # type: ignore[no-untyped-def]
    """Case 9: {a: X, b: Y} -> {a: Y, b: X}, then a three-album cycle, in a set and with Album resources."""
    albums = {"a": "X", "b": "Y", "c": "Z"}
    spaces = {"s": {"multi_album": True, "albums": albums}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:spaceSet": space_set, "smh-media:forceDestroy": "true"}))
    up = stack.up(**QUIET)
    lib_id, sid = up.outputs["library_id"].value, up.outputs["space_ids"].value["s"]
    plane = DataPlane(emulator, lib_id)
    for name in "XYZ":
        plane.upload(sid, name, f"{name}.jpg")
    files = {key: f"{name}.jpg" for key, name in albums.items()}  # each album key keeps its file
    for new in ({"a": "Y", "b": "X", "c": "Z"}, {"a": "Z", "b": "Y", "c": "X"}):
        spaces["s"]["albums"] = new
        set_spaces(stack, spaces)
        stack.up(**QUIET)
        for key, name in new.items():
            assert plane.names(sid, name) == [files[key]], (key, name)
        clean(emulator, stack)
        stack.preview(expect_no_changes=True, **QUIET)


def test_keys_that_give_one_mark_are_refused_at_preview(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Case 8: space keys "a b" and "a-b" would carry one ownership mark: refused at preview, nothing created."""
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps({"a b": {}, "a-b": {}})}))
    with pytest.raises(auto.CommandError, match="give one ownership mark"):
        stack.preview(**QUIET)
    before = emulator.control("GET", "inventory")
    with pytest.raises(auto.CommandError, match="give one ownership mark"):
        stack.up(**QUIET)
    assert emulator.control("GET", "inventory") == before


def test_a_key_its_mark_writes_another_way_is_still_its_own_holder(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk seed 303303: the space of key "a b" (resource "space-a b", mark ".../space-a-b") holding a file was
    removed from the program, and its delete left the space to "another holder", itself: the space stayed in the
    cloud, outside the state. Its delete and its replacement now follow the rules of every space."""
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps({"a b": {}, "c": {}})}))
    up = stack.up(**QUIET)
    lib_id, sid = up.outputs["library_id"].value, up.outputs["space_ids"].value["a b"]
    plane = DataPlane(emulator, lib_id)
    plane.upload(sid, "f1.jpg")
    with pytest.raises(auto.CommandError, match="refused before it started"):
        stack.up(replace=[urn_of(stack, "Space", "space-a b")], **QUIET)
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps({"c": {}})))
    with pytest.raises(auto.CommandError, match="still holds files"):
        stack.up(**QUIET)
    assert sid in spaces_of(emulator, lib_id) and plane.names(sid) == ["f1.jpg"]
    assert sid in [r["id"] for r in state_resources(stack)["Space"] if r["urn"].endswith("::space-a b")]


def test_a_user_made_by_hand_needs_adopt(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Case 7: a user that exists before the stack is refused without adopt: true, kept with its nickname, and
    taken over (then deleted on destroy) only with it."""
    cfg = full_config(emulator, **{"smh-media:spaces": json.dumps({}), "smh-media:forceDestroy": "true"})
    stack = make_stack(cfg)
    lib_id = stack.up(**QUIET).outputs["library_id"].value
    plane = DataPlane(emulator, lib_id)
    plane.call("POST", f"/user/{lib_id}", json={"userId": "ann", "nickname": "Ann by hand"})
    stack.set_config("smh-media:users", auto.ConfigValue(json.dumps({"ann": {"nickname": "Ann"}})))
    with pytest.raises(auto.CommandError, match="exists already.*adopt: true"):
        stack.up(**QUIET)
    assert plane.call("GET", f"/user/{lib_id}/ann")["nickname"] == "Ann by hand"
    stack.set_config("smh-media:users", auto.ConfigValue(json.dumps({"ann": {"nickname": "Ann", "adopt": True}})))
    stack.up(**QUIET)
    assert plane.call("GET", f"/user/{lib_id}/ann")["nickname"] == "Ann"
    stack.preview(expect_no_changes=True, **QUIET)


def test_replace_of_a_library_holding_files_is_refused_before_anything(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk finding W2: `up --replace` of a library whose files keep its delete from finishing (no force_destroy)
    is refused at the replacement's create, before anything is made: the stack is not left with a delete that can
    never finish, and the next `up` has nothing to do."""
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps({"b": {}})}))
    up = stack.up(**QUIET)
    lib_id, sid = up.outputs["library_id"].value, up.outputs["space_ids"].value["b"]
    DataPlane(emulator, lib_id).upload(sid, "f1.jpg")
    before = emulator.control("GET", "inventory")
    with pytest.raises(auto.CommandError, match="refused before it started"):
        stack.up(replace=[urn_of(stack, "MediaLibrary", "media-library")], **QUIET)
    after = emulator.control("GET", "inventory")
    assert [lib["LibraryId"] for lib in after["libraries"]] == [lib["LibraryId"] for lib in before["libraries"]]
    clean(emulator, stack)
    stack.up(**QUIET)  # not stuck
    stack.preview(expect_no_changes=True, **QUIET)


def test_replace_of_an_album_deletes_first_and_keeps_files_without_force(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk finding W7: `up --replace` of an Album (its name is unique in its space, so the old one goes first):
    refused while it holds a file without force_destroy, nothing lost, the stack not stuck; with force_destroy,
    one album of that name afterwards, and the state names it."""
    spaces = {"a": {"multi_album": True, "albums": {"x": "Trip"}}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces)}))
    up = stack.up(**QUIET)
    lib_id, sid = up.outputs["library_id"].value, up.outputs["space_ids"].value["a"]
    plane = DataPlane(emulator, lib_id)
    plane.upload(sid, "Trip", "f1.jpg")
    with pytest.raises(auto.CommandError, match="still holds 1 files"):
        stack.up(replace=[urn_of(stack, "Album", "album-a-x")], **QUIET)
    assert plane.names(sid, "Trip") == ["f1.jpg"]
    stack.preview(expect_no_changes=True, **QUIET)
    stack.set_config("smh-media:forceDestroy", auto.ConfigValue("true"))
    stack.up(**QUIET)
    stack.up(replace=[urn_of(stack, "Album", "album-a-x")], **QUIET)
    assert plane.names(sid) == ["Trip"] and plane.names(sid, "Trip") == []
    clean(emulator, stack)
    stack.preview(expect_no_changes=True, **QUIET)


def test_after_a_failure_that_landed_the_set_records_what_exists(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Case 11: an album create and a settings update that the cloud applied but answered with an error: the
    outputs say what exists (read back), not what was intended, and the next `up` has nothing left to do."""
    spaces: dict[str, Any] = {"a": {"multi_album": True, "albums": {"x": "Trip"}}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:spaceSet": "true", "smh-media:forceDestroy": "true"}))
    stack.up(**QUIET)

    def landed_but_refused(action: str) -> None:
        emulator.control("POST", "faults", {"seed": 1, "errors": [
            {"service": "smhdata", "action": action, "probability": 1.0, "code": "NoPermission", "status": 403,
             "phase": "after"}]})
        try:
            with pytest.raises(auto.CommandError):
                stack.up(**QUIET)
        finally:
            emulator.control("DELETE", "faults")

    spaces["a"]["public_read"] = True
    set_spaces(stack, spaces)
    landed_but_refused("UpdateSpaceExtension")
    held = state_resources(stack)["SpaceSet"][0]["outputs"]["spaces"]["a"]
    assert held.get("public_read") is True, held  # the update landed: the state says so
    spaces["a"]["albums"]["y"] = "Family"
    set_spaces(stack, spaces)
    landed_but_refused("CreateDirectory")
    held = state_resources(stack)["SpaceSet"][0]["outputs"]["spaces"]["a"]
    assert held["albums"] == {"x": "Trip", "y": "Family"}, held  # the album exists: the state holds it
    clean(emulator, stack)
    # The engine updates a resource with init errors once more (pulumi's partial-failure contract): that `up`
    # finds everything in place, and the preview after it is clean.
    stack.up(**QUIET)
    stack.preview(expect_no_changes=True, **QUIET)


def test_leaving_a_set_and_renaming_an_album_in_one_up_moves_the_album(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk finding W11, both directions: a move between a SpaceSet and Space + Album resources in the same `up`
    as an album rename takes the album over under its key and renames it, keeping its file."""
    spaces: dict[str, Any] = {"a": {"multi_album": True, "albums": {"x": "Trip"}}, "b": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:spaceSet": "true"}))
    up = stack.up(**QUIET)
    lib_id, sid = up.outputs["library_id"].value, up.outputs["space_ids"].value["a"]
    plane = DataPlane(emulator, lib_id)
    plane.upload(sid, "Trip", "f1.jpg")
    for name, setting in (("Zoo", "false"), ("Pets", "true")):
        spaces["a"]["albums"]["x"] = name
        set_spaces(stack, spaces, spaceSet=setting)
        stack.up(**QUIET)
        assert plane.names(sid) == [name] and plane.names(sid, name) == ["f1.jpg"], (setting, plane.names(sid))
        clean(emulator, stack)
        stack.preview(expect_no_changes=True, **QUIET)
    stack.set_config("smh-media:forceDestroy", auto.ConfigValue("true"))
    stack.up(**QUIET)


def test_replacing_a_space_whose_album_holds_files_is_refused_at_preview(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk finding W12: a space's replacement (multi_album flipped) with a file in an album inside it. The album
    follows the space's force_destroy: off, the replacement is refused at preview naming the file, before a
    second space exists; on (the space's own), it goes through and takes the album with it, as declared."""
    spaces: dict[str, Any] = {"a": {"multi_album": True, "albums": {"x": "Trip"}}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces)}))
    up = stack.up(**QUIET)
    lib_id, sid = up.outputs["library_id"].value, up.outputs["space_ids"].value["a"]
    DataPlane(emulator, lib_id).upload(sid, "Trip", "f1.jpg")
    set_spaces(stack, {"a": {"multi_album": False}})
    with pytest.raises(auto.CommandError, match="Trip/f1.jpg"):
        stack.preview(**QUIET)
    with pytest.raises(auto.CommandError):
        stack.up(**QUIET)
    assert spaces_of(emulator, lib_id) == {sid} and DataPlane(emulator, lib_id).names(sid, "Trip") == ["f1.jpg"]
    set_spaces(stack, {"a": {"multi_album": True, "albums": {"x": "Trip"}, "force_destroy": True}})
    stack.up(**QUIET)  # the space's force_destroy, and with it its album's
    albums = [r for r in state_resources(stack)["Album"] if r["urn"].endswith("::album-a-x")]
    assert [r["outputs"]["force_destroy"] for r in albums] == [True]
    set_spaces(stack, {"a": {"multi_album": False, "force_destroy": True}})
    stack.up(**QUIET)
    (new,) = spaces_of(emulator, lib_id)
    assert new != sid
    stack.preview(expect_no_changes=True, **QUIET)


@pytest.mark.parametrize("k,space_set", [(1, "true"), (3, "true"), (2, "false")])
def test_a_kill_during_album_renames_is_recovered(k: int, space_set: str, emulator: EmulatorProcess, make_stack,  # type: ignore[no-untyped-def]
                                                  engine_env: dict[str, str]) -> None:
    """Case 10: an album swap (inside a set, or between Album resources) moves through temporary names; `up` is
    killed after mutating call k, and scripts/recover.sh (cancel, refresh, up) finishes it: every file under its
    key's new name, state == cloud. With Album resources, k=2 is the kill right after the first album stepped
    aside (walk seeds 303203, 303204: the refresh dropped it and its files were left outside the state)."""
    spaces: dict[str, Any] = {"a": {"multi_album": True, "albums": {"x": "Trip", "y": "Family"}}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:spaceSet": space_set, "smh-media:forceDestroy": "true"}))
    up = stack.up(**QUIET)
    lib_id, sid = up.outputs["library_id"].value, up.outputs["space_ids"].value["a"]
    plane = DataPlane(emulator, lib_id)
    plane.upload(sid, "Trip", "x.jpg")
    plane.upload(sid, "Family", "y.jpg")
    spaces["a"]["albums"] = {"x": "Family", "y": "Trip"}
    set_spaces(stack, spaces)
    env = {**os.environ, **engine_env}
    kill_after_mutation(emulator, stack, k, env)
    done = recover(stack, env)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert sorted(plane.names(sid)) == ["Family", "Trip"]
    assert plane.names(sid, "Family") == ["x.jpg"] and plane.names(sid, "Trip") == ["y.jpg"]
    if space_set == "true":
        held = state_resources(stack)["SpaceSet"][0]["outputs"]["spaces"]["a"]["albums"]
    else:
        held = {r["urn"].rsplit("-", 1)[-1]: r["outputs"]["album_name"] for r in state_resources(stack)["Album"]}
    assert held == {"x": "Family", "y": "Trip"}, held
    clean(emulator, stack)
    stack.preview(expect_no_changes=True, **QUIET)


def test_leaving_a_set_whose_album_holds_files_keeps_them(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk finding W16: spaceSet true -> false with a file in a set album (the common way a user leaves a set):
    the Space and Album resources take the spaces and albums over, the set leaves the state, the file stays."""
    spaces: dict[str, Any] = {"a": {"multi_album": True, "albums": {"x": "Trip"}}, "b": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:spaceSet": "true"}))
    up = stack.up(**QUIET)
    lib_id, ids = up.outputs["library_id"].value, up.outputs["space_ids"].value
    plane = DataPlane(emulator, lib_id)
    plane.upload(ids["a"], "Trip", "f1.jpg")
    set_spaces(stack, spaces, spaceSet="false")
    up = stack.up(**QUIET)
    assert up.outputs["space_ids"].value == ids
    assert plane.names(ids["a"], "Trip") == ["f1.jpg"]
    assert "SpaceSet" not in state_resources(stack) and len(state_resources(stack)["Album"]) == 1
    clean(emulator, stack)
    stack.preview(expect_no_changes=True, **QUIET)
    stack.set_config("smh-media:forceDestroy", auto.ConfigValue("true"))
    stack.up(**QUIET)


def test_a_space_held_twice_is_deleted_by_its_last_holder(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk finding W15: `spaceSet: 2`, a file in space a, then key a removed. Below the threshold the program
    goes back to Space resources: space-b adopts b while the set's delete is refused (a holds a file and force is
    off), so b is held twice (the set stays in the state whole: a delete either finishes or changes nothing).
    Nothing is lost, and when both holders are deleted in one run the last one deletes b: never both deferring
    to each other and leaving b behind outside the state."""
    spaces: dict[str, Any] = {"a": {"multi_album": True, "albums": {"x": "Trip"}}, "b": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:spaceSet": "2"}))
    up = stack.up(**QUIET)
    lib_id, ids = up.outputs["library_id"].value, up.outputs["space_ids"].value
    plane = DataPlane(emulator, lib_id)
    plane.upload(ids["a"], "Trip", "f1.jpg")
    set_spaces(stack, {"b": {}})
    with pytest.raises(auto.CommandError) as refused:
        stack.up(**QUIET)
    assert 'spaces["a"]' in str(refused.value) and "force_destroy" in str(refused.value)
    assert plane.names(ids["a"], "Trip") == ["f1.jpg"]
    held = state.parse({"deployment": stack.export_stack().deployment}).holders
    assert held[("space", ids["b"])] == {"spaces", "space-b"}, held  # the double hold, honest
    assert held[("space", ids["a"])] == {"spaces"}
    plane.call("DELETE", plane.path("file", ids["a"], "Trip", "f1.jpg"))  # the user empties a
    stack.destroy(target=[urn_of(stack, "SpaceSet", "spaces"), urn_of(stack, "Space", "space-b")], **QUIET)
    assert spaces_of(emulator, lib_id) == set()  # a by the set, b by whichever of its holders went last
    assert not {"Space", "SpaceSet"} & set(state_resources(stack))  # (a targeted destroy leaves stale outputs)


def test_force_destroy_moved_to_an_entry_leaves_a_clean_preview(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk finding W14: the set's force_destroy off and an entry's on in one `up`, where the entry had it from
    the set: the same settings written another way. The outputs take the new form, so the next preview is clean."""
    spaces: dict[str, Any] = {"a": {}, "b": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces), "smh-media:spaceSet": "true",
                                                "smh-media:forceDestroy": "true"}))
    stack.up(**QUIET)
    set_spaces(stack, {"a": {}, "b": {"force_destroy": True}}, forceDestroy="false")
    stack.up(**QUIET)
    stack.preview(expect_no_changes=True, **QUIET)
    assert json.loads(json.dumps(stack.outputs()["space_ids"].value)).keys() == {"a", "b"}


def test_leaving_a_set_while_changing_multi_album_is_refused_at_preview(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk finding W13: leaving a set (here by a threshold) and flipping a space's multi_album in the same `up`
    once let the new Space resource adopt the multi-album space as a plain one, its album outside the state. It is
    refused at preview naming the way (move, then change); the two steps then go through and keep the file."""
    spaces: dict[str, Any] = {"a": {"multi_album": True, "albums": {"x": "Trip"}}, "b": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:spaceSet": "2"}))
    up = stack.up(**QUIET)
    lib_id, ids = up.outputs["library_id"].value, up.outputs["space_ids"].value
    plane = DataPlane(emulator, lib_id)
    plane.upload(ids["b"], "f1.jpg")
    before = spaces_of(emulator, lib_id)
    set_spaces(stack, {"a": {}, "b": {}}, spaceSet="3")  # below the threshold: Space resources, a flips
    for attempt in (stack.preview, stack.up):
        with pytest.raises(auto.CommandError) as refused:
            attempt(**QUIET)
        assert "multi_album" in str(refused.value) and "Move it first" in str(refused.value), str(refused.value)
    assert spaces_of(emulator, lib_id) == before
    set_spaces(stack, spaces)  # the move alone
    assert stack.up(**QUIET).outputs["space_ids"].value == ids
    set_spaces(stack, {"a": {}, "b": {}})  # then the change: a (empty) is replaced
    up = stack.up(**QUIET)
    assert up.outputs["space_ids"].value["b"] == ids["b"] and up.outputs["space_ids"].value["a"] != ids["a"]
    assert plane.names(ids["b"]) == ["f1.jpg"]
    clean(emulator, stack)
    stack.preview(expect_no_changes=True, **QUIET)
    set_spaces(stack, {"a": {}, "b": {"multi_album": True}}, spaceSet="true")  # the other way: into a set
    with pytest.raises(auto.CommandError) as refused:
        stack.preview(**QUIET)
    assert 'spaces["b"].multi_album' in str(refused.value) and "Move it first" in str(refused.value)


def test_album_swaps_while_moving_to_or_from_a_set_keep_every_file(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk seed 303202: entering a set while two albums swap names once renamed one onto the other's old name and
    recorded an album that did not exist; leaving a set with a swap collided. Both ways now complete."""
    spaces: dict[str, Any] = {"a": {"multi_album": True, "albums": {"x": "Trip", "y": "Family"}}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces)}))
    up = stack.up(**QUIET)
    lib_id, sid = up.outputs["library_id"].value, up.outputs["space_ids"].value["a"]
    plane = DataPlane(emulator, lib_id)
    plane.upload(sid, "Trip", "x.jpg")
    plane.upload(sid, "Family", "y.jpg")
    for space_set, albums in (("true", {"x": "Family", "y": "Trip"}), ("false", {"x": "Trip", "y": "Family"})):
        spaces["a"]["albums"] = albums
        set_spaces(stack, spaces, spaceSet=space_set)
        assert stack.up(**QUIET).outputs["space_ids"].value == {"a": sid}
        assert plane.names(sid, albums["x"]) == ["x.jpg"] and plane.names(sid, albums["y"]) == ["y.jpg"]
        assert sorted(plane.names(sid)) == ["Family", "Trip"]
        clean(emulator, stack)
        stack.preview(expect_no_changes=True, **QUIET)


def test_an_album_removed_while_its_space_moves_is_deleted(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk seed 303201: chunks -> one set with an album removed in the same `up`. The old set leaves the space
    to the new one and used to leave the album too, held by nothing; it now deletes it by the album rules (with a
    file and force off, the old set's delete is refused before anything is deleted)."""
    spaces: dict[str, Any] = {"a": {"multi_album": True, "albums": {"x": "Trip", "y": "Family"}}, "b": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:spaceSet": json.dumps({"chunks": 2})}))
    up = stack.up(**QUIET)
    lib_id, ids = up.outputs["library_id"].value, up.outputs["space_ids"].value
    plane = DataPlane(emulator, lib_id)
    plane.upload(ids["a"], "Family", "y.jpg")
    spaces["a"]["albums"] = {"y": "Family"}
    set_spaces(stack, spaces, spaceSet="true")
    assert stack.up(**QUIET).outputs["space_ids"].value == ids
    assert plane.names(ids["a"]) == ["Family"] and plane.names(ids["a"], "Family") == ["y.jpg"]
    clean(emulator, stack)
    stack.preview(expect_no_changes=True, **QUIET)




def test_a_targeted_destroy_does_not_check_the_ancestors_it_leaves(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """`destroy --target` of one space once checked the library (and bucket) as if they went too, and refused
    because another space held a file. The command line names the targets; the library is not one of them."""
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps({"a": {}, "b": {}})}))
    up = stack.up(**QUIET)
    lib_id, ids = up.outputs["library_id"].value, up.outputs["space_ids"].value
    plane = DataPlane(emulator, lib_id)
    plane.upload(ids["a"], "cat.jpg")
    stack.destroy(target=[urn_of(stack, "Space", "space-b")], **QUIET)
    assert spaces_of(emulator, lib_id) == {ids["a"]} and plane.names(ids["a"]) == ["cat.jpg"]
    with pytest.raises(auto.CommandError) as refused:  # the library itself, targeted, is still checked
        stack.destroy(target=[urn_of(stack, "MediaLibrary", "media-library")], target_dependents=True, **QUIET)
    assert "still holds" in str(refused.value) and "Nothing was deleted" in str(refused.value)
    assert spaces_of(emulator, lib_id) == {ids["a"]} and plane.names(ids["a"]) == ["cat.jpg"]


@pytest.mark.parametrize("space_set", ["false", "true"])
def test_replacing_a_library_checks_each_space_by_its_own_force_destroy(space_set: str, emulator: EmulatorProcess,  # type: ignore[no-untyped-def]
                                                                       make_stack) -> None:
    """Walk seed 303401: the library's force_destroy is on, but one space's is off and it holds a file. `up
    --replace` of the library passed the library's check, created the new library, and then the space's
    replacement was refused: the state named the new library, the spaces the old one, and every later `up` was
    refused. The library's check now asks each Space, SpaceSet entry and Album of the state by its own rule."""
    spaces = {"b": {"force_destroy": False}, "c": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:forceDestroy": "true", "smh-media:spaceSet": space_set}))
    up = stack.up(**QUIET)
    lib_id, sid = up.outputs["library_id"].value, up.outputs["space_ids"].value["b"]
    DataPlane(emulator, lib_id).upload(sid, "f1.jpg")
    before = emulator.control("GET", "inventory")
    with pytest.raises(auto.CommandError) as refused:
        stack.up(replace=[urn_of(stack, "MediaLibrary", "media-library")], **QUIET)
    assert "refused before it started" in str(refused.value) and f"tenant space {sid}" in str(refused.value)
    after = emulator.control("GET", "inventory")
    assert [lib["LibraryId"] for lib in after["libraries"]] == [lib["LibraryId"] for lib in before["libraries"]]
    assert DataPlane(emulator, lib_id).names(sid) == ["f1.jpg"]
    stack.preview(expect_no_changes=True, **QUIET)
    stack.up(**QUIET)  # not stuck


def test_a_set_entry_without_force_destroy_keeps_its_files_when_the_set_has_it(emulator: EmulatorProcess,  # type: ignore[no-untyped-def]
                                                                              make_stack) -> None:
    """An entry's `force_destroy: false` was dropped as a default, so the set's `true` applied to it: removing the
    entry deleted its space with the file in it. The entry's own value wins, false included."""
    spaces = {"b": {"force_destroy": False}, "c": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:forceDestroy": "true", "smh-media:spaceSet": "true"}))
    up = stack.up(**QUIET)
    lib_id, sid = up.outputs["library_id"].value, up.outputs["space_ids"].value["b"]
    plane = DataPlane(emulator, lib_id)
    plane.upload(sid, "f1.jpg")
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps({"c": {}})))
    with pytest.raises(auto.CommandError, match="still holds files"):
        stack.up(**QUIET)
    assert sid in spaces_of(emulator, lib_id) and plane.names(sid) == ["f1.jpg"]


def test_the_albums_of_a_space_follow_its_force_destroy(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """The albums declared in a space got the stack's forceDestroy, not the space's own: with the stack's on and the
    space's off, removing the space deleted its album with the files in it."""
    spaces = {"a": {"multi_album": True, "albums": {"x": "Trip"}, "force_destroy": False}, "b": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces),
                                                "smh-media:forceDestroy": "true"}))
    up = stack.up(**QUIET)
    lib_id, sid = up.outputs["library_id"].value, up.outputs["space_ids"].value["a"]
    plane = DataPlane(emulator, lib_id)
    plane.upload(sid, "Trip", "f1.jpg")
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps({"b": {}})))
    with pytest.raises(auto.CommandError, match="still holds"):
        stack.up(**QUIET)
    assert plane.names(sid, "Trip") == ["f1.jpg"]


def test_a_refused_move_that_renamed_an_album_can_be_reverted(emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Walk finding W21 (seed 304100): leaving a set by its threshold while renaming an album, in an `up` whose
    delete of the set was refused (a removed key's space holds a file): the Album resource renamed the album, the
    set still holds it under its old name. Going back to the old config was refused for ever (the Album's delete
    found files). The album now goes back to the set under the set's name, with its files."""
    spaces: dict[str, Any] = {"a": {"multi_album": True, "albums": {"x": "Trip"}}, "b": {}, "d": {}}
    stack = make_stack(full_config(emulator, **{"smh-media:spaces": json.dumps(spaces), "smh-media:spaceSet": "3"}))
    up = stack.up(**QUIET)
    lib_id, ids = up.outputs["library_id"].value, up.outputs["space_ids"].value
    plane = DataPlane(emulator, lib_id)
    plane.upload(ids["d"], "f1.jpg")
    plane.upload(ids["a"], "Trip", "f2.jpg")
    set_spaces(stack, {"a": {"multi_album": True, "albums": {"x": "Family"}}, "b": {}})
    with pytest.raises(auto.CommandError, match="still holds files"):
        stack.up(**QUIET)
    assert plane.names(ids["a"]) == ["Family"] and plane.names(ids["d"]) == ["f1.jpg"]
    set_spaces(stack, spaces)
    stack.up(**QUIET)
    assert plane.names(ids["a"]) == ["Trip"] and plane.names(ids["a"], "Trip") == ["f2.jpg"]
    (held,) = state_resources(stack)["SpaceSet"]
    assert held["outputs"]["space_ids"] == ids and held["outputs"]["spaces"]["a"]["albums"] == {"x": "Trip"}
    assert "Album" not in state_resources(stack)
    clean(emulator, stack)
    stack.preview(expect_no_changes=True, **QUIET)
