"""Space: a tenant space of a multi-tenant media library, with its upload settings.

Replace-only: library_id, multi_album (fixed when the space is created). In place: allow_photo,
allow_video, public_read, the extension lists, recognize_sensitive_content, space_tag. Delete
refuses a space that still holds files unless force_destroy.

Ownership (ownership.py): a space has no name and no tags, so the mark is its `userId`, given at
creation (`user_id`) and shown by the space listing. A create looks once per library and provider
process for a space with our mark (an earlier run died before saving state) and adopts it; after
a 5xx or a lost answer it lists again before trying CreateSpace a second time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, Resource, UpdateResult

from smh_provider import operation, ownership, preflight, state
from smh_provider.clients import smh
from smh_provider.clients.smhdata import SPACE_SETTINGS, DataPlane
from smh_provider.errors import Conflict, NotFound, ProviderError
from smh_provider.memo import PerKey
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop, is_unknown
from smh_provider.resources.media_library import MediaLibrary

PROPS = (
    Prop("library_id", "str", replace=True, via="library_identity", doc="the multi-tenant media library"),
    Prop("allow_photo", "bool", default=True, doc="allow photo uploads"),
    Prop("allow_video", "bool", default=True, doc="allow video uploads"),
    Prop("public_read", "bool", default=False, doc="files can be read without a token"),
    Prop("allow_photo_ext", "list", default=[], doc="allowed photo extensions ([] = by MIME type)"),
    Prop("allow_video_ext", "list", default=[], doc="allowed video extensions ([] = by MIME type)"),
    Prop("recognize_sensitive_content", "bool", default=False, doc="recognize sensitive content"),
    Prop("multi_album", "bool", default=False, replace=True, doc="media only inside albums (one level)"),
    Prop("space_tag", "str", doc="free-form tag of the space, e.g. personal or team"),
    Prop("quota_bytes", "int", rule=rules.int_range("quota_bytes", 1, 9223372036854775807), replace_if_cleared=True,
         doc="space quota in bytes; setting a first quota or changing it is in place, clearing it replaces"),
    Prop("force_destroy", "bool", default=False, doc="delete the space even if it holds files"),
    Prop("owner", "str", quiet=True,
         doc="ownership mark <project>/<stack>/<resource> (its userId), set by the Space class"),
    Prop("library_identity", "str", internal=True, doc="the library's identity (set when given library=)"),
    Prop("also_marks", "list", default=[], internal=True,
         doc="marks of the same space under another resource of this stack (a SpaceSet entry; `{n}`: any chunk)"),
    Prop("identity", "str", internal=True,
         doc="digest of the owner mark and creation-only settings; keeps albums' previews exact"),
)


@dataclass
class Listing:
    """The library's spaces by mark (userId), from one ListSpaces pass: what every create that may adopt reads."""

    by_mark: dict[str, list[str]]
    every: set[str] = field(default_factory=set)  # every space id of the library, marked or not

    @classmethod
    def load(cls, plane: DataPlane) -> Listing:
        by_mark: dict[str, list[str]] = {}
        every: set[str] = set()
        for entry in plane.list_spaces():
            every.add(entry.space_id)
            if entry.user_id:
                by_mark.setdefault(entry.user_id, []).append(entry.space_id)
        return cls(by_mark, every)

    def ids(self, mark: str) -> list[str]:
        return list(self.by_mark.get(mark, []))

    def with_prefix(self, prefix: str) -> dict[str, list[str]]:
        return {m[len(prefix):]: self.ids(m) for m in self.by_mark if m.startswith(prefix)}

    def adoptable(self, templates: list[str], owner: str | None, exclude: set[str] | frozenset[str] = frozenset()
                  ) -> list[str]:
        """Spaces carrying one of the marks `templates` names (`{n}`: any chunk) that the resource `owner` may
        adopt: never one its own resource holds in the state (the space a replacement replaces; state.py)."""
        out: list[str] = []
        for template in templates:
            for m in matching(template, self.by_mark):
                out += [i for i in self.ids(m) if i not in exclude and i not in out
                        and not state.held_by_self("space", i, owner)]
        return out


