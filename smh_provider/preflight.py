"""Delete preflight: no delete starts that the run cannot finish.

A bucket, library, space or album that still holds data refuses its own delete unless force_destroy. That alone
is not enough: the engine deletes dependents first (albums, spaces, the library, media processing, then the
bucket), so a refusal at the bucket came after the library, its id and its secret were gone. Two checks close it.

* **Replacements are refused at preview.** A `diff` that plans to replace a resource makes the reads that tell
  whether the old object's delete would be refused (`check_replace`): for a bucket its objects and uploads, the
  libraries bound to it (one outside this stack always blocks; this stack's blocks when it holds files), for a
  library its files and foreign tenant spaces, for a space or album its files. A diff that changes nothing, or
  only in place, reads nothing, so a no-op preview makes no call.

* **Pure deletes (`pulumi destroy`, or resources removed from the program) are checked at the first one.** No
  diff runs for them, and the provider is not told which resources a run deletes. It knows which it was *not*
  told to keep: every resource of the program gets a `diff` before any pure delete starts, in the same provider
  process (`seen`). So when a delete runs, each ancestor of the object (its space, library, bucket) that this run
  did not diff, and whose ownership mark is this stack's, is about to be deleted too. Before the first delete of
  such a tree, `check_tree` reads what those ancestors hold and refuses the delete when one of them would refuse
  later. An ancestor's force_destroy is on its ownership tags (`FORCE_TAG`), since its state is not at hand.
  The result is kept for the rest of the run, so a destroy pays these reads once per bucket.

  Under `--target` (`destroy --target`, `up --target`), only the targets and, with `--target-dependents`, their
  dependents are deleted, never an ancestor: the command line of the running CLI (`state.run_targets`) names
  them, and an ancestor whose resource in the state is not among them is left out of the check
  (`untargeted`). When the command line or the state cannot be read, the check assumes the ancestor goes.

Whatever a run did delete is recorded (`deleted`), so every refusal says either "Nothing was deleted" (true) or
lists what this run had already deleted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from smh_provider import ownership, state
from smh_provider.clients import cos, smh
from smh_provider.clients.smhdata import DataPlane
from smh_provider.errors import NotFound, ProviderError
from smh_provider.memo import PerKey

_lock = threading.Lock()
_kept: set[tuple[str, str]] = set()
_replacing: set[tuple[str, str]] = set()
_deleted: list[str] = []
_trees: PerKey[list[str]] = PerKey()  # tree key -> its problems; concurrent deletes of one tree wait for one probe


def reset() -> None:
    """Forget the run (tests; a provider process serves one run)."""
    with _lock:
        _kept.clear()
        _replacing.clear()
        _deleted.clear()
        _trees.clear()


def seen(kind: str, id_: str, replacing: bool) -> None:
    """Called from diff: the program declares this object in this run (and replaces it or not)."""
    if not id_:
        return
    with _lock:
        (_replacing if replacing else _kept).add((kind, id_))


def kept(kind: str, id_: str | None) -> bool:
    """Whether this run keeps the object (its diff ran and planned no replacement)."""
    with _lock:
        return (kind, id_ or "") in _kept


def deleted(label: str) -> None:
    with _lock:
        _deleted.append(label)


def nothing_deleted() -> str:
    """The true sentence about what this run deleted so far."""
    with _lock:
        done = list(_deleted)
    if not done:
        return "Nothing was deleted."
    shown = ", ".join(done[:10]) + (f" and {len(done) - 10} more" if len(done) > 10 else "")
    return f"Nothing else was deleted; this run had already deleted {shown}."


def refuse(doing: str, problems: list[str], way_out: str) -> ProviderError:
    return ProviderError(f"{doing}: refused before it started, because {'; '.join(problems)}. "
                         f"{nothing_deleted()} {way_out}")


WAY_OUT = ("Empty what holds data yourself, or set force_destroy=True (smh-media:forceDestroy) and run `pulumi up` "
           "first, without this change, so the delete removes the data with the object; a library of another stack "
           "must be deleted or moved by that stack first.")


# -- what each kind of object holds --------------------------------------------------------------
def bucket_problems(settings: Any, full: str, region: str, force: bool, stack: str, skip: str = "") -> list[str]:
    """Why deleting bucket `full` (and this stack's libraries bound to it, but `skip`) would be refused later."""

    c = cos.client(settings, region)
    problems: list[str] = []
    if not force:
        objects, uploads = cos.is_empty(c, full)
        held = " and ".join(x for x, n in (("objects", objects), ("incomplete multipart uploads", uploads)) if n)
        if held:
            problems.append(f"bucket {full} still holds {held} (force_destroy is off)")
    for lib in smh.list_libraries(smh.client(settings), doing=f"listing the media libraries bound to bucket {full}"):
        if lib.bucket != full or lib.id == skip:
            continue
        mark = library_mark(lib)
        if not stack or ownership.stack_of(mark) != stack:
            whose = ownership.describe(mark) if mark else "no stack of this provider (it has no ownership mark)"
            problems.append(f"media library {lib.id} ({lib.name!r}) of {whose} is bound to "
                            f"bucket {full}, and deleting the bucket would destroy that library's storage")
        else:
            problems += library_problems(lib, library_forced(lib)) + foreign_spaces(settings, lib, stack)
    return problems


def library_problems(lib: Any, force: bool) -> list[str]:
    """`lib` is a clients.smh.Library."""
    if lib.files and not force:
        return [f"media library {lib.id} ({lib.name!r}) still holds {lib.files} files ({lib.size} bytes; "
                "force_destroy is off)"]
    return []


def foreign_spaces(settings: Any, lib: Any, stack: str) -> list[str]:
    """Tenant spaces of a multi-tenant library that are not this stack's: its delete would fail on them."""
    if not lib.settings.get("multi_tenant"):
        return []

    others = [s.space_id for s in DataPlane(settings, lib.id).list_spaces() if ownership.stack_of(s.user_id) != stack]
    if not others:
        return []
    return [f"media library {lib.id} has {len(others)} tenant spaces this stack does not manage "
            f"({', '.join(others[:5])}), so it cannot be deleted"]


def library_mark(lib: Any) -> str:
    return lib.tags.get(ownership.OWNER_TAG, "")


def library_forced(lib: Any) -> bool:
    return lib.tags.get(ownership.FORCE_TAG) == "true"


def untagged(olds: dict[str, Any]) -> bool:
    """force_destroy is on but its tag (ownership.FORCE_TAG) is not written: a state from before the tag existed."""
    return bool(olds.get("force_destroy")) and not olds.get("force_tag")


def retag(result: Any, olds: dict[str, Any]) -> Any:
    """A diff of such a state is an update that writes the tag (no call at diff; the preview shows an update)."""
    if untagged(olds):
        result.changes = True
    return result


# -- pure deletes: the tree above the object ------------------------------------------------------
def check_tree(key: str, probe: Callable[[], list[str]], doing: str) -> None:
    """Run `probe` (the problems of the ancestors this run deletes) once per tree and run; raise if any."""
    def load() -> list[str]:
        try:
            return probe()
        except NotFound:
            return []  # an ancestor is already gone: nothing of it can refuse

    known = _trees.get(key, load)
    if known:
        raise refuse(doing, known, WAY_OUT)


def checked(key: str) -> None:
    """A diff's replacement check passed for this tree: the deletes that follow need not repeat it."""
    _trees.get(key, list)


def bucket_ancestor(settings: Any, full: str | None, region: str | None, stack: str, skip: str = "",
                    tags: dict[str, str] | None = None) -> list[str]:
    """Problems of bucket `full` if this run deletes it too (not kept, this stack's mark), else []."""
    if not full or not region or not stack or kept("bucket", full) or untargeted("bucket", full, stack):
        return []

    if tags is None:
        tags = cos.get_tags(cos.client(settings, region), full)
    if ownership.stack_of(tags.get(ownership.OWNER_TAG)) != stack:
        return []  # not this stack's bucket: this run does not delete it
    return bucket_problems(settings, full, region, tags.get(ownership.FORCE_TAG) == "true", stack, skip)


def untargeted(kind: str, obj: str, stack: str) -> bool:
    """Whether this run certainly leaves the object alone: the command names its resources (`--target`), and none
    of them is a resource of the stack's state that holds the object (an ancestor is never a target's dependent).
    False when the command names none (the whole program), or when the command line or the state cannot be read."""
    targets = state.run_targets()
    if not targets:
        return False
    try:
        names = state.snapshot(f"{stack}/_").names(kind, obj)
    except state.StateUnavailable:
        return False
    return bool(names) and not any(t.rpartition("::")[2] in names for t in targets)


def library_ancestor(settings: Any, library_id: str, stack: str) -> list[str]:
    """Problems of library `library_id` and its bucket if this run deletes them too, else []."""
    if not stack or kept("library", library_id) or untargeted("library", library_id, stack):
        return []

    lib = smh.find_library(smh.client(settings), library_id)
    if ownership.stack_of(library_mark(lib)) != stack:
        return []
    problems = library_problems(lib, library_forced(lib)) + foreign_spaces(settings, lib, stack)
    return problems + bucket_ancestor(settings, lib.bucket, lib.raw.get("BucketRegion"), stack, skip=lib.id)
