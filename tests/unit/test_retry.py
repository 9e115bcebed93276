"""The one retry policy, the look-before-retry path, waiters, the operation budget and what they tell the user."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from smh_provider import config, host, operation
from smh_provider.errors import AuthError, NotFound, ServerError, Throttled, TransportError, WaitTimeout
from smh_provider.retry import RetryPolicy, wait_for


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    heard: list[str] = []
    monkeypatch.setattr(host, "log", lambda message, warn=False, urn=None: heard.append(message))
    return heard


@pytest.fixture(autouse=True)
def settings() -> None:
    config.set_current(config.load({"smh:operationTimeoutSeconds": "120"}, environ={}))
    yield
    config.set_current(config.Settings())


def policy(clock: Clock) -> RetryPolicy:
    return RetryPolicy(sleep=clock.sleep, clock=clock, rng=random.Random(1))


def failing(*errors: Exception, result: object = "ok"):  # type: ignore[no-untyped-def]
    calls = []

    def fn():  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return result

    fn.calls = calls  # type: ignore[attr-defined]
    return fn


def test_idempotent_call_retries_retryable_errors_and_says_why(clock: Clock, said: list[str]) -> None:
    fn = failing(ServerError("InternalError", "boom", "rid-1"), Throttled("RequestLimitExceeded", "slow"))
    assert policy(clock).call(fn, "reading bucket b") == "ok"
    assert len(fn.calls) == 3 and len(clock.slept) == 2
    assert "reading bucket b: InternalError (RequestId rid-1): boom - attempt 1 of 8 failed" in said[0]
    assert "giving up in" in said[0] and "attempt 2 of 8" in said[1]


def test_non_retryable_error_is_raised_at_once(clock: Clock, said: list[str]) -> None:
    fn = failing(AuthError("SignatureDoesNotMatch", "bad key"))
    with pytest.raises(AuthError):
        policy(clock).call(fn, "reading bucket b")
    assert len(fn.calls) == 1 and not clock.slept and not said


def test_renew_repairs_once_without_waiting(clock: Clock) -> None:
    renewed = []
    fn = failing(AuthError("InvalidAccessToken", "expired"), AuthError("InvalidAccessToken", "expired"))

    def renew(err):  # type: ignore[no-untyped-def]
        renewed.append(err.code)
        return err.code == "InvalidAccessToken"

    with pytest.raises(AuthError):
        policy(clock).call(fn, "listing spaces", renew=renew)
    assert len(fn.calls) == 2 and renewed == ["InvalidAccessToken"] and not clock.slept


def test_look_before_retry_returns_what_landed(clock: Clock) -> None:
    fn = failing(TransportError("ConnectionError", "reset"))
    assert policy(clock).look_before_retry(fn, lambda: "found", "creating x") == "found"
    assert len(fn.calls) == 1


def test_look_before_retry_tries_again_when_nothing_landed(clock: Clock) -> None:
    looks = []
    fn = failing(ServerError("InternalError", "boom"))
    assert policy(clock).look_before_retry(fn, lambda: looks.append(1), "creating x") == "ok"
    assert len(fn.calls) == 2 and len(looks) == 1


def test_throttled_attempt_is_not_looked_after(clock: Clock) -> None:
    looks = []
    fn = failing(Throttled("RequestLimitExceeded", "slow"))
    assert policy(clock).look_before_retry(fn, lambda: looks.append(1), "creating x") == "ok"
    assert not looks


def test_without_a_way_to_look_only_throttled_attempts_are_retried(clock: Clock) -> None:
    fn = failing(ServerError("InternalError", "boom"))
    with pytest.raises(ServerError):
        policy(clock).look_before_retry(fn, None, "creating x")
    assert len(fn.calls) == 1
    assert policy(clock).look_before_retry(failing(Throttled("SlowDown", "slow")), None, "creating x") == "ok"


def test_gives_up_at_the_operation_budget_with_the_endpoint_hint(clock: Clock) -> None:
    config.set_current(config.load({"smh:operationTimeoutSeconds": "3", "smh:endpoint": "http://127.0.0.1:4630"},
                                   environ={}))
    endless = RetryPolicy(max_attempts=1000, sleep=clock.sleep, clock=clock, rng=random.Random(1))

    def down() -> None:
        raise TransportError("ConnectionError", "refused")

    with pytest.raises(TransportError) as caught:
        endless.call(down, "creating bucket b")
    assert clock.now <= 3 and "http://127.0.0.1:4630" in str(caught.value)
    assert str(caught.value).startswith("creating bucket b: ConnectionError")


def test_wait_ends_at_once_on_an_error_that_waiting_cannot_fix(clock: Clock) -> None:
    def refused() -> None:
        raise AuthError("AccessDenied", "no")

    with pytest.raises(AuthError):
        wait_for("bucket-visible", refused, 120, sleep=clock.sleep, clock=clock)
    assert clock.now == 0


def test_wait_goes_on_through_not_found_and_speaks_after_a_few_seconds(clock: Clock, said: list[str]) -> None:
    answers = iter([NotFound("NoSuchBucket", "no")] * 12 + ["there"])

    def probe() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert wait_for("bucket-visible", probe, 120, sleep=clock.sleep, clock=clock, doing="creating bucket b") == "there"
    assert clock.now > 5 and said
    assert said[0].startswith("creating bucket b: waiting for bucket-visible (last answer NoSuchBucket")
    assert "giving up in" in said[0]


def test_wait_times_out_at_the_operation_budget(clock: Clock) -> None:
    config.set_current(config.load({"smh:operationTimeoutSeconds": "10"}, environ={}))
    with pytest.raises(WaitTimeout) as caught:
        wait_for("library-listed", lambda: None, 60, sleep=clock.sleep, clock=clock)
    assert 10 <= clock.now < 11 and "library-listed" in str(caught.value)


def test_operation_budget_is_shared_by_the_loops_of_one_operation() -> None:
    config.set_current(config.load({"smh:operationTimeoutSeconds": "30"}, environ={}))
    assert operation.remaining() is None
    with operation.run("create"):
        left = operation.remaining()
        assert left is not None and 29 < left <= 30
    assert operation.remaining() is None


@pytest.mark.parametrize("raw", ["0", "-5", "soon", "100000"])
def test_operation_timeout_must_be_a_sane_number(raw: str) -> None:
    with pytest.raises(config.ConfigError, match="smh:operationTimeoutSeconds"):
        config.load({"smh:operationTimeoutSeconds": raw}, environ={})


def test_operation_timeout_default_and_environment() -> None:
    assert config.load({}, environ={}).operation_timeout == config.DEFAULT_OPERATION_TIMEOUT
    assert config.load({}, environ={"SMH_OPERATION_TIMEOUT_SECONDS": "45"}).operation_timeout == 45


def test_a_failed_look_never_leads_to_a_blind_retry(clock: Clock) -> None:
    """While the look itself fails, the call is not made again (it may have applied); the call's error is raised."""
    fn = failing(ServerError("InternalError", "boom", "rid-c"))
    looks = failing(*[TransportError("ConnectionError", "no answer")] * 3, result=None)
    assert policy(clock).look_before_retry(fn, looks, "creating library x") == "ok"
    assert len(looks.calls) == 4 and len(fn.calls) == 2  # three failed looks, one that found nothing, one call
    down = failing(*[TransportError("ConnectionError", "no answer")] * 50)
    with pytest.raises(ServerError) as caught:
        policy(clock).look_before_retry(failing(ServerError("InternalError", "boom", "rid-d")), down, "creating y")
    assert caught.value.request_id == "rid-d" and str(caught.value).startswith("creating y")


def test_an_operation_goes_along_to_a_resources_own_worker_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    heard: list[tuple[str, str | None]] = []
    monkeypatch.setattr(host, "log", lambda message, warn=False, urn=None: heard.append((message, urn)))
    monkeypatch.setattr(host, "rpc_urn", lambda: "urn:pulumi:s::p::SpaceSet::spaces")
    config.set_current(config.load({"smh:operationTimeoutSeconds": "30"}, environ={}))

    def work() -> float | None:
        operation.say("waiting")
        return operation.remaining()

    with operation.run("create"), ThreadPoolExecutor(2) as pool:
        carried = pool.submit(operation.carry(work)).result()
        bare = pool.submit(work).result()
    assert carried is not None and 29 < carried <= 30 and bare is None
    assert heard == [("waiting", "urn:pulumi:s::p::SpaceSet::spaces"), ("waiting", None)]
