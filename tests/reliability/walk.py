"""The model of the random walk (tests/reliability/test_walk.py): the stack config the walk has declared, the files it
has put into the cloud, and the seeded choice of the next step. Nothing here talks to the engine or the emulator
(walk_run.py does, walk_checks.py judges), so a step sequence is a pure function of the seed and of what the
earlier steps reported back (which spaces exist, whether an `up` went through): the same seed on the same code
replays the same walk.

A step is a `Step(kind, detail)`; `kind` is one of KINDS (a plan, WALK_PLAN, lists steps in this form and
replaces the random choice: `plan_of`, `apply_edit`):

    edit      a config edit (detail: what changed; a quarter are a `batch` of two or three), then `pulumi up`
    kill      a config edit, then `pulumi up` SIGKILLed after its k-th mutating cloud call, then scripts/recover.sh
    replace   `pulumi up --replace <urn>` of a Space, MediaLibrary, SpaceSet or Album
    destroy   `pulumi destroy --target <urn>` of a Space, Album or SpaceSet
    refresh   `pulumi refresh`
    upload    a file PUT through the data plane into a space or one of its albums
    drop      a space deleted by hand through the data plane (DELETE /space/..., force)
    revert    after a refused `up`: back to the last config an `up` applied, then `pulumi up`
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass, field
from typing import Any

KEYS = ("a", "b", "c", "d")
# Keys that differ only by characters a mark cannot hold (issue 19 case 8): rare, they must be refused or kept apart.
ODD_KEYS = ("a b", "a-b")
ALBUM_KEYS = ("x", "y", "z")
ALBUM_NAMES = ("Trip", "Family", "Work", "Pets", "Zoo")
SETTINGS = ("public_read", "allow_photo", "allow_video", "recognize_sensitive_content")
SPACE_SETS: tuple[Any, ...] = (False, True, 2, 3, {"from": 1, "chunks": 2}, {"chunks": 2})
KINDS = ("edit", "kill", "replace", "destroy", "refresh", "upload", "drop", "revert")
# Relative weights of the kinds a walk picks from (revert is forced after a refusal, never picked).
WEIGHTS = {"edit": 10, "kill": 2, "replace": 2, "destroy": 1, "refresh": 1, "upload": 4, "drop": 1}


def initial_config() -> dict[str, Any]:
    """The walk's starting point: two spaces (one with an album), Space resources, force_destroy off."""
    return {"spaces": {"a": {"multi_album": True, "albums": {"x": "Trip"}}, "b": {}},
            "spaceSet": False, "forceDestroy": False}


@dataclass
class Step:
    kind: str
    detail: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        return f"{self.kind} {json.dumps(self.detail, sort_keys=True)}"


@dataclass
class File:
    """A file the walk uploaded: its unique name and where it went (space key and id, album or None). Whether its
    loss is allowed is decided by the config around the step that lost it (Model.force_on)."""

    name: str
    key: str
    space_id: str
    album: str | None


