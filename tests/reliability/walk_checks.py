"""The walk's invariants, checked after every step against the emulator's inventory and `pulumi stack export`:

* no traceback in any CLI output;
* no file lost, unless the config before or after the step had force_destroy on for its space (the stack's
  own force_destroy where it declares one, else the stack's forceDestroy), or the walk deleted its space by hand;
* state == cloud: every id the state holds exists (spaces of Space and SpaceSet resources, albums, the library,
  the bucket), except a space the walk deleted by hand and no refresh has seen since; every space carrying this
  stack's ownership mark is held by the state, and every album in a space the state holds is held too (the walk
  makes no album by hand); no two spaces carry one mark and no space is held twice. Two exceptions, both while
  the last `up` failed (model.refused) and both states the next `up` that goes through ends: a space held by a
  SpaceSet and a Space resource (or two sets) when the set's delete was refused (a delete either finishes or
  changes nothing, so the set stays whole while a Space resource has taken over one of its spaces, with the album
  names it last saw there; whichever of the two is deleted last deletes it, tests/reliability/test_safe_paths.py),
  and two spaces with one mark when one
  of them is held by the replaced resource the failed `up` left as a pending delete (`delete: true`);
* a clean preview (`pulumi preview --expect-no-changes`) after every `up` that went through (run by test_walk.py).

Also reads back what the next step may use (space ids by key, album directories, resource URNs) into the model.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import requests

from tests.reliability.walk import Model, Step
from tests.reliability.walk_run import Result, World

TRACEBACK = "Traceback (most recent call last)"
KINDS_HELD = ("Bucket", "MediaProcessing", "MediaLibrary", "Space", "SpaceSet", "Album")


def custom(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in deployment.get("resources") or [] if r.get("custom")
            and str(r.get("type", "")).startswith("pulumi-python:dynamic/smh:")]


def kind_of(res: dict[str, Any]) -> str:
    return str(res["type"]).rsplit(":", 1)[-1]


def held_spaces(resources: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(key, space id, urn) of every space the state holds, by Space resources and SpaceSet entries."""
    out = []
    for res in resources:
        outs = res.get("outputs") or {}
        if kind_of(res) == "Space" and outs.get("space_id"):
            out.append((res["urn"].rsplit("::space-", 1)[-1], outs["space_id"], res["urn"]))
        elif kind_of(res) == "SpaceSet":
            out += [(key, sid, res["urn"]) for key, sid in (outs.get("space_ids") or {}).items() if sid]
    return out


def files_in_cloud(world: World, inventory: dict[str, Any]) -> set[str]:
    """Names of every file in every space of every library (top level and one album level down)."""
    names: set[str] = set()
    for space in inventory.get("spaces") or []:
        if not space.get("files"):
            continue
        plane = world.plane(space["library"])
        todo: list[tuple[str, ...]] = [()]
        while todo:
            parts = todo.pop()
            r = requests.get(plane.base + plane.path("directory", space["spaceId"], *parts),
                             params={"access_token": plane.token, "page_size": "1000"}, proxies=plane.proxies,
                             timeout=30)
            r.raise_for_status()
            for item in r.json().get("contents") or []:
                if item.get("type") == "dir":
                    if len(parts) < 2:
                        todo.append((*parts, item["name"]))
                else:
                    names.add(item["name"])
    return names


