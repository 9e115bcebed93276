"""The stack's own state, as the authority for the two safety decisions that need it.

A create that finds an object carrying its ownership mark must tell an object an interrupted run left behind
(adopt it: no second copy) from the object its own resource still holds (a replacement: never adopt it, or the
delete of the old resource removes what the new one holds). A delete must tell an object only it holds (delete it)
from one that another resource of the stack holds as well (a move between `Space` resources and a `SpaceSet`,
between SpaceSet chunks: leave the state, delete nothing). Neither can be inferred from which RPCs the engine
happens to make: for `up --replace` it calls Check without old inputs and never calls Diff; under `--target` it
calls no Check for untargeted resources; `destroy` runs no program (pulumi pkg/resource/deploy/step_generator.go).

So the provider reads the state itself: `pulumi stack export` of the running stack (the stack and project come from
the ownership mark, the CLI is the one running this provider, the backend is the caller's environment), loaded
once per provider process at the first decision that needs it. The engine saves the state after every step, so
what was in it when the run started is in it then, except resources this run already deleted. What this run itself
made a resource hold comes from this process (`note`): a create or update returns before the deletes of the
resources it replaces or takes over from are scheduled. What a delete in this run let go of comes from this process
too (`release`): so when two holders of one object are deleted in one run, the second is the last holder and
deletes it, instead of deferring to a resource that has already left the state (`defer_or_keep`).

Nothing read here is written anywhere: it never enters inputs, outputs, state or logs (secrets stay encrypted:
the export is not asked to show them). When the state cannot be read, the decisions fail closed: a create does
not adopt a marked object it cannot place, and a delete of an object another resource might hold is refused with
a message saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smh_provider import ownership
from smh_provider.errors import ProviderError
from smh_provider.memo import PerKey

# Object kinds: "bucket" (full name), "library" (id), "space" (id), "album" (<space id>/<album name>),
# "user" (<library id>/<user id>), "group" (<library id>/<group id>).
Key = tuple[str, str]


class StateUnavailable(ProviderError):
    """The stack's state could not be read (no CLI found, the export failed)."""


@dataclass
class Snapshot:
    """Which resource (by name: every resource of this provider is top-level) holds which object."""

    holders: dict[Key, set[str]] = field(default_factory=dict)
    # resource name -> (id, outputs) of each entry of that name (two during a replacement)
    entries: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    # resource name -> its type's last part ("Space", "SpaceSet", "Album", ...)
    types: dict[str, str] = field(default_factory=dict)

    def inside(self, library_id: str) -> list[tuple[str, str, str, dict[str, Any]]]:
        """(type, resource name, id, outputs) of each entry holding something inside library `library_id`."""
        return [(self.types.get(name, ""), name, id_, outputs) for name, items in sorted(self.entries.items())
                for id_, outputs in items if library_id and outputs.get("library_id") == library_id]

    def names(self, kind: str, obj: str) -> set[str]:
        return set(self.holders.get((kind, obj), ()))


def held_objects(type_: str, id_: str, outputs: dict[str, Any]) -> list[Key]:
    """The cloud objects a resource of type `type_` with this id and these outputs holds."""
    name = type_.rpartition(":")[2]
    lib = str(outputs.get("library_id") or "")
    out: list[Key] = []
    if name == "Bucket" and outputs.get("bucket"):
        out.append(("bucket", str(outputs["bucket"])))
    elif name == "MediaLibrary" and id_:
        out.append(("library", id_))
    elif name == "Space" and id_:
        out.append(("space", id_))
    elif name == "SpaceSet":
        ids = outputs.get("space_ids") or {}
        spaces = outputs.get("spaces") or {}
        for key, sid in ids.items() if isinstance(ids, dict) else ():
            if not isinstance(sid, str):
                continue
            out.append(("space", sid))
            albums = (spaces.get(key) or {}).get("albums") if isinstance(spaces, dict) else None
            for album_name in (albums or {}).values() if isinstance(albums, dict) else ():
                out.append(("album", f"{sid}/{album_name}"))
    elif name == "Album" and outputs.get("album_name"):
        out.append(("album", album_key(lib, outputs.get("space_id"), str(outputs["album_name"]))))
    elif name == "User" and outputs.get("user_id"):
        out.append(("user", f"{lib}/{outputs['user_id']}"))
    elif name == "Group" and id_:
        out.append(("group", f"{lib}/{id_}"))
    return out


def album_key(library_id: str, space_id: str | None, album_name: str) -> str:
    """The "album" object key: <space id>/<name>, or <library id>:-/<name> for an album of the library itself."""
    return f"{space_id}/{album_name}" if space_id not in (None, "", "-") else f"{library_id}:-/{album_name}"


