"""The emulator process: startup, concurrency, signals, persistence, control endpoints and routing.

Signatures are in test_server_auth.py, fault injection in test_server_faults.py.
"""

from __future__ import annotations

import json
import re
import signal
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from qcloud_cos import CosServiceError

from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import APP_ID, REGION, cos

B = f"server-{APP_ID}"
BUCKET_URL = f"http://{B}.cos.{REGION}.myqcloud.com"


def raw(emulator: EmulatorProcess, method: str, url: str, **kwargs: Any) -> requests.Response:
    """One plain HTTP request through the emulator as a proxy (absolute-form) or to it directly."""
    session = requests.Session()
    session.trust_env = False
    proxies = None if url.startswith(emulator.url) else {"http": emulator.url}
    return session.request(method, url, proxies=proxies, timeout=10, **kwargs)


# -- startup and shutdown ------------------------------------------------------------------------
def test_startup_prints_one_line_and_answers_health(record_property: Any) -> None:
    started = time.monotonic()
    proc = EmulatorProcess()
    health = proc.control("GET", "health")
    elapsed = time.monotonic() - started
    record_property("startup_to_health_s", round(elapsed, 3))  # speed belongs to the benchmark
    assert health["status"] == "ok"
    assert "cos" in health["services"]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", proc.url)
    assert proc.stop() == 0
    assert proc.proc.stdout is not None and proc.proc.stdout.read() == ""  # the first line was the only one


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_clean_stop_on_signal(sig: signal.Signals) -> None:
    proc = EmulatorProcess()
    cos(proc.url).create_bucket(Bucket=B)  # a connection pool is still open when the signal arrives
    proc.proc.send_signal(sig)
    assert proc.proc.wait(timeout=10) == 0
    assert proc.proc.stderr is not None and "Traceback" not in proc.proc.stderr.read()


def test_requests_are_served_concurrently(emulator: EmulatorProcess) -> None:
    cos(emulator.url).create_bucket(Bucket=B)
    emulator.control("POST", "faults", {"latency_ms": 300})

    def head(_: int) -> dict[str, str]:
        return cos(emulator.url).head_bucket(Bucket=B)

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(head, range(8)))
    elapsed = time.monotonic() - started
    assert len(results) == 8
    assert elapsed < 4 * 0.3, f"8 parallel HEADs with 300 ms latency took {elapsed:.2f}s"


def test_concurrent_creates_of_one_name_have_one_winner(emulator: EmulatorProcess) -> None:
    def create(_: int) -> str:
        try:
            cos(emulator.url).create_bucket(Bucket=B)
            return "created"
        except CosServiceError as exc:
            return exc.get_error_code()

    with ThreadPoolExecutor(8) as pool:
        outcomes = sorted(pool.map(create, range(8)))
    assert outcomes == ["BucketAlreadyOwnedByYou"] * 7 + ["created"]


# -- persistence ---------------------------------------------------------------------------------
def test_state_survives_restart(tmp_path: Path) -> None:
    first = EmulatorProcess(state_dir=str(tmp_path))
    client = cos(first.url)
    client.create_bucket(Bucket=B, Tagging="keep=yes")
    client.put_object(Bucket=B, Key="k", Body=b"persisted")
    assert first.stop() == 0
    second = EmulatorProcess(state_dir=str(tmp_path))
    try:
        client = cos(second.url)
        assert client.get_bucket_tagging(Bucket=B)["TagSet"]["Tag"] == [{"Key": "keep", "Value": "yes"}]
        assert client.get_object(Bucket=B, Key="k")["Body"].get_raw_stream().read() == b"persisted"
    finally:
        second.stop()


def test_acknowledged_write_survives_kill_9(tmp_path: Path) -> None:
    first = EmulatorProcess(state_dir=str(tmp_path))
    client = cos(first.url)
    client.create_bucket(Bucket=B)
    client.put_object(Bucket=B, Key="last", Body=b"acked")
    first.stop("KILL")
    assert first.proc.returncode == -signal.SIGKILL
    second = EmulatorProcess(state_dir=str(tmp_path))
    try:
        assert cos(second.url).head_object(Bucket=B, Key="last")["Content-Length"] == "5"
    finally:
        second.stop()