# The settings of one space, as a Space resource declares them and a SpaceSet entry holds them (space_set_plan).
SETTING_NAMES = tuple(p.name for p in PROPS if not p.internal and p.name not in ("library_id", "owner"))

_listed: PerKey[Listing] = PerKey()


def listing(plane: DataPlane, fresh: bool = False) -> Listing:
    """The library's Listing, loaded once per library in this provider process (fresh: again)."""
    return _listed.get(plane.key, lambda: Listing.load(plane), fresh=fresh)


def matching(mark: str, candidates: Iterable[str]) -> list[str]:
    """The marks among `candidates` that `mark` names: itself, or with `{n}` standing for any chunk number."""
    if "{n}" not in mark:
        return [mark] if mark in candidates else []
    pattern = re.compile(re.escape(mark).replace(re.escape("{n}"), r"\d+") + "$")
    return sorted(c for c in candidates if pattern.match(c))


def space_settings(inputs: dict[str, Any], only: set[str] | None = None) -> dict[str, Any]:
    """The space settings among `inputs` (property names as in PROPS) that have a value."""
    return {name: inputs[name] for name in SPACE_SETTINGS
            if (only is None or name in only) and inputs.get(name) is not None}


def require_multi_tenant(settings: Any, library_id: str, doing: str) -> None:
    if not smh.library_mode(settings, library_id).multi_tenant:
        raise ProviderError(
            f"{doing}: the library is single-tenant (created with multi_tenant=False), and tenant spaces exist "
            "only in multi-tenant libraries. Set allow_photo/allow_video/public_read on the MediaLibrary itself, "
            "or recreate the library with multi_tenant=True."
        )


def adopt_space(plane: DataPlane, space_id: str, inputs: dict[str, Any]) -> None:
    """Take over a space an earlier run created (it carries our mark): write the declared settings."""
    plane.update_space(space_id, space_settings(inputs, set(SPACE_SETTINGS) - {"multi_album"}),
                       doing=f"adopting tenant space {space_id}")


def adoptable_as_declared(plane: DataPlane, found: list[str], declared: dict[str, Any], owner: str | None,
                          who: str) -> str | None:
    """The first of the spaces `found` (carrying one of the resource's marks) whose multi_album is the declared
    one: that space is adopted. multi_album is fixed at creation, so a space with the other value cannot be: when
    another resource of the stack holds it (a move between Space resources and a SpaceSet, or between chunks,
    with multi_album changed in the same `up`), the create is refused before anything changes, naming the way
    (move first, then change); a space only an interrupted run left behind is passed over. None: create one."""
    want = bool(declared.get("multi_album"))
    for space_id in found:
        current = read_space(plane, space_id, declared)
        if current is None:
            continue
        if bool(current.get("multi_album")) == want:
            return space_id
        holders = state.held_by_others("space", space_id, owner)
        if holders:
            raise ProviderError(f"creating {who}: " + moving_with_other_multi_album(
                f"tenant space {space_id}", holders, want) + " Nothing was changed.")
    return None


def moving_with_other_multi_album(what: str, holders: Iterable[str], want: bool) -> str:
    return (f"{what} moves to it from {', '.join(sorted(holders))} of this stack, and multi_album changes in the "
            f"same `pulumi up` ({not want} there, {want} here). multi_album is fixed when a space is created, so "
            f"this would replace the space while it moves. Move it first with multi_album {not want} and run "
            "`pulumi up`, then change multi_album and run `pulumi up` again (that replaces the space: it must be "
            "empty, or have force_destroy).")


