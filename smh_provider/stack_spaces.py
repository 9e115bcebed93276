"""The stack program's choice between Space resources and one SpaceSet for `smh-media:spaces`.

    spaceSet: true      one SpaceSet resource serves every space of the library
    spaceSet: 50        a SpaceSet once the library declares at least 50 spaces; Space resources below that
    spaceSet: false     one Space resource per space and one Album per album (the default)
    spaceSet: {from: 50, chunks: 8}
                        from 50 spaces on, 8 SpaceSet resources (`spaces-0` ... `spaces-7`), each holding the keys
                        whose crc32 falls in its share: a key never moves as others come and go. A change of the
                        number of chunks fails at preview (existing sets would hand keys to each other in parallel):
                        go through `spaceSet: true` first.

Switching an existing stack to the SpaceSet, or back, recreates nothing: the new resources adopt each space (and
album) by the mark of the resource that held it, and the resources the program no longer declares leave the state
without deleting what another resource of the stack now holds (state.py, docs/safety.md).
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pulumi
import yaml

from smh_provider.resources.media_library import MediaLibrary
from smh_provider.resources.space_set import SpaceSet


def space_set_chunks(setting: Any, count: int, where: str = "smh-media:spaceSet") -> int:
    """How many SpaceSet resources serve `count` declared spaces by the `spaceSet` config value (0: none)."""
    threshold, chunks = _parse(setting, where)
    return chunks if threshold is not None and count >= threshold else 0


def spaces_as_set(setting: Any, count: int, where: str = "smh-media:spaceSet") -> bool:
    """Whether `count` declared spaces go into SpaceSet resources, by the `spaceSet` config value."""
    return space_set_chunks(setting, count, where) > 0


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    if isinstance(value, str) and value.strip().isdigit() and int(value) >= 1:
        return int(value)
    return None


def _parse(setting: Any, where: str) -> tuple[int | None, int]:
    """(threshold: None for never, chunks) of a `spaceSet` value."""
    if setting is None or setting is False:
        return None, 1
    if setting is True:
        return 0, 1
    if isinstance(setting, str) and setting.strip().lower() in ("true", "false"):
        return (0 if setting.strip().lower() == "true" else None), 1
    if isinstance(setting, dict) and set(setting) <= {"from", "chunks"}:
        threshold = _whole(setting["from"]) if "from" in setting else 0
        chunks = _whole(setting.get("chunks", 1))
        if threshold is not None and chunks and chunks <= 64:
            return threshold, chunks
    elif _whole(setting):
        return _whole(setting), 1
    raise ValueError(f"{where} must be true, false, a whole number >= 1 (a SpaceSet from that many spaces on), or "
                     f"{{from: N, chunks: C}} (C from 1 to 64), not {setting!r}")


def chunk_of(key: str, chunks: int) -> int:
    """The share of a key among `chunks` SpaceSet resources: stable, whatever other keys exist."""
    return zlib.crc32(key.encode()) % chunks


def spaces_from_file(path: str, inline: Any, where: str = "smh-media:spacesFile") -> dict[str, Any]:
    """The `spaces` of stack config plus those of a JSON or YAML file (`spacesFile`, relative to the project).

    The engine hands the program its config in one environment variable, and Linux caps one at 128 KiB: a map of
    a few thousand spaces does not fit (`fork/exec ...: argument list too long`), a file does.
    """
    file = Path(path)
    try:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ValueError(f"{where}: cannot read {path!r} as a JSON or YAML map of spaces: {err}") from None
    if not isinstance(loaded, dict):
        raise ValueError(f"{where}: {path!r} must hold a map of key -> space settings")
    both = sorted(set(loaded) & set(inline or {}))
    if both:
        raise ValueError(f"{where}: key(s) {both[:5]} are in both {path!r} and spaces; declare each once")
    return {**(inline or {}), **loaded}


def declare_space_set(name: str, library: MediaLibrary, spaces: dict[str, Any], force_destroy: bool,
                      space_resource_template: str = "space-{key}", chunks: int = 1) -> dict[str, pulumi.Output[str]]:
    """SpaceSet resources for the library's spaces (the config's map, albums included); returns key -> space id.

    One resource `name`, or with `chunks` > 1 the resources `name-0` ... each with its share of the keys.
    `space_resource_template` names the Space resources this program declares otherwise, whose spaces the sets
    take over when a stack switches to them.
    """
    entries = {key: dict(value or {}) if isinstance(value, dict) or value is None else value
               for key, value in spaces.items()}
    ids: dict[str, pulumi.Output[str]] = {}
    for i in range(chunks):
        share = {k: v for k, v in entries.items() if chunks == 1 or chunk_of(k, chunks) == i}
        space_set = SpaceSet(name if chunks == 1 else f"{name}-{i}", library=library, spaces=share,
                             force_destroy=force_destroy, adopt_space_resources=space_resource_template,
                             chunk=None if chunks == 1 else f"{i}/{chunks}", also_sets=[name, f"{name}-{{n}}"])
        ids |= {key: space_set.space_ids.apply(lambda got, key=key: (got or {}).get(key)) for key in share}
    return {key: ids[key] for key in spaces}
