"""One retry policy, plus named waiters for eventual consistency.

The clients (smh_provider/clients) run every cloud call through `RetryPolicy`; resource code never does.

* `RetryPolicy.call` is for idempotent calls (reads, deletes, updates that set absolute values): it retries
  `Retryable` errors (throttling, 5xx, transport) with capped, full-jitter exponential backoff.
* `RetryPolicy.look_before_retry` is for a call that must not run twice (a create, or an update that is not
  absolute): after a failure that leaves open whether it applied, it first looks (`landed()`) and returns what
  it finds; only when the look says "not there" is the call tried again (a look that fails is tried again
  later, never the call blind). A throttled call was refused, so it certainly did not apply: no need to look.
  With no way to look, only throttled attempts are retried.
* `wait_for(name, probe, timeout)` polls `probe` until it returns something, while it raises NotFound or a
  `Retryable` error; any other error (a refused key, a bad parameter) ends the wait at once.

Every loop stops at the operation's budget (`operation.left()`, stack config `smh:operationTimeoutSeconds`),
and tells the user why it waits (`operation.say`): what failed, the attempt, how long until it gives up.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from smh_provider import config, operation
from smh_provider.errors import CloudError, NotFound, Retryable, Throttled, TransportError, WaitTimeout

T = TypeVar("T")
QUIET_WAIT = 5.0  # a waiter speaks once it has waited this long, then every SPEAK_EVERY seconds
SPEAK_EVERY = 15.0


@dataclass
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 0.2
    max_delay: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform(0, min(cap, base * 2**attempt))."""
        return self.rng.uniform(0, min(self.max_delay, self.base_delay * (2**attempt)))

    def call(self, fn: Callable[[], T], doing: str, renew: Callable[[CloudError], bool] | None = None) -> T:
        """Run an idempotent call, retrying every Retryable error.

        `renew(err)` may repair the cause of an error that is not Retryable (an expired access token): when it
        returns True the call is tried again at once, once.
        """
        return self._loop(fn, doing, (Retryable,), None, renew)

    def look_before_retry(self, fn: Callable[[], T], landed: Callable[[], T | None] | None, doing: str,
                          renew: Callable[[CloudError], bool] | None = None) -> T:
        """Run a call that must not apply twice; after a failure that may have applied, look before retrying.

        `landed()` returns the result of an earlier attempt that applied after all (the created thing, or the
        updated one), else None. It is made of idempotent reads, which the clients retry themselves.
        """
        if landed is None:
            return self._loop(fn, doing, (Throttled,), None, renew)
        return self._loop(fn, doing, (Retryable,), landed, renew)

    def run(self, fn: Callable[[], T], doing: str, idempotent: bool = True,
            landed: Callable[[], T | None] | None = None, renew: Callable[[CloudError], bool] | None = None) -> T:
        """`call` for an idempotent call, else `look_before_retry`: what each client's `call` passes on."""
        if idempotent:
            return self.call(fn, doing, renew)
        return self.look_before_retry(fn, landed, doing, renew)

    def _loop(self, fn: Callable[[], T], doing: str, retry_on: tuple[type[CloudError], ...],
              landed: Callable[[], T | None] | None, renew: Callable[[CloudError], bool] | None) -> T:
        start = self.clock()
        attempt = 0
        renewed = False
        failed: CloudError | None = None  # the last failure of `fn` that may have applied: look before calling it
        while True:
            try:
                if failed is not None and landed is not None:
                    found = landed()
                    if found is not None:
                        return found
                    failed = None
                return fn()
            except CloudError as err:
                if failed is not None:
                    if not isinstance(err, Retryable):
                        raise
                    err = failed  # the look itself failed: the call's own failure is what to report and retry
                elif not renewed and renew is not None and not isinstance(err, Retryable) and renew(err):
                    renewed = True
                    continue
                elif not isinstance(err, retry_on):
                    raise
                if landed is not None and not isinstance(err, Throttled):
                    failed = err
                attempt += 1
                delay = self.backoff(attempt)
                left = operation.left(self.clock, start)
                if attempt >= self.max_attempts or left < delay:
                    raise _gave_up(err, doing) from None
                operation.say(f"{doing}: {_short(err)} - attempt {attempt} of {self.max_attempts} failed; trying "
                              f"again in {delay:.1f} s (giving up in {_seconds(left)})", warn=True)
                self.sleep(delay)


def _short(err: CloudError) -> str:
    rid = f" (RequestId {err.request_id})" if err.request_id else ""
    return f"{err.code}{rid}: {err.message[:100]}"


def _seconds(value: float) -> str:
    return f"{max(value, 0):.0f} s"


def _gave_up(err: CloudError, doing: str) -> CloudError:
    err = err.while_(err.doing or doing)
    if isinstance(err, TransportError):
        err.with_endpoint_hint(config.current().endpoint)
    return err


DEFAULT_POLICY = RetryPolicy()


def wait_for(name: str, probe: Callable[[], T | None], timeout: float, interval: float = 0.5,
             sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
             doing: str = "") -> T:
    """Poll `probe` until it returns something truthy; raise WaitTimeout naming the waiter.

    The probe raising NotFound or a Retryable error means "not yet"; any other error is raised at once.
    The wait ends at `timeout` or at the end of the operation's budget, whichever comes first.
    """
    start = clock()
    last: CloudError | None = None
    spoke = start + QUIET_WAIT - SPEAK_EVERY
    while True:
        try:
            result = probe()
            if result:
                return result
        except (NotFound, Retryable) as err:
            last = err
        waited = clock() - start
        limit = min(timeout, waited + operation.left(clock, start))
        if waited >= limit:
            if isinstance(last, TransportError):
                last.with_endpoint_hint(config.current().endpoint)
            detail = f" (last error: {last})" if last else ""
            raise WaitTimeout(f"{doing + ': ' if doing else ''}waiter {name!r} timed out after {waited:.0f}s"
                              f"{detail}")
        if clock() - spoke >= SPEAK_EVERY:
            spoke = clock()
            why = f"last answer {_short(last)}" if last else "not there yet"
            operation.say(f"{doing + ': ' if doing else ''}waiting for {name} ({why}); waited "
                          f"{_seconds(waited)}, giving up in {_seconds(limit - waited)}")
        sleep(min(interval, max(limit - waited, 0.01)))
        interval = min(interval * 1.5, 5.0)
