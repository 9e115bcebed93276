"""The run bookkeeping of smh_provider/preflight.py: what a run keeps, what it deleted, one probe per tree."""

from __future__ import annotations

import pytest

from smh_provider import preflight
from smh_provider.errors import NotFound, ProviderError


@pytest.fixture(autouse=True)
def fresh_run():  # type: ignore[no-untyped-def]
    preflight.reset()
    yield
    preflight.reset()


def test_refusals_say_truly_what_the_run_deleted() -> None:
    assert preflight.nothing_deleted() == "Nothing was deleted."
    preflight.deleted("album 'Trip'")
    preflight.deleted("tenant space s1")
    text = str(preflight.refuse("deleting media library L", ["bucket b still holds objects"], "Empty it."))
    assert "Nothing was deleted" not in text
    assert "Nothing else was deleted; this run had already deleted album 'Trip', tenant space s1." in text


def test_only_what_a_diff_kept_is_kept() -> None:
    preflight.seen("bucket", "b-1250000000", replacing=False)
    preflight.seen("library", "lib1", replacing=True)
    assert preflight.kept("bucket", "b-1250000000")
    assert not preflight.kept("library", "lib1") and not preflight.kept("bucket", "other-1250000000")


def test_a_tree_is_probed_once_per_run_and_a_gone_ancestor_blocks_nothing() -> None:
    calls = []

    def probe() -> list[str]:
        calls.append(1)
        return ["bucket b still holds objects"]

    for _ in range(3):
        with pytest.raises(ProviderError, match="refused before it started, because bucket b still holds objects"):
            preflight.check_tree("bucket:b", probe, "deleting album 'Trip'")
    assert len(calls) == 1

    def gone() -> list[str]:
        raise NotFound("NoSuchBucket", "gone")

    preflight.check_tree("bucket:c", gone, "deleting media library L")  # nothing left to refuse


def test_a_passed_replacement_check_serves_the_deletes_that_follow() -> None:
    preflight.checked("bucket:b")
    preflight.check_tree("bucket:b", lambda: pytest.fail("probed again"), "deleting media library L")
