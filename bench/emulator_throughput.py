"""Emulator throughput through the official SDKs: requests per second for COS HEAD Bucket and SMH DescribeLibraries.

Starts its own emulator (`python -m emulator --port 0`), then for each thread count runs each call in a closed
loop (every thread its own SDK client) for a few seconds, and writes the figures with the machine, the versions
and the date to bench/results/emulator_throughput.json. Client and server share the machine, so the figures are
for this machine's cores split between both; compare runs on the same kind of machine only.

    .venv/bin/python bench/emulator_throughput.py [--seconds 3] [--threads 1 4 8] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tencentcloud.smh.v20210712 import models  # noqa: E402

from tests.emulator_process import EmulatorProcess  # noqa: E402
from tests.sdk_clients import APP_ID, cos, smh  # noqa: E402

BUCKET = f"bench-{APP_ID}"
OUT = ROOT / "bench" / "results" / "emulator_throughput.json"


def head_bucket(url: str) -> Callable[[], Any]:
    client = cos(url)
    return lambda: client.head_bucket(Bucket=BUCKET)


def describe_libraries(url: str) -> Callable[[], Any]:
    client = smh(url)
    return lambda: client.DescribeLibraries(models.DescribeLibrariesRequest())


def run(make_call: Callable[[str], Callable[[], Any]], url: str, threads: int, seconds: float) -> dict[str, Any]:
    """Closed loop: each thread calls as fast as answers come back until the deadline."""
    calls = [make_call(url) for _ in range(threads)]
    for call in calls:  # warm the connection pools outside the measured window
        call()
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    start_gate = threading.Barrier(threads + 1)
    deadline = 0.0

    def worker(i: int) -> None:
        start_gate.wait()
        while (now := time.perf_counter()) < deadline:
            try:
                calls[i]()
            except Exception:  # noqa: BLE001 - counted, not raised: a benchmark reports failures
                errors[i] += 1
            latencies[i].append(time.perf_counter() - now)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    start_gate.wait()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    flat = sorted(x for per in latencies for x in per)
    return {
        "threads": threads,
        "seconds": round(elapsed, 3),
        "requests": len(flat),
        "errors": sum(errors),
        "requests_per_second": round(len(flat) / elapsed, 1),
        "latency_ms": {"p50": round(statistics.median(flat) * 1000, 2),
                       "p95": round(flat[int(len(flat) * 0.95) - 1] * 1000, 2),
                       "max": round(flat[-1] * 1000, 2)},
    }


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("cos-python-sdk-v5", "tencentcloud-sdk-python-smh", "tencentcloud-sdk-python-common", "requests",
                "urllib3"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"platform": platform.platform(), "machine": platform.machine(), "cpu": cpu, "cpus": os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measured time per case (default 3)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 8], help="client thread counts")
    parser.add_argument("--out", type=Path, default=OUT, help=f"result file (default {OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)

    emulator = EmulatorProcess()
    try:
        cos(emulator.url).create_bucket(Bucket=BUCKET)
        results = []
        for name, make_call in (("cos:HeadBucket", head_bucket), ("smh:DescribeLibraries", describe_libraries)):
            for threads in args.threads:
                figures = run(make_call, emulator.url, threads, args.seconds)
                results.append({"call": name, **figures})
                print(f"{name:24} threads={threads:<3} {figures['requests_per_second']:>8} req/s  "
                      f"p50 {figures['latency_ms']['p50']} ms  errors {figures['errors']}", flush=True)
        log = emulator.control("GET", "requests")
    finally:
        emulator.stop()
    report = {
        "benchmark": "emulator_throughput",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "setup": {"seconds_per_case": args.seconds, "client": "official SDKs via HTTP proxy setting, one client per "
                  "thread, closed loop", "server": "python -m emulator, in-memory state, one process"},
        "results": results,
        "server_log": {"requests": log["total"], "errors": sum(1 for e in log["requests"] if e["code"])},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