def held_marks(owner: Any) -> dict[str, tuple[str, bool]]:
    """Mark -> (holder, multi_album) of every space the stack's state holds (a Space resource's mark, or a
    SpaceSet entry's "<set>/<key>"), but those of resource `owner` itself; {} when the state cannot be read (the
    create decides then: adoptable_as_declared)."""
    if not isinstance(owner, str) or owner.count("/") < 2:
        return {}
    project, stack = owner.split("/")[:2]
    try:
        snap = state.snapshot(owner)
    except state.StateUnavailable:
        return {}
    me, out = state.name_of_mark(owner), {}
    for name, items in snap.entries.items():
        for _, outputs in items if name != me else ():
            ids, spaces = outputs.get("space_ids"), outputs.get("spaces")
            if isinstance(ids, dict) and isinstance(spaces, dict):
                for k in ids:
                    out[f"{project}/{stack}/{name}/{k}"] = (f'{name} (spaces["{k}"])',
                                                            bool((spaces.get(k) or {}).get("multi_album")))
            elif outputs.get("space_id"):
                out[f"{project}/{stack}/{name}"] = (name, bool(outputs.get("multi_album")))
    return out


def moving_here(held: dict[str, tuple[str, bool]], templates: list[str]) -> tuple[str, bool] | None:
    """(holder, multi_album) of the space that a new resource adopting by the marks `templates` takes over from
    another resource of the stack (`held`: held_marks), or None."""
    for template in templates:
        for mark in matching(str(template), held):
            return held[mark]
    return None


def create_space(plane: DataPlane, inputs: dict[str, Any], owner: str | None,
                 landed: Callable[[], str | None] | None) -> str:
    """CreateSpace with the declared settings and mark; `landed()` finds it if a lost answer hid that it worked.

    CreateSpace is not idempotent: after a 5xx or a lost answer, look for our mark before trying again (without a
    mark, only a throttled call - refused, so certainly not applied - is retried).
    """
    return plane.create_space(space_settings(inputs), owner, landed=landed)


def set_quota(plane: DataPlane, space_id: str, old: int | None, new: int | None) -> None:
    """Give a space its declared quota (`old`: the quota it has, None for a new or adopted space)."""
    if new is not None and new != old:  # an adopted space may have one already: set_space_quota then PUTs
        plane.set_space_quota(space_id, new, exists=old is not None)


