"""The floor: the least wall time the calls of one operation could take at a fixed latency and concurrency.

Pure functions over the emulator's request log (`GET /_emulator/requests`), so `make test` can check them on a
synthetic log (tests/unit/test_bench_floor.py).

Model. Every logged call falls into a *stage*; stages depend on each other and run one after another
(creating: bucket -> media processing -> library -> token -> spaces -> albums; destroying: the token first, then
the reverse; refreshing: secret -> token -> every read at once). Inside a stage, calls on the same resource (a
*chain*: the bucket, one space, one album) are sequential, and different chains run side by side, at most
`concurrency` at a time: the Pulumi engine sends a dynamic provider at most that many RPCs at once (the
provider's gRPC server is `futures.ThreadPoolExecutor(max_workers=4)` in pulumi/dynamic/__main__.py, pulumi
3.272.0). So a stage takes at least max(longest chain, ceil(calls / concurrency)) round trips, and the floor is
the sum over stages times the latency per call. Server time and engine overhead are left out on purpose.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

ENGINE_CONCURRENCY = 4  # pulumi/dynamic/__main__.py: futures.ThreadPoolExecutor(max_workers=4)

STAGE_ORDERS: dict[str, tuple[str, ...]] = {
    "up": ("bucket", "media", "library", "secret", "token", "space", "album"),
    "destroy": ("secret", "token", "album", "space", "library", "media", "bucket"),
    "refresh": ("secret", "token", "read"),
}
ALIASES = {"create": "up", "update": "up", "preview": "refresh"}  # preview reads at most, like refresh
TOKEN_ACTIONS = {"CreateAccessToken", "RenewAccessToken"}


def _segments(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return parts[2:] if parts[:2] == ["api", "v1"] else parts


def classify(entry: dict[str, Any]) -> tuple[str, str]:
    """(stage, chain) of one request-log entry, before any operation-specific merging of stages."""
    service, action = entry.get("service", ""), entry.get("action", "")
    if service == "cos":
        return "bucket", f"cos:{entry.get('host', '')}"
    if service == "ci":
        return "media", "ci"
    if service == "smh":
        if action == "DescribeLibrarySecret":  # a repeated read depends on nothing but the library
            return "secret", f"secret:{entry.get('seq', id(entry))}"
        return "library", "library"
    if service == "smhdata":
        if action in TOKEN_ACTIONS:
            return "token", f"token:{entry.get('seq', id(entry))}"
        seg = _segments(entry.get("path", ""))
        if action == "CreateSpace" or (seg[:1] == ["quota"] and len(seg) == 2):
            return "space", f"new-space:{entry.get('seq', id(entry))}"
        if seg[:1] == ["directory"] and len(seg) >= 4:
            return "album", f"album:{seg[2]}/{'/'.join(seg[3:])}"
        if len(seg) >= 3:
            return "space", f"space:{seg[2]}"
        return "space", f"space-misc:{action}"
    return "other", f"{service}:{action}"


def stage_of(entry: dict[str, Any], op: str) -> tuple[str, str]:
    stage, chain = classify(entry)
    if ALIASES.get(op, op) == "refresh" and stage not in ("secret", "token"):
        stage = "read"
    return stage, chain


def floor_seconds(entries: Iterable[dict[str, Any]], op: str, latency_s: float,
                  concurrency: int = ENGINE_CONCURRENCY) -> dict[str, Any]:
    """The floor of one operation's calls: total seconds and the round trips of each stage."""
    order = STAGE_ORDERS[ALIASES.get(op, op)]
    chains: dict[str, Counter[str]] = {}
    for e in entries:
        stage, chain = stage_of(e, op)
        chains.setdefault(stage, Counter())[chain] += 1
    rounds: dict[str, int] = {}
    for stage in [*order, *sorted(set(chains) - set(order))]:  # unknown stages count, sequentially, at the end
        per_chain = chains.get(stage)
        if per_chain:
            rounds[stage] = max(max(per_chain.values()), math.ceil(sum(per_chain.values()) / concurrency))
    total = sum(rounds.values())
    return {"seconds": round(total * latency_s, 3), "round_trips": total, "stages": rounds}


def call_summary(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Calls by `service:Action`, and how many of them changed state."""
    counts = Counter(f"{e['service']}:{e['action']}" for e in entries)
    mutating = Counter(f"{e['service']}:{e['action']}" for e in entries if e.get("mutated"))
    return {"total": len(entries), "mutating": sum(mutating.values()),
            "by_action": dict(sorted(counts.items())), "mutating_by_action": dict(sorted(mutating.items()))}
