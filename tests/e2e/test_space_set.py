"""SpaceSet through the real engine: one resource for a library's spaces and albums (`smh-media:spaceSet`)."""

from __future__ import annotations

import json

import pytest
from pulumi import automation as auto

from tests.e2e.conftest import base_config
from tests.e2e.test_tenants import data_plane, spaces_in
from tests.targets import Target

QUIET = {"on_output": lambda _: None}
pytestmark = pytest.mark.emulator_only  # request-log call counts


def set_config(target: Target, spaces: dict, **extra: str) -> dict:
    return base_config(target, **{
        "smh-media:bucketName": "spaceset",
        "smh-media:library": '{"library_name": "spaceset", "multi_tenant": true}',
        "smh-media:forceDestroy": "false",
        "smh-media:spaceSet": "true",
        "smh-media:spaces": json.dumps(spaces),
        **extra,
    })


def calls(target: Target, since: int = 0) -> list[dict]:
    assert target.emulator is not None
    return [e for e in target.emulator.control("GET", "requests")["requests"] if e["seq"] > since]


def last_seq(target: Target) -> int:
    entries = calls(target)
    return entries[-1]["seq"] if entries else 0


def actions(entries: list[dict], mutating: bool = False) -> dict[str, int]:
    """Calls by action; `mutating`: only those that changed a space or album (an access token is not counted)."""
    out: dict[str, int] = {}
    for e in entries:
        if not mutating or (e["mutated"] and e["action"] != "CreateAccessToken"):
            out[e["action"]] = out.get(e["action"], 0) + 1
    return out


def resources_of(stack: auto.Stack, kind: str) -> list[dict]:
    deployment = stack.export_stack().deployment
    return [r for r in deployment.get("resources", []) if r["type"].endswith(f":{kind}")]


def preview_json(stack: auto.Stack) -> dict:
    """`pulumi preview --json` of the stack, with the detailed diff the provider sent."""
    out = stack._run_pulumi_cmd_sync(["preview", "--json", "--diff", "--stack", stack.name])  # noqa: SLF001
    return json.loads(out.stdout)


