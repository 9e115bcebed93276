"""Preview tells the truth about dependents: an in-place change of a bucket or library previews as an update of
that one resource, not as replacements of everything that takes its name or id; a library replacement previews
its spaces and albums as replaced too (they go with it)."""

from __future__ import annotations

import json
import re

import pytest
from pulumi import automation as auto

from tests import sdk_clients
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


@pytest.mark.emulator_only
def test_previews_name_only_what_the_user_declared(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Bookkeeping inputs (the `identity` digest, the ownership mark `owner`) are never shown as changed."""
    library = {"library_name": "quiet"}
    stack = make_stack(base_config(emulator, **{"smh-media:library": json.dumps(library)}))
    stack.up(**QUIET)
    stack.set_config("smh-media:library", auto.ConfigValue(json.dumps({**library, "multi_album": True})))
    shown = stack.preview(diff=True, **QUIET).stdout
    assert "multi_album" in shown and "replace" in shown
    assert "identity" not in shown, shown
    # The bucket's mark removed outside Pulumi: a refreshing preview plans to write it back, naming nothing.
    stack.set_config("smh-media:library", auto.ConfigValue(json.dumps(library)))
    sdk_clients.cos(emulator.url).delete_bucket_tagging(Bucket="photos-1250000000")
    preview = stack.preview(diff=True, refresh=True, **QUIET)
    assert steps(preview) == {"update": 1}
    # (The refresh part may report the mark gone from the outputs, "- owner"; the update names no property.)
    assert not re.search(r"^\s*[~+]\s*owner\s*:", preview.stdout, re.M), preview.stdout
    summary = stack.preview(refresh=True, **QUIET).stdout
    assert "update" in summary and not [line for line in summary.splitlines() if "[diff:" in line and "owner" in line]
