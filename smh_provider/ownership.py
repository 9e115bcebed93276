"""Ownership marks: how a create recognises an object that an earlier, interrupted run made.

Every bucket, media library and tenant space the provider creates carries a mark naming the
project, stack and resource (`<project>/<stack>/<resource name>`), written in the same call that
creates it: a bucket tag and a library tag under `OWNER_TAG`, and a space's `userId` (the data
plane's only creation-time label that lists return). The mark is computed in the program, where
the stack is known; the provider process does not know the stack name.

When `pulumi up` dies after the cloud answered a create and before the engine saved the state,
the next `up` creates the resource again. The create first looks for its own mark and adopts what
it finds, so there is never a second library or space. An object that exists *without* our mark
is never taken silently: the error says so, and `adopt=True` takes it over explicitly (writing
our mark), since `pulumi import` does not work with dynamic providers.

A replacement must not adopt the very object it replaces, which carries the same mark. The engine
calls `diff` for every resource in the state before it creates its replacement, in the same
provider process: `diff` notes the id it holds for the mark (`note_in_state`), and a create
adopts only a marked object the state does not hold (`held_ids`). So a plain replacement, a
forced `--replace`, and the recovery of a replacement that died half-way all do the right thing.
"""

from __future__ import annotations

import re
import threading

import pulumi

OWNER_TAG = "pulumi:owner"
_UNSAFE = re.compile(r"[^\w+\-=.:/]")
MAX_MARK = 250


def mark(resource_name: str) -> str:
    """The ownership mark of a resource of the running program's project and stack."""
    text = f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}"
    return _UNSAFE.sub("-", text)[:MAX_MARK]


def same_stack(a: str | None, b: str | None) -> bool:
    """Two marks of resources of one project and stack (two libraries of one stack may share a bucket)."""
    return bool(a and b) and a.rpartition("/")[0] == b.rpartition("/")[0]  # type: ignore[union-attr]


def split_tags(tags: dict[str, str]) -> tuple[dict[str, str], str]:
    """(the user's tags, our mark or '') from the tags the cloud reports."""
    user = {k: v for k, v in tags.items() if k != OWNER_TAG}
    return dict(sorted(user.items())), tags.get(OWNER_TAG, "")


def with_mark(tags: dict[str, str], owner: str | None) -> dict[str, str]:
    return {**tags, OWNER_TAG: owner} if owner else dict(tags)


def take_over_hint(what: str, flag: str = "adopt=True") -> str:
    return (f"To take over the existing {what}, set {flag} on the resource (in this project's stack config: see "
            "README, 'Taking over existing objects') and run `pulumi up`: the provider then writes this stack's "
            "ownership mark on it and manages it from then on. Otherwise choose another name.")


_held: dict[str, set[str]] = {}
_held_lock = threading.Lock()


def note_in_state(owner: object, id_: str) -> None:
    """Remember that the state holds object `id_` for mark `owner` (called from diff)."""
    if isinstance(owner, str) and owner and id_:
        with _held_lock:
            _held.setdefault(owner, set()).add(id_)


def held_ids(owner: str | None) -> set[str]:
    with _held_lock:
        return set(_held.get(owner or "", ()))


# Spaces a SpaceSet holds (its diff, create and update note them). A Space or Album resource that is dropped from
# the program while a SpaceSet of the same stack took its space over (the migration of README, "Thousands of
# spaces") must leave the space alone: the engine deletes dropped resources after every create and update, in
# the same provider process, so the note is there when the Space's delete runs.
_taken: set[str] = set()


def note_taken_over(space_id: str) -> None:
    if space_id:
        with _held_lock:
            _taken.add(space_id)


def taken_over(space_id: object) -> bool:
    with _held_lock:
        return isinstance(space_id, str) and space_id in _taken
