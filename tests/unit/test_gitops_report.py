"""scripts/gitops_report.py on hand-made `pulumi preview --json` documents (the real CLI's JSON is exercised by
tests/e2e/test_gitops.py)."""

from __future__ import annotations

import importlib
import sys

from tests.emulator_process import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
report = importlib.import_module("gitops_report")

T = "pulumi-python:dynamic/smh:"


def urn(kind: str, name: str) -> str:
    return f"urn:pulumi:dev::smh-media::{T}{kind}::{name}"


def step(op: str, kind: str, name: str, old: dict | None = None, new: dict | None = None, **extra: object) -> dict:
    return {"op": op, "urn": urn(kind, name), "oldState": {"type": T + kind, "inputs": old or {}, "outputs": old or {}},
            "newState": {"type": T + kind, "inputs": new or {}}, **extra}


def test_deleted_space_and_replaced_bucket_lead_the_comment() -> None:
    preview = {"steps": [
        {"op": "same", "urn": "urn:pulumi:dev::smh-media::pulumi:pulumi:Stack::smh-media-dev"},
        step("update", "MediaLibrary", "media-library", {"remark": "a"}, {"remark": "b"}, diffs=["remark"]),
        step("delete", "Space", "space-bob", {"space_id": "space1", "space_tag": "bob"}),
        step("delete-replaced", "Bucket", "media-bucket", {"bucket": "photos-1250000000", "region": "ap-guangzhou"},
             replaceReasons=["region"]),
        step("replace", "Bucket", "media-bucket", {"bucket": "photos-1250000000", "region": "ap-guangzhou"},
             {"region": "ap-shanghai"}, replaceReasons=["region"]),
        step("delete", "MediaProcessing", "media-processing", {"bucket": "photos-1250000000"}),
    ], "changeSummary": {"update": 1, "delete": 2, "replace": 1}}
    text = report.comment(preview, "dev")
    top, _, table = text.partition("### Changes")
    assert top.index("Destructive changes") < top.index("space `bob`, id `space1`")
    assert "- **Delete** space `bob`, id `space1` (resource `space-bob`): its albums and files are lost" in top
    assert ("- **Replace** bucket `photos-1250000000` (resource `media-bucket`), because `region` cannot change in "
            "place: the old bucket is deleted, so its objects are lost.") in top
    assert "MediaProcessing" not in top and "remark" not in top  # nothing of value lost there
    assert table.count("| replace |") == 1  # a replacement's sub-steps are one row
    assert "| update | `media-library` | MediaLibrary | remark |" in table
    assert "| delete | `media-processing` | MediaProcessing |  |" in table
    assert "Stack" not in table


def test_unknown_replace_reason_is_a_possible_replacement() -> None:
    preview = {"steps": [step("replace", "MediaLibrary", "media-library", {"library_name": "photos"},
                              {"bucket": report.UNKNOWN}, replaceReasons=["bucket"])]}
    text = report.comment(preview, "dev")
    assert "may delete 1 resource(s)" in text and "- **May replace** media library `photos`" in text
    assert "| replace? | `media-library` |" in text
    assert report.drift(preview) == [
        "MediaLibrary `media-library`: takes bucket from a drifted resource; `up` would replace it only if that "
        "value changed"]


def test_failed_preview_shows_errors_and_policy() -> None:
    preview = {"steps": [], "diagnostics": [
        {"message": "error: stack config: missing required key(s) smh-media:region\n", "severity": "error"},
        {"message": "error: preview failed\n", "severity": "error"}],
        "policyEvents": [{"policyName": "bucket-private", "enforcementLevel": "mandatory",
                          "resourceUrn": urn("Bucket", "media-bucket"),
                          "message": "Buckets stay private.\nbucket-private: bucket 'photos' has acl 'public-read'\n"}]}
    text = report.comment(preview, "dev", ok=False)
    assert "**The preview failed**: a mandatory policy is violated" in text
    assert "```\nerror: stack config: missing required key(s) smh-media:region\n```" in text
    assert "preview failed\n```" not in text
    assert "- **mandatory** `bucket-private` on `media-bucket`: bucket 'photos' has acl 'public-read'" in text
    assert "No changes." in text


def test_drift_lines_after_refresh() -> None:
    # After a refresh the cloud's value is in the old outputs; the step may carry no "diffs".
    changed = step("update", "Bucket", "media-bucket", {"acl": "public-read"}, {"acl": "private"})
    changed["oldState"]["inputs"] = {"acl": "private"}
    gone = {"op": "create", "urn": urn("MediaLibrary", "media-library"), "newState": {"type": T + "MediaLibrary"}}
    assert report.drift({"steps": [changed, gone]}) == [
        "Bucket `media-bucket`: changed out of band: acl; `up` would set it back",
        "MediaLibrary `media-library`: gone from the cloud (deleted out of band); `up` would create it again"]
    assert report.drift({"steps": [{"op": "refresh", "urn": urn("Bucket", "b")}]}) == []


