"""SpaceSet's pure half: validation of `spaces`, the per-key plan, the detailed diff, and the program's switch."""

from __future__ import annotations

import pytest

from smh_provider import host, host_batch
from smh_provider.resources.space_set import SpaceSetProvider
from smh_provider.resources.space_set_plan import (
    ADD,
    DELETE,
    UPDATE,
    detailed_diff,
    full,
    normalize_spaces,
    plan,
    sparse,
)
from smh_provider.stack_spaces import chunk_of, space_set_chunks, spaces_as_set


def test_entries_are_kept_sparse_and_normalised() -> None:
    spaces, problems = normalize_spaces({"b": None, "a": {"allow_photo": True, "public_read": "true",
                                                          "quota_bytes": 5.0, "multi_album": True,
                                                          "albums": {"y": "Y", "x": "X"}}})
    assert problems == []
    assert spaces == {"a": {"public_read": True, "quota_bytes": 5, "multi_album": True,
                            "albums": {"x": "X", "y": "Y"}}, "b": {}}
    assert list(spaces) == ["a", "b"]
    assert full(spaces["b"], force_destroy=True)["force_destroy"] is True
    assert full({"force_destroy": False}, force_destroy=True)["force_destroy"] is False


@pytest.mark.parametrize(("raw", "where", "words"), [
    ({"a": {"colour": "red"}}, 'spaces["a"].colour', "unknown space setting"),
    ({"a": {"public_read": "maybe"}}, 'spaces["a"].public_read', "true or false"),
    ({"a": {"quota_bytes": 0}}, 'spaces["a"].quota_bytes', "quota_bytes"),
    ({"a": {"albums": {"x": "X"}}}, 'spaces["a"].albums', "multi_album"),
    ({"a": {"multi_album": True, "albums": {"x": "X", "y": "X"}}}, 'spaces["a"].albums["y"]', "unique"),
    ({"a": {"multi_album": True, "albums": {"x": "a/b"}}}, 'spaces["a"].albums["x"]', "one path segment"),
    ({"bad key": {}}, 'spaces["bad key"]', "space key"),
    ({"a": "nope"}, 'spaces["a"]', "object"),
    (["a"], "spaces", "map"),
])
def test_broken_entries_name_the_path_and_the_rule(raw: object, where: str, words: str) -> None:
    _, problems = normalize_spaces(raw)
    assert [p for p, _ in problems] == [where]
    assert words in problems[0][1]


def test_plan_per_key() -> None:
    old = {"keep": {"space_tag": "x"}, "tag": {}, "gone": {}, "mode": {"multi_album": True, "albums": {"a": "A"}},
           "quota": {"quota_bytes": 10}, "albums": {"multi_album": True, "albums": {"r": "R", "d": "D"}}}
    new = {"keep": {"space_tag": "x"}, "tag": {"space_tag": "y"}, "new": {}, "mode": {}, "quota": {},
           "albums": {"multi_album": True, "albums": {"r": "R2", "n": "N"}}}
    plans = plan(old, new)
    assert {k: p.op for k, p in plans.items()} == {"tag": "update", "gone": "delete", "new": "create",
                                                   "mode": "replace", "quota": "replace", "albums": "update"}
    assert plans["mode"].reasons == ["multi_album"] and plans["quota"].reasons == ["quota_bytes"]
    assert plans["albums"].rename == {"r": ("R", "R2")} and plans["albums"].add == {"n": "N"}
    assert plans["albums"].remove == {"d": "D"}
    paths = detailed_diff(plans, old, new)
    assert paths == {
        'spaces["tag"].space_tag': ADD, 'spaces["gone"]': DELETE, 'spaces["new"]': ADD,
        'spaces["mode"].multi_album': DELETE, 'spaces["quota"].quota_bytes': DELETE,
        'spaces["albums"].albums["r"]': UPDATE, 'spaces["albums"].albums["n"]': ADD,
        'spaces["albums"].albums["d"]': DELETE,
    }


def test_the_sets_force_destroy_alone_calls_nothing() -> None:
    plans = plan({"a": {}}, {"a": {}}, old_force=False, new_force=True)
    assert plans["a"].op == "update" and not plans["a"].calls_cloud
    assert detailed_diff(plans, {"a": {}}, {"a": {}}) == {}


