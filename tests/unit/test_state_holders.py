"""The last holder deletes: two resources holding one object and deleted in one run never both defer."""

from __future__ import annotations

import threading

from smh_provider import state

SET, SPACE = "proj/stack/space-set", "proj/stack/space-b"


def double_hold() -> None:
    state.reset("stack", state.Snapshot({("space", "s1"): {"space-set", "space-b"}}))


def test_the_first_delete_defers_and_the_second_deletes() -> None:
    double_hold()
    assert state.defer_or_keep("space", "s1", SPACE) == {"space-set"}  # the set holds it: leave it
    assert state.defer_or_keep("space", "s1", SET) == set()  # space-b has let go: the set is the last holder


def test_a_holder_that_has_not_decided_still_holds() -> None:
    double_hold()
    assert state.held_by_others("space", "s1", SET) == {"space-b"}
    assert state.held_by_others("space", "s1", SPACE) == {"space-set"}


def test_concurrent_deletes_leave_exactly_one_deleter() -> None:
    for _ in range(50):
        double_hold()
        answers: dict[str, set[str]] = {}
        barrier = threading.Barrier(2)

        def decide(owner: str, barrier: threading.Barrier, answers: dict[str, set[str]]) -> None:
            barrier.wait()
            answers[owner] = state.defer_or_keep("space", "s1", owner)

        threads = [threading.Thread(target=decide, args=(o, barrier, answers)) for o in (SET, SPACE)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(bool(a) for a in answers.values()) == [False, True], answers


def test_a_new_note_takes_back_a_release() -> None:
    double_hold()
    state.defer_or_keep("space", "s1", SPACE)
    state.note("space", "s1", SPACE)  # created again (adopted) later in the run: holds it again
    assert state.held_by_others("space", "s1", SET) == {"space-b"}


def test_a_sole_holder_deletes_and_is_released_afterwards() -> None:
    state.reset("stack", state.Snapshot({("space", "s2"): {"space-b"}}))
    assert state.defer_or_keep("space", "s2", SPACE) == set()
    assert state.holders("space", "s2", SPACE) == {"space-b"}  # until its delete is done
    state.release("space", "s2", SPACE)
    assert state.holders("space", "s2", SPACE) == set()


def test_the_targets_of_a_command_line() -> None:
    urn = "urn:pulumi:s::p::pulumi-python:dynamic/smh:Space::space-b"
    assert state.targets_of(["pulumi", "destroy", "--yes", "--target", urn, "--stack", "s"]) == [urn]
    assert state.targets_of(["pulumi", "up", f"--target={urn}", "-t", "x"]) == [urn, "x"]
    assert state.targets_of(["pulumi", "up", "--yes"]) == []
    assert state.targets_of(["pulumi", "up", "--exclude", urn]) is None  # names resources another way: unknown
    assert state.targets_of(["pulumi", "up", "--target-replace", urn]) is None


def test_the_state_names_a_resource_as_its_mark_does() -> None:
    """Walk seed 303303: Space key "a b" gives resource "space-a b" and mark ".../space-a-b"; the snapshot named it
    by the first, the delete asked by the second, and the space was left to "another holder": itself."""
    urn = "urn:pulumi:stack::proj::pulumi-python:dynamic/smh:Space::space-a b"
    snap = state.parse({"deployment": {"resources": [
        {"urn": urn, "custom": True, "id": "s1", "type": "pulumi-python:dynamic/smh:Space", "outputs": {}}]}})
    state.reset("stack", snap)
    owner = "proj/stack/space-a-b"
    assert state.held_by_others("space", "s1", owner) == set() and state.held_by_self("space", "s1", owner)
    assert state.previous(owner) == [("s1", {})] and snap.types == {"space-a-b": "Space"}