def test_without_state_dir_state_is_in_memory() -> None:
    first = EmulatorProcess()
    cos(first.url).create_bucket(Bucket=B)
    first.stop()
    second = EmulatorProcess()
    try:
        assert cos(second.url).bucket_exists(Bucket=B) is False
    finally:
        second.stop()


# -- control endpoints ---------------------------------------------------------------------------
def test_health(emulator: EmulatorProcess) -> None:
    health = emulator.control("GET", "health")
    assert health["status"] == "ok"
    assert {"cos", "ci", "smh"} <= set(health["services"])
    assert health["uptime_s"] >= 0


def test_request_log_fields_and_counts(emulator: EmulatorProcess) -> None:
    client = cos(emulator.url)
    client.create_bucket(Bucket=B)
    client.head_bucket(Bucket=B)
    client.head_bucket(Bucket=B)
    with pytest.raises(CosServiceError):
        client.create_bucket(Bucket=B)
    log = emulator.control("GET", "requests")
    assert log["total"] == 4
    first = log["requests"][0]
    assert {"time", "service", "action", "status", "code", "latency_ms", "mutated", "fault"} <= set(first)
    assert (first["service"], first["action"], first["status"], first["code"], first["mutated"], first["fault"]) == (
        "cos", "PutBucket", 200, "", True, "")
    assert first["latency_ms"] >= 0 and abs(first["time"] - time.time()) < 60
    last = log["requests"][-1]
    assert (last["action"], last["status"], last["code"], last["mutated"]) == (
        "PutBucket", 409, "BucketAlreadyOwnedByYou", False)
    assert log["counts"] == {"cos:PutBucket": 2, "cos:HeadBucket": 2}
    assert log["mutating_counts"] == {"cos:PutBucket": 1}
    assert log["mutating_total"] == 1
    assert log["faults_injected"] == 0
    assert emulator.control("GET", "requests?since=3")["total"] == 1
    assert emulator.control("DELETE", "requests") == {"cleared": True}
    assert emulator.control("GET", "requests")["total"] == 0


def test_control_calls_are_not_logged(emulator: EmulatorProcess) -> None:
    emulator.control("GET", "health")
    emulator.control("GET", "inventory")
    assert emulator.control("GET", "requests")["total"] == 0


def test_inventory_and_reset(emulator: EmulatorProcess) -> None:
    client = cos(emulator.url)
    client.create_bucket(Bucket=B, ACL="public-read", Tagging="a=1")
    client.put_object(Bucket=B, Key="o", Body=b"x")
    client.create_multipart_upload(Bucket=B, Key="u")
    assert emulator.control("GET", "inventory")["buckets"] == [
        {"bucket": B, "region": REGION, "app_id": APP_ID, "acl": "public-read", "tags": {"a": "1"},
         "objects": 1, "uploads": 1}]
    emulator.control("POST", "faults", {"latency_ms": 5})
    assert emulator.control("POST", "reset") == {"reset": True}
    assert emulator.control("GET", "inventory")["buckets"] == []
    assert emulator.control("GET", "requests")["total"] == 0
    assert emulator.control("GET", "faults")["latency_ms"] == 0
    assert client.bucket_exists(Bucket=B) is False


def test_faults_set_get_clear(emulator: EmulatorProcess) -> None:
    settings = {"seed": 3, "latency_ms": 1, "jitter_ms": 0.5, "new_bucket_head_404_ms": 10,
                "errors": [{"service": "cos", "action": ["PutBucket", "HeadBucket"], "probability": 0.5,
                            "code": "SlowDown", "status": 503, "phase": "after"}],
                "drops": [{"service": "*", "action": "*", "probability": 0.1}]}
    got = emulator.control("POST", "faults", settings)
    assert emulator.control("GET", "faults") == got
    assert got["errors"][0]["action"] == ["PutBucket", "HeadBucket"] and got["drops"][0]["phase"] == "before"
    assert emulator.control("DELETE", "faults") == {"cleared": True}
    assert emulator.control("GET", "faults")["errors"] == []


