"""MediaLibrary: an SMH media (or file) library bound to a COS bucket.

Replace-only (fixed at creation by the service): bucket, bucket_region, multi_tenant,
multi_album, file_library, storage_class, and whether a quota is enabled (quota_bytes set or
not). Everything else is an in-place ModifyLibrary that sends only what changed.
`library_secret` is an output marked secret. Delete refuses a library that still holds files
unless force_destroy.

Ownership (ownership.py): the library carries the tag `pulumi:owner` from CreateLibrary on. A
create first lists the account's libraries (one DescribeLibraries page per 100): a library with
our mark is adopted (an earlier run died before saving state); a library already bound to the
same bucket with no mark is an error unless adopt=True, one with another stack's mark unless
adopt_from names that mark (ownership.may_take). A library whose mark now names another owner is
gone for this stack: read reports it gone and delete leaves it in place. A CreateLibrary
that failed with a 5xx or a lost connection is retried only after that listing shows it did not
land.

Defaults depend on the kind of library, and `check` resolves them so that state, refresh and
diff all compare like with like: on a single-tenant media library allow_photo and allow_video
default to true, public_read and multi_album to false; on a multi-tenant or file library those
settings do not exist (None) - for multi-tenant they belong to each tenant space.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from smh_provider import operation, ownership, preflight, state
from smh_provider.clients import smh
from smh_provider.clients.smh import Library
from smh_provider.clients.smhdata import DataPlane
from smh_provider.errors import Conflict, NotFound, ProviderError
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop, is_unknown, normalize
from smh_provider.retry import wait_for

LIBRARY_LISTED_TIMEOUT = 60.0

STORAGE_CLASSES = ("STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "MAZ_STANDARD", "MAZ_STANDARD_IA",
                   "MAZ_INTELLIGENT_TIERING")
MAX_QUOTA = 9223372036854775807

SINGLE_MEDIA_ONLY = ("multi_album", "allow_photo", "allow_video", "public_read", "allow_photo_ext", "allow_video_ext")
# What those settings are where they apply. Where a setting does not apply, an explicit value equal to this (e.g.
# multi_album: false on a multi-tenant library) changes nothing and is accepted (and dropped); any other is refused.
NEUTRAL = {"multi_album": False, "allow_photo": True, "allow_video": True, "public_read": False,
           "allow_photo_ext": [], "allow_video_ext": [], "recognize_sensitive_content": False, "allow_file_ext": []}

PROPS = (
    Prop("library_name", "str", rule=rules.length("library_name", 1, 50), doc="display name, 1..50 characters"),
    Prop("remark", "str", rule=rules.length("remark", 0, 250), doc="description, at most 250 characters"),
    Prop("bucket", "str", replace=True, doc="full bucket name <name>-<appid> the library stores media in"),
    Prop("bucket_region", "str", replace=True,
         rule=lambda v, i: None if v is None else rules.region(v, i, "bucket_region"), doc="the bucket's region"),
    Prop("multi_tenant", "bool", default=False, replace=True, doc="multi-tenant mode (tenant spaces)"),
    Prop("multi_album", "bool", replace=True, doc="multi-album mode (single-tenant media libraries)"),
    Prop("file_library", "bool", default=False, replace=True, doc="a file library instead of a media library"),
    Prop("storage_class", "str", replace=True,
         rule=lambda v, i: None if v is None else rules.one_of("storage_class", STORAGE_CLASSES)(v, i),
         doc="COS storage class of new files"),
    Prop("allow_photo", "bool", doc="allow photo uploads (single-tenant media libraries; default true)"),
    Prop("allow_video", "bool", doc="allow video uploads (single-tenant media libraries; default true)"),
    Prop("public_read", "bool", doc="public read (single-tenant media libraries; default false)"),
    Prop("allow_photo_ext", "list", doc="allowed photo extensions ([] = decided by MIME type)"),
    Prop("allow_video_ext", "list", doc="allowed video extensions ([] = decided by MIME type)"),
    Prop("allow_file_ext", "list", doc="allowed file extensions (single-tenant file libraries; [] = all)"),
    Prop("recycle_bin", "bool", default=False, doc="keep deleted files in a recycle bin"),
    Prop("recycle_days", "int", rule=rules.int_range("recycle_days", 0, 1095),
         doc="days before recycled files are removed (0 = never); needs recycle_bin"),
    Prop("file_history", "bool", default=False, doc="keep file history"),
    Prop("file_history_count", "int", rule=rules.int_range("file_history_count", 1, 999),
         doc="versions kept per file; needs file_history"),
    Prop("file_history_expire_days", "int", rule=rules.int_range("file_history_expire_days", 0, 999),
         doc="days versions are kept (0 = forever); needs file_history"),
    Prop("max_name_length", "int", default=255, rule=rules.int_range("max_name_length", 1, 255),
         doc="maximum directory/file name length"),
    Prop("enable_search", "bool", default=False, doc="enable search"),
    Prop("deny_on_quota_less_than_usage", "bool", default=False, doc="refuse a quota below current usage"),
    Prop("recognize_sensitive_content", "bool",
         doc="recognize sensitive content (single-tenant libraries; default false; spaces have their own)"),
    Prop("quota_bytes", "int", rule=rules.int_range("quota_bytes", 1, MAX_QUOTA), replace_if_set=True,
         replace_if_cleared=True,
         doc="library quota in bytes (multi-tenant libraries); setting or clearing it replaces the library"),
    Prop("tags", "map", default={}, rule=rules.tags, doc="resource tags"),
    Prop("force_destroy", "bool", default=False, doc="delete the library even if it holds files"),
    Prop("owner", "str", quiet=True,
         doc="ownership mark <project>/<stack>/<resource>, set by the MediaLibrary class"),
    Prop("adopt", "bool", default=False,
         doc="take over a library already bound to the same bucket that carries no ownership mark"),
    Prop("adopt_from", "str", rule=ownership.mark_rule,
         doc="take over a library bound to the same bucket that carries exactly this other stack's or resource's "
             "mark (<project>/<stack>/<resource>); that stack then no longer manages it"),
    Prop("identity", "str", internal=True,
         doc="digest of the owner mark and creation-only settings; keeps dependents' previews exact"),
)
# Creation-only settings, to tell whether a found library is the one declared.
CREATION_SETTINGS = tuple(p.name for p in PROPS if p.replace and p.name in smh.SETTINGS)
IN_PLACE_SETTINGS = tuple(p.name for p in PROPS if not p.replace and p.name in smh.SETTINGS)
# storage_bucket: the bucket the service reports the library in. CreateLibrary may not bind the declared bucket
# (the SDK documents BucketName/BucketRegion as no longer supported since 3.0.919); then it names the bucket the
# service chose, while `bucket` keeps the declared value so that no later plan replaces the library for it.
OUTPUTS = ("library_id", "access_domain", "creation_time", "library_secret", "storage_bucket")


def dependent_problems(settings: Any, library_id: str, owner: Any) -> list[str]:
    """Why replacing the library would be refused further down: each Space, SpaceSet and Album resource of the
    stack's state inside it is replaced with it (its library_id changes), and its old object's delete follows its
    own force_destroy, not the library's (a space declared without it keeps its files). Checked before the new
    library exists, so a refusal changes nothing (the engine replaces the library first, its dependents after)."""
    from smh_provider.resources import album, space, space_set  # they import this module

    plane = DataPlane(settings, library_id)
    problems: list[str] = []
    for type_, name, id_, outputs in state.snapshot(owner if isinstance(owner, str) else None).inside(library_id):
        if type_ == "Space":
            problems += [f"tenant space {id_} ({name}): {p}" for p in space.replace_problems(
                plane, id_, outputs, albums=False)]
        elif type_ == "SpaceSet":
            problems += [f"{name}: {p}" for p in space_set.SpaceSetProvider().replace_problems(outputs)]
        elif type_ == "Album":
            problems += [f"album {outputs.get('album_name')!r} ({name}): {p}"
                         for p in album.replace_problems(plane, outputs)]
    return problems


class MediaLibraryProvider(BaseProvider):
    replace_checked = True
    props = PROPS
    type_label = "MediaLibrary"
    api_fields = smh.SETTINGS

    def check_resource(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        bad: list[tuple[str, str]] = []
        known = lambda name: not is_unknown(inputs.get(name))  # noqa: E731
        bucket, bucket_region = inputs.get("bucket"), inputs.get("bucket_region")
        if known("bucket") and known("bucket_region") and (bucket is None) != (bucket_region is None):
            bad.append(("bucket_region" if bucket else "bucket",
                        "bucket and bucket_region go together: set both or neither"))
        if not (known("multi_tenant") and known("file_library")):
            return bad
        multi, files = inputs["multi_tenant"], inputs["file_library"]
        kind = "a multi-tenant library" if multi else "a file library"
        not_applying = [*(SINGLE_MEDIA_ONLY if multi or files else ()),
                        *(("recognize_sensitive_content",) if multi else ()),
                        *(("allow_file_ext",) if multi or not files else ())]
        for name in not_applying:
            if known(name) and inputs.get(name) is not None and inputs[name] == NEUTRAL[name]:
                inputs[name] = None  # the value it would have where it applies: nothing to set
        for name in SINGLE_MEDIA_ONLY:
            if (multi or files) and inputs.get(name) is not None:
                where = "tenant spaces (Space resource)" if multi else "single-tenant media libraries"
                bad.append((name, f"{name} cannot be set on {kind}: it belongs to {where}"))
        if multi and inputs.get("recognize_sensitive_content") is not None:
            bad.append(("recognize_sensitive_content", "recognize_sensitive_content cannot be set on a multi-tenant "
                                                       "library: it belongs to tenant spaces (Space resource)"))
        if inputs.get("allow_file_ext") is not None and (multi or not files):
            bad.append(("allow_file_ext", "allow_file_ext applies only to single-tenant file libraries"))
        if inputs.get("quota_bytes") is not None and not multi:
            bad.append(("quota_bytes", "quota_bytes needs multi_tenant=True (the library quota is for multi-tenant "
                                       "libraries)"))
        if inputs.get("recycle_days") is not None and inputs.get("recycle_bin") is False:
            bad.append(("recycle_days", "recycle_days needs recycle_bin=True"))
        for name in ("file_history_count", "file_history_expire_days"):
            if inputs.get(name) is not None and inputs.get("file_history") is False:
                bad.append((name, f"{name} needs file_history=True"))
        if not bad and not multi and not files:
            defaults = {"multi_album": False, "allow_photo": True, "allow_video": True, "public_read": False,
                        "allow_photo_ext": [], "allow_video_ext": []}
            for name, value in defaults.items():
                if inputs.get(name) is None:
                    inputs[name] = value
        if not bad and not multi and inputs.get("recognize_sensitive_content") is None:
            inputs["recognize_sensitive_content"] = False
        if not bad and files and not multi and inputs.get("allow_file_ext") is None:
            inputs["allow_file_ext"] = []
        if not bad and inputs.get("recycle_bin") is True and inputs.get("recycle_days") is None:
            inputs["recycle_days"] = 0
        return bad

    # -- mapping ------------------------------------------------------------------------------
    def _outs(self, inputs: dict[str, Any], lib: Library, secret: str) -> dict[str, Any]:
        return {**inputs, "library_id": lib.id, "access_domain": lib.access_domain,
                "creation_time": lib.creation_time, "library_secret": secret, "storage_bucket": lib.bucket,
                "force_tag": lib.tags.get(ownership.FORCE_TAG) == "true"}

    @staticmethod
    def _report_chosen_bucket(inputs: dict[str, Any], lib: Library) -> None:
        """After a create: say once when the service stored the library elsewhere than the declared bucket."""
        declared = inputs.get("bucket")
        if not declared or lib.bucket == declared:
            return
        where = f"bucket {lib.bucket} ({lib.raw.get('BucketRegion') or 'its region'})" if lib.bucket else \
            "a bucket SMH manages"
        operation.say(
            f"media library {inputs['library_name']!r} ({lib.id}) was stored in {where}, not in the declared bucket "
            f"{declared}: this SMH service no longer binds a chosen bucket (CreateLibrary ignores BucketName/"
            "BucketRegion). The declared Bucket stays managed by this stack but holds none of the library's files, "
            "and its MediaProcessing does not process them. The output storage_bucket names the library's real "
            "bucket; later previews keep the library as it is.", warn=True)

    def plan(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return preflight.retag(super().plan(id_, olds, news), olds)

    def _from_service(self, state: dict[str, Any], lib: Library) -> dict[str, Any]:
        """Inputs as the service sees them now; replace-only ones keep their state value."""
        current = dict(state)
        current["library_name"] = lib.name
        current["remark"] = lib.remark or (None if state.get("remark") is None else "")
        current |= {name: lib.settings.get(name) for name in IN_PLACE_SETTINGS}
        current["tags"], owner = ownership.split_tags(lib.tags)
        current["owner"] = owner or None  # a mark removed outside Pulumi is written back by the next up
        return current

    @staticmethod
    def _settings(inputs: dict[str, Any], names: tuple[str, ...] = tuple(smh.SETTINGS)) -> dict[str, Any]:
        return {name: inputs.get(name) for name in names if inputs.get(name) is not None}

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        if not olds and not result.failures:
            ownership.warn_takeover(f"MediaLibrary {result.inputs.get('library_name')!r}",
                                    result.inputs.get("adopt_from"))
        return result

    def before_replace(self, id_: str, olds: dict[str, Any], replaces: list[str]) -> None:
        preflight.seen("library", id_, bool(replaces))
        if not replaces:
            return
        settings = self.settings()  # one read: would the old library's delete (after the new one exists) be refused?
        try:
            lib = smh.find_library(smh.client(settings), id_)
        except NotFound:
            return
        problems = preflight.library_problems(lib, bool(olds.get("force_destroy"))) + preflight.foreign_spaces(
            settings, lib, ownership.stack_of(olds.get("owner")))
        if not problems:
            problems = dependent_problems(settings, id_, olds.get("owner"))
        if problems:
            raise preflight.refuse(f"replacing media library {id_} ({', '.join(replaces)} changed)", problems,
                                   preflight.WAY_OUT)

    @staticmethod
    def _tags(inputs: dict[str, Any]) -> dict[str, str]:
        return ownership.with_mark(inputs["tags"], inputs["owner"], bool(inputs["force_destroy"]))

    # -- CRUD ---------------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of_checked(props)
        c = smh.client(self.settings())
        owner = inputs["owner"]
        doing = f"creating media library {inputs['library_name']!r}"
        existing = self._existing(c, inputs, doing)
        if existing is not None:
            return self._adopt(c, existing, inputs)

        def landed() -> str | None:
            found = self._marked(smh.list_libraries(c, doing=doing), owner)
            return found[0].id if len(found) == 1 else None

        # CreateLibrary is not idempotent: after a 5xx or a lost answer, look for our mark before trying again.
        # Without a mark nothing can prove an attempt did not land: then only a throttled (refused) call is retried.
        lib_id = smh.create_library(c, inputs["library_name"], self._settings(inputs), remark=inputs["remark"],
                                    bucket=inputs["bucket"], bucket_region=inputs["bucket_region"],
                                    tags=self._tags(inputs), landed=landed if owner else None)
        secret = smh.library_secret(c, lib_id)
        lib = wait_for("library-listed", lambda: smh.find_library(c, lib_id), LIBRARY_LISTED_TIMEOUT, doing=doing)
        self._report_chosen_bucket(inputs, lib)
        return CreateResult(lib_id, self._outs(inputs, lib, secret))

    # -- ownership ------------------------------------------------------------------------------
    @staticmethod
    def _marked(libs: list[Library], owner: str | None) -> list[Library]:
        """Libraries carrying `owner`'s mark, except one this resource holds in the state (the library a
        replacement replaces: never to adopt; state.py)."""
        return [lib for lib in libs if owner and _owner(lib) == owner
                and not state.held_by_self("library", lib.id, owner)]

    def _existing(self, c: Any, inputs: dict[str, Any], doing: str) -> Library | None:
        """The library this create should adopt instead of creating one, or None; raise if it must not go on."""
        owner = inputs["owner"]
        if not owner and not inputs["bucket"]:
            return None
        libs = smh.list_libraries(c, doing=doing)
        marked = self._marked(libs, owner)
        if len(marked) > 1:
            ids = ", ".join(lib.id for lib in marked)
            raise ProviderError(f"{doing}: several libraries carry this resource's ownership mark {owner!r} ({ids}); "
                                "delete the extra ones (they were created outside this stack's state), then run "
                                "`pulumi up` again.")
        if marked:
            self._check_same_kind(marked[0], inputs, doing, "carries this resource's ownership mark")
            return marked[0]
        # Another library of this stack on the bucket is a sibling (shareBucketWith), not one to take over; one this
        # resource holds in the state (under an older mark) is the one being replaced.
        bound = [lib for lib in libs if inputs["bucket"] and lib.bucket == inputs["bucket"]
                 and not (owner and _owner(lib) == owner) and not ownership.same_stack(owner, _owner(lib))
                 and not (owner and state.held_by_self("library", lib.id, owner))]
        if not bound:
            return None
        lib = bound[0]
        found = _owner(lib)
        problem = ownership.may_take(found, owner, inputs["adopt"], inputs["adopt_from"])
        if problem:
            hint = " " + ownership.take_over_hint(f"library {lib.id}") if not found and not inputs["adopt_from"] else ""
            raise ProviderError(f"{doing}: media library {lib.id} ({lib.name!r}) is already bound to bucket "
                                f"{inputs['bucket']} and {problem}.{hint}")
        self._check_same_kind(lib, inputs, doing, "is already bound to the bucket")
        return lib

    @staticmethod
    def _check_same_kind(lib: Library, inputs: dict[str, Any], doing: str, why: str) -> None:
        has = lib.settings
        differ = [f"{name} (it has {has.get(name)!r}, declared {inputs[name]!r})" for name in CREATION_SETTINGS
                  if inputs.get(name) is not None and bool(has.get(name) or False) != bool(inputs[name])
                  and not (name == "storage_class" and has.get(name) == inputs[name])]
        if (inputs.get("quota_bytes") is not None) != lib.quota_enabled:
            differ.append("quota_bytes (a quota is enabled only at creation)")
        if differ:
            raise ProviderError(f"{doing}: media library {lib.id} {why}, but its creation-only settings "
                                f"differ: {'; '.join(differ)}. Delete it or declare those settings, then run "
                                "`pulumi up` again.")

    def _adopt(self, c: Any, lib: Library, inputs: dict[str, Any]) -> CreateResult:
        """Take over `lib`: write our mark and every declared in-place setting, then report it."""
        smh.modify_library(c, lib.id, name=inputs["library_name"], remark=inputs["remark"] or "",
                           settings=self._settings(inputs, IN_PLACE_SETTINGS),
                           tags=self._tags(inputs), doing=f"adopting media library {lib.id}")
        secret = smh.library_secret(c, lib.id)
        return CreateResult(lib.id, self._outs(inputs, smh.find_library(c, lib.id), secret))

    def inputs_of_checked(self, props: dict[str, Any]) -> dict[str, Any]:
        """Inputs already resolved by check (None stays None: kind-dependent settings); wire floats -> ints."""
        return {p.name: normalize(p.kind, props.get(p.name)) for p in PROPS} | {"tags": dict(props.get("tags") or {})}

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        c = smh.client(self.settings())
        try:
            lib = smh.find_library(c, id_)
        except NotFound:
            return ReadResult("", {})
        state = self.inputs_of_checked(props)
        if not ownership.still_ours(_owner(lib), state["owner"]):
            ownership.warn_gone(f"media library {id_}", _owner(lib))
            return ReadResult("", {})  # another stack took it over (adopt_from): no longer this stack's
        current = self._from_service(state, lib)
        return ReadResult(id_, self._outs(current, lib, props.get("library_secret") or ""))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        old, new = self.inputs_of_checked(olds), self.inputs_of_checked(news)
        changed = {p.name for p in PROPS if old.get(p.name) != new.get(p.name)}
        settings = {name: new.get(name) for name in IN_PLACE_SETTINGS if name in changed}
        marked = bool(changed & {"tags", "owner", "force_destroy"}) or preflight.untagged(olds)
        c = smh.client(self.settings())
        if settings or marked or {"library_name", "remark"} & changed:
            smh.modify_library(c, id_, name=new["library_name"] if "library_name" in changed else None,
                               remark=(new["remark"] or "") if "remark" in changed else None, settings=settings,
                               tags=self._tags(new) if marked else None)
        return UpdateResult(self._outs(new, smh.find_library(c, id_), olds.get("library_secret") or ""))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        settings = self.settings()
        c = smh.client(settings)
        doing = f"deleting media library {id_}"
        try:
            lib = smh.find_library(c, id_)
            if not ownership.still_ours(_owner(lib), props.get("owner")):
                ownership.warn_gone(f"media library {id_}", _owner(lib))
                return  # another stack took it over: dropped from this stack's state, left in place
            if lib.files + lib.dirs and not props.get("force_destroy"):
                raise ProviderError(
                    f"{doing}: it still holds {lib.files} files and {lib.dirs} directories ({lib.size} bytes). "
                    f"{preflight.nothing_deleted()} Set force_destroy=True and run `pulumi up` before destroying to "
                    "delete it with its contents."
                )
            stack = ownership.stack_of(props.get("owner"))
            preflight.check_tree(f"bucket:{lib.bucket}" if lib.bucket else f"library:{id_}", lambda: (
                preflight.bucket_ancestor(settings, lib.bucket, lib.raw.get("BucketRegion"), stack, skip=id_)), doing)
            smh.delete_library(c, id_)
            preflight.deleted(f"media library {id_} ({lib.name!r})")
        except NotFound:
            return
        except Conflict as err:
            if err.code == "ResourceInUse.MultiSpace":
                try:
                    found = [s.space_id for s in DataPlane(self.settings(), id_).list_spaces()]
                    names = f" ({', '.join(found[:20])}{', ...' if len(found) > 20 else ''})"
                except ProviderError:
                    names = ""
                raise ProviderError(
                    f"{err}. The library still has tenant spaces{names} that this stack does not manage; delete "
                    "them (or declare them as Space resources of this stack) first."
                ) from None
            raise


class MediaLibrary(Resource, module="smh", name="MediaLibrary"):
    """An SMH media library (智能媒资托管 媒体库)."""

    library_id: pulumi.Output[str]
    access_domain: pulumi.Output[str]
    creation_time: pulumi.Output[str]
    library_secret: pulumi.Output[str]
    storage_bucket: pulumi.Output[str]
    identity: pulumi.Output[str]

    def __init__(self, resource_name: str, *, library_name: pulumi.Input[str],
                 opts: pulumi.ResourceOptions | None = None, **settings: Any) -> None:
        known = {p.name for p in PROPS} - {"owner", "identity"}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise TypeError(f"MediaLibrary got unknown argument(s) {unknown}; known: {sorted(known)}")
        props: dict[str, Any] = {p.name: settings.get(p.name, p.default) for p in PROPS}
        props["library_name"] = library_name
        props["owner"] = ownership.mark(resource_name)
        props.update(dict.fromkeys(OUTPUTS))
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["library_secret"]))
        super().__init__(MediaLibraryProvider(), resource_name, props, opts)
        # What the program declared (plain values only), so Space/Album can check the mode at preview time.
        self.declared_settings = {k: v for k, v in settings.items() if isinstance(v, (bool, int, str, list, dict))}


def _owner(lib: Library) -> str:
    """The ownership mark the library carries, or ''."""
    return ownership.split_tags(lib.tags)[1]
