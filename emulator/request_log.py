"""The request log: every cloud request with its outcome, read through GET /_emulator/requests.

Query parameters that carry a credential by design (the SMH token call, presigned URLs) are masked, as an access
log would; anything else the client sent is logged as sent (the secrets audit in tests/reliability relies on it).
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from typing import Any

from emulator.wire import Request

CREDENTIAL_PARAMS = ("library_secret", "access_token", "q-signature", "x-amz-signature", "signature")
_CREDENTIAL_RE = re.compile(r"(?i)(^|&)(" + "|".join(CREDENTIAL_PARAMS) + r")=[^&]*")
LOGGED_BODY_BYTES = 4096


def new_entry(req: Request) -> dict[str, Any]:
    """The entry of a request not yet routed or answered; dispatch fills in the rest."""
    return {
        "time": time.time(),
        "method": req.method,
        "host": req.raw_host,
        "path": req.path,
        "query": _CREDENTIAL_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}=***", req.raw_query or ""),
        "body": req.body[:LOGGED_BODY_BYTES].decode("utf-8", "replace") if req.body else "",
        "service": "unknown",
        "action": "unknown",
        "status": 0,
        "code": "",
        "mutated": False,
        "fault": "",
    }


class RequestLog:
    """The entries since the last clear, and how often each action has answered without error since the start.

    The second survives `POST /_emulator/reset`: GET /_emulator/actions reports it, so a test suite can check that
    it exercised every declared action.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []
        self._answered: Counter[str] = Counter()

    def add(self, entry: dict[str, Any], answered: bool = False) -> None:
        with self._lock:
            entry["seq"] = len(self._entries) + 1
            self._entries.append(entry)
            if answered:
                self._answered[f"{entry['service']}:{entry['action']}"] += 1

    def answered(self) -> Counter[str]:
        with self._lock:
            return Counter(self._answered)

    def snapshot(self, since: int = 0) -> dict[str, Any]:
        with self._lock:
            entries = [e for e in self._entries if e["seq"] > since]
        counts: Counter[str] = Counter()
        mutating: Counter[str] = Counter()
        for e in entries:
            key = f"{e['service']}:{e['action']}"
            counts[key] += 1
            if e["mutated"]:
                mutating[key] += 1
        return {
            "requests": entries,
            "total": len(entries),
            "counts": dict(counts),
            "mutating_counts": dict(mutating),
            "mutating_total": sum(mutating.values()),
            "faults_injected": sum(1 for e in entries if e.get("fault")),
        }

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
