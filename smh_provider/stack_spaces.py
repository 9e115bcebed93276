"""The stack program's choice between Space resources and one SpaceSet for `smh-media:spaces`.

    spaceSet: true      one SpaceSet resource serves every space of the library
    spaceSet: 50        a SpaceSet once the library declares at least 50 spaces; Space resources below that
    spaceSet: false     one Space resource per space and one Album per album (the default)

Switching an existing stack to the SpaceSet recreates nothing: the set adopts each space by the mark of the
Space resource that made it (`<project>/<stack>/space-<key>`), and the Space and Album resources the program no
longer declares leave the state without deleting their spaces and albums (SpaceProvider/AlbumProvider.delete
skip what a SpaceSet of the stack holds). Switching back is not automatic: a Space resource adopts only spaces
with its own mark.
"""

from __future__ import annotations

from typing import Any

import pulumi

from smh_provider.resources.media_library import MediaLibrary
from smh_provider.resources.space_set import SpaceSet


def spaces_as_set(setting: Any, count: int, where: str = "smh-media:spaceSet") -> bool:
    """Whether `count` declared spaces go into a SpaceSet, by the `spaceSet` config value."""
    if setting is None or setting is False:
        return False
    if setting is True:
        return True
    if isinstance(setting, int) and setting >= 1:
        return count >= setting
    if isinstance(setting, str) and setting.strip().lower() in ("true", "false"):
        return setting.strip().lower() == "true"
    if isinstance(setting, str) and setting.strip().isdigit() and int(setting) >= 1:
        return count >= int(setting)
    raise ValueError(f"{where} must be true, false, or a whole number >= 1 (use a SpaceSet from that many spaces "
                     f"on), not {setting!r}")


def declare_space_set(name: str, library: MediaLibrary, spaces: dict[str, Any], force_destroy: bool,
                      space_resource_template: str = "space-{key}") -> dict[str, pulumi.Output[str]]:
    """One SpaceSet for the library's spaces (the config's map, albums included); returns key -> space id.

    `space_resource_template` names the Space resources this program declares otherwise, whose spaces the set
    takes over when a stack switches to it.
    """
    entries = {key: dict(value or {}) if isinstance(value, dict) or value is None else value
               for key, value in spaces.items()}
    space_set = SpaceSet(name, library=library, spaces=entries, force_destroy=force_destroy,
                         adopt_space_resources=space_resource_template)
    return {key: space_set.space_ids.apply(lambda ids, key=key: (ids or {}).get(key)) for key in spaces}