@dataclass
class Model:
    """What the walk declared and put: config (the one the next `up` gets), the last config an `up` applied,
    the files that must still exist, and what the cloud reported after the last step (space ids by key)."""

    seed: int
    config: dict[str, Any] = field(default_factory=initial_config)
    applied: dict[str, Any] | None = None
    files: list[File] = field(default_factory=list)
    space_ids: dict[str, str] = field(default_factory=dict)
    albums: dict[str, list[str]] = field(default_factory=dict)  # space id -> album directories in the cloud
    urns: list[str] = field(default_factory=list)
    refused: bool = False  # the last up/recovery did not apply the config
    drifted: set[str] = field(default_factory=set)  # spaces deleted by hand that no refresh has seen yet
    uploads: int = 0

    avoid: tuple[str, ...] = ()  # kinds left out (WALK_AVOID): to look past a known finding; part of the replay
    plan: list[Step] | None = None  # the steps to take instead of random ones (WALK_PLAN, see `plan_of`)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    # -- choosing the next step -----------------------------------------------------------------------------------
    def next_step(self) -> Step:
        if self.plan is not None:
            return self._planned()
        if self.refused and self.applied is not None and self.applied != self.config:
            return Step("revert", {})
        kinds = [k for k, w in WEIGHTS.items() for _ in range(w) if k not in self.avoid and self._possible(k)]
        kind = self.rng.choice(kinds)
        if kind in ("edit", "kill"):
            detail = self.edit()
            if kind == "kill":
                detail["after_mutations"] = self.rng.randint(1, 3)  # a small up makes 1 to 4
            return Step(kind, detail)
        if kind in ("replace", "destroy"):
            types = ("Space", "MediaLibrary", "SpaceSet", "Album") if kind == "replace" else ("Space", "Album",
                                                                                               "SpaceSet")
            urns = [u for u in self.urns if u.rsplit("::", 1)[0].rsplit(":", 1)[-1] in types]
            detail: dict[str, Any] = {"urn": self.rng.choice(sorted(urns))}
            if kind == "destroy" and self.rng.random() < 0.5:
                detail["dependents"] = True  # --target-dependents: the albums of a space go with it
            return Step(kind, detail)
        if kind == "upload":
            key = self.rng.choice(sorted(k for k in self.space_ids if self._uploadable(k)))
            albums = self.albums.get(self.space_ids[key], [])
            album = self.rng.choice(sorted(albums)) if albums else None
            self.uploads += 1
            return Step("upload", {"key": key, "album": album, "file": f"w{self.seed}-{self.uploads}.jpg"})
        if kind == "drop":
            return Step("drop", {"key": self.rng.choice(sorted(self.space_ids))})
        return Step(kind, {})

    def _planned(self) -> Step:
        """The next step of the plan (an IndexError past its end: the driver runs exactly len(plan) steps)."""
        step = self.plan.pop(0)  # type: ignore[union-attr]
        if step.kind in ("edit", "kill"):
            apply_edit(self.config, step.detail)
        if "urn" in step.detail and "::" in step.detail["urn"] and not step.detail["urn"].startswith("urn:"):
            # Plans name a resource by `Type::name`: the URN's stack part differs from run to run.
            found = [u for u in self.urns if u.endswith(":" + step.detail["urn"])]
            step = Step(step.kind, {**step.detail, "urn": found[0] if found else step.detail["urn"]})
        return step

    def _possible(self, kind: str) -> bool:
        if kind == "replace":
            return any(":Space::" in u or ":SpaceSet::" in u or ":MediaLibrary::" in u or ":Album::" in u
                       for u in self.urns)
        if kind == "destroy":
            return any(":Space::" in u or ":SpaceSet::" in u or ":Album::" in u for u in self.urns)
        if kind == "upload":
            return any(self._uploadable(k) for k in self.space_ids)
        if kind == "drop":
            return bool(self.space_ids)
        return True

    def _uploadable(self, key: str) -> bool:
        """A multi_album space takes media only inside an album: it needs one that exists."""
        return bool(self.albums.get(self.space_ids[key])) or not self._multi(key)

    def _multi(self, key: str) -> bool:
        return bool((self.config["spaces"].get(key) or {}).get("multi_album"))

    # -- config edits ---------------------------------------------------------------------------------------------
    def edit(self) -> dict[str, Any]:
        """Change self.config at random, one change or (a quarter of the time) two or three in one `up`, as users
        do; return what changed (replayed by the seed, shown in the step log)."""
        if self.rng.random() < 0.25:
            return {"edit": "batch", "edits": [self.one_edit() for _ in range(self.rng.randint(2, 3))]}
        return self.one_edit()

    def one_edit(self) -> dict[str, Any]:
        spaces = self.config["spaces"]
        edits = ["add_space", "setting", "space_set", "force", "space_force"]
        if len(spaces) > 1:
            edits.append("remove_space")
        with_albums = [k for k, v in spaces.items() if v.get("multi_album")]
        if spaces:
            edits += ["multi_album"] * 2
        if with_albums:
            edits += ["add_album", "remove_album", "rename_album", "rename_album"]
        if any(len(spaces[k].get("albums") or {}) > 1 for k in with_albums):
            edits += ["swap_albums", "swap_albums"]
        edit = self.rng.choice(edits)
        rng = self.rng
        if edit == "add_space":
            pool = [k for k in KEYS if k not in spaces] or list(KEYS)
            if rng.random() < 0.08:
                pool = [k for k in ODD_KEYS if k not in spaces] or pool
            key = rng.choice(pool)
            spaces[key] = {"multi_album": True, "albums": {"x": rng.choice(ALBUM_NAMES)}} if rng.random() < 0.5 else {}
            return {"edit": edit, "key": key, "space": copy.deepcopy(spaces[key])}
        if edit == "remove_space":
            key = rng.choice(sorted(spaces))
            del spaces[key]
            return {"edit": edit, "key": key}
        if edit == "setting":
            key, name = rng.choice(sorted(spaces)), rng.choice(SETTINGS)
            value = not spaces[key].get(name, name.startswith("allow"))
            spaces[key][name] = value
            return {"edit": edit, "key": key, "setting": name, "value": value}
        if edit == "space_set":
            value = rng.choice([s for s in SPACE_SETS if s != self.config["spaceSet"]])
            self.config["spaceSet"] = value
            return {"edit": edit, "spaceSet": value}
        if edit == "force":
            self.config["forceDestroy"] = not self.config["forceDestroy"]
            return {"edit": edit, "forceDestroy": self.config["forceDestroy"]}
        if edit == "space_force":
            key = rng.choice(sorted(spaces))
            spaces[key]["force_destroy"] = not spaces[key].get("force_destroy", False)
            return {"edit": edit, "key": key, "force_destroy": spaces[key]["force_destroy"]}
        if edit == "multi_album":
            key = rng.choice(sorted(spaces))
            on = not spaces[key].get("multi_album", False)
            spaces[key]["multi_album"] = on
            if on:
                spaces[key]["albums"] = {"x": rng.choice(ALBUM_NAMES)}
            else:
                spaces[key].pop("albums", None)
            return {"edit": edit, "key": key, "multi_album": on, "albums": copy.deepcopy(spaces[key].get("albums"))}
        key = rng.choice(sorted(k for k in with_albums if edit != "swap_albums"
                                or len(spaces[k].get("albums") or {}) > 1))
        albums = spaces[key].setdefault("albums", {})
        free = [n for n in ALBUM_NAMES if n not in albums.values()]
        if edit == "add_album" and free and len(albums) < len(ALBUM_KEYS):
            akey = next(k for k in ALBUM_KEYS if k not in albums)
            albums[akey] = rng.choice(free)
            return {"edit": edit, "key": key, "album": akey, "name": albums[akey]}
        if edit == "remove_album" and albums:
            akey = rng.choice(sorted(albums))
            del albums[akey]
            if not albums:
                del spaces[key]["albums"]
            return {"edit": edit, "key": key, "album": akey}
        if edit == "swap_albums":
            a, b = rng.sample(sorted(albums), 2)
            albums[a], albums[b] = albums[b], albums[a]
            return {"edit": edit, "key": key, "albums": [a, b]}
        if albums and free:  # rename (also the fallback of an add or remove that had nothing to do)
            akey = rng.choice(sorted(albums))
            albums[akey] = rng.choice(free)
            return {"edit": "rename_album", "key": key, "album": akey, "name": albums[akey]}
        self.config["forceDestroy"] = not self.config["forceDestroy"]
        return {"edit": "force", "forceDestroy": self.config["forceDestroy"]}

    # -- what the rules allow ---------------------------------------------------------------------------------
    def force_on(self, key: str, configs: list[dict[str, Any] | None]) -> bool:
        """Whether any of these configs (before and after a step) let the space `key` be deleted with its files:
        the space's own force_destroy where it declares one (false included), else the stack's forceDestroy."""
        for cfg in configs:
            if cfg is None or key not in cfg["spaces"]:
                continue  # a key the config no longer declares is deleted by the force_destroy it had before
            own = cfg["spaces"].get(key) or {}
            if own.get("force_destroy") if "force_destroy" in own else cfg.get("forceDestroy"):
                return True
        return False


