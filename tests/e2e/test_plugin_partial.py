"""A SpaceSet that did part of its work, through the plugin: the protocol's ErrorResourceInitFailed makes the engine
keep what was created (no orphan, no duplicate), name what failed, and finish on the next `up`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pulumi import automation as auto

from smh_provider.clients.smhdata import DataPlane
from tests.e2e.plugin_support import (  # noqa: F401 - fixtures
    QUIET,
    make_yaml_stack,
    plugin_config,
    state_resources,
    yaml_project,
)
from tests.emulator_process import ROOT
from tests.targets import Target

pytestmark = pytest.mark.emulator_only  # seeded faults need the emulator

SPACES = {f"s{i}": {"space_tag": f"t{i}"} for i in range(6)}


def test_partial_failure_keeps_what_exists_and_the_next_up_finishes(target: Target, emulator, make_yaml_stack,  # noqa: F811
                                                                    tmp_path: Path) -> None:
    program = {"name": "smh-partial", "runtime": "yaml",
               "plugins": {"providers": [{"name": "smh", "path": str(ROOT / "bin")}]},
               "resources": {
                   "library": {"type": "smh:index:MediaLibrary", "properties": {
                       "library_name": "partial", "multi_tenant": True, "force_destroy": True}},
                   "spaces": {"type": "smh:index:SpaceSet", "properties": {
                       "library_id": "${library.library_id}", "spaces": SPACES, "force_destroy": True}}},
               "outputs": {"libraryId": "${library.library_id}"}}
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump(program))
    stack = make_yaml_stack({k: v for k, v in plugin_config(target).items() if k.startswith("smh:")}, tmp_path)
    emulator.control("POST", "faults", {"seed": 3, "errors": [
        {"service": "smhdata", "action": "CreateSpace", "probability": 0.5, "code": "NoPermission", "status": 403}]})
    try:
        with pytest.raises(auto.CommandError) as info:
            stack.up(**QUIET)
    finally:
        emulator.control("DELETE", "faults")
    text = str(info.value)
    failed = {k for k in SPACES if f'spaces["{k}"]' in text}
    assert failed and failed != set(SPACES), text
    assert "NoPermission" in text

    # The engine kept the set with what exists (ErrorResourceInitFailed): exactly the spaces in the cloud.
    state = state_resources(stack)["spaces"]
    held = state["outputs"]["space_ids"]
    assert set(held) == set(SPACES) - failed, (held, failed)
    library_id = state_resources(stack)["library"]["id"]
    in_cloud = {s.space_id for s in DataPlane(target.settings(), library_id).list_spaces()}
    assert in_cloud == set(held.values())
    assert state.get("initErrors"), "the engine did not record the failure (ErrorResourceInitFailed)"

    stack.up(**QUIET)  # finishes the rest
    held = state_resources(stack)["spaces"]["outputs"]["space_ids"]
    assert set(held) == set(SPACES)
    assert {s.space_id for s in DataPlane(target.settings(), library_id).list_spaces()} == set(held.values())
    stack.preview(expect_no_changes=True, **QUIET)
