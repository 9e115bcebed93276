"""SpaceSet, the pure half: the schema of one space in the set, its validation, and the per-key plan.

A SpaceSet's `spaces` input is a map key -> settings of one tenant space (the Space resource's settings, same
names and defaults) plus `albums` (album key -> album name). Inputs and outputs keep each entry *sparse*: only
the values that differ from the defaults, so a stack of thousands of spaces keeps a small state, and a diff
compares the filled-in forms (`full`).

`plan(old, new)` says per key what an update does: create, update in place, replace (a creation-only setting
changed: `multi_album`, or a quota is cleared), delete, or nothing; and per album: add, rename (moves it, keeps
its files), delete. `detailed_diff` turns a plan into the engine's detailed diff paths
(`spaces["alice"].public_read`). Nothing here calls the cloud.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from smh_provider.resources import space
from smh_provider.resources._base import is_unknown, normalize
from smh_provider.resources.album import _album_name
from smh_provider.resources.space import PROPS as SPACE_PROPS

SETTING_NAMES = space.SETTING_NAMES  # one space, one shape: the Space resource's settings
SETTINGS = tuple(p for p in SPACE_PROPS if p.name in SETTING_NAMES)
DEFAULTS = {p.name: p.default for p in SETTINGS}
REPLACE_ONLY = tuple(p.name for p in SETTINGS if p.replace)  # multi_album
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

# Detailed diff kinds of pulumirpc.PropertyDiff. The *_REPLACE kinds are never used: any of them makes the engine
# replace the whole set (plugin.DiffResult.Replace), while a space is replaced inside the set.
ADD, DELETE, UPDATE = 0, 2, 4


def path(key: str, *rest: str) -> str:
    """An engine property path: spaces["alice"], spaces["alice"].public_read, spaces["alice"].albums["trip"]."""
    out = f'spaces["{key}"]'
    for part in rest:
        out += f'["{part[1:]}"]' if part.startswith("@") else f".{part}"
    return out


def normalize_spaces(raw: Any) -> tuple[Any, list[tuple[str, str]]]:
    """The sparse, normalised form of a `spaces` input, and (property path, problem) for each broken rule."""
    if raw is None:
        return {}, []
    if is_unknown(raw):
        return raw, []
    if not isinstance(raw, dict):
        return raw, [("spaces", "spaces must be a map of key -> space settings")]
    out: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for key in sorted(raw):
        entry, bad = normalize_entry(key, raw[key])
        problems += bad
        out[key] = entry
    return out, problems


def normalize_entry(key: str, raw: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    where = path(key)
    if not isinstance(key, str) or not KEY.match(key):
        return {}, [(where, f"space key {key!r} must be 1 to 64 letters, digits, '_', '.' or '-', starting with a "
                            "letter or digit (it is part of the space's ownership mark)")]
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return {}, [(where, f"{where} must be an object of space settings")]
    problems: list[tuple[str, str]] = []
    unknown = sorted(set(raw) - set(SETTING_NAMES) - {"albums"})
    for name in unknown:
        problems.append((path(key, name), f"unknown space setting {name!r}; known: "
                                          f"{', '.join(sorted((*SETTING_NAMES, 'albums')))}"))
    entry: dict[str, Any] = {}
    for prop in SETTINGS:
        value = raw.get(prop.name)
        if value is None:
            continue
        try:
            value = normalize(prop.kind, value)
        except (TypeError, ValueError) as err:
            problems.append((path(key, prop.name), f"{path(key, prop.name)} {err}"))
            continue
        if not is_unknown(value) and prop.rule is not None:
            problem = prop.rule(value, raw)
            if problem:
                problems.append((path(key, prop.name), f"{path(key)}: {problem}"))
                continue
        if value != prop.default or is_unknown(value) or prop.name == "force_destroy":
            entry[prop.name] = value  # an entry's force_destroy, even false, overrides the set's
    albums = raw.get("albums")
    if albums:
        problems += _check_albums(key, albums, entry.get("multi_album", False))
        if isinstance(albums, dict):
            entry["albums"] = dict(sorted(albums.items()))
    return entry, problems


def _check_albums(key: str, albums: Any, multi_album: Any) -> list[tuple[str, str]]:
    where = path(key, "albums")
    if not isinstance(albums, dict) or not all(isinstance(v, str) for v in albums.values()):
        return [(where, f"{where} must be a map of album key -> album name")]
    problems = []
    if multi_album is not True:
        problems.append((where, f"{where}: the space is not declared with multi_album: true, so it holds no "
                                "albums; set multi_album: true (a space's multi_album is fixed at creation)"))
    seen: dict[str, str] = {}
    for akey, name in sorted(albums.items()):
        problem = _album_name(name, None)
        if problem:
            problems.append((path(key, "albums", f"@{akey}"), f"{path(key, 'albums', f'@{akey}')}: {problem}"))
        elif name in seen:
            problems.append((path(key, "albums", f"@{akey}"),
                             f"{path(key, 'albums', f'@{akey}')}: album name {name!r} is also the name of album "
                             f"key {seen[name]!r}; album names are unique within a space"))
        seen.setdefault(name, akey)
    return problems


def full(entry: dict[str, Any], force_destroy: bool = False) -> dict[str, Any]:
    """An entry's settings with the defaults filled in (no albums); the set's force_destroy is the default."""
    out = {}
    for prop in SETTINGS:  # numbers come back from the engine as floats
        value = entry.get(prop.name)
        out[prop.name] = prop.default if value is None else normalize(prop.kind, value)
    if "force_destroy" not in entry:
        out["force_destroy"] = force_destroy
    return out


def sparse(settings: dict[str, Any], albums: dict[str, str] | None, keep_force: bool = False) -> dict[str, Any]:
    """The entry of settings (names as in SETTING_NAMES) and albums: what differs from the defaults.

    force_destroy stays only with `keep_force` (the entry declared it): otherwise it is the set's.
    """
    out = {k: v for k, v in settings.items() if k in DEFAULTS and v is not None
           and (v != DEFAULTS[k] if k != "force_destroy" else keep_force)}
    if albums:
        out["albums"] = dict(sorted(albums.items()))
    return out


@dataclass
class KeyPlan:
    key: str
    op: str  # "create" | "update" | "replace" | "delete" | "same"
    changed: list[str] = field(default_factory=list)  # settings that change (update, replace)
    reasons: list[str] = field(default_factory=list)  # why a replace
    add: dict[str, str] = field(default_factory=dict)  # album key -> name
    rename: dict[str, tuple[str, str]] = field(default_factory=dict)  # album key -> (old name, new name)
    remove: dict[str, str] = field(default_factory=dict)  # album key -> name

    @property
    def calls_cloud(self) -> bool:
        return self.op in ("create", "replace", "delete") or bool(self.add or self.rename or self.remove) \
            or bool(set(self.changed) - {"force_destroy"})


def plan_key(key: str, old: dict[str, Any] | None, new: dict[str, Any] | None,
             old_force: bool = False, new_force: bool = False) -> KeyPlan:
    if old is None and new is None:
        return KeyPlan(key, "same")
    if old is None:
        return KeyPlan(key, "create", add=dict((new or {}).get("albums") or {}))
    if new is None:
        return KeyPlan(key, "delete", remove=dict(old.get("albums") or {}))
    a, b = full(old, old_force), full(new, new_force)
    changed = [n for n in SETTING_NAMES if a[n] != b[n]]
    reasons = [n for n in REPLACE_ONLY if n in changed]
    if a["quota_bytes"] is not None and b["quota_bytes"] is None:
        reasons.append("quota_bytes")  # the data plane has no call to remove a quota
    old_albums, new_albums = old.get("albums") or {}, new.get("albums") or {}
    if reasons:
        return KeyPlan(key, "replace", changed, reasons, add=dict(new_albums), remove=dict(old_albums))
    plan = KeyPlan(key, "update" if changed else "same", changed)
    for akey, name in new_albums.items():
        if akey not in old_albums:
            plan.add[akey] = name
        elif old_albums[akey] != name:
            plan.rename[akey] = (old_albums[akey], name)
    plan.remove = {k: v for k, v in old_albums.items() if k not in new_albums}
    if plan.add or plan.rename or plan.remove:
        plan.op = "update"
    return plan


def plan(old: dict[str, Any], new: dict[str, Any], old_force: bool = False,
         new_force: bool = False) -> dict[str, KeyPlan]:
    """Per key what turns the spaces `old` (outputs) into `new` (inputs); keys whose op is "same" are left out."""
    out = {}
    for key in sorted(set(old) | set(new)):
        p = plan_key(key, old.get(key), new.get(key), old_force, new_force)
        if p.op != "same":
            out[key] = p
    return out


def detailed_diff(plans: dict[str, KeyPlan], old: dict[str, Any], new: dict[str, Any]) -> dict[str, int]:
    """Engine detailed diff paths and kinds of a plan (paths relative to the sparse old outputs and new inputs)."""
    out: dict[str, int] = {}
    for key, p in plans.items():
        if p.op in ("create", "delete"):
            out[path(key)] = ADD if p.op == "create" else DELETE
            continue
        o, n = old.get(key) or {}, new.get(key) or {}
        for name in p.changed:
            if name not in o and name not in n:
                continue  # the set's force_destroy, not this entry's: the set-level path says it
            out[path(key, name)] = UPDATE if name in o and name in n else (ADD if name in n else DELETE)
        if p.op == "replace":
            continue  # albums are re-created in the new space; the settings say why
        for akey in p.add:
            out[path(key, "albums", f"@{akey}")] = ADD
        for akey in p.rename:
            out[path(key, "albums", f"@{akey}")] = UPDATE
        for akey in p.remove:
            out[path(key, "albums", f"@{akey}")] = DELETE
    return out
