"""PerKey: one load per key at a time, values retired by age or by a validity test."""

from __future__ import annotations

import threading
import time

from smh_provider.memo import PerKey


def test_concurrent_gets_share_one_load() -> None:
    loads: list[int] = []
    memo: PerKey[int] = PerKey()
    gate = threading.Event()

    def load() -> int:
        gate.wait(1)
        loads.append(1)
        return 7

    threads = [threading.Thread(target=lambda: memo.get("k", load)) for _ in range(4)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(5)
    assert loads == [1] and memo.get("k", lambda: 8) == 7


def test_fresh_forget_age_and_validity_retire_a_value() -> None:
    memo: PerKey[int] = PerKey()
    assert memo.get("k", lambda: 1) == 1
    assert memo.get("k", lambda: 2, fresh=True) == 2
    memo.forget("k")
    assert memo.get("k", lambda: 3) == 3
    aged: PerKey[int] = PerKey(max_age=0.05)
    aged.get("k", lambda: 1)
    time.sleep(0.06)
    assert aged.get("k", lambda: 2) == 2
    checked: PerKey[int] = PerKey(valid=lambda v: v > 1)
    checked.get("k", lambda: 1)
    assert checked.get("k", lambda: 5) == 5
