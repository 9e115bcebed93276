"""One retry policy, plus named waiters for eventual consistency.

`RetryPolicy.call` retries only `Retryable` errors (throttling, 5xx, transport) with capped,
full-jitter exponential backoff under an overall deadline. It is for idempotent calls: reads,
deletes, and updates that set absolute values. A create is never passed to it blindly; the
resource first proves (with a read) that an earlier attempt did not land - see `create_once`.

Waiters are separate: `wait_for(name, probe, timeout)` polls until `probe()` is truthy.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from smh_provider import config
from smh_provider.errors import CloudError, Retryable, Throttled, TransportError, WaitTimeout

T = TypeVar("T")


@dataclass
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 0.2
    max_delay: float = 5.0
    deadline: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform(0, min(cap, base * 2**attempt))."""
        return self.rng.uniform(0, min(self.max_delay, self.base_delay * (2**attempt)))

    def call(self, fn: Callable[[], T], doing: str = "",
             retry_on: tuple[type[Retryable], ...] = (Retryable,)) -> T:
        """Run `fn`, retrying the errors in `retry_on` (default: every Retryable).

        A non-idempotent create passes `retry_on=(Throttled,)`: a throttled call was refused, so it
        certainly did not apply, while a 5xx or a lost connection leaves that open.
        """
        start = self.clock()
        attempt = 0
        while True:
            try:
                return fn()
            except retry_on as err:
                attempt += 1
                delay = self.backoff(attempt)
                if attempt >= self.max_attempts or self.clock() - start + delay > self.deadline:
                    raise _gave_up(err, doing) from None
                self.sleep(delay)

    def create_once(self, create: Callable[[], T], landed: Callable[[], T | None] | None, doing: str = "") -> T:
        """Run a non-idempotent create; after a retryable failure, look before trying again.

        `landed()` returns the created thing if an earlier attempt succeeded after all, else None.
        A throttled attempt was refused, so it certainly did not apply: no need to look. With no way to
        look (`landed` None, e.g. an object without an ownership mark) only throttled attempts are retried.
        Also for non-idempotent updates: `landed()` then says whether the change is already there.
        """
        if landed is None:
            return self.call(create, doing, retry_on=(Throttled,))
        start = self.clock()
        attempt = 0
        while True:
            try:
                return create()
            except Retryable as err:
                attempt += 1
                if not isinstance(err, Throttled):
                    found = self.call(landed, doing)
                    if found is not None:
                        return found
                delay = self.backoff(attempt)
                if attempt >= self.max_attempts or self.clock() - start + delay > self.deadline:
                    raise _gave_up(err, doing) from None
                self.sleep(delay)


def _gave_up(err: CloudError, doing: str) -> CloudError:
    err = err.while_(doing or err.doing)
    if isinstance(err, TransportError):
        err.with_endpoint_hint(config.current().proxy)
    return err


DEFAULT_POLICY = RetryPolicy()


def wait_for(name: str, probe: Callable[[], T | None], timeout: float, interval: float = 0.5,
             sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> T:
    """Poll `probe` until it returns something truthy; raise WaitTimeout naming the waiter."""
    start = clock()
    last: CloudError | None = None
    while True:
        try:
            result = probe()
            if result:
                return result
        except CloudError as err:
            last = err
        if clock() - start >= timeout:
            if isinstance(last, TransportError):
                last.with_endpoint_hint(config.current().proxy)
            detail = f" (last error: {last})" if last else ""
            raise WaitTimeout(f"waiter {name!r} timed out after {timeout:.0f}s{detail}")
        sleep(interval)
        interval = min(interval * 1.5, 5.0)
