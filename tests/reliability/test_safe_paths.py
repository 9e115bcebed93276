"""Issue 19's cases through the real CLI against the emulator: the paths a user can take that once lost files or
left the state naming objects that were gone. Each test ends with the state checked against the cloud
(`cloud.compare`): no duplicate, no orphan with this stack's mark, nothing in the state that does not exist."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi import automation as auto

from tests.emulator_process import EmulatorProcess
from tests.reliability.cloud import compare, full_config, state_resources
from tests.reliability.outside import DataPlane

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


def clean(emulator: EmulatorProcess, stack: auto.Stack) -> dict[str, Any]:
    got = compare(emulator, stack, {})
    assert (got["duplicates"], got["orphans"], got["missing"]) == (0, [], []), got
    return got


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
