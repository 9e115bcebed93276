"""Suite 7, hidden ownership: stacks that share one account never take over or delete each other's objects.

Two stacks of this project and one stack of another project (`smh-other`, a copy of the program under another
name) share the session's emulator, as a team's stacks share one Tencent Cloud account:

1. a second stack declaring the first stack's bucket, with adopt=True (adoptBucket), is refused and writes nothing;
   so is the stack of the other project;
2. with adopt_from naming the exact marks (adoptBucketFrom, library adopt_from) the second stack takes the bucket
   and library over; the first stack's refresh then reports both gone from it, and its destroy leaves them alone;
3. destroying each stack leaves the other stacks' buckets, libraries and media processing intact;
4. a region change on a bucket that holds an object is refused at preview and at `up`, with no call to any Delete
   action (the emulator's request log), and the library, its id and its secret are still there;
5. a destroy whose last delete (the bucket) would be refused, or whose bucket a library outside the stack is bound
   to, stops before its first delete (a space, an album, the library): no Delete call, nothing lost.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto

from smh_provider.clients import smh
from tests import sdk_clients
from tests.e2e.conftest import base_config
from tests.reliability import report
from tests.reliability.cloud import full_config, state_resources
from tests.targets import Target

SUITE = "ownership_safety"
QUIET = {"on_output": lambda _: None}
PROJECT, OTHER = "smh-media", "smh-other"


@pytest.fixture(scope="module")
def other_project_dir(project_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same program as project `smh-other`."""
    d = tmp_path_factory.mktemp("other-project")
    text = (project_dir / "Pulumi.yaml").read_text().replace(f"name: {PROJECT}", f"name: {OTHER}", 1)
    (d / "Pulumi.yaml").write_text(text)
    shutil.copy(project_dir / "__main__.py", d / "__main__.py")
    (d / "smh_provider").symlink_to((project_dir / "smh_provider").resolve())
    (d / "stacks").mkdir()
    return d


@pytest.fixture
def other_stack(other_project_dir: Path, engine_env: dict[str, str]) -> Iterator[Callable[..., auto.Stack]]:
    made: list[auto.Stack] = []

    def make(config: dict[str, auto.ConfigValue]) -> auto.Stack:
        ws = auto.LocalWorkspace(work_dir=str(other_project_dir), env_vars=engine_env)
        stack = auto.Stack.create(f"o{uuid.uuid4().hex[:8]}", ws)
        # The program reads its project's namespace: smh-other:bucketName, ...
        stack.set_all_config({k.replace(f"{PROJECT}:", f"{OTHER}:", 1): v for k, v in config.items()})
        made.append(stack)
        return stack

    yield make
    for stack in made:
        try:
            stack.destroy(**QUIET)
        except auto.CommandError:
            pass
        stack.workspace.remove_stack(stack.name, force=True)


def mark(stack: auto.Stack, resource: str, project: str = PROJECT) -> str:
    return f"{project}/{stack.name}/{resource}"


def calls_since(emulator, seq: int) -> dict:  # type: ignore[no-untyped-def]
    return emulator.control("GET", f"requests?since={seq}")


def last_seq(emulator) -> int:  # type: ignore[no-untyped-def]
    entries = emulator.control("GET", "requests")["requests"]
    return entries[-1]["seq"] if entries else 0


def deletes(log: dict) -> dict[str, int]:
    return {k: v for k, v in log["counts"].items() if "Delete" in k.split(":", 1)[1]}