def read_space(plane: DataPlane, space_id: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
    """The space's current settings in the shape of `inputs` (the declared ones), or None when it is gone."""
    try:
        found = plane.find_space(space_id)
    except NotFound:
        return None
    current = dict(inputs)
    for name, value in found.items():
        current[name] = value if value is not None or name == "space_tag" else inputs.get(name)
    if not current.get("space_tag") and not inputs.get("space_tag"):
        current["space_tag"] = inputs.get("space_tag")  # the service shows an unset tag as "": not a change
    if inputs.get("quota_bytes") is not None:
        current["quota_bytes"] = plane.get_space_quota(space_id)
    return current


def update_space(plane: DataPlane, space_id: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Change a space's in-place settings from `old` to `new` (both full settings, property names as in PROPS)."""
    changed = {p.name for p in PROPS if old.get(p.name) != new.get(p.name)} - {"force_destroy"}
    settings = space_settings(new, changed)
    if settings:
        plane.update_space(space_id, settings)
    if "quota_bytes" in changed:
        set_quota(plane, space_id, old.get("quota_bytes"), new.get("quota_bytes"))


def files_in(plane: DataPlane, space_id: str, limit: int = 5) -> list[str]:
    """Up to `limit` files of the space, at its root or in its albums (empty albums hold nothing). NotFound when the
    space is gone."""
    top = plane.list_dir(space_id)
    files = [c["name"] for c in top if c.get("type") != "dir"]
    for d in [c["name"] for c in top if c.get("type") == "dir"]:
        if len(files) > limit:
            break
        files += [f"{d}/{c['name']}" for c in plane.list_dir(space_id, d)]
    return files


def check_deletable(plane: DataPlane, space_id: str, force: bool) -> None:
    """The one delete rule of a tenant space, a Space resource's or a SpaceSet entry's: without force it must hold
    no file (empty albums go with it). Raise saying what it holds; a gone space is deletable."""
    if force:
        return
    try:
        files = files_in(plane, space_id)
    except NotFound:
        return
    if files:
        problem = f"it still holds files ({', '.join(files[:5])}{', ...' if len(files) > 5 else ''})"
        raise NotDeletable(
            problem, f"deleting tenant space {space_id} of media library {plane.library_id}: {problem}. "
            f"{preflight.nothing_deleted()} Set force_destroy: true on the space (or the set) and run `pulumi up` to "
            "delete it with its contents.")


class NotDeletable(ProviderError):
    """A space's delete would be refused; `problem` says why in a few words (for a refusal naming many)."""

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def delete_space(plane: DataPlane, space_id: str, force: bool, owner: str | None = None) -> None:
    """Delete a space by `check_deletable`'s rule. Gone already is done.

    `owner` (the space's mark) lets the preflight check the library and bucket that this run deletes after it.
    """
    doing = f"deleting tenant space {space_id} of media library {plane.library_id}"
    try:
        check_deletable(plane, space_id, force)
        preflight.check_tree(f"library:{plane.library_id}", lambda: preflight.library_ancestor(
            plane.settings, plane.library_id, ownership.stack_of(owner)), doing)
        plane.delete_space(space_id, True)  # only empty albums are left without force: they go with it
        preflight.deleted(f"tenant space {space_id}")
    except NotFound:
        return
    except Conflict as err:
        raise ProviderError(f"{err}. Set force_destroy=True to delete the space with its contents.") from None


def _albums_held_in(space_id: str, owner: str | None) -> list[tuple[str, dict[str, Any]]]:
    """(resource name, outputs) of the Album resources of the stack's state inside the space."""
    snap = state.snapshot(owner)
    return [(name, outputs) for name, items in snap.entries.items() for _, outputs in items
            if outputs.get("space_id") == space_id and isinstance(outputs.get("album_name"), str)]


def replace_problems(plane: DataPlane, space_id: str, olds: dict[str, Any], albums: bool = True) -> list[str]:
    """Why the delete of a Space resource's space (outputs `olds`), which its replacement implies, would be refused:
    check_deletable (one rule for every space), and, with `albums`, the delete of an album inside it that an Album
    resource holds without force_destroy (the engine deletes those first)."""
    try:
        check_deletable(plane, space_id, bool(olds.get("force_destroy")))
    except NotDeletable as err:
        return [err.problem]
    problems: list[str] = []
    if albums and olds.get("multi_album"):
        for name, outputs in _albums_held_in(space_id, olds.get("owner")):
            if outputs.get("force_destroy"):
                continue
            try:
                held = plane.list_dir(space_id, str(outputs["album_name"]))
            except NotFound:
                continue
            if held:
                problems.append(f"album {outputs['album_name']!r} ({name}) inside it holds {len(held)} files "
                                "and its force_destroy is off")
    return problems


class SpaceProvider(BaseProvider):
    replace_checked = True
    props = PROPS
    type_label = "Space"
    api_fields = SPACE_SETTINGS

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """The schema's rules; for a new Space taking a space over from a SpaceSet entry (leaving a set), at
        preview: its multi_album must be the entry's (it is fixed at creation; the create refuses it too)."""
        result = super().check(olds, news)
        if olds or result.failures or is_unknown(result.inputs.get("multi_album")):
            return result
        marks = list(result.inputs.get("also_marks") or [])
        moving = moving_here(held_marks(result.inputs.get("owner")), marks) if marks else None
        want = bool(result.inputs.get("multi_album"))
        if moving and moving[1] != want:
            result.failures = [CheckFailure("multi_album", moving_with_other_multi_album(
                "the tenant space", [moving[0]], want))]
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        settings, lib_id = self.settings(), inputs["library_id"]
        doing = f"creating a tenant space in media library {lib_id}"
        require_multi_tenant(settings, lib_id, doing)
        plane = DataPlane(settings, lib_id)
        owner = inputs["owner"]
        marks = [owner, *(inputs.get("also_marks") or [])] if owner else []
        found = listing(plane).adoptable(marks, owner) if marks else []
        space_id = adoptable_as_declared(plane, found, inputs, owner, f"Space {state.name_of_mark(owner)!r}")
        if space_id:
            # An earlier run created it and died before saving state, or another resource of this stack holds it
            # (a move from a SpaceSet): adopt it, with the declared settings.
            adopt_space(plane, space_id, inputs)
        else:
            before = set(listing(plane).ids(owner)) if owner else set()

            def landed() -> str | None:
                again = [i for i in listing(plane, fresh=True).ids(owner or "") if i not in before]
                return again[-1] if again else None

            space_id = create_space(plane, inputs, owner, landed if owner else None)
        state.note("space", space_id, owner)
        set_quota(plane, space_id, None, inputs["quota_bytes"])
        return CreateResult(space_id, {**inputs, "space_id": space_id})

    def before_replace(self, id_: str, olds: dict[str, Any], replaces: list[str]) -> None:
        preflight.seen("space", id_, bool(replaces))
        if not replaces:
            return
        plane = DataPlane(self.settings(), str(olds.get("library_id")))
        problems = replace_problems(plane, id_, olds)
        if problems:
            raise preflight.refuse(f"replacing tenant space {id_} of media library {olds.get('library_id')} "
                                   f"({', '.join(replaces)} changed)", problems, preflight.WAY_OUT)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        current = read_space(DataPlane(self.settings(), inputs["library_id"]), id_, inputs)
        if current is None:
            return ReadResult("", {})
        current = {**self.inputs_of(current), "force_destroy": inputs["force_destroy"]}
        return ReadResult(id_, {**current, "space_id": id_})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        old, new = self.inputs_of(olds), self.inputs_of(news)
        update_space(DataPlane(self.settings(), new["library_id"]), id_, old, new)
        return UpdateResult({**new, "space_id": id_})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        others = state.defer_or_keep("space", id_, inputs["owner"])
        if others:
            operation.say(f"tenant space {id_} is held by {', '.join(sorted(others))} of this stack now: "
                          "this resource leaves the state and the space stays")
            return
        delete_space(DataPlane(self.settings(), inputs["library_id"]), id_, inputs["force_destroy"], inputs["owner"])
        state.release("space", id_, inputs["owner"])


class Space(Resource, module="smh", name="Space"):
    """A tenant space (租户空间) of a multi-tenant media library."""

    space_id: pulumi.Output[str]
    library_id: pulumi.Output[str]
    identity: pulumi.Output[str]

    def __init__(self, resource_name: str, *, library_id: pulumi.Input[str] | None = None,
                 library: MediaLibrary | None = None, opts: pulumi.ResourceOptions | None = None,
                 **settings: Any) -> None:
        known = {p.name for p in PROPS} - {"library_id", "owner", "library_identity", "identity"}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise TypeError(f"Space got unknown argument(s) {unknown}; known: {sorted(known)}")
        if library is not None:
            if library.declared_settings.get("multi_tenant") is not True:
                raise ValueError(
                    f"Space {resource_name!r}: library {library._name!r} is single-tenant (multi_tenant is not "
                    "True); tenant spaces exist only in multi-tenant libraries. Set multi_tenant=True on the "
                    "MediaLibrary (this replaces it), or put allow_photo/allow_video/public_read on the library."
                )
            library_id = library.library_id
            settings["library_identity"] = library.identity
            opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(depends_on=[library]), opts)
        if library_id is None:
            raise TypeError(f"Space {resource_name!r}: give library_id or library")
        props = {p.name: settings.get(p.name, p.default) for p in PROPS} | {
            "library_id": library_id, "space_id": None, "owner": ownership.mark(resource_name)}
        super().__init__(SpaceProvider(), resource_name, props, opts)
        self.declared_multi_album = settings.get("multi_album", False)