def test_sparse_drops_defaults_and_the_sets_force() -> None:
    settings = full({"space_tag": "t"}, force_destroy=True)
    assert sparse(settings, {"b": "B", "a": "A"}) == {"space_tag": "t", "albums": {"a": "A", "b": "B"}}
    assert sparse(settings, None, keep_force=True) == {"space_tag": "t", "force_destroy": True}


def test_provider_diff_is_exact_and_quiet_when_nothing_changed(cloud) -> None:  # type: ignore[no-untyped-def]
    provider = SpaceSetProvider()
    base = {"library_id": "smhA", "owner": "p/s/set", "force_destroy": False, "workers": 32}
    olds = {**base, "spaces": {"a": {}, "b": {"public_read": True}}, "space_ids": {"a": "s1", "b": "s2"}}
    same = provider.diff("set", olds, {**base, "workers": 8, "spaces": {"a": {}, "b": {"public_read": True}}})
    assert same.changes is False and not same.replaces
    host_batch.set_detailed_diff({})
    changed = provider.diff("set", olds, {**base, "spaces": {"a": {"public_read": True}, "b": {"public_read": True}}})
    assert changed.changes is True and not changed.replaces  # one space changes: never the whole set
    assert host._local.diff == (["spaces"], [], {'spaces["a"].public_read': ADD})
    moved = provider.diff("set", olds, {**base, "library_id": "smhB", "spaces": olds["spaces"]})
    assert moved.replaces == ["library_id"]


@pytest.mark.parametrize(("value", "count", "expected"), [
    (None, 5, False), (False, 5, False), (True, 0, True), ("true", 1, True), (50, 49, False), (50, 50, True),
    ("10", 12, True)])
def test_space_set_switch(value: object, count: int, expected: bool) -> None:
    assert spaces_as_set(value, count) is expected


def test_space_set_switch_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="whole number"):
        spaces_as_set("sometimes", 3)
    with pytest.raises(ValueError, match="whole number"):
        spaces_as_set(0, 3)


@pytest.mark.parametrize(("value", "count", "chunks"), [
    ({"chunks": 8}, 1, 8), ({"from": 50, "chunks": 4}, 49, 0), ({"from": 50, "chunks": 4}, 50, 4), (True, 3, 1),
    ("false", 9, 0)])
def test_space_set_chunks(value: object, count: int, chunks: int) -> None:
    assert space_set_chunks(value, count) == chunks


def test_a_key_keeps_its_chunk_whatever_other_keys_exist() -> None:
    keys = [f"k{i}" for i in range(200)]
    shares = {k: chunk_of(k, 8) for k in keys}
    assert set(shares.values()) == set(range(8))
    assert all(chunk_of(k, 8) == shares[k] for k in reversed(keys))
    with pytest.raises(ValueError, match="chunks"):
        space_set_chunks({"chunks": 0}, 3)
    with pytest.raises(ValueError, match="chunks"):
        space_set_chunks({"size": 5}, 3)


def test_changing_the_number_of_chunks_fails_at_preview_naming_the_way_out() -> None:
    """Between two existing chunk sets a key's removal and its adoption run in parallel: refused, with the way
    through one set (true -> chunks and chunks -> true are creates and deletes of separate resources)."""
    provider = SpaceSetProvider()
    news = {"library_id": "smhA", "owner": "p/s/spaces-1", "spaces": {"a": {}}, "chunk": "1/4"}
    result = provider.check({**news, "chunk": "1/8"}, news)
    reasons = [f.reason for f in result.failures if f.property == "chunk"]
    assert len(reasons) == 1 and "set spaceSet to true" in reasons[0]
    assert not [f for f in provider.check({**news}, news).failures if f.property == "chunk"]
    assert not [f for f in provider.check({}, news).failures if f.property == "chunk"]  # a new chunk set


def test_spaces_from_a_file_join_the_inline_ones(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from smh_provider.stack_spaces import spaces_from_file

    (tmp_path / "spaces.json").write_text('{"b": {"space_tag": "x"}, "c": null}')
    assert spaces_from_file(str(tmp_path / "spaces.json"), {"a": {}}) == {"a": {}, "b": {"space_tag": "x"},
                                                                           "c": None}
    with pytest.raises(ValueError, match="in both"):
        spaces_from_file(str(tmp_path / "spaces.json"), {"b": {}})
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(ValueError, match="map"):
        spaces_from_file(str(tmp_path / "list.yaml"), {})
    with pytest.raises(ValueError, match="cannot read"):
        spaces_from_file(str(tmp_path / "missing.json"), {})