def _mark_name(urn: str) -> str:
    """The resource name of a URN as its ownership mark carries it (`name_of_mark`): characters a mark cannot
    carry are '-' there, so a resource "space-a b" is known by "space-a-b" (two names giving one mark are refused
    by `ownership.mark`). Every lookup of the snapshot is by a mark's name."""
    parts = urn.split("::")
    if len(parts) < 4:
        return urn.rpartition("::")[2]
    stack, project, name = parts[0].rpartition(":")[2], parts[1], parts[-1]
    return name_of_mark(ownership.mark_of(project, stack, name))


def parse(export: dict[str, Any]) -> Snapshot:
    snap = Snapshot()
    deployment = export.get("deployment") or {}
    for res in deployment.get("resources") or []:
        urn = str(res.get("urn") or "")
        outputs = res.get("outputs") or {}
        if not isinstance(outputs, dict):
            continue
        name = _mark_name(urn)
        if res.get("custom") and res.get("id"):
            snap.entries.setdefault(name, []).append((str(res["id"]), outputs))
            snap.types[name] = str(res.get("type") or "").rpartition(":")[2]
        for key in held_objects(str(res.get("type") or ""), str(res.get("id") or ""), outputs):
            snap.holders.setdefault(key, set()).add(name)
    return snap


def _cli() -> str:
    """The pulumi CLI running this provider (an ancestor process), else the one on PATH."""
    pid = _running_cli_pid()
    if pid is not None:
        try:
            return os.readlink(f"/proc/{pid}/exe")
        except OSError:
            pass
    found = shutil.which("pulumi")
    if not found:
        raise StateUnavailable("reading this stack's state: no pulumi CLI found (neither the running one nor on PATH)")
    return found


def _running_cli_pid() -> int | None:
    """The pid of the pulumi CLI running this provider (an ancestor process), or None."""
    pid = os.getppid()
    for _ in range(8):
        try:
            if Path(os.readlink(f"/proc/{pid}/exe")).name == "pulumi":
                return pid
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return None
        if pid <= 1:
            return None
    return None


def run_targets() -> list[str] | None:
    """The `--target` URNs of the running pulumi command ([] when it names none: the whole program), read from its
    command line; None when that cannot be read or names resources another way (`--exclude`): then nothing may be
    assumed about which resources the run leaves alone."""
    pid = _running_cli_pid()
    if pid is None:
        return None
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return None
    return targets_of(args)


def targets_of(args: list[str]) -> list[str] | None:
    """`run_targets` of a pulumi command line."""
    targets: list[str] = []
    for i, arg in enumerate(args):
        if arg in ("--target", "-t") and i + 1 < len(args):
            targets.append(args[i + 1])
        elif arg.startswith("--target="):
            targets.append(arg.partition("=")[2])
        elif arg.startswith("--exclude") or arg.startswith("--target-replace"):
            return None
    return targets


