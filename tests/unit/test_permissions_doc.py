"""docs/permissions.md, the one CAM list, covers every SDK call the provider (and the live sweep) makes."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# SDK method -> the CAM actions it needs. A new SDK call in smh_provider/clients/ must be added here and to the doc.
ACTIONS = {
    "create_bucket": ["cos:PutBucket"], "head_bucket": ["cos:HeadBucket"], "get_bucket_acl": ["cos:GetBucketACL"],
    "put_bucket_acl": ["cos:PutBucketACL"], "get_bucket_tagging": ["cos:GetBucketTagging"],
    "put_bucket_tagging": ["cos:PutBucketTagging"], "delete_bucket_tagging": ["cos:DeleteBucketTagging"],
    "list_objects": ["cos:GetBucket"], "list_multipart_uploads": ["cos:ListMultipartUploads"],
    "list_objects_versions": ["cos:GetBucketObjectVersions"],
    "delete_objects": ["cos:DeleteMultipleObjects", "cos:DeleteObject"],
    "abort_multipart_upload": ["cos:AbortMultipartUpload"], "delete_bucket": ["cos:DeleteBucket"],
    "list_buckets": ["cos:GetService"], "send_request": ["ci:CreateMediaBucket", "ci:DeleteMediaBucket"],
    "ci_get_media_bucket": ["ci:DescribeMediaBuckets"],
    "put_bucket_cors": ["cos:PutBucketCORS"], "get_bucket_cors": ["cos:GetBucketCORS"],
    "delete_bucket_cors": ["cos:DeleteBucketCORS"], "put_bucket_lifecycle": ["cos:PutBucketLifecycle"],
    "get_bucket_lifecycle": ["cos:GetBucketLifecycle"], "delete_bucket_lifecycle": ["cos:DeleteBucketLifecycle"],
    "put_bucket_referer": ["cos:PutBucketReferer"], "get_bucket_referer": ["cos:GetBucketReferer"],
    "delete_bucket_referer": ["cos:PutBucketReferer"],  # the SDK sends PUT ?referer with an empty body
    "CreateLibrary": ["smh:CreateLibrary"], "DescribeLibraries": ["smh:DescribeLibraries"],
    "ModifyLibrary": ["smh:ModifyLibrary"], "DeleteLibrary": ["smh:DeleteLibrary"],
    "DescribeLibrarySecret": ["smh:DescribeLibrarySecret"],
}


def sdk_calls() -> set[str]:
    sources = [*sorted((ROOT / "smh_provider" / "clients").glob("*.py")), ROOT / "tests" / "targets.py"]
    return {m for path in sources for m in re.findall(r"\bc\.([A-Za-z_]+)\(", path.read_text())}


def documented() -> set[str]:
    text = (ROOT / "docs" / "permissions.md").read_text()
    return set(re.findall(r"^\| `([a-z]+:[A-Za-z]+)` \|", text, flags=re.M))


def test_every_sdk_call_has_its_actions_documented() -> None:
    calls = sdk_calls()
    assert "CreateLibrary" in calls and "create_bucket" in calls  # the scan sees the clients
    unmapped = calls - set(ACTIONS)
    assert not unmapped, f"SDK calls without CAM actions: {sorted(unmapped)}; add them here and to docs/permissions.md"
    needed = {action for call in calls for action in ACTIONS[call]}
    assert needed == documented(), (sorted(needed - documented()), sorted(documented() - needed))


def test_readme_and_live_readme_point_at_the_one_list() -> None:
    for doc in ("README.md", "tests/live/README.md"):
        text = (ROOT / doc).read_text()
        assert "permissions.md" in text, doc
        assert "`smh:CreateLibrary`" not in text, f"{doc} repeats the CAM list; link docs/permissions.md instead"