@pytest.mark.parametrize("bad", [
    {"latency": 5},
    {"errors": [{"probability": 1.5}]},
    {"errors": [{"phase": "during"}]},
    {"drops": [{"service": "cos", "colour": "red"}]},
], ids=["unknown-key", "probability", "phase", "unknown-rule-field"])
def test_bad_fault_settings_are_refused(emulator: EmulatorProcess, bad: dict[str, Any]) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        emulator.control("POST", "faults", bad)
    assert info.value.code == 400
    assert json.loads(info.value.read())["error"]


def test_unknown_control_route(emulator: EmulatorProcess) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        emulator.control("GET", "nothing-here")
    assert info.value.code == 404


# -- routing -------------------------------------------------------------------------------------
def last_entry(emulator: EmulatorProcess) -> dict[str, Any]:
    return emulator.control("GET", "requests")["requests"][-1]


def test_bare_ip_routing(emulator: EmulatorProcess) -> None:
    raw(emulator, "POST", emulator.url + "/", headers={"X-TC-Action": "DescribeLibraries"}, data=b"{}")
    assert last_entry(emulator)["service"] == "smh"
    raw(emulator, "GET", emulator.url + "/mediabucket?regions=ap-guangzhou")
    assert last_entry(emulator)["service"] == "ci"
    resp = raw(emulator, "GET", emulator.url + "/")
    assert (last_entry(emulator)["service"], last_entry(emulator)["action"]) == ("cos", "GetService")
    assert resp.status_code == 403 and "<Code>AccessDenied</Code>" in resp.text


def test_host_routing(emulator: EmulatorProcess) -> None:
    raw(emulator, "GET", "http://service.cos.myqcloud.com/")
    assert last_entry(emulator)["action"] == "GetService"
    raw(emulator, "GET", f"http://cos.{REGION}.myqcloud.com/")
    assert last_entry(emulator)["action"] == "GetService"
    raw(emulator, "HEAD", BUCKET_URL + "/")
    assert last_entry(emulator)["action"] == "HeadBucket"
    raw(emulator, "GET", BUCKET_URL + "/a/b.txt")
    assert last_entry(emulator)["action"] == "GetObject"
    raw(emulator, "POST", "http://smh.tencentcloudapi.com/", data=b"{}")
    assert last_entry(emulator)["service"] == "smh"
    raw(emulator, "GET", f"http://ci.{REGION}.myqcloud.com/mediabucket")
    assert last_entry(emulator)["service"] == "ci"


def test_unknown_host_is_a_clear_error(emulator: EmulatorProcess) -> None:
    resp = raw(emulator, "PUT", "http://example.com/thing")
    assert resp.status_code == 400
    assert "<Code>InvalidURI</Code>" in resp.text
    assert "example.com" in resp.text and "match no emulated service" in resp.text
    assert resp.headers["x-cos-request-id"]
    assert last_entry(emulator)["service"] == "unknown"


def test_unsupported_calls_fail_loudly(emulator: EmulatorProcess) -> None:
    assert "<Code>NotImplemented</Code>" in raw(emulator, "GET", BUCKET_URL + "/?policy").text
    assert "<Code>MethodNotAllowed</Code>" in raw(emulator, "PUT", "http://service.cos.myqcloud.com/").text
    resp = raw(emulator, "CONNECT", emulator.url + "/")
    assert resp.status_code == 405


def test_request_to_real_port_without_host_prefix(emulator: EmulatorProcess) -> None:
    req = urllib.request.Request(emulator.url + "/_emulator/health")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req, timeout=5) as resp:
        assert resp.headers["Content-Type"] == "application/json"
