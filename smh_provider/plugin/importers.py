"""`pulumi import` of existing objects: from an import id to the state the resource's own `read` reports.

The engine imports with a Read that carries only the id (no state). Each resource's `read` refreshes a state it
is given; what it keeps from that state (the identity of the object: its library, bucket, region, creation-only
settings) is what an import id must give or this module must look up. So per type, a small parser turns the id
into that *seed* (a partial state) and the provider id, and then the provider's own `read` does the rest:

    type              import id                                                provider id
    Bucket            [<region>/]<name>-<appid>                                <name>-<appid>
    MediaProcessing   [<region>/]<name>-<appid>                                <name>-<appid>
    BucketCors, BucketLifecycle, BucketReferer: like MediaProcessing
    MediaLibrary      <library id>                                             the same
    Space             <library id>/<space id>                                  <space id>
    Album             <library id>/<space id or ->/<album name>               album-<digest>
    RoleTable         <library id>                                             roles-<library id>
    User              <library id>/<user id>                                   the same
    Group             <library id>/<group id>                                  <group id>
    GroupMember       <library id>/<group id>/<user|group>:<member id>        without the library
    FolderGrant       <library id>/<space id>:<path>#<user|group>:<grantee id> without the library

(the region defaults to `smh:region` / TENCENTCLOUD_REGION). A SpaceSet is not importable: import its spaces as
Space resources, or let a SpaceSet adopt them (docs/spaces.md, "Thousands of tenant spaces").

**Ownership.** An object carrying another stack's or resource's mark is refused with the rule of `adopt_from`
(ownership.may_take with adopt=True: no mark or this resource's own mark are fine). The state records this
stack's mark (from the URN) at once, so a preview right after the import shows no changes. The cloud object is
not changed by an import (its preview and its update both run this Read); an object that had no mark gets it
written by the first `pulumi up` that updates the resource (`_smh_unmarked` in the state's outputs says it is
still to be written; a refresh keeps it; a tenant space's mark is its userId, fixed at creation, so an imported
space stays without one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from smh_provider import config, ownership
from smh_provider.clients import smh
from smh_provider.clients.smhdata import DataPlane
from smh_provider.errors import NotFound, ProviderError
from smh_provider.plugin import schema
from smh_provider.resources._base import BaseProvider, normalize

UNMARKED = "_smh_unmarked"
# type -> (provider id, seed props, the mark the object carries or None when the read reports it) from an import id
Reader = Callable[[BaseProvider, str], tuple[str, dict[str, Any], "str | None"]]


def _bad_id(type_name: str, import_id: str, form: str) -> ProviderError:
    return ProviderError(f"importing {schema.token(type_name)} {import_id!r}: the import id must look like {form}")


def _bucket_and_region(type_name: str, import_id: str) -> tuple[str, str]:
    region, _, bucket = import_id.rpartition("/")
    region = region or config.current().region or ""
    if not bucket or "-" not in bucket or not region:
        raise _bad_id(type_name, import_id, "'<region>/<name>-<appid>' (or '<name>-<appid>' with smh:region set)")
    return bucket, region


def _bucket(provider: BaseProvider, import_id: str) -> tuple[str, dict[str, Any], str | None]:
    bucket, region = _bucket_and_region("Bucket", import_id)
    name, _, app_id = bucket.rpartition("-")
    return bucket, {"bucket_name": name, "app_id": app_id, "region": region}, None


def _bucket_keyed(type_name: str) -> Reader:
    def read(provider: BaseProvider, import_id: str) -> tuple[str, dict[str, Any], str | None]:
        bucket, region = _bucket_and_region(type_name, import_id)
        return bucket, {"bucket": bucket, "region": region}, ""  # a bucket setting carries no mark

    return read


def _library(provider: BaseProvider, import_id: str) -> tuple[str, dict[str, Any], str | None]:
    if not import_id or "/" in import_id:
        raise _bad_id("MediaLibrary", import_id, "'<library id>'")
    c = smh.client(provider.settings())
    try:
        lib = smh.find_library(c, import_id)
    except NotFound:
        return import_id, {}, None
    # What `read` keeps from the state: the bucket and the creation-only settings.
    seed: dict[str, Any] = {"bucket": lib.bucket or None, "bucket_region": lib.raw.get("BucketRegion") or None,
                            "library_secret": smh.library_secret(c, import_id)}
    for prop in provider.props:
        if (prop.replace or prop.replace_if_set or prop.replace_if_cleared) and prop.name in lib.settings:
            seed[prop.name] = lib.settings[prop.name]
    return import_id, seed, None


def _space(provider: BaseProvider, import_id: str) -> tuple[str, dict[str, Any], str | None]:
    library_id, _, space_id = import_id.partition("/")
    if not library_id or not space_id or "/" in space_id:
        raise _bad_id("Space", import_id, "'<library id>/<space id>'")
    plane = DataPlane(provider.settings(), library_id)
    try:
        mark = next((s.user_id for s in plane.list_spaces() if s.space_id == space_id), None)
        quota = plane.get_space_quota(space_id) if mark is not None else None
    except NotFound:
        mark, quota = None, None
    if mark is None:
        return space_id, {"library_id": library_id, "quota_bytes": None}, "<gone>"
    return space_id, {"library_id": library_id, "quota_bytes": quota}, mark


def _album(provider: BaseProvider, import_id: str) -> tuple[str, dict[str, Any], str | None]:
    parts = import_id.split("/", 2)
    if len(parts) != 3 or not all(parts):
        raise _bad_id("Album", import_id, "'<library id>/<space id, or - in a single-tenant library>/<album name>'")
    digest = hashlib.sha256(import_id.encode()).hexdigest()[:16]
    return f"album-{digest}", {"library_id": parts[0], "space_id": parts[1], "album_name": parts[2]}, ""


def _role_table(provider: BaseProvider, import_id: str) -> tuple[str, dict[str, Any], str | None]:
    if not import_id or "/" in import_id:
        raise _bad_id("RoleTable", import_id, "'<library id>'")
    return f"roles-{import_id}", {"library_id": import_id}, ""  # a role table carries no mark


def _in_library(type_name: str, form: str, seed: Callable[[str, str], tuple[str, dict[str, Any]]]) -> Reader:
    def read(provider: BaseProvider, import_id: str) -> tuple[str, dict[str, Any], str | None]:
        library_id, _, rest = import_id.partition("/")
        if not library_id or not rest:
            raise _bad_id(type_name, import_id, form)
        try:
            id_, props = seed(library_id, rest)
        except ValueError:
            raise _bad_id(type_name, import_id, form) from None
        return id_, {"library_id": library_id, **props}, ""

    return read


def _member(library_id: str, rest: str) -> tuple[str, dict[str, Any]]:
    group_id, kind_member = rest.split("/", 1)
    kind, member = kind_member.split(":", 1)
    return rest, {"group_id": group_id, "member_type": kind, "member_id": member}


def _grant(library_id: str, rest: str) -> tuple[str, dict[str, Any]]:
    space_id, path_grantee = rest.split(":", 1)
    path, grantee = path_grantee.rsplit("#", 1)
    kind, grantee_id = grantee.split(":", 1)
    return rest, {"space_id": space_id, "path": "/" + path.strip("/"), "grantee_type": kind,
                  "grantee_id": grantee_id}


READERS: dict[str, Reader] = {
    "Bucket": _bucket,
    "MediaProcessing": _bucket_keyed("MediaProcessing"),
    "BucketCors": _bucket_keyed("BucketCors"),
    "BucketLifecycle": _bucket_keyed("BucketLifecycle"),
    "BucketReferer": _bucket_keyed("BucketReferer"),
    "MediaLibrary": _library,
    "Space": _space,
    "Album": _album,
    "RoleTable": _role_table,
    "User": _in_library("User", "'<library id>/<user id>'",
                        lambda lib, rest: (f"{lib}/{rest}", {"user_id": rest})),
    "Group": _in_library("Group", "'<library id>/<group id>'", lambda lib, rest: (rest, {})),
    "GroupMember": _in_library("GroupMember", "'<library id>/<group id>/<user|group>:<member id>'", _member),
    "FolderGrant": _in_library("FolderGrant", "'<library id>/<space id>:<path>#<user|group>:<grantee id>'", _grant),
}


def read_by_id(type_name: str, provider: BaseProvider, import_id: str,
               mine: str) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """(provider id, outputs, inputs) of the object `import_id`, or None when there is none."""
    reader = READERS.get(type_name)
    if reader is None:
        raise ProviderError(f"importing {schema.token(type_name)} {import_id!r}: a {type_name} cannot be imported "
                            "(import its tenant spaces as smh:index:Space resources instead)")
    id_, seed, found = reader(provider, import_id)
    if found == "<gone>" or not id_ or (not seed and found is None):
        return None
    names = {p.name for p in provider.props}
    state = {p.name: seed.get(p.name, p.default) for p in provider.props} | {
        k: v for k, v in seed.items() if k not in names}
    state["owner"] = None  # the provider's read then reports the mark the object carries, never refuses it
    result = provider.read(id_, state)
    if not result.id:
        return None
    outs = dict(result.outs or {})
    if "owner" in names:
        carried = found if found is not None else str(outs.get("owner") or "")
        problem = ownership.may_take(carried, mine, True, None)
        if problem:
            raise ProviderError(f"importing {schema.token(type_name)} {import_id!r}: {problem}. `pulumi import` "
                                "takes over only an object without a mark or with this resource's own mark")
        outs["owner"] = mine
        if carried != mine:
            outs[UNMARKED] = True
    return result.id, outs, import_inputs(provider, outs)


def import_inputs(provider: BaseProvider, outs: dict[str, Any]) -> dict[str, Any]:
    """The inputs a program declares for `outs`: the schema's inputs that have a value other than the default
    (what `pulumi import` prints as code)."""
    out: dict[str, Any] = {}
    wanted = set(schema.input_names(type(provider)))
    for prop in provider.props:
        if prop.name not in wanted or outs.get(prop.name) is None:
            continue
        value = outs[prop.name]
        try:
            if normalize(prop.kind, value) == normalize(prop.kind, prop.default):
                continue
        except (TypeError, ValueError):
            pass
        out[prop.name] = value
    return out


def after_read(state: dict[str, Any], outs: dict[str, Any]) -> dict[str, Any]:
    """A refresh of an imported object whose mark is still to be written keeps the state's mark (and says so)."""
    if state.get(UNMARKED) and state.get("owner") and not outs.get("owner"):
        return {**outs, "owner": state["owner"], UNMARKED: True}
    return outs


def before_update(olds: dict[str, Any]) -> dict[str, Any]:
    """The old state an update compares with: for an imported object without its mark, the mark it really has
    (none), so the provider's update writes it."""
    if olds.get(UNMARKED):
        return {**olds, "owner": None}
    return olds
