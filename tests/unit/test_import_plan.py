"""discover's outputs from a scan, without a cloud: keys for names that are not ASCII or that collide, objects
another stack marked, buckets without a library (tests/e2e/test_discover.py runs the real thing end to end)."""

from __future__ import annotations

import yaml

from smh_provider.clients.smh import Library
from smh_provider.tools.discover import Account, FoundBucket, FoundLibrary, FoundSpace
from smh_provider.tools.import_plan import import_file, slug, stack_config, stack_config_yaml


def lib(id_: str, name: str, bucket: str, **settings: object) -> FoundLibrary:
    library = Library(id=id_, name=name, remark="", bucket=bucket, settings=dict(settings), quota_enabled=False,
                      tags={})
    return FoundLibrary(library, "ap-guangzhou", {"library_name": name, **settings})


def test_keys_are_valid_resource_keys_for_any_name() -> None:
    taken: set[str] = set()
    assert slug("Team Files", taken, "x") == "team-files"
    assert slug("Team  files!", taken, "x") == "team-files-2"
    assert slug("相册", taken, "lib-abc") == "lib-abc"
    assert slug("default", taken, "lib-def") == "lib-def"  # __main__.py reserves it for the single-library keys
    assert len(slug("a" * 80, taken, "x")) <= 40


def test_a_marked_bucket_and_library_are_taken_over_with_adopt_from_and_the_rest_is_commented() -> None:
    account = Account(
        buckets=[FoundBucket("photos-1250000000", "ap-guangzhou", mark="proj/prod/media-bucket"),
                 FoundBucket("logs-1250000000", "ap-shanghai")],
        libraries=[lib("smhaaa", "相册", "photos-1250000000", multi_tenant=True)])
    account.libraries[0].mark = "proj/prod/media-library"
    account.libraries[0].spaces = [FoundSpace("space1", "", {"multi_album": True}, ["旅行"])]
    entry = stack_config(account)["config"]["smh-media:libraries"]["lib-smhaaa"]
    assert entry["adoptBucketFrom"] == "proj/prod/media-bucket" and "adoptBucket" not in entry
    assert entry["library"]["adopt_from"] == "proj/prod/media-library" and "adopt" not in entry["library"]
    text = stack_config_yaml(account)
    assert "logs-1250000000 (ap-shanghai)" in text and "lib-smhaaa.spaces.space1" in text
    assert yaml.safe_load(text)["config"]["smh-media:region"] == "ap-guangzhou"
    names = {r["name"]: r["id"] for r in import_file(account)["resources"]}
    assert names == {"lib-smhaaa-bucket": "ap-guangzhou/photos-1250000000",
                     "logs-bucket": "ap-shanghai/logs-1250000000", "lib-smhaaa-library": "smhaaa",
                     "lib-smhaaa-space-space1": "smhaaa/space1",
                     "lib-smhaaa-album-space1-album": "smhaaa/space1/旅行"}
