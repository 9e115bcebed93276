"""Fault injection: latency, errors, dropped connections, and a bucket that 404s after creation.

Set with `POST /_emulator/faults` (JSON below), cleared with `DELETE /_emulator/faults`:

    {"seed": 7,                               # replayable: same seed + same calls = same faults
     "latency_ms": 50, "jitter_ms": 10,       # added to every cloud request
     "errors": [{"service": "cos", "action": "PutBucket", "probability": 0.2,
                 "code": "SlowDown", "status": 503, "phase": "before"}],
     "drops":  [{"service": "*", "action": "*", "probability": 0.1, "phase": "after"}],
     "new_bucket_head_404_ms": 2000}

`service`/`action` accept "*" (and the action may be a list). `phase` "before" fails the call
without touching state; "after" applies the call and then fails or drops the answer, which is
what makes a client wonder whether its create landed. Every injected fault is in the request log.

`"hold_after_mutations": k` is for crash tests: once the k-th mutating call has been answered,
every later cloud request is held (not processed) until the faults are replaced or cleared, and
then dropped unanswered. A test waits until the log shows k mutations, kills the client, then
clears the faults: the cloud saw exactly k changes, as if the client died right after call k.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

DEFAULT_STATUS = {
    "SlowDown": 503,
    "ServiceUnavailable": 503,
    "InternalError": 500,
    "InternalServerError": 500,
    "RequestLimitExceeded": 200,
    "RateLimitExceeded": 429,
    "ServerOverloaded": 503,
}


@dataclass
class Rule:
    service: str = "*"
    action: Any = "*"
    probability: float = 1.0
    code: str = "InternalError"
    status: int | None = None
    phase: str = "before"

    def matches(self, service: str, action: str) -> bool:
        if self.service not in ("*", service):
            return False
        if isinstance(self.action, list):
            return action in self.action
        return self.action in ("*", action)


@dataclass
class Decision:
    kind: str  # "error" or "drop"
    phase: str
    code: str = ""
    status: int = 0


@dataclass
class Faults:
    seed: int | None = None
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    errors: list[Rule] = field(default_factory=list)
    drops: list[Rule] = field(default_factory=list)
    new_bucket_head_404_ms: float = 0.0
    hold_after_mutations: int = 0
    _mutations: int = 0
    _held: int = 0
    _released: threading.Event = field(default_factory=threading.Event)
    _rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Faults:
        allowed = {"seed", "latency_ms", "jitter_ms", "errors", "drops", "new_bucket_head_404_ms",
                   "hold_after_mutations"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}; allowed: {sorted(allowed)}")

        def rules(items: list[dict], kind: str) -> list[Rule]:
            out = []
            for item in items:
                rule = Rule(**item)
                if not 0.0 <= float(rule.probability) <= 1.0:
                    raise ValueError(f"{kind}: probability must be within 0..1")
                if rule.phase not in ("before", "after"):
                    raise ValueError(f"{kind}: phase must be 'before' or 'after'")
                out.append(rule)
            return out

        faults = cls(
            seed=data.get("seed"),
            latency_ms=float(data.get("latency_ms", 0)),
            jitter_ms=float(data.get("jitter_ms", 0)),
            errors=rules(data.get("errors", []), "errors"),
            drops=rules(data.get("drops", []), "drops"),
            new_bucket_head_404_ms=float(data.get("new_bucket_head_404_ms", 0)),
            hold_after_mutations=int(data.get("hold_after_mutations", 0)),
        )
        faults._rng = random.Random(faults.seed)
        return faults

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "latency_ms": self.latency_ms,
            "jitter_ms": self.jitter_ms,
            "errors": [r.__dict__ for r in self.errors],
            "drops": [r.__dict__ for r in self.drops],
            "new_bucket_head_404_ms": self.new_bucket_head_404_ms,
            "hold_after_mutations": self.hold_after_mutations,
            "mutations_seen": self._mutations,
            "holding": self.holding(),
            "held_requests": self._held,
        }

    # -- hold (crash tests) ---------------------------------------------------------------------
    def holding(self) -> bool:
        return bool(self.hold_after_mutations) and self._mutations >= self.hold_after_mutations \
            and not self._released.is_set()

    def mutated(self) -> None:
        with self._lock:
            self._mutations += 1

    def wait_if_held(self) -> bool:
        """Block while holding; True means the request arrived during the hold and must be dropped."""
        if not self.holding():
            return False
        with self._lock:
            self._held += 1  # `held_requests`: tests wait for this event instead of sleeping
        self._released.wait(timeout=600)
        return True

    def release(self) -> None:
        self._released.set()

    def delay_seconds(self) -> float:
        if not self.latency_ms and not self.jitter_ms:
            return 0.0
        with self._lock:
            jitter = self._rng.uniform(-self.jitter_ms, self.jitter_ms) if self.jitter_ms else 0.0
        return max(0.0, self.latency_ms + jitter) / 1000.0

    def decide(self, service: str, action: str) -> Decision | None:
        """Draw once per matching rule, in a fixed order, so a seed replays exactly."""
        with self._lock:
            for rule in self.drops:
                if rule.matches(service, action) and self._rng.random() < rule.probability:
                    return Decision("drop", rule.phase)
            for rule in self.errors:
                if rule.matches(service, action) and self._rng.random() < rule.probability:
                    status = rule.status or DEFAULT_STATUS.get(rule.code, 500)
                    return Decision("error", rule.phase, rule.code, status)
        return None
