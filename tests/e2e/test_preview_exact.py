"""Preview tells the truth about dependents: an in-place change of a bucket or library previews as an update of
that one resource, not as replacements of everything that takes its name or id; a library replacement previews
its spaces and albums as replaced too (they go with it)."""

from __future__ import annotations

import json

import pytest
from pulumi import automation as auto

from tests.e2e.conftest import base_config

QUIET = {"on_output": lambda _: None}
SPACES = {"a": {"multi_album": True, "albums": {"x": "Trip"}}, "b": {}}


def steps(preview: auto.PreviewResult) -> dict[str, int]:
    return {k: v for k, v in preview.change_summary.items() if k != "same"}


@pytest.mark.emulator_only
def test_in_place_changes_do_not_preview_dependents_as_replaced(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    library = {"library_name": "exact", "multi_tenant": True}
    stack = make_stack(base_config(emulator, **{"smh-media:library": json.dumps(library),
                                               "smh-media:spaces": json.dumps(SPACES)}))
    stack.up(**QUIET)
    stack.set_config("smh-media:bucketTags", auto.ConfigValue('{"team": "media"}'))
    assert steps(stack.preview(**QUIET)) == {"update": 1}  # the bucket alone
    stack.set_config("smh-media:library", auto.ConfigValue(json.dumps({**library, "remark": "new"})))
    assert steps(stack.preview(**QUIET)) == {"update": 2}  # bucket and library
    result = stack.up(**QUIET)
    assert {k: v for k, v in result.summary.resource_changes.items() if k != "same"} == {"update": 2}
    # A creation-only change replaces the library; its spaces and albums are shown going with it.
    stack.set_config("smh-media:library", auto.ConfigValue(json.dumps({**library, "quota_bytes": 10**9})))
    assert steps(stack.preview(**QUIET)) == {"replace": 4}  # library, 2 spaces, 1 album
