"""Album: a first-level directory of a multi-album media library or tenant space.

Replace-only: library_id, space_id. Renaming (album_name) moves the album in place and keeps its
contents; it is never a delete-and-create. Delete refuses an album that holds files unless
force_destroy. A create that finds an empty album of its name adopts it (an earlier attempt or an
interrupted run made it); one that holds files is an error.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from smh_provider import operation, ownership, preflight, state
from smh_provider.clients import smh
from smh_provider.clients.smhdata import DataPlane
from smh_provider.errors import AlreadyExists, InvalidInput, NotFound, ProviderError
from smh_provider.memo import PerKey
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop
from smh_provider.resources.media_library import MediaLibrary
from smh_provider.resources.space import Space


def _album_name(value: str, _: Any) -> str | None:
    problem = rules.length("album_name", 1, 255)(value, _)
    if problem:
        return problem
    if "/" in value or value in (".", ".."):
        return f"album_name {rules.shown(value)} must be one path segment (no '/'): albums are one level only"
    return None


PROPS = (
    Prop("library_id", "str", replace=True, via="library_identity", doc="the media library"),
    Prop("album_name", "str", rule=_album_name, doc="album name; renaming moves the album and keeps its contents"),
    Prop("space_id", "str", default="-", replace=True, via="space_identity",
         doc="tenant space id ('-' in a single-tenant library)"),
    Prop("force_destroy", "bool", default=False, doc="delete the album even if it holds files"),
    Prop("library_identity", "str", internal=True, doc="the library's identity (set when given library=)"),
    Prop("space_identity", "str", internal=True, doc="the space's identity (set when given space=)"),
    Prop("album_key", "str", internal=True,
         doc="the album's key in stack config (spaces.<key>.albums.<album key>): a SpaceSet entry's album moves here"),
    Prop("owner", "str", internal=True,
         doc="<project>/<stack>/<resource> of the album (albums carry no mark: it tells whose library goes with it)"),
)


RENAME_WAIT = 120.0  # seconds a rename waits for its new name to be freed by the other renames of a swap
LISTING_TTL = 10.0  # seconds a space's album listing serves the refresh of its other albums
_listings: PerKey[set[str]] = PerKey(max_age=LISTING_TTL)


def _album_names(plane: DataPlane, space_id: str) -> set[str]:
    """Names of the space's albums: one listing serves every album of the space read within LISTING_TTL.

    A refresh reads every album; listing the space once instead of each album keeps it at one read per
    space rather than one per album.
    """
    return _listings.get((*plane.key, space_id), lambda: plane.album_names(space_id))


def _forget(plane: DataPlane, space_id: str) -> None:
    """This process changed the space's albums: its cached listing no longer holds."""
    _listings.forget((*plane.key, space_id))


def create_album(plane: DataPlane, space_id: str, name: str, owner: str | None = None) -> None:
    """Create an album; one of that name that exists already in the space is adopted. Albums carry no mark, and
    the space is this stack's: such an album is one this stack made or renamed in a run that died before saving
    its state, or one another resource of the stack holds (a move between a SpaceSet and Album resources, whose
    delete then leaves it: state.py). Never the album this resource itself holds (a replacement keeping the name).
    Without `owner` (no stack to ask), one that holds files is an error."""
    _forget(plane, space_id)
    try:
        plane.create_album(space_id, name)
    except AlreadyExists as err:
        key = state.album_key(plane.library_id, space_id, name)
        if owner and state.held_by_self("album", key, owner):
            raise ProviderError(
                f"{err}. This resource holds album {name!r} in the state already, and a replacement keeps the name, "
                "so the old album would have to go first (Album resources replace delete-before-create). Nothing "
                "was changed.") from None
        contents = plane.list_dir(space_id, name)
        if contents and not owner:
            raise ProviderError(
                f"{err}. An album of that name exists already, holds {len(contents)} files and this "
                "stack does not manage it; choose another album_name, or move its files and delete it.") from None
    except NotFound as err:
        raise ProviderError(f"{err}. The space this album belongs in is gone: it was deleted outside this stack. Run "
                            "`pulumi refresh` to bring the state to what exists, then `pulumi up` to create the space "
                            "and its albums again. Nothing was changed.") from None
    except InvalidInput as err:
        if err.code == "DirectoryNotAllowed":
            raise ProviderError(f"{err}. The tenant space {space_id} was not created with "
                                "multi_album=True, so it holds no albums.") from None
        raise


