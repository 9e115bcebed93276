"""SpaceSet, the cloud half: carry out a plan on a bounded thread pool, key by key, with the Space and Album logic.

Every key runs as one task (its space, then its quota, then its albums, in order); tasks run `workers` at a time.
A task never raises: it returns an `Outcome` saying what exists now (the sparse entry and space id as they are
in the cloud, albums included one by one as they succeed) and the error, if any. So a failure of some keys
leaves the others done, and the caller can save exactly what exists.

Ownership: each space carries the mark `<set owner>/<key>` as its userId. One listing (ListSpaces pages) per
operation maps marks to spaces: a create that finds its own mark (an earlier run died before saving state)
adopts that space; a space with this set's mark prefix that the set no longer holds (a key removed before a
recovery, the leftover of an interrupted replacement) is deleted when empty and reported when not.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from smh_provider import operation, ownership, state
from smh_provider.clients.smhdata import DataPlane
from smh_provider.config import Settings
from smh_provider.errors import NotFound, ProviderError
from smh_provider.resources import album, space
from smh_provider.resources.space import Listing
from smh_provider.resources.space_set_plan import KeyPlan, full, sparse


@dataclass
class Outcome:
    key: str
    entry: dict[str, Any] | None  # sparse entry as it exists now; None: no space for this key
    space_id: str | None
    error: str | None = None
    deleted: list[str] = field(default_factory=list)  # space ids this task deleted


class Runner:
    """One operation of one SpaceSet: the library's data plane, the set's mark, the pool size."""

    def __init__(self, settings: Settings, library_id: str, owner: str, workers: int,
                 also_marks: list[str] | None = None) -> None:
        self.plane = DataPlane(settings, library_id)
        self.owner = owner
        self.workers = max(1, workers)
        # Mark templates ({key}, and {n} for any chunk) of the same key under other resources of the stack: the
        # Space resources, the other SpaceSet chunks. A space of this key that one of them holds moves to this set.
        self.also_marks = [m for m in also_marks or [] if m and "{key}" in m]
        self.listing: Listing | None = None

    def mark(self, key: str) -> str:
        return f"{self.owner}/{key}"[:ownership.MAX_MARK]

    def run(self, tasks: dict[str, Callable[[], Outcome]]) -> dict[str, Outcome]:
        """Run the tasks `workers` at a time; a task that raises anyway becomes an outcome with its error."""
        def guarded(key: str, task: Callable[[], Outcome]) -> Outcome:
            try:
                return task()
            except Exception as err:  # noqa: BLE001 - one key's failure must not hide the others' results
                return Outcome(key, None, None, str(err))

        if not tasks:
            return {}
        with ThreadPoolExecutor(max_workers=min(self.workers, len(tasks)), thread_name_prefix="spaceset") as pool:
            futures = {k: pool.submit(operation.carry(guarded), k, t) for k, t in tasks.items()}
            return {k: f.result() for k, f in futures.items()}

    # -- one key ----------------------------------------------------------------------------------
    def _candidates(self, key: str, exclude: set[str]) -> list[str]:
        """Spaces carrying this key's mark under this set or another resource of the stack, that this set does not
        hold in the state (space.Listing.adoptable)."""
        assert self.listing is not None
        return self.listing.adoptable([self.mark(key), *(m.replace("{key}", key) for m in self.also_marks)],
                                      self.owner, exclude)

    def create(self, key: str, entry: dict[str, Any], force: bool, exclude: set[str]) -> Outcome:
        """Create (or adopt) the key's space with its settings and albums."""
        settings, keep = full(entry, force), "force_destroy" in entry
        space_id, existing = None, None
        try:
            found = space.adoptable_as_declared(self.plane, self._candidates(key, exclude), settings, self.owner,
                                                f'spaces["{key}"] of SpaceSet {state.name_of_mark(self.owner)!r}')
        except ProviderError as err:
            return Outcome(key, None, None, str(err))
        if found:
            space.adopt_space(self.plane, found, settings)
            space_id = found
            existing = _album_names(self.plane, found) if settings["multi_album"] else set()
        if space_id is None:
            mark = self.mark(key)
            before = set(self.listing.ids(mark)) if self.listing is not None else set()

            def landed() -> str | None:
                again = [i for i in Listing.load(self.plane).ids(mark) if i not in exclude and i not in before]
                return again[-1] if again else None

            space_id = space.create_space(self.plane, settings, mark, landed)
            existing = set()
        state.note("space", space_id, self.owner)
        try:
            space.set_quota(self.plane, space_id, None, settings["quota_bytes"])
        except ProviderError as err:
            return Outcome(key, sparse({**settings, "quota_bytes": None}, None, keep), space_id, str(err))
        made: dict[str, str] = {}
        wanted: dict[str, str] = dict(entry.get("albums") or {})
        try:
            # Albums another resource holds under these keys (Album resources, another set: a move) are taken over
            # and renamed to what is declared, swaps and cycles through temporary names (rename_albums); an album
            # a killed run left under its key's temporary name is this key's too.
            renames: dict[str, tuple[str, str]] = {}
            for akey, name in wanted.items() if existing else ():
                source = state.album_by_key(self.owner, space_id, akey)
                source = source if source in existing else temp_name(akey) if temp_name(akey) in existing else None
                if source is not None and source != name:
                    renames[akey] = (source, name)
                elif source == name:
                    made[akey] = name
            self.rename_albums(space_id, renames, made)
            taken = (set(existing or ()) - {b for b, _ in renames.values()}) | set(made.values())
            for akey, name in wanted.items():
                if akey not in made:
                    if name not in taken:
                        album.create_album(self.plane, space_id, name, self.owner)
                    made[akey] = name
            for name in made.values():
                state.note("album", state.album_key(self.plane.library_id, space_id, name), self.owner)
        except ProviderError as err:  # the album may exist all the same (a lost answer): read it back
            return self.read_back(key, {**entry, "albums": wanted}, space_id, force,
                                  Outcome(key, sparse(settings, made, keep), space_id, str(err)))
        return Outcome(key, sparse(settings, made, keep), space_id)

    def read_back(self, key: str, entry: dict[str, Any], space_id: str, force: bool, fallback: Outcome) -> Outcome:
        """After a failure that may have landed: the key's space as it exists (its settings, the albums of `entry`
        that exist), carrying the failure's error; `fallback` when even the read fails."""
        try:
            out = self.read(key, entry, space_id, force)
        except ProviderError:
            return fallback
        out.error, out.deleted = fallback.error, fallback.deleted
        return out

    def update(self, p: KeyPlan, old: dict[str, Any], space_id: str, new: dict[str, Any],
               old_force: bool, new_force: bool) -> Outcome:
        """Change a space in place: its settings, then album renames, removals and additions."""
        a, b = full(old, old_force), full(new, new_force)
        albums, keep = dict(old.get("albums") or {}), "force_destroy" in new
        try:
            space.update_space(self.plane, space_id, a, b)
        except NotFound:
            return Outcome(p.key, None, None, f"tenant space {space_id} of key {p.key!r} is gone; run `pulumi "
                                              "refresh` and `pulumi up` to create it again")
        except ProviderError as err:  # some settings may have landed: read back what the space has
            return self.read_back(p.key, {**new, "albums": old.get("albums") or {}}, space_id, new_force,
                                  Outcome(p.key, old, space_id, str(err)))
        try:
            for akey, name in p.remove.items():  # first: a rename may take a removed album's name
                album.delete_album(self.plane, space_id, name, b["force_destroy"])
                albums.pop(akey, None)
            self.rename_albums(space_id, p.rename, albums)
            for akey, name in p.add.items():
                album.create_album(self.plane, space_id, name, self.owner)
                albums[akey] = name
        except ProviderError as err:
            every = {**(old.get("albums") or {}), **(new.get("albums") or {}), **albums}
            return self.read_back(p.key, {**new, "albums": every}, space_id, new_force,
                                  Outcome(p.key, sparse(b, self.albums_now(space_id, albums), keep), space_id,
                                          str(err)))
        return Outcome(p.key, sparse(b, albums, keep), space_id)

    def rename_albums(self, space_id: str, renames: dict[str, tuple[str, str]], albums: dict[str, str]) -> None:
        """Rename albums, keeping their files; swaps and cycles go through temporary names (`temp_name`).

        `albums` (album key -> name) follows every move as it lands, so a failure leaves it saying what exists.
        A run killed half-way leaves albums under temporary names; the read (refresh) reports them under their key
        and the next `up` moves them on (`rename_album` takes a gone source whose target exists as done).
        """
        sources = {before for before, _ in renames.values()}
        if not any(after in sources for _, after in renames.values()):
            for akey, (before, after) in renames.items():
                album.rename_album(self.plane, space_id, before, after)
                albums[akey] = after
            return
        for akey, (before, _) in renames.items():
            album.rename_album(self.plane, space_id, before, temp_name(akey))
            albums[akey] = temp_name(akey)
        for akey, (_, after) in renames.items():
            album.rename_album(self.plane, space_id, temp_name(akey), after)
            albums[akey] = after

    def albums_now(self, space_id: str, albums: dict[str, str]) -> dict[str, str]:
        """After a failure: the albums of `albums` that exist (read back, not what was intended)."""
        try:
            names = _album_names(self.plane, space_id)
        except ProviderError:
            return albums
        return {k: v for k, v in albums.items() if v in names}

    def replace(self, p: KeyPlan, old: dict[str, Any], old_id: str, new: dict[str, Any], old_force: bool,
                new_force: bool, exclude: set[str]) -> Outcome:
        """The old space must be able to go (empty, or force_destroy): checked first, then a new space is made and
        the old one deleted. If that delete fails anyway, the new space goes again: one space per key, always."""
        force = full(old, old_force)["force_destroy"] or full(new, new_force)["force_destroy"]
        try:
            self.check_deletable(old_id, force)
        except ProviderError as err:
            return Outcome(p.key, old, old_id, f"replacing its space ({', '.join(p.reasons)} changed): {err}")
        made = self.create(p.key, new, new_force, exclude | {old_id})
        if made.space_id is None:
            made.entry, made.space_id = old, old_id  # nothing new exists: the old space stays in the state
            return made
        try:
            self.delete_space(old_id, force, old.get("albums") or {})
            made.deleted.append(old_id)
        except ProviderError as err:
            try:
                space.delete_space(self.plane, made.space_id, force=True)
                made.deleted.append(made.space_id)
                return Outcome(p.key, old, old_id, f"the old space {old_id} could not be deleted, so its replacement "
                                                   f"was deleted again and {old_id} is kept: {err}", made.deleted)
            except ProviderError as again:
                made.error = (f"{made.error + '; ' if made.error else ''}replaced by {made.space_id}, but the old "
                              f"space {old_id} could not be deleted ({err}) nor the new one removed ({again})")
        return made

    def delete(self, key: str, old: dict[str, Any], space_id: str, force: bool) -> Outcome:
        """Delete the space of a key this set no longer declares, unless another resource of the stack holds it
        now (moved to Space resources, another chunk): then leave it to them (the last holder deletes)."""
        if state.defer_or_keep("space", space_id, self.owner):
            orphans = self.orphan_albums(space_id, old)  # removed in the same `up` as the move: they go
            problems = self.album_problems(space_id, orphans, force)
            if problems:
                return Outcome(key, old, space_id, "; ".join(problems))
            for name in orphans:
                album.delete_album(self.plane, space_id, name, force)
            return Outcome(key, None, None)
        try:
            self.delete_space(space_id, force, old.get("albums") or {})
        except ProviderError as err:
            return Outcome(key, old, space_id, str(err))
        state.release("space", space_id, self.owner)
        return Outcome(key, None, None, deleted=[space_id])

    def orphan_albums(self, space_id: str, entry: dict[str, Any]) -> list[str]:
        """The albums of this set's `entry` in a space another resource holds now, that no other resource holds:
        the program removed them while the space moved, so nothing else will delete them."""
        names = sorted((entry.get("albums") or {}).values())
        lib = self.plane.library_id
        return [n for n in names if not state.held_by_others("album", state.album_key(lib, space_id, n), self.owner)]

    def album_problems(self, space_id: str, names: list[str], force: bool) -> list[str]:
        """Why deleting these albums would be refused (files without force_destroy); gone ones are fine."""
        problems = []
        for name in names if not force else ():
            try:
                held = self.plane.list_dir(space_id, name)
            except NotFound:
                continue
            if held:
                problems.append(f"album {name!r} of tenant space {space_id}, removed from the program, still holds "
                                f"{len(held)} files and force_destroy is off")
        return problems

    def check_deletable(self, space_id: str, force: bool) -> None:
        space.check_deletable(self.plane, space_id, force)

    def delete_space(self, space_id: str, force: bool, albums: dict[str, str]) -> None:
        """Delete a space by the one rule of space.py (without force only when it holds no file)."""
        space.check_deletable(self.plane, space_id, force)
        try:
            self.plane.delete_space(space_id, True)
        except NotFound:
            return

    def sweep(self, keep: set[str]) -> tuple[list[str], list[str]]:
        """Spaces with this set's mark prefix that the set does not hold: (deleted ids, problems of the others)."""
        assert self.listing is not None
        deleted, problems = [], []
        leftovers = {i: key for key, ids in self.listing.with_prefix(f"{self.owner}/").items() for i in ids
                     if i not in keep and not state.holders("space", i, self.owner)}  # held: another's now

        def one(space_id: str) -> Outcome:
            self.delete_space(space_id, False, {})
            return Outcome(leftovers[space_id], None, None, deleted=[space_id])

        for space_id, out in self.run({i: (lambda i=i: one(i)) for i in leftovers}).items():
            if out.error:
                problems.append(f"tenant space {space_id} carries this set's mark for key {leftovers[space_id]!r} "
                                f"but is not declared (left by an interrupted run); it was kept: {out.error}")
            else:
                deleted.append(space_id)
        return deleted, problems

    # -- refresh ------------------------------------------------------------------------------------
    def read(self, key: str, entry: dict[str, Any], space_id: str, force: bool) -> Outcome:
        settings = full(entry, force)
        current = space.read_space(self.plane, space_id, settings)
        if current is None:
            return Outcome(key, None, None)
        albums = dict(entry.get("albums") or {})
        if albums or current.get("multi_album"):
            names = _album_names(self.plane, space_id)
            # An album a killed run left under its temporary name is still this key's: reported as it exists.
            albums = {k: v if v in names else temp_name(k) for k, v in albums.items()
                      if v in names or temp_name(k) in names}
        current["force_destroy"] = settings["force_destroy"]
        return Outcome(key, sparse(current, albums, "force_destroy" in entry), space_id)


def temp_name(album_key: str) -> str:
    """The temporary name of album `album_key` during a swap or cycle of renames (one per key: a rerun finds it)."""
    return f".pulumi-moving-{album_key}"


def _album_names(plane: DataPlane, space_id: str) -> set[str]:
    try:
        return plane.album_names(space_id)
    except NotFound:
        return set()
