"""Several libraries per stack (`smh-media:libraries`), and the upgrade promise: a stack made by the program of
the previous release previews with no changes under today's program (no resource renamed or re-declared)."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto

from tests.e2e.conftest import base_config
from tests.emulator_process import ROOT

QUIET = {"on_output": lambda _: None}
# The stack program of the previous release: __main__.py before `smh-media:libraries`, read from git history.
LEGACY_COMMIT = "5c1248e"


def legacy_program() -> str:
    """__main__.py as of LEGACY_COMMIT, or a skip where the checkout has no git history (e.g. a source archive)."""
    try:
        done = subprocess.run(["git", "-C", str(ROOT), "show", f"{LEGACY_COMMIT}:__main__.py"], capture_output=True,
                              text=True, timeout=60)
    except FileNotFoundError:
        pytest.skip("the upgrade check reads the previous program from git history, and there is no `git` here")
    if done.returncode != 0:
        pytest.skip(f"the upgrade check reads the previous program from git history (commit {LEGACY_COMMIT}), which "
                    f"this checkout does not have (a shallow clone or an archive?): {done.stderr.strip()}")
    return done.stdout

# Every kind of resource the previous program declared: bucket, processing, library, spaces, space albums, albums.
UPGRADE_CASES = {
    "tenants": {"smh-media:library": json.dumps({"library_name": "t", "multi_tenant": True, "remark": "r"}),
                "smh-media:bucketTags": json.dumps({"team": "media"}),
                "smh-media:spaces": json.dumps({"alice": {"multi_album": True, "albums": {"trip": "Trip"}},
                                                "bob": {"allow_video": False, "space_tag": "personal"}})},
    "albums": {"smh-media:library": json.dumps({"library_name": "a", "multi_album": True}),
               "smh-media:forceDestroy": "true",
               "smh-media:albums": json.dumps({"summer": "Summer", "family": "Family"})},
}


@pytest.fixture
def legacy_project(project_dir: Path, tmp_path: Path) -> Path:
    """A copy of the e2e project whose program is the previous release's; it shares the stacks/ directory."""
    d = tmp_path / "legacy"
    d.mkdir()
    shutil.copy(project_dir / "Pulumi.yaml", d / "Pulumi.yaml")
    (d / "__main__.py").write_text(legacy_program())
    (d / "smh_provider").symlink_to(ROOT / "smh_provider")
    (d / "stacks").symlink_to(project_dir / "stacks")
    return d


@pytest.fixture
def two_programs(legacy_project: Path, project_dir: Path,
                 engine_env: dict[str, str]) -> Iterator[Callable[[dict], tuple[auto.Stack, auto.Stack]]]:
    """The same stack seen through the previous program and through today's."""
    made: list[auto.Stack] = []

    def make(config: dict[str, auto.ConfigValue]) -> tuple[auto.Stack, auto.Stack]:
        name = f"u{uuid.uuid4().hex[:8]}"
        old = auto.Stack.create(name, auto.LocalWorkspace(work_dir=str(legacy_project), env_vars=engine_env))
        old.set_all_config(config)
        new = auto.Stack.select(name, auto.LocalWorkspace(work_dir=str(project_dir), env_vars=engine_env))
        made.append(new)
        return old, new

    yield make
    for stack in made:
        try:
            stack.destroy(on_output=lambda _: None)
        except auto.CommandError:
            pass
        stack.workspace.remove_stack(stack.name, force=True)


def _urns(stack: auto.Stack) -> set[str]:
    return {r["urn"] for r in stack.export_stack().deployment["resources"]}


@pytest.mark.emulator_only
@pytest.mark.parametrize("case", sorted(UPGRADE_CASES))
def test_stack_of_previous_program_previews_no_changes(emulator, two_programs, legacy_project,  # type: ignore[no-untyped-def]
                                                      case: str) -> None:
    old, new = two_programs(base_config(emulator, **UPGRADE_CASES[case]))
    first = old.up(**QUIET)
    assert first.summary.result == "succeeded"
    before = _urns(old)
    assert (legacy_project / "__main__.py").read_text() != (ROOT / "__main__.py").read_text()  # two programs
    mutating = emulator.control("GET", "requests")["mutating_total"]
    preview = new.preview(expect_no_changes=True, diff=True, **QUIET)
    assert set(preview.change_summary) == {"same"}
    result = new.up(**QUIET)
    assert set(result.summary.resource_changes or {}) == {"same"}
    assert _urns(new) == before
    # Outputs added since the previous release are allowed (storage_bucket: the bucket SMH reports the library
    # in); none is removed or changes its value.
    assert result.outputs.keys() - first.outputs.keys() <= {"storage_bucket"}
    assert {k: result.outputs[k].value for k in first.outputs} == {k: v.value for k, v in first.outputs.items()}
    assert emulator.control("GET", "requests")["mutating_total"] == mutating


@pytest.mark.emulator_only
def test_several_libraries_own_and_shared_bucket(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    libraries = {
        "docs": {"bucketName": "docs", "library": {"library_name": "docs", "multi_album": True},
                 "albums": {"q1": "Q1"}, "bucketLifecycle": {}},
        "team": {"shareBucketWith": "docs", "library": {"library_name": "team", "multi_tenant": True},
                 "spaces": {"alice": {}}},
    }
    cfg = base_config(emulator, **{"smh-media:libraries": json.dumps(libraries)})
    stack = make_stack(cfg)  # the single-library keys stay too: three libraries, two buckets
    up = stack.up(**QUIET)
    names = {r["urn"].rsplit("::", 1)[1] for r in stack.export_stack().deployment["resources"]
             if "dynamic/smh:" in r["type"]}
    assert names == {"media-bucket", "media-processing", "media-library", "docs-bucket", "docs-processing",
                     "docs-library", "docs-album-q1", "docs-lifecycle", "team-library", "team-space-alice"}
    libs = up.outputs["libraries"].value
    assert libs["docs"]["bucket"] == libs["team"]["bucket"] == "docs-1250000000"
    assert up.outputs["bucket"].value == "photos-1250000000"
    inv = emulator.control("GET", "inventory")
    assert sorted(b["bucket"] for b in inv["buckets"]) == ["docs-1250000000", "photos-1250000000"]
    by_name = {lib["Name"]: lib for lib in inv["libraries"]}
    assert by_name["team"]["BucketName"] == by_name["docs"]["BucketName"] == "docs-1250000000"
    assert libs["team"]["space_ids"]["alice"] in {s["spaceId"] for s in inv["spaces"]
                                                   if s["library"] == by_name["team"]["LibraryId"]}
    stack.preview(expect_no_changes=True, **QUIET)

    # Only `libraries`: the single-library keys go, their resources with them; the entries stay as they were.
    stack.remove_config("smh-media:bucketName")
    stack.remove_config("smh-media:library")
    up = stack.up(**QUIET)
    assert up.summary.resource_changes == {"delete": 3, "same": 8}  # 7 and the stack
    assert "bucket" not in up.outputs and set(up.outputs["libraries"].value) == {"docs", "team"}