def rename_album(plane: DataPlane, space_id: str, old: str, new: str) -> None:
    """Move an album to its new name, keeping its files.

    A source that is gone while the target exists is a move already done (an earlier attempt whose answer or
    state was lost), not an error.
    """
    _forget(plane, space_id)
    try:
        plane.rename_album(space_id, old, new)
    except NotFound:
        if new not in _album_names(plane, space_id):
            raise


def delete_album(plane: DataPlane, space_id: str, name: str, force: bool, owner: str | None = None) -> None:
    """Delete an album; one that holds files is refused unless `force`. Gone already is done.

    `owner` (the Album resource's `<project>/<stack>/<name>`) lets the preflight check the library and bucket that
    this run deletes after it.
    """
    _forget(plane, space_id)
    try:
        if not force:
            contents = plane.list_dir(space_id, name)
            if contents:
                raise ProviderError(
                    f"deleting album {name!r}: it still holds {len(contents)} files. "
                    f"{preflight.nothing_deleted()} Set force_destroy=True and run `pulumi up` before destroying to "
                    "delete it with its files."
                )
        preflight.check_tree(f"library:{plane.library_id}", lambda: preflight.library_ancestor(
            plane.settings, plane.library_id, ownership.stack_of(owner)), f"deleting album {name!r}")
        plane.delete_album(space_id, name)
        preflight.deleted(f"album {name!r}")
    except NotFound:
        return


def replace_problems(plane: DataPlane, olds: dict[str, Any]) -> list[str]:
    """Why the delete of an Album resource's album (outputs `olds`), which its replacement implies, would be
    refused: it holds files and its force_destroy is off."""
    if olds.get("force_destroy"):
        return []
    try:
        contents = plane.list_dir(str(olds.get("space_id")), str(olds.get("album_name")))
    except NotFound:
        return []
    return [f"the album still holds {len(contents)} files (force_destroy is off)"] if contents else []