def test_bookkeeping_inputs_are_not_listed_as_changes() -> None:
    from scripts import gitops_report

    step = {"op": "replace", "urn": "urn:pulumi:s::p::pulumi-python:dynamic/smh:MediaLibrary::media-library",
            "diffs": ["identity", "multi_album", "owner"]}
    assert gitops_report._changed_keys(step) == ["multi_album"]


def test_permission_changes_lead_the_comment_as_access_widened_or_removed() -> None:
    grant = {"grantee_type": "group", "grantee_id": "groupabc", "grantee_label": "Design", "role": "viewer",
             "path": "Launch 2026", "space_id": "space1", "known_roles": ["viewer"]}
    preview = {"steps": [
        step("create", "FolderGrant", "grant-design-launch", None, grant),
        step("delete", "FolderGrant", "grant-ben-brand", grant | {"grantee_type": "user", "grantee_id": "ben",
                                                                  "grantee_label": "ben", "path": "Brand"}),
        step("update", "FolderGrant", "grant-ana", grant | {"grantee_label": "Ana"},
             grant | {"grantee_label": "Ana", "role": "editor"}),
        step("update", "FolderGrant", "grant-same", grant, grant | {"known_roles": ["viewer", "editor"]}),
        step("delete", "User", "user-chen", {"user_id": "chen", "nickname": "Chen"}),
        step("create", "GroupMember", "member-design-ana", None,
             {"member_type": "user", "member_id": "ana", "member_label": "ana", "group_label": "Design"}),
        step("update", "User", "user-ben", {"nickname": "B"}, {"nickname": "Ben"}),
    ]}
    text = report.comment(preview, "team")
    top, _, table = text.partition("### Changes")
    assert "### 🔐 Access changes" in top
    assert ("- **Access widened**: group `Design` as `viewer` on `Launch 2026` of space `space1` "
            "(resource `grant-design-launch`)") in top
    assert "- **Access removed**: user `ben` as `viewer` on `Brand` of space `space1`" in top
    assert ("- **Access changed**: group `Ana` as `viewer` on `Launch 2026` of space `space1` becomes role "
            "`editor`") in top
    assert "- **Access removed**: user `chen` is deleted, with its grants and group memberships" in top
    assert "- **Access widened**: user `ana` joins group `Design`" in top
    assert "grant-same" not in top and "user-ben" not in top  # bookkeeping and a nickname are not access
    assert "known_roles" not in table


def test_a_space_set_lists_each_key_and_warns_about_spaces_it_deletes_or_replaces() -> None:
    detail = {'spaces["alice"].public_read': {"kind": "update"}, 'spaces["bob"]': {"kind": "delete"},
              'spaces["carol"].multi_album': {"kind": "add"}, 'spaces["dan"]': {"kind": "add"},
              'spaces["alice"].albums["trip"]': {"kind": "update"}}
    preview = {"steps": [step("update", "SpaceSet", "spaces", {"spaces": {}}, {"spaces": {}}, diffs=["spaces"],
                              detailedDiff=detail)]}
    text = report.comment(preview, "dev")
    top, _, table = text.partition("### Changes")
    assert "- **Delete** space `bob` of SpaceSet `spaces`: its albums and files are lost" in top
    assert "- **Replace** space `carol` inside SpaceSet `spaces`, because `multi_album`" in top
    assert "alice" not in top and "dan" not in top
    assert 'spaces["alice"].public_read' in table and 'spaces["dan"]' in table
    assert 'spaces["alice"].albums["trip"]' in table


def test_space_resources_taken_over_by_a_space_set_are_not_called_destructive() -> None:
    preview = {"steps": [
        step("create", "SpaceSet", "spaces", None, {"library_id": "smhA", "legacy_mark": "p/dev/space-{key}"}),
        step("delete", "Space", "space-alice", {"library_id": "smhA", "space_id": "space1"}),
        step("delete", "Album", "album-alice-trip", {"library_id": "smhA", "space_id": "space1"}),
        step("delete", "Space", "space-other", {"library_id": "smhB", "space_id": "space9"}),
    ]}
    text = report.comment(preview, "dev")
    top, _, table = text.partition("### Changes")
    assert "space-alice" not in top and "album-alice-trip" not in top
    assert "space-other" in top  # a space of another library: a real delete
    assert "| moves into SpaceSet `spaces` (kept in the cloud) | `space-alice` | Space |" in table