def check(world: World, model: Model, step: Step, result: Result, before: dict[str, Any] | None) -> list[str]:
    """The violations of this step (empty: all invariants hold); updates the model's view of the cloud."""
    problems = [f"traceback in `pulumi {cmd}`" for cmd, _, out in result.runs if TRACEBACK in out]
    if any(cmd.startswith(("refresh", "scripts/recover.sh")) and rc == 0 for cmd, rc, _ in result.runs):
        model.drifted.clear()  # a refresh saw the spaces deleted by hand
    inventory = world.emulator.control("GET", "inventory")
    deployment = world.export()
    resources = custom(deployment)

    # Files.
    present = files_in_cloud(world, inventory)
    for f in list(model.files):
        if f.name in present:
            continue
        model.files.remove(f)
        if not model.force_on(f.key, [before, model.config]):
            where = f"album {f.album!r} of " if f.album else ""
            problems.append(f"file {f.name} lost ({where}space {f.key!r} {f.space_id}) without force_destroy")

    # State == cloud.
    spaces = {s["spaceId"]: s for s in inventory.get("spaces") or [] if s["spaceId"] != "-"}
    held = held_spaces(resources)
    for key, sid, urn in held:
        if sid not in spaces and sid not in model.drifted:
            problems.append(f"state holds space {sid} (key {key!r}, {urn.rsplit('::', 1)[-1]}) that does not exist")
    for sid, n in Counter(sid for _, sid, _ in held).items():
        kinds = sorted(u.rsplit("::", 1)[0].rsplit(":", 1)[-1] for _, s, u in held if s == sid)
        if n > 1 and not (model.refused and n == 2 and kinds in (["Space", "SpaceSet"], ["SpaceSet", "SpaceSet"])):
            problems.append(f"space {sid} held {n} times in the state: "
                            + ", ".join(f"{k}@{u.rsplit('::', 1)[-1]}" for k, s, u in held if s == sid))
    pending = {str((r.get("outputs") or {}).get("space_id")) for r in resources if r.get("delete")}
    prefix = f"{world.project_name}/{world.stack}/"
    marked = [s for s in spaces.values() if str(s.get("userId") or "").startswith(prefix)]
    for mark, n in Counter(s["userId"] for s in marked).items():
        live = n - sum(1 for s in marked if s["userId"] == mark and s["spaceId"] in pending) if model.refused else n
        if n > 1 and live > 1:
            problems.append(f"{n} spaces carry the mark {mark}")
    held_ids = {sid for _, sid, _ in held}
    for s in marked:
        if s["spaceId"] not in held_ids:
            problems.append(f"space {s['spaceId']} (mark {s['userId']}, {s.get('files', 0)} files) is in the cloud "
                            "but not in the state")
    libraries = {lib["LibraryId"] for lib in inventory.get("libraries") or []}
    buckets = {b["bucket"] for b in inventory.get("buckets") or []}
    for res in resources:
        outs, kind, name = res.get("outputs") or {}, kind_of(res), res["urn"].rsplit("::", 1)[-1]
        if kind == "MediaLibrary" and outs.get("library_id") not in libraries:
            problems.append(f"state holds library {outs.get('library_id')} ({name}) that does not exist")
        if kind == "Bucket" and outs.get("bucket") not in buckets:
            problems.append(f"state holds bucket {outs.get('bucket')} ({name}) that does not exist")
        if kind == "Album" and outs.get("space_id") in spaces:
            if outs.get("album_name") not in spaces[outs["space_id"]].get("albums", []):
                problems.append(f"state holds album {outs.get('album_name')!r} ({name}) that does not exist")
        if kind == "SpaceSet":
            for key, entry in (outs.get("spaces") or {}).items():
                sid = (outs.get("space_ids") or {}).get(key)
                if model.refused and sum(1 for _, s, _ in held if s == sid) == 2:
                    continue  # the refused set's whole view of a space another resource has taken over (above)
                for album in ((entry or {}).get("albums") or {}).values():
                    if sid in spaces and album not in spaces[sid].get("albums", []):
                        problems.append(f"state holds album {album!r} of set entry {key!r} ({name}) that does "
                                        "not exist")
    albums_held: dict[str, set[str]] = {}  # space id -> album names the state holds in it
    for res in resources:
        outs = res.get("outputs") or {}
        if kind_of(res) == "Album":
            albums_held.setdefault(str(outs.get("space_id")), set()).add(str(outs.get("album_name")))
        elif kind_of(res) == "SpaceSet":
            for key, entry in (outs.get("spaces") or {}).items():
                sid = (outs.get("space_ids") or {}).get(key)
                albums_held.setdefault(str(sid), set()).update(((entry or {}).get("albums") or {}).values())
    for key, sid, _ in held:  # the walk makes no album by hand: every album of a held space is the state's
        for album in sorted(set(spaces.get(sid, {}).get("albums") or []) - albums_held.get(sid, set())):
            problems.append(f"album {album!r} of space {key!r} ({sid}) is in the cloud but not in the state")
    held_libs = {(r.get("outputs") or {}).get("library_id") for r in resources if kind_of(r) == "MediaLibrary"}
    problems += [f"library {lib} is in the cloud but not in the state" for lib in sorted(libraries - held_libs)]

    # What the next step may use.
    model.space_ids = {key: sid for key, sid, _ in held if sid in spaces}
    model.albums = {sid: list(s.get("albums") or []) for sid, s in spaces.items()}
    model.urns = [r["urn"] for r in resources if kind_of(r) in KINDS_HELD]
    return problems