def apply_edit(config: dict[str, Any], d: dict[str, Any]) -> None:
    """Carry out an edit as `Model.edit` describes it (a replayed plan's edit steps)."""
    edit, spaces = d["edit"], config["spaces"]
    if edit == "batch":
        for one in d["edits"]:
            apply_edit(config, one)
    elif edit == "add_space":
        spaces[d["key"]] = copy.deepcopy(d["space"])
    elif edit == "remove_space":
        spaces.pop(d["key"], None)
    elif edit == "space_set":
        config["spaceSet"] = d["spaceSet"]
    elif edit == "force":
        config["forceDestroy"] = d["forceDestroy"]
    elif edit in ("setting", "space_force"):
        name = d["setting"] if edit == "setting" else "force_destroy"
        spaces[d["key"]][name] = d["value"] if edit == "setting" else d["force_destroy"]
    elif edit == "multi_album":
        spaces[d["key"]]["multi_album"] = d["multi_album"]
        spaces[d["key"]].pop("albums", None)
        if d.get("albums"):
            spaces[d["key"]]["albums"] = copy.deepcopy(d["albums"])
    elif edit in ("add_album", "rename_album"):
        spaces[d["key"]].setdefault("albums", {})[d["album"]] = d["name"]
    elif edit == "remove_album":
        albums = spaces[d["key"]].get("albums") or {}
        albums.pop(d["album"], None)
        if not albums:
            spaces[d["key"]].pop("albums", None)
    elif edit == "swap_albums":
        albums, (a, b) = spaces[d["key"]]["albums"], d["albums"]
        albums[a], albums[b] = albums[b], albums[a]


def plan_of(text: str) -> list[Step]:
    """A plan from WALK_PLAN: a JSON list of [kind, detail] (the step log's form), e.g.
    [["edit", {"edit": "space_set", "spaceSet": true}], ["upload", {"key": "b", "album": null, "file": "f.jpg"}],
     ["replace", {"urn": "Space::space-b"}]]."""
    return [Step(kind, dict(detail)) for kind, detail in json.loads(text)]


def plan_text(steps: list[Step]) -> str:
    """The WALK_PLAN form of steps taken (URNs as Type::name)."""
    def short(d: dict[str, Any]) -> dict[str, Any]:
        return {**d, "urn": d["urn"].rsplit(":", 3)[-3] + "::" + d["urn"].rsplit("::", 1)[-1]} if "urn" in d else d
    return json.dumps([[s.kind, short(s.detail)] for s in steps if s.detail.get("edit") != "initial"])
