"""bench/floor.py and bench/targets.py on synthetic request logs: no emulator, no engine."""

from __future__ import annotations

import itertools

from bench.floor import call_summary, classify, floor_seconds
from bench.targets import check, reads_per_resource

LIB = "smhAAAAAAAAAAAAA"
_seq = itertools.count(1)


def entry(service: str, action: str, path: str = "/", host: str = "b-1250000000.cos.ap-guangzhou.myqcloud.com",
          mutated: bool = False) -> dict:
    return {"seq": next(_seq), "service": service, "action": action, "path": path, "host": host, "mutated": mutated}


def tenant_create_log(n: int) -> list[dict]:
    log = [entry("cos", "PutBucket", mutated=True), entry("cos", "HeadBucket"),
           entry("ci", "CreateMediaBucket", mutated=True), entry("ci", "DescribeMediaBuckets"),
           entry("smh", "CreateLibrary", mutated=True), entry("smh", "DescribeLibrarySecret"),
           entry("smh", "DescribeLibraries"), entry("smh", "DescribeLibrarySecret"),
           entry("smhdata", "CreateAccessToken", "/api/v1/token", mutated=True)]
    for i in range(n):
        log.append(entry("smhdata", "CreateSpace", f"/api/v1/space/{LIB}", mutated=True))
        for album in ("Album%200", "Album%201"):
            log.append(entry("smhdata", "CreateDirectory", f"/api/v1/directory/{LIB}/space{i}/{album}", mutated=True))
    return log


def test_classify_puts_each_call_in_its_stage_and_chain() -> None:
    assert classify(entry("cos", "PutBucket"))[0] == "bucket"
    assert classify(entry("ci", "CreateMediaBucket")) == ("media", "ci")
    assert classify(entry("smh", "DescribeLibraries")) == ("library", "library")
    assert classify(entry("smhdata", "GetSpaceExtension", f"/api/v1/space/{LIB}/space7/extension")) == \
        ("space", "space:space7")
    assert classify(entry("smhdata", "ListDirectory", f"/api/v1/directory/{LIB}/space7")) == ("space", "space:space7")
    assert classify(entry("smhdata", "DeleteDirectory", f"/api/v1/directory/{LIB}/space7/trip")) == \
        ("album", "album:space7/trip")
    a, b = classify(entry("smhdata", "CreateSpace", f"/api/v1/space/{LIB}")), \
        classify(entry("smhdata", "CreateSpace", f"/api/v1/space/{LIB}"))
    assert a[0] == b[0] == "space" and a[1] != b[1]  # two creates are two independent chains


def test_floor_of_a_tenant_create_is_the_dependent_chain_plus_fanout_at_engine_concurrency() -> None:
    fl = floor_seconds(tenant_create_log(10), "up", latency_s=0.05, concurrency=4)
    # bucket 2 + media 2 + library 2 (CreateLibrary, DescribeLibraries) + secret 1 (2 calls, side by side)
    # + token 1 + spaces ceil(10/4) = 3 + albums ceil(20/4) = 5
    assert fl["stages"] == {"bucket": 2, "media": 2, "library": 2, "secret": 1, "token": 1, "space": 3, "album": 5}
    assert fl["round_trips"] == 16 and fl["seconds"] == 0.8


def test_floor_keeps_one_resources_calls_sequential() -> None:
    log = [entry("smhdata", "ListDirectory", f"/api/v1/directory/{LIB}/s1/a"),
           entry("smhdata", "DeleteDirectory", f"/api/v1/directory/{LIB}/s1/a", mutated=True)]
    assert floor_seconds(log, "destroy", 0.1, concurrency=4)["stages"] == {"album": 2}
    assert floor_seconds(log, "destroy", 0.1, concurrency=1)["seconds"] == 0.2


def test_refresh_floor_reads_everything_at_once_after_the_token() -> None:
    log = [entry("cos", "HeadBucket"), entry("cos", "GetBucketACL"), entry("cos", "GetBucketTagging"),
           entry("smh", "DescribeLibraries"), entry("smh", "DescribeLibrarySecret"),
           entry("smhdata", "CreateAccessToken", "/api/v1/token", mutated=True)]
    log += [entry("smhdata", "GetSpaceExtension", f"/api/v1/space/{LIB}/s{i}/extension") for i in range(8)]
    fl = floor_seconds(log, "refresh", 0.05)
    assert fl["stages"] == {"secret": 1, "token": 1, "read": 3}  # 12 reads / 4, and the bucket's 3 in a row
    assert floor_seconds([], "preview", 0.05)["seconds"] == 0


def test_call_summary_and_targets() -> None:
    log = tenant_create_log(2)
    summary = call_summary(log)
    assert summary["total"] == 15 and summary["mutating"] == 10
    assert summary["by_action"]["smhdata:CreateDirectory"] == 4
    s4 = {"id": "S4", "n": None, "resources": 3, "calls": {
        "by_action": {"cos:HeadBucket": 1, "cos:GetBucketACL": 1, "cos:GetBucketTagging": 1,
                      "ci:DescribeMediaBuckets": 1, "smh:DescribeLibraries": 1}, "mutating": 0, "total": 5}}
    assert round(reads_per_resource(s4), 3) == 1.667
    s2 = {"id": "S2", "n": None, "resources": 3, "calls": {"by_action": {}, "mutating": 0, "total": 0}}
    found = {t["target"].split(":")[0]: t for t in check({"scenarios": [s2, s4]})}
    assert found["S2 no-op up"]["met"] is True
    assert found["S4 refresh (single library)"]["met"] is False and "GetBucketACL" in found[
        "S4 refresh (single library)"]["why"]