class AlbumProvider(BaseProvider):
    replace_checked = True
    props = PROPS
    type_label = "Album"

    def _mode_error(self, inputs: dict[str, Any]) -> str | None:
        mode = smh.library_mode(self.settings(), inputs["library_id"])
        multi_space, space = mode.multi_tenant, inputs["space_id"]
        if multi_space and space == "-":
            return ("the library is multi-tenant: albums live in tenant spaces; give space_id of a Space created "
                    "with multi_album=True")
        if not multi_space and space != "-":
            return "the library is single-tenant: use space_id='-' (the default)"
        if not multi_space and not mode.multi_album and not mode.file_library:
            return ("the library is not multi-album (created with multi_album=False), so it holds no albums; "
                    "recreate it with multi_album=True")
        return None

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        doing = f"creating album {inputs['album_name']!r} in media library {inputs['library_id']}"
        problem = self._mode_error(inputs)
        if problem:
            raise ProviderError(f"{doing}: {problem}")
        plane = DataPlane(self.settings(), inputs["library_id"])
        moved = state.album_by_key(inputs["owner"], inputs["space_id"], inputs["album_key"]) \
            if inputs["album_key"] and inputs["space_id"] != "-" else None
        if moved and moved != inputs["album_name"] and moved in _album_names(plane, inputs["space_id"]):
            # A SpaceSet of this stack held this album under the same key, by another name: move it here, renamed
            # (in a swap, through a temporary name while the other album moves away).
            try:
                rename_album(plane, inputs["space_id"], moved, inputs["album_name"])
            except AlreadyExists:
                self._rename_through_temp(plane, inputs, moved)
        else:
            create_album(plane, inputs["space_id"], inputs["album_name"], inputs["owner"])
        state.note("album", state.album_key(inputs["library_id"], inputs["space_id"], inputs["album_name"]),
                   inputs["owner"])
        return CreateResult(f"album-{uuid.uuid4().hex[:16]}", dict(inputs))

    def before_replace(self, id_: str, olds: dict[str, Any], replaces: list[str]) -> None:
        if replaces and not olds.get("force_destroy"):  # one read: would the old album's delete be refused?
            old = self.inputs_of(olds)
            problems = replace_problems(DataPlane(self.settings(), old["library_id"]), old)
            if problems:
                raise preflight.refuse(
                    f"replacing album {old['album_name']!r} of media library {old['library_id']} "
                    f"({', '.join(replaces)} changed)", problems, preflight.WAY_OUT)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        plane = DataPlane(self.settings(), inputs["library_id"])
        try:
            names = _album_names(plane, inputs["space_id"])
        except NotFound:  # the space (or library) is gone, and the album with it
            return ReadResult("", {})
        if inputs["album_name"] not in names:
            # A run killed in the middle of a swap or cycle of renames left this album under its temporary name:
            # still this resource's (the next `up` renames it to what is declared), never dropped with its files.
            temp = temp_name(inputs["owner"])
            return ReadResult(id_, {**inputs, "album_name": temp}) if temp in names else ReadResult("", {})
        return ReadResult(id_, dict(inputs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        old, new = self.inputs_of(olds), self.inputs_of(news)
        if old["album_name"] != new["album_name"]:
            plane = DataPlane(self.settings(), new["library_id"])
            # This resource held the old name when the run started: another album of a swap that reads the state
            # only after this rename was saved must still see that the name is a resource's of the stack, coming free.
            state.note("album", state.album_key(old["library_id"], old["space_id"], old["album_name"]), old["owner"])
            try:
                rename_album(plane, new["space_id"], old["album_name"], new["album_name"])
            except AlreadyExists:
                self._rename_through_temp(plane, new, old["album_name"])
        return UpdateResult(dict(new))

    @staticmethod
    def _rename_through_temp(plane: DataPlane, new: dict[str, Any], before: str) -> None:
        """The new name is taken by an album another resource of this stack holds: a swap or cycle of renames,
        whose other renames run in this same `up`. Step aside under a temporary name, wait for the name to come
        free, take it. If it does not within RENAME_WAIT seconds, go back to the old name and fail."""
        space_id, after, owner = new["space_id"], new["album_name"], new["owner"]
        if not state.held_by_others("album", state.album_key(new["library_id"], space_id, after), owner):
            raise ProviderError(f"renaming album {before!r} to {after!r}: an album named {after!r} exists already "
                                "and no resource of this stack holds it. Nothing was changed; choose another name, "
                                "or move its files and delete it.")
        temp = temp_name(owner)
        if before != temp:  # (after a killed run the album may be there already)
            rename_album(plane, space_id, before, temp)
        deadline = time.monotonic() + RENAME_WAIT
        while time.monotonic() < deadline:
            try:
                rename_album(plane, space_id, temp, after)
                return
            except AlreadyExists:
                time.sleep(0.5)
        if before != temp:
            rename_album(plane, space_id, temp, before)
        raise ProviderError(f"renaming album {before!r} to {after!r}: the album holding that name (held by "
                            f"another resource of this stack) was not renamed away within {RENAME_WAIT:.0f} s. "
                            f"Nothing was changed: {before!r} keeps its name.")

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        key = state.album_key(inputs["library_id"], inputs["space_id"], inputs["album_name"])
        if self._hand_back(inputs):
            state.release("album", key, inputs["owner"])
            return
        if state.defer_or_keep("album", key, inputs["owner"]):
            return  # another resource of this stack (a SpaceSet) holds the album now: leave the state, keep it
        delete_album(DataPlane(self.settings(), inputs["library_id"]), inputs["space_id"], inputs["album_name"],
                     inputs["force_destroy"], inputs["owner"])
        state.release("album", key, inputs["owner"])


    def _hand_back(self, inputs: dict[str, Any]) -> bool:
        """Walk finding W21: this resource took its album over from a SpaceSet (by album key) and renamed it in an
        `up` whose delete of the set was refused, so the set still holds the album under its old name. When the
        set holds the album key here under a name that no album has, while this resource's album exists, the
        album goes back to the set under that name, files and all, and this resource leaves the state: the set's
        record is true again. Anything else (the name taken, the album gone) goes the usual way."""
        space_id, akey = inputs["space_id"], inputs.get("album_key")
        if not akey or not space_id or space_id == "-":
            return False
        other = state.album_by_key(inputs["owner"], space_id, akey, this_run=True)
        if not other or other == inputs["album_name"]:
            return False
        plane = DataPlane(self.settings(), inputs["library_id"])
        _forget(plane, space_id)
        try:
            names = _album_names(plane, space_id)
        except NotFound:
            return False
        if inputs["album_name"] not in names or other in names:
            return False
        rename_album(plane, space_id, inputs["album_name"], other)
        operation.say(f"album {inputs['album_name']!r} (album key {akey!r}) goes back to the resource that holds "
                      f"its key in space {space_id}, under the name that resource has for it: {other!r}")
        return True


_names: dict[tuple[str, str], str] = {}


def temp_name(owner: str | None) -> str:
    """The temporary name of the Album resource `owner` (its mark) during a swap or cycle of renames."""
    return f".pulumi-moving-{state.name_of_mark(owner)}"[:255]


def claim_name(resource_name: str, container: str | None, album_name: object) -> None:
    """Album names are unique within a library or space: a second album of the same name fails at preview.

    `container` names the library or space in the program ("library 'media-library'"); None when it is only
    known as an id that is not plain text (nothing to compare). Renaming moves an album, so only the final names
    of one program run count.
    """
    if container is None or not isinstance(album_name, str):
        return
    other = _names.setdefault((container, album_name), resource_name)
    if other != resource_name:
        raise ValueError(f"Album {resource_name!r}: album_name {album_name!r} is already the name of album {other!r} "
                         f"in {container}; album names are unique within a library or space, so give each album "
                         "its own name")


class Album(Resource, module="smh", name="Album"):
    """An album (相簿) of a multi-album media library or tenant space."""

    album_name: pulumi.Output[str]
    space_id: pulumi.Output[str]

    def __init__(self, resource_name: str, *, album_name: pulumi.Input[str],
                 library_id: pulumi.Input[str] | None = None, library: MediaLibrary | None = None,
                 space_id: pulumi.Input[str] = "-", space: Space | None = None, force_destroy: bool = False,
                 album_key: str | None = None, opts: pulumi.ResourceOptions | None = None) -> None:
        deps: list[pulumi.Resource] = []
        identities: dict[str, Any] = {}
        if library is not None:
            declared = library.declared_settings
            if declared.get("multi_tenant") is not True and declared.get("multi_album") is not True:
                raise ValueError(
                    f"Album {resource_name!r}: library {library._name!r} is single-tenant without multi_album=True, "
                    "so albums are not allowed there. Set multi_album=True on the MediaLibrary (this replaces it)."
                )
            if declared.get("multi_tenant") is True and space is None and space_id == "-":
                raise ValueError(f"Album {resource_name!r}: library {library._name!r} is multi-tenant; albums "
                                 "live in a Space created with multi_album=True: pass space=...")
            library_id = library.library_id
            identities["library_identity"] = library.identity
            deps.append(library)
        if space is not None:
            if space.declared_multi_album is not True:
                raise ValueError(f"Album {resource_name!r}: space {space._name!r} was not declared with "
                                 "multi_album=True, so it holds no albums.")
            space_id, library_id = space.space_id, library_id if library_id is not None else space.library_id
            identities["space_identity"] = space.identity
            deps.append(space)
        if library_id is None:
            raise TypeError(f"Album {resource_name!r}: give library_id or library")
        if space is not None:
            container: str | None = f"tenant space {space._name!r}"
        elif isinstance(space_id, str) and space_id != "-":
            container = f"tenant space {space_id}"
        elif library is not None:
            container = f"media library {library._name!r}"
        else:
            container = f"media library {library_id}" if isinstance(library_id, str) else None
        claim_name(resource_name, container, album_name)
        props = {"library_id": library_id, "album_name": album_name, "space_id": space_id,
                 "force_destroy": force_destroy, "library_identity": None, "space_identity": None,
                 "album_key": album_key,
                 "owner": ownership.mark(resource_name), **identities}
        # The name is unique in its space: a replacement that keeps it (`up --replace`, a new space) must delete
        # the old album first, and the engine makes no Diff for `--replace`, so the option says it.
        opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(depends_on=deps, delete_before_replace=True), opts)
        super().__init__(AlbumProvider(), resource_name, props, opts)
