"""Fault injection: every fault is seen by the SDK and recorded in the request log; a seed replays."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests
from qcloud_cos import CosClientError, CosS3Client, CosServiceError
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.smh.v20210712 import models

from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import APP_ID, code_status, cos, smh

B = f"faults-{APP_ID}"


def entries(emulator: EmulatorProcess, action: str | None = None) -> list[dict[str, Any]]:
    log = emulator.control("GET", "requests")["requests"]
    return [e for e in log if action is None or e["action"] == action]


@pytest.fixture
def client(emulator: EmulatorProcess) -> CosS3Client:
    c = cos(emulator.url)
    c.create_bucket(Bucket=B)
    return c


def test_latency(emulator: EmulatorProcess, client: CosS3Client) -> None:
    emulator.control("POST", "faults", {"latency_ms": 250})
    started = time.monotonic()
    client.head_bucket(Bucket=B)
    assert time.monotonic() - started >= 0.25
    assert entries(emulator, "HeadBucket")[-1]["latency_ms"] >= 250


def test_latency_with_jitter_stays_in_range(emulator: EmulatorProcess, client: CosS3Client) -> None:
    emulator.control("POST", "faults", {"latency_ms": 100, "jitter_ms": 50, "seed": 1})
    for _ in range(5):
        client.head_bucket(Bucket=B)
    # The drawn delay is checked, not the wall time: an upper bound on the wall time fails on a loaded machine.
    drawn = [(e["injected_latency_ms"], e["latency_ms"]) for e in entries(emulator, "HeadBucket")]
    assert len(drawn) == 5 and all(50 <= ms <= 150 and took >= ms for ms, took in drawn), drawn
    assert len({ms for ms, _ in drawn}) > 1, drawn  # jitter: not one fixed value


@pytest.mark.parametrize("code,status", [("SlowDown", 503), ("InternalError", 500), ("ServiceUnavailable", 503)])
def test_error_injection_by_action(emulator: EmulatorProcess, client: CosS3Client, code: str, status: int) -> None:
    emulator.control("POST", "faults", {"errors": [{"service": "cos", "action": "PutBucket", "probability": 1.0,
                                                    "code": code}]})
    assert code_status(client.create_bucket, Bucket=f"next-{APP_ID}") == (code, status)
    assert client.bucket_exists(Bucket=f"next-{APP_ID}") is False  # phase "before": nothing happened
    client.head_bucket(Bucket=B)  # other actions are untouched
    last = entries(emulator, "PutBucket")[-1]
    assert (last["status"], last["code"], last["fault"], last["mutated"]) == (status, code, "error", False)
    assert emulator.control("GET", "requests")["faults_injected"] == 1


def test_error_with_explicit_status_and_action_list(emulator: EmulatorProcess, client: CosS3Client) -> None:
    emulator.control("POST", "faults", {"errors": [{"service": "cos", "action": ["GetBucketACL", "HeadBucket"],
                                                    "code": "SlowDown", "status": 429}]})
    assert code_status(client.get_bucket_acl, Bucket=B) == ("SlowDown", 429)
    assert code_status(client.head_bucket, Bucket=B)[1] == 429
    assert code_status(client.get_bucket_tagging, Bucket=B) == ("NoSuchTagSet", 404)


def test_error_only_for_the_named_service(emulator: EmulatorProcess, client: CosS3Client) -> None:
    emulator.control("POST", "faults", {"errors": [{"service": "ci", "action": "*", "code": "InternalError"}]})
    client.head_bucket(Bucket=B)
    assert entries(emulator, "HeadBucket")[-1]["fault"] == ""


def test_api3_request_limit_exceeded(emulator: EmulatorProcess) -> None:
    emulator.control("POST", "faults", {"errors": [{"service": "smh", "action": "DescribeLibraries",
                                                    "code": "RequestLimitExceeded"}]})
    with pytest.raises(TencentCloudSDKException) as info:
        smh(emulator.url).DescribeLibraries(models.DescribeLibrariesRequest())
    assert info.value.get_code() == "RequestLimitExceeded"
    assert info.value.get_request_id()
    last = entries(emulator, "DescribeLibraries")[-1]
    assert (last["service"], last["code"], last["fault"]) == ("smh", "RequestLimitExceeded", "error")


def test_drop(emulator: EmulatorProcess, client: CosS3Client) -> None:
    emulator.control("POST", "faults", {"drops": [{"service": "cos", "action": "HeadBucket"}]})
    with pytest.raises(CosClientError):
        client.head_bucket(Bucket=B)
    last = entries(emulator, "HeadBucket")[-1]
    assert (last["fault"], last["status"]) == ("drop", 0)
    client.get_bucket_acl(Bucket=B)


def test_error_after_the_change(emulator: EmulatorProcess, client: CosS3Client) -> None:
    emulator.control("POST", "faults", {"errors": [{"service": "cos", "action": "PutBucket", "code": "InternalError",
                                                    "phase": "after"}]})
    assert code_status(client.create_bucket, Bucket=f"landed-{APP_ID}") == ("InternalError", 500)
    emulator.control("DELETE", "faults")
    assert client.bucket_exists(Bucket=f"landed-{APP_ID}") is True  # the create happened anyway
    assert code_status(client.create_bucket, Bucket=f"landed-{APP_ID}") == ("BucketAlreadyOwnedByYou", 409)
    first = entries(emulator, "PutBucket")[-2]
    assert (first["fault"], first["mutated"], first["status"]) == ("error-after", True, 500)


def test_drop_after_the_change(emulator: EmulatorProcess, client: CosS3Client) -> None:
    emulator.control("POST", "faults", {"drops": [{"service": "cos", "action": "DeleteBucket", "phase": "after"}]})
    with pytest.raises(CosClientError):
        client.delete_bucket(Bucket=B)
    emulator.control("DELETE", "faults")
    assert client.bucket_exists(Bucket=B) is False
    last = entries(emulator, "DeleteBucket")[-1]
    assert (last["fault"], last["mutated"]) == ("drop-after", True)


def test_new_bucket_head_404_window(emulator: EmulatorProcess, client: CosS3Client) -> None:
    emulator.control("POST", "faults", {"new_bucket_head_404_ms": 600})
    fresh = f"fresh-{APP_ID}"
    client.create_bucket(Bucket=fresh)
    assert code_status(client.head_bucket, Bucket=fresh) == ("NoSuchResource", 404)
    assert client.bucket_exists(Bucket=fresh) is False
    time.sleep(0.7)
    assert client.head_bucket(Bucket=fresh)["x-cos-bucket-region"]
    assert client.bucket_exists(Bucket=fresh) is True


def fault_pattern(emulator: EmulatorProcess, seed: int) -> list[tuple[str, str, str]]:
    emulator.control("POST", "reset")
    client = cos(emulator.url)
    client.create_bucket(Bucket=B)
    emulator.control("DELETE", "requests")
    emulator.control("POST", "faults", {"seed": seed,
                                        "errors": [{"service": "cos", "action": "*", "probability": 0.3,
                                                    "code": "SlowDown"}],
                                        "drops": [{"service": "cos", "action": "HeadObject", "probability": 0.3}]})
    for i in range(10):
        calls = [(client.put_object, {"Key": f"k{i}", "Body": b"x"}), (client.head_object, {"Key": f"k{i}"}),
                 (client.get_bucket_acl, {})]
        for call, kwargs in calls:
            try:
                call(Bucket=B, **kwargs)
            except (CosServiceError, CosClientError):
                pass
    log = entries(emulator)
    assert len(log) == 30
    return [(e["action"], e["fault"], e["code"]) for e in log]


def test_seed_replays_the_same_faults(emulator: EmulatorProcess) -> None:
    first = fault_pattern(emulator, seed=7)
    second = fault_pattern(emulator, seed=7)
    assert first == second
    assert 3 <= sum(1 for _, fault, _ in first if fault) <= 25  # some faults, not all
    assert fault_pattern(emulator, seed=8) != first


def test_hold_after_mutations_freezes_the_cloud_after_call_k(emulator: EmulatorProcess, client: CosS3Client) -> None:
    emulator.control("POST", "faults", {"hold_after_mutations": 1})
    client.put_object(Bucket=B, Key="first", Body=b"1")  # mutation 1: answered, then the hold starts
    assert emulator.control("GET", "faults")["holding"] is True
    outcome: list[str] = []

    def late() -> None:
        try:
            client.put_object(Bucket=B, Key="second", Body=b"2")
            outcome.append("answered")
        except Exception as err:  # noqa: BLE001 - the SDK lets the transport's own error through here
            outcome.append("dropped" if "closed connection" in str(err) or "Connection" in str(err) else repr(err))

    t = threading.Thread(target=late)
    t.start()
    deadline = time.monotonic() + 10  # the event is the emulator counting the request as held, not a sleep
    while emulator.control("GET", "faults")["held_requests"] < 1 and t.is_alive() and time.monotonic() < deadline:
        t.join(0.02)
    assert emulator.control("GET", "faults")["held_requests"] == 1
    assert t.is_alive()  # held, not answered
    emulator.control("DELETE", "faults")
    t.join(10)
    assert outcome == ["dropped"]  # dropped unanswered after the release
    assert emulator.control("GET", "inventory")["buckets"][0]["objects"] == 1  # "second" never landed
    held = entries(emulator, "PutObject")[-1]
    assert held["fault"] == "held-dropped" and held["mutated"] is False


def test_request_log_masks_credential_parameters(emulator: EmulatorProcess) -> None:
    requests.get("http://smhlib.api.tencentsmh.cn/api/v1/token", params={"library_id": "smhlib",
                 "library_secret": "s3cr3t", "grant": "admin"}, proxies={"http": emulator.url}, timeout=10)
    entry = entries(emulator)[-1]
    assert "library_secret=***" in entry["query"] and "s3cr3t" not in str(entry)
    assert "grant=admin" in entry["query"]
