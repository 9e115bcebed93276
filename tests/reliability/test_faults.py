"""Suite 1, faults: with the emulator throttling, failing (5xx, before and after applying) and dropping about a
third of all calls at a fixed seed, `up` of the full stack succeeds, a preview expects no changes, a refreshing
preview too, the cloud matches the state exactly, and `destroy` leaves nothing.
"""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from tests.emulator_process import EmulatorProcess
from tests.reliability import report
from tests.reliability.cloud import compare, full_config

pytestmark = pytest.mark.emulator_only  # seeded faults and crashes need the emulator
QUIET = {"on_output": lambda _: None}
THROTTLE = {"cos": ("SlowDown", 503), "ci": ("SlowDown", 429), "smh": ("RequestLimitExceeded", 200),
            "smhdata": ("RateLimitExceeded", 429)}
SERVER = {"cos": ("InternalError", 500), "ci": ("InternalError", 500), "smh": ("InternalError", 200),
          "smhdata": ("InternalServerError", 500)}


def fault_plan(seed: int) -> dict:
    errors = []
    for service in THROTTLE:
        code, status = THROTTLE[service]
        errors.append({"service": service, "action": "*", "probability": 0.10, "code": code, "status": status})
        code, status = SERVER[service]
        errors.append({"service": service, "action": "*", "probability": 0.08, "code": code, "status": status})
        errors.append({"service": service, "action": "*", "probability": 0.06, "code": code, "status": status,
                       "phase": "after"})
    return {"seed": seed, "errors": errors,
            "drops": [{"service": "*", "action": "*", "probability": 0.06, "phase": "before"},
                      {"service": "*", "action": "*", "probability": 0.04, "phase": "after"}]}


@pytest.mark.parametrize("seed", [7, 20261128])
def test_full_stack_survives_a_third_of_calls_failing(seed: int, emulator: EmulatorProcess, make_stack) -> None:  # type: ignore[no-untyped-def]
    stack: auto.Stack = make_stack(full_config(emulator, **{"smh-media:forceDestroy": "true"}))
    emulator.control("POST", "faults", fault_plan(seed))
    stack.up(**QUIET)
    stack.preview(expect_no_changes=True, **QUIET)
    stack.preview(expect_no_changes=True, refresh=True, **QUIET)
    log = emulator.control("GET", "requests")
    emulator.control("DELETE", "faults")
    result = compare(emulator, stack)
    assert result["duplicates"] == 0 and result["orphans"] == [] and result["missing"] == [], result
    assert result["counts"] == {"Bucket": 1, "MediaProcessing": 1, "MediaLibrary": 1, "Space": 3}

    emulator.control("POST", "faults", fault_plan(seed + 1))
    stack.destroy(**QUIET)
    destroy_log = emulator.control("GET", "requests")
    emulator.control("DELETE", "faults")
    inv = emulator.control("GET", "inventory")
    assert inv["buckets"] == [] and inv["media_buckets"] == [] and inv["libraries"] == [] and inv["spaces"] == []

    calls, injected = destroy_log["total"], destroy_log["faults_injected"]
    rate = injected / calls
    report.record("faults", runs=1, calls=calls, faults_injected=injected, survived=1,
                  duplicates=result["duplicates"], objects_lost=len(result["missing"]))
    kinds: dict[str, int] = {}
    for e in destroy_log["requests"]:
        if e.get("fault"):
            kind = e["fault"] if e["fault"].startswith("drop") else f"{e['fault']} {e['code']}"
            kinds[kind] = kinds.get(kind, 0) + 1
    report.row("faults", seed=seed, calls=calls, faults=injected, rate=f"{rate:.0%}", calls_before_destroy=log["total"],
               kinds=", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())),
               outcome="up, no-change preview, refreshing preview, state = cloud, destroy: all succeeded")
    assert rate >= 0.20, f"only {rate:.0%} of {calls} calls were faulted; the suite promises at least 20%"