def test_space_set_lifecycle(target: Target, make_stack) -> None:  # type: ignore[no-untyped-def]
    spaces = {"alice": {"multi_album": True, "albums": {"trip": "Trip"}}, "bob": {"space_tag": "personal"}}
    stack = make_stack(set_config(target, spaces))
    up = stack.up(**QUIET)
    ids = up.outputs["space_ids"].value
    lib_id, secret = up.outputs["library_id"].value, up.outputs["library_secret"].value
    assert spaces_in(target, lib_id) == {ids["alice"], ids["bob"]}
    assert len(resources_of(stack, "SpaceSet")) == 1 and not resources_of(stack, "Space")
    state_text = json.dumps(resources_of(stack, "SpaceSet"))
    assert secret not in state_text and "accessToken" not in state_text  # nothing secret in inputs or outputs
    marks = {s["userId"] for s in target.emulator.control("GET", "inventory")["spaces"]}  # type: ignore[union-attr]
    assert marks == {f"smh-media/{stack.name}/spaces/alice", f"smh-media/{stack.name}/spaces/bob"}

    # No-op: no call at all in preview, none that mutates in up.
    seq = last_seq(target)
    stack.preview(expect_no_changes=True, **QUIET)
    assert calls(target, seq) == []
    up = stack.up(**QUIET)
    assert actions(calls(target, seq), mutating=True) == {}

    # In place, with an exact per-key preview: one UpdateSpaceExtension, same id.
    spaces["alice"]["public_read"] = True
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(spaces)))
    step = next(s for s in preview_json(stack)["steps"] if s["urn"].endswith("::spaces"))
    assert step["op"] == "update"
    assert set(step["detailedDiff"]) == {'spaces["alice"].public_read'}
    seq = last_seq(target)
    up = stack.up(**QUIET)
    assert up.outputs["space_ids"].value == ids
    assert actions(calls(target, seq), mutating=True) == {"UpdateSpaceExtension": 1}
    call = data_plane(target, lib_id, secret)
    assert call("GET", f"/space/{lib_id}/{ids['alice']}/extension")["isPublicRead"] is True

    # Album rename moves it and keeps its files.
    call("PUT", f"/file/{lib_id}/{ids['alice']}/Trip/beach.jpg", data=b"jpeg")
    spaces["alice"]["albums"]["trip"] = "Trip 2026"
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(spaces)))
    seq = last_seq(target)
    stack.up(**QUIET)
    assert actions(calls(target, seq), mutating=True) == {"MoveDirectory": 1}
    listing = call("GET", f"/directory/{lib_id}/{ids['alice']}/Trip 2026")
    assert [c["name"] for c in listing["contents"]] == ["beach.jpg"]

    # A replace-only change of bob replaces bob alone, inside the set; carol is added in the same run.
    spaces["bob"]["multi_album"] = True
    spaces["carol"] = {}
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(spaces)))
    step = next(s for s in preview_json(stack)["steps"] if s["urn"].endswith("::spaces"))
    assert step["op"] == "update"
    assert set(step["detailedDiff"]) == {'spaces["bob"].multi_album', 'spaces["carol"]'}
    up = stack.up(**QUIET)
    new_ids = up.outputs["space_ids"].value
    assert new_ids["alice"] == ids["alice"] and new_ids["bob"] != ids["bob"]
    assert spaces_in(target, lib_id) == set(new_ids.values())
    ids = new_ids

    # Drift: carol deleted and alice changed outside Pulumi; refresh sees both, up restores both.
    call("DELETE", f"/space/{lib_id}/{ids['carol']}")
    call("POST", f"/space/{lib_id}/{ids['alice']}/extension", json={"isPublicRead": False})
    seq = last_seq(target)
    stack.refresh(**QUIET)
    reads = actions(calls(target, seq))
    assert reads.get("ListSpaces") == 1 and reads.get("GetSpaceExtension") == 2, reads
    outs = resources_of(stack, "SpaceSet")[0]["outputs"]
    assert set(outs["space_ids"]) == {"alice", "bob"}
    assert "public_read" not in outs["spaces"]["alice"]
    up = stack.up(**QUIET)
    assert set(up.outputs["space_ids"].value) == {"alice", "bob", "carol"}
    assert call("GET", f"/space/{lib_id}/{ids['alice']}/extension")["isPublicRead"] is True
    stack.preview(expect_no_changes=True, **QUIET)

    # Removing a space that holds files is refused (nothing deleted), and reported for that key only.
    del spaces["alice"]
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(spaces)))
    with pytest.raises(auto.CommandError) as info:
        stack.up(**QUIET)
    assert 'spaces["alice"]' in str(info.value) and "still holds files" in str(info.value)
    assert ids["alice"] in spaces_in(target, lib_id)
    assert "alice" in resources_of(stack, "SpaceSet")[0]["outputs"]["space_ids"]

    # With force_destroy it goes; destroy leaves nothing behind.
    stack.set_config("smh-media:forceDestroy", auto.ConfigValue("true"))
    stack.up(**QUIET)
    assert ids["alice"] not in spaces_in(target, lib_id)
    stack.destroy(**QUIET)
    inv = target.emulator.control("GET", "inventory")  # type: ignore[union-attr]
    assert inv["spaces"] == [] and inv["libraries"] == []