def bucket_tags(emulator, bucket: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    tags = sdk_clients.cos(emulator.url).get_bucket_tagging(Bucket=bucket)["TagSet"]["Tag"]
    return {t["Key"]: t["Value"] for t in ([tags] if isinstance(tags, dict) else tags)}


def refused(run: Callable[[], object]) -> str:
    with pytest.raises(auto.CommandError) as info:
        run()
    return str(info.value)


def test_adopt_never_crosses_stacks_adopt_from_does(emulator, make_stack, other_stack) -> None:  # type: ignore[no-untyped-def]
    local = make_stack(base_config(emulator, **{"smh-media:bucketTags": '{"team": "media"}'}))
    out = local.up(**QUIET).outputs
    lib_id, bucket = out["library_id"].value, out["bucket"].value

    # 1. adopt=True on another stack's bucket: refused, nothing written (same project, then another project).
    steal = make_stack(base_config(emulator, **{"smh-media:adoptBucket": "true",
                                                "smh-media:library": '{"library_name": "photos", "adopt": true}'}))
    other = other_stack(base_config(emulator, **{"smh-media:adoptBucket": "true"}))
    for stack in (steal, other):
        seq = last_seq(emulator)
        text = refused(lambda s=stack: s.up(**QUIET))
        log = calls_since(emulator, seq)
        assert "adopt=True never takes over" in text and f"adopt_from='{mark(local, 'media-bucket')}'" in text, text
        assert log["mutating_total"] == 0, log["mutating_counts"]
        report.record(SUITE, cross_stack_adopts_refused=1, mutating_calls_of_refused_adopts=log["mutating_total"])
        report.row(SUITE, case=f"adopt=True from a stack of project {stack.workspace.project_settings().name}",
                   outcome="refused", mutating_calls=log["mutating_total"], deletes=len(deletes(log)))
    assert bucket_tags(emulator, bucket) == {"team": "media", "pulumi:owner": mark(local, "media-bucket")}

    # 2. adopt_from naming the exact marks: the preview says which stack loses them, then `up` takes them over.
    steal.set_all_config(base_config(emulator, **{
        "smh-media:adoptBucketFrom": mark(local, "media-bucket"),
        "smh-media:library": json.dumps({"library_name": "photos", "adopt_from": mark(local, "media-library")})}))
    preview = steal.preview(**QUIET)
    assert f"stack '{local.name}' of project '{PROJECT}'" in preview.stdout + preview.stderr, preview.stdout
    taken = steal.up(**QUIET).outputs
    assert taken["library_id"].value == lib_id and taken["bucket"].value == bucket
    assert bucket_tags(emulator, bucket)["pulumi:owner"] == mark(steal, "media-bucket")
    local.refresh(**QUIET)
    left = sorted(state_resources(local))
    assert left == ["MediaProcessing"], left  # bucket and library: gone from `local`
    seq = last_seq(emulator)
    local.destroy(**QUIET)  # leaves the bucket, its media processing and the library to `steal`
    log = calls_since(emulator, seq)
    inv = emulator.control("GET", "inventory")
    assert deletes(log) == {} and len(inv["libraries"]) == 1 and len(inv["media_buckets"]) == 1, (log["counts"], inv)
    report.record(SUITE, adopt_from_takeovers=1, old_stack_refresh_dropped=2, objects_lost=0)
    report.row(SUITE, case="adopt_from with the exact marks", outcome="taken over; old stack's refresh dropped "
               "bucket and library; its destroy deleted nothing", mutating_calls="-", deletes=len(deletes(log)))


def test_destroy_of_each_stack_leaves_the_others_intact(emulator, make_stack, other_stack) -> None:  # type: ignore[no-untyped-def]
    a = make_stack(base_config(emulator, **{"smh-media:bucketName": "team-a"}))
    b = make_stack(base_config(emulator, **{"smh-media:bucketName": "team-b"}))
    c = other_stack(base_config(emulator, **{"smh-media:bucketName": "team-c"}))
    ids = {s.name: s.up(**QUIET).outputs["library_id"].value for s in (a, b, c)}
    for stack in (a, b, c):
        stack.destroy(**QUIET)
        inv = emulator.control("GET", "inventory")
        alive = {lib["LibraryId"] for lib in inv["libraries"]}
        assert ids[stack.name] not in alive
        others = [s for s in (a, b, c) if s is not stack and s.name in ids]
        assert all(ids[s.name] in alive for s in others), (stack.name, alive)
        report.row(SUITE, case=f"destroy of {'project ' + OTHER if stack is c else 'a stack of ' + PROJECT}",
                   outcome=f"the other {len(others)} stacks' objects intact", mutating_calls="-", deletes="own only")
        del ids[stack.name]
        report.record(SUITE, destroys_leaving_others_intact=1)


def test_region_change_on_a_non_empty_bucket_calls_no_delete(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(base_config(emulator))
    out = stack.up(**QUIET).outputs
    sdk_clients.cos(emulator.url).put_object(Bucket=out["bucket"].value, Key="keep.jpg", Body=b"x")
    stack.set_config("smh-media:region", auto.ConfigValue("ap-shanghai"))
    seq = last_seq(emulator)
    text = refused(lambda: stack.preview(**QUIET)) + refused(lambda: stack.up(**QUIET))
    log = calls_since(emulator, seq)
    assert deletes(log) == {} and log["mutating_total"] == 0, log["counts"]
    assert "replacing bucket photos-1250000000 (region changed)" in text and "still holds objects" in text, text
    assert "Nothing was deleted" in text and "force_destroy" in text, text
    inv = emulator.control("GET", "inventory")
    assert [lib["LibraryId"] for lib in inv["libraries"]] == [out["library_id"].value]
    report.record(SUITE, region_changes_refused=1, delete_calls_of_refused_replacement=len(deletes(log)))
    report.row(SUITE, case="region change, bucket holds 1 object", outcome="refused at preview and up",
               mutating_calls=log["mutating_total"], deletes=len(deletes(log)))


def test_destroy_stops_before_its_first_delete_when_a_later_one_would_refuse(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    """A multi-tenant stack (spaces and albums are deleted first) whose bucket holds an object: nothing goes."""
    stack = make_stack(full_config(emulator))
    out = stack.up(**QUIET).outputs
    sdk_clients.cos(emulator.url).put_object(Bucket=out["bucket"].value, Key="keep.jpg", Body=b"x")
    before, held = emulator.control("GET", "inventory"), sorted(state_resources(stack))
    seq = last_seq(emulator)
    text = refused(lambda: stack.destroy(**QUIET))
    log = calls_since(emulator, seq)
    # The only "mutating" call is the data plane's access token, which the spaces' and albums' reads need.
    assert deletes(log) == {} and set(log["mutating_counts"]) <= {"smhdata:CreateAccessToken"}, log["counts"]
    assert "still holds objects" in text and "Nothing was deleted" in text and "Nothing else" not in text, text
    assert emulator.control("GET", "inventory") == before and sorted(state_resources(stack)) == held
    report.record(SUITE, destroys_refused_before_first_delete=1)
    report.row(SUITE, case="destroy of a multi-tenant stack, bucket holds 1 object", outcome="refused at its first "
               "delete (a space or album), nothing deleted", mutating_calls=f"{log['mutating_total']} (a token)",
               deletes=len(deletes(log)))


def test_a_library_outside_the_stack_on_its_bucket_blocks_destroy(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(base_config(emulator))
    bucket = stack.up(**QUIET).outputs["bucket"].value
    outside = smh.create_library(smh.client(Target.for_emulator(emulator).settings()), "outside", {},
                                 bucket=bucket, bucket_region="ap-guangzhou")
    seq = last_seq(emulator)
    text = refused(lambda: stack.destroy(**QUIET))
    log = calls_since(emulator, seq)
    assert deletes(log) == {} and log["mutating_total"] == 0, log["counts"]
    assert f"media library {outside} ('outside') of no stack of this provider" in text, text
    assert "Nothing was deleted" in text, text
    assert len(emulator.control("GET", "inventory")["libraries"]) == 2
    report.record(SUITE, destroys_refused_for_a_foreign_library=1)
    report.row(SUITE, case="destroy, a library outside the stack bound to its bucket", outcome="refused at its first "
               "delete, nothing deleted", mutating_calls=log["mutating_total"], deletes=len(deletes(log)))