def _export(stack: str) -> dict[str, Any]:
    cmd = [_cli(), "stack", "export", "--stack", stack, "--non-interactive"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False,
                              env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"})
    except (OSError, subprocess.TimeoutExpired) as err:
        raise StateUnavailable(f"reading the state of stack {stack!r} (`pulumi stack export`): {err}") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise StateUnavailable(f"reading the state of stack {stack!r} (`pulumi stack export`): {tail[0]}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as err:
        raise StateUnavailable(f"reading the state of stack {stack!r}: the export is not JSON ({err})") from None


_snapshots: PerKey[Snapshot] = PerKey()
_notes: dict[Key, set[str]] = {}
_released: dict[Key, set[str]] = {}  # resources whose delete in this run left the object (deleted it or deferred)
_lock = threading.Lock()
_deciding = threading.RLock()  # a delete's "am I the last holder?" and its release are one step
_override: dict[str, Snapshot] = {}  # unit tests: a stack's snapshot without a CLI


def stack_of_mark(owner: str | None) -> str:
    """The stack name of an ownership mark `<project>/<stack>/<resource>`, or ''."""
    parts = (owner or "").split("/")
    return parts[1] if len(parts) >= 3 else ""


def name_of_mark(owner: str | None) -> str:
    parts = (owner or "").split("/", 2)
    return parts[2] if len(parts) == 3 else ""


def snapshot(owner: str | None) -> Snapshot:
    """The state of the stack `owner` (a mark of it) names, loaded once per provider process."""
    stack = stack_of_mark(owner)
    if not stack:
        return Snapshot()  # a resource without a mark (not declared through its class): no stack to read
    if stack in _override:
        return _override[stack]
    return _snapshots.get(stack, lambda: parse(_export(stack)))


def note(kind: str, obj: str, owner: str | None) -> None:
    """Resource `owner` (its mark) holds object (kind, obj) from now on: it created, adopted or kept it."""
    name = name_of_mark(owner)
    if obj and name:
        with _lock:
            _notes.setdefault((kind, obj), set()).add(name)
            _released.get((kind, obj), set()).discard(name)


def release(kind: str, obj: str, owner: str | None) -> None:
    """Resource `owner`'s delete is done with the object (it deleted it, or left it to another holder): from now
    on it no longer holds it, so a later delete in this run of the last other holder deletes it instead of
    deferring to a resource that has already left the state."""
    name = name_of_mark(owner)
    if obj and name:
        with _lock:
            _released.setdefault((kind, obj), set()).add(name)


def holders(kind: str, obj: str, owner: str | None) -> set[str]:
    """The names of the resources of `owner`'s stack that hold the object: the state's and this run's notes,
    less those whose delete in this run has already let go of it."""
    snap = snapshot(owner)
    with _lock:
        noted = set(_notes.get((kind, obj), ()))
        gone = set(_released.get((kind, obj), ()))
    return (snap.names(kind, obj) | noted) - gone


def defer_or_keep(kind: str, obj: str, owner: str | None) -> set[str]:
    """A delete's decision, made once: the other resources holding the object now. When there are any, resource
    `owner` leaves it to them and is released at once (under one lock with the check, so two holders deleted in
    one run never both defer: the second sees the first gone and deletes). When there are none, `owner` is the
    last holder: it deletes the object, and calls `release` once the delete is done (until then, a concurrent
    delete of another holder defers to it)."""
    with _deciding:
        others = held_by_others(kind, obj, owner)
        if others:
            release(kind, obj, owner)
        return others


def deciding() -> threading.RLock:
    """The lock of `defer_or_keep`, for a delete that decides for many objects at once (a SpaceSet: its checks
    before the first delete must see the same holders as its releases)."""
    return _deciding


def held_by_others(kind: str, obj: str, owner: str | None) -> set[str]:
    """The other resources of the stack that hold the object (a delete must then leave it)."""
    return holders(kind, obj, owner) - {name_of_mark(owner)}


def held_by_self(kind: str, obj: str, owner: str | None) -> bool:
    """Whether the resource `owner` names holds the object in the state (a create must then not adopt it)."""
    return name_of_mark(owner) in snapshot(owner).names(kind, obj)


def previous(owner: str | None) -> list[tuple[str, dict[str, Any]]]:
    """(id, outputs) of what the resource `owner` names holds in the state: a create that finds any is a
    replacement, whatever RPCs the engine made before it (`up --replace` makes no Diff)."""
    name = name_of_mark(owner)
    if not name or not stack_of_mark(owner):
        return []
    return list(snapshot(owner).entries.get(name, []))


_album_keys: dict[tuple[str, str], tuple[str, str]] = {}  # (space id, album key) -> (holder, album name), this run


def note_album_keys(owner: str | None, space_id: str, albums: dict[str, Any]) -> None:
    """A SpaceSet of this run saved the albums (album key -> name) of one of its spaces: what `album_by_key` with
    `this_run` answers from then on, over the state read at the start."""
    name = name_of_mark(owner)
    with _lock:
        for akey, album_name in albums.items():
            if isinstance(album_name, str):
                _album_keys[(space_id, akey)] = (name, album_name)


def album_by_key(owner: str | None, space_id: str, album_key: str, this_run: bool = False) -> str | None:
    """The name of the album that another resource of the stack holds in `space_id` under album key `album_key`
    (a SpaceSet entry's `albums`, or an Album resource's `album_key`): the album a move between the two kinds of
    resource takes over, renamed to what is now declared. None when none does. With `this_run`, what a SpaceSet
    saved in this run comes first (a delete runs after every create and update of the run)."""
    me = name_of_mark(owner)
    if this_run:
        with _lock:
            noted = _album_keys.get((space_id, album_key))
        if noted is not None and noted[0] != me:
            return noted[1]
    for name, items in snapshot(owner).entries.items():
        if name == me:
            continue
        for _, outputs in items:
            if outputs.get("space_id") == space_id and outputs.get("album_key") == album_key \
                    and isinstance(outputs.get("album_name"), str):
                return str(outputs["album_name"])
            ids, spaces = outputs.get("space_ids"), outputs.get("spaces")
            if isinstance(ids, dict) and isinstance(spaces, dict):
                for key, sid in ids.items():
                    albums = (spaces.get(key) or {}).get("albums") if sid == space_id else None
                    if isinstance(albums, dict) and isinstance(albums.get(album_key), str):
                        return str(albums[album_key])
    return None


def reset(stack: str | None = None, snap: Snapshot | None = None) -> None:
    """Unit tests: forget what was loaded and noted; with `snap`, use it as `stack`'s state."""
    _snapshots.clear()
    with _lock:
        _notes.clear()
        _released.clear()
        _album_keys.clear()
    _override.clear()
    if stack and snap is not None:
        _override[stack] = snap