def test_a_stack_of_space_resources_moves_to_a_space_set_without_recreating_anything(  # type: ignore[no-untyped-def]
        target: Target, make_stack) -> None:
    spaces = {"alice": {"multi_album": True, "albums": {"trip": "Trip", "pets": "Pets"}},
              "bob": {"space_tag": "personal", "quota_bytes": 5000000}}
    stack = make_stack(set_config(target, spaces, **{"smh-media:spaceSet": "false"}))
    up = stack.up(**QUIET)
    ids = up.outputs["space_ids"].value
    lib_id, secret = up.outputs["library_id"].value, up.outputs["library_secret"].value
    assert len(resources_of(stack, "Space")) == 2 and len(resources_of(stack, "Album")) == 2
    call = data_plane(target, lib_id, secret)
    call("PUT", f"/file/{lib_id}/{ids['alice']}/Trip/beach.jpg", data=b"jpeg")

    # The switch: the set adopts every space by the Space resource's mark; the dropped Space and Album resources
    # leave the state, and nothing is created, deleted or moved in the cloud.
    stack.set_config("smh-media:spaceSet", auto.ConfigValue("true"))
    seq = last_seq(target)
    up = stack.up(**QUIET)
    changed = actions(calls(target, seq), mutating=True)
    assert set(changed) <= {"UpdateSpaceExtension", "UpdateQuota"}, changed  # the declared settings, re-applied
    assert up.outputs["space_ids"].value == ids
    assert up.summary.resource_changes.get("create") == 1 and up.summary.resource_changes.get("delete") == 4
    assert not resources_of(stack, "Space") and not resources_of(stack, "Album")
    assert resources_of(stack, "SpaceSet")[0]["outputs"]["space_ids"] == ids
    assert spaces_in(target, lib_id) == set(ids.values())
    listing = call("GET", f"/directory/{lib_id}/{ids['alice']}/Trip")
    assert [c["name"] for c in listing["contents"]] == ["beach.jpg"]
    assert {c["name"] for c in call("GET", f"/directory/{lib_id}/{ids['alice']}")["contents"]} == {"Trip", "Pets"}
    stack.preview(expect_no_changes=True, **QUIET)

    # From now on the set manages them.
    spaces["bob"]["public_read"] = True
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(spaces)))
    seq = last_seq(target)
    stack.up(**QUIET)
    assert actions(calls(target, seq), mutating=True) == {"UpdateSpaceExtension": 1}
    assert call("GET", f"/space/{lib_id}/{ids['bob']}/extension")["isPublicRead"] is True


def test_chunks_split_the_keys_over_several_sets_and_a_key_stays_in_its_chunk(  # type: ignore[no-untyped-def]
        target: Target, make_stack) -> None:
    spaces = {f"k{i}": {} for i in range(6)}
    stack = make_stack(set_config(target, spaces, **{"smh-media:spaceSet": '{"chunks": 3}'}))
    up = stack.up(**QUIET)
    ids = up.outputs["space_ids"].value
    sets = resources_of(stack, "SpaceSet")
    assert sorted(r["urn"].split("::")[-1] for r in sets) == ["spaces-0", "spaces-1", "spaces-2"]
    assert sorted(k for r in sets for k in r["outputs"]["space_ids"]) == sorted(spaces)
    assert spaces_in(target, up.outputs["library_id"].value) == set(ids.values())
    spaces["k9"] = {}
    stack.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(spaces)))
    up = stack.up(**QUIET)
    assert {k: v for k, v in up.outputs["space_ids"].value.items() if k != "k9"} == ids
    assert up.summary.resource_changes.get("update") == 1  # only the chunk that holds k9
    # Another number of chunks would move keys between existing sets in parallel: refused, naming the way through
    # one set; that way recreates nothing (issue 19).
    before = up.outputs["space_ids"].value
    stack.set_config("smh-media:spaceSet", auto.ConfigValue('{"chunks": 4}'))
    with pytest.raises(auto.CommandError, match="set spaceSet to true"):
        stack.preview(**QUIET)
    for setting in ("true", '{"chunks": 4}'):
        stack.set_config("smh-media:spaceSet", auto.ConfigValue(setting))
        up = stack.up(**QUIET)
        assert up.outputs["space_ids"].value == before
        assert spaces_in(target, up.outputs["library_id"].value) == set(before.values())
    stack.preview(expect_no_changes=True, **QUIET)
