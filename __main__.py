"""The stack program: media libraries declared from stack config.

One library (the single-library keys, namespace `smh-media`, see stacks/Pulumi.local.yaml):
  bucketName        bucket name without the -<appid> suffix          (required)
  appId             APPID of the account                              (required)
  region            COS region of the bucket, e.g. ap-guangzhou       (required)
  bucketAcl         private (default) | public-read | public-read-write
  bucketTags        map of bucket tags
  adoptBucket       bool: take over a bucket of that name that exists without any ownership mark
  adoptBucketFrom   string: take over a bucket that carries exactly this mark of another stack
                    (<project>/<stack>/media-bucket); `adopt_from` in `library` does the same for the library
  forceDestroy      bool: destroying also deletes objects / library contents (default false)
  protectLibrary    bool: Pulumi `protect` on the library (default false)
  library           object: MediaLibrary arguments in snake_case, e.g. {library_name: photos, multi_album: true};
                    `adopt: true` takes over a library already bound to the bucket without this stack's mark
  spaces            map: tenant spaces of a multi-tenant library, key -> Space arguments, plus
                    `albums` (key -> album name) for a space with multi_album: true
  albums            map: albums of a single-tenant multi-album library, key -> album name
                    (keys name the Pulumi resources; change a value to rename the album in place)
  bucketCors        object: the bucket's CORS rules (BucketCors): `browser_uploads: [origins]` adds the rule an
                    SMH web page needs (BucketCors.smh_browser_uploads), `rules` more rules, `adopt`
  bucketLifecycle   object: the bucket's lifecycle (BucketLifecycle): {} aborts incomplete multipart uploads
                    after 7 days; `abort_incomplete_upload_days`, `rules`, `allow_smh_paths`, `adopt`
  bucketReferer     object: hotlink protection (BucketReferer): `domains`, `referer_type` White-List|Black-List,
                    `allow_empty_referer`, `enabled`, `adopt`
  spacesFile        path (from the project directory) of a JSON or YAML map of more `spaces`: thousands of spaces
                    exceed what one config value can carry (128 KiB: Linux's limit on one environment variable)
  spaceSet          true | false | N | {from: N, chunks: C}: serve `spaces` with SpaceSet resources (always,
                    never, from N spaces on; default false); smh_provider/stack_spaces.py, docs/spaces.md "Thousands of
                    tenant spaces"
  roles, users, groups, grants
                    the library's permissions: role table, users, groups (nested with `parent`, `members`) and
                    folder grants (smh_provider/stack_permissions.py; example: stacks/Pulumi.team.yaml)

Several libraries (stacks/Pulumi.web.yaml):
  libraries         map: key -> an object with the keys above (without the `smh-media:` prefix); appId, region
                    and forceDestroy default to the top-level values. `shareBucketWith: <key>` puts the library
                    on the bucket of another entry (`default` = the single-library keys' bucket) instead of a
                    bucket of its own; bucket keys are then not allowed on it.
The single-library keys keep their resource names (media-bucket, media-processing, media-library, space-<key>,
album-<key>, album-<space>-<key>, and media-cors, media-lifecycle, media-referer); an entry `k` of `libraries` gets
k-bucket, k-processing, k-library, k-space-<key>, k-album-<key>, k-album-<space>-<key>, k-cors, k-lifecycle,
k-referer. `libraries` alone (no bucketName/library) declares no
single library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pulumi

from smh_provider import (
    Album,
    Bucket,
    BucketCors,
    BucketLifecycle,
    BucketReferer,
    MediaLibrary,
    MediaProcessing,
    Space,
    config,
    ownership,
)
from smh_provider.resources.media_library import PROPS as LIBRARY_PROPS
from smh_provider.resources.space import PROPS as SPACE_PROPS
from smh_provider.stack_permissions import declare_permissions
from smh_provider.stack_spaces import declare_space_set, space_set_chunks, spaces_from_file

LIBRARY_KEYS = {p.name for p in LIBRARY_PROPS if not p.internal} - {"bucket", "bucket_region", "force_destroy", "owner"}
SPACE_KEYS = {p.name for p in SPACE_PROPS if not p.internal} - {"library_id", "owner"} | {"albums"}
# Keys of one library, at the top level (namespace smh-media) or inside an entry of `libraries`: key -> kind.
LIBRARY_CONFIG: dict[str, str] = {
    "bucketName": "str", "appId": "str", "region": "str", "bucketAcl": "str", "bucketTags": "object",
    "adoptBucket": "bool", "adoptBucketFrom": "str", "forceDestroy": "bool", "protectLibrary": "bool",
    "library": "object", "spaces": "object", "albums": "object", "spaceSet": "object", "spacesFile": "str",
    "bucketCors": "object", "bucketLifecycle": "object", "bucketReferer": "object",
    "roles": "object", "users": "object", "groups": "object", "grants": "object",
}
# Keys that configure the bucket itself: not allowed on a library that shares another library's bucket.
BUCKET_CONFIG = {"bucketName", "appId", "region", "bucketAcl", "bucketTags", "adoptBucket", "adoptBucketFrom",
                 "bucketCors", "bucketLifecycle", "bucketReferer"}
# The bucket sub-settings: config key -> (resource name suffix, class, the keys its object takes).
BUCKET_SETTINGS: dict[str, tuple[str, type, set[str]]] = {
    "bucketCors": ("cors", BucketCors, {"browser_uploads", "rules", "adopt"}),
    "bucketLifecycle": ("lifecycle", BucketLifecycle,
                        {"abort_incomplete_upload_days", "rules", "allow_smh_paths", "adopt"}),
    "bucketReferer": ("referer", BucketReferer,
                      {"domains", "referer_type", "allow_empty_referer", "enabled", "adopt"}),
}
# Top-level keys that are stack-wide defaults for the entries of `libraries`, not a library of their own.
SHARED_DEFAULTS = {"appId", "region", "forceDestroy"}
TOP_KEYS = set(LIBRARY_CONFIG) | {"libraries"}
ENTRY_KEYS = set(LIBRARY_CONFIG) | {"shareBucketWith"}
DEFAULT = "default"  # how `shareBucketWith` names the library of the single-library keys
LIBRARY_KEY = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


def _fail(message: str) -> None:
    raise pulumi.RunError(f"stack config: {message}")


@dataclass
class LibrarySpec:
    """One library's stack config, read and type-checked, before any resource is declared."""

    key: str  # DEFAULT for the single-library keys
    where: str  # how messages name its keys: "smh-media:" or "smh-media:libraries.<key>."
    values: dict[str, Any]
    share_with: str | None = None

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def name(self, resource: str) -> str:
        """The Pulumi resource name: today's names for the single-library keys, `<key>-...` for an entry."""
        if self.key == DEFAULT:
            return {"bucket": "media-bucket", "processing": "media-processing", "library": "media-library",
                    "cors": "media-cors", "lifecycle": "media-lifecycle",
                    "referer": "media-referer"}.get(resource, resource)
        return f"{self.key}-{resource}"


@dataclass
class Declared:
    """What one declared library offers to others (a shared bucket) and to the exports."""

    bucket: Bucket
    processing: MediaProcessing
    library: MediaLibrary
    space_ids: dict[str, pulumi.Output[str]] = field(default_factory=dict)


_claimed: dict[tuple[str, str], str] = {}


def _claim(kind: str, name: str, where: str) -> str:
    """Resource names are unique per type within a stack: say which two config entries collide."""
    other = _claimed.setdefault((kind, name), where)
    if other != where:
        _fail(f"{where} and {other} both declare the {kind} resource {name!r}; rename one of the keys")
    return name


def _typed(spec_where: str, key: str, kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "str":
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            _fail(f"{spec_where}{key} must be a string")
        return str(value)
    if kind == "bool":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            _fail(f"{spec_where}{key} must be true or false")
    return value


def read_top(cfg: pulumi.Config) -> dict[str, Any]:
    """The single-library keys, read with Pulumi's typed getters (their errors name the key and the type)."""
    getters = {"str": cfg.get, "bool": cfg.get_bool, "object": cfg.get_object}
    return {key: getters[kind](key) for key, kind in LIBRARY_CONFIG.items()}


def read_entries(cfg: pulumi.Config, top: dict[str, Any]) -> list[LibrarySpec]:
    """The entries of `smh-media:libraries`, with the stack-wide defaults filled in."""
    entries = cfg.get_object("libraries")
    if entries is None:
        return []
    if not isinstance(entries, dict):
        _fail("smh-media:libraries must be a map of key -> library config")
    specs = []
    for key, entry in entries.items():
        where = f"smh-media:libraries.{key}."
        if key == DEFAULT or not LIBRARY_KEY.match(key):
            _fail(f"smh-media:libraries key {key!r} must be 1 to 40 lowercase letters, digits or '-' (not "
                  f"starting or ending with '-') and not {DEFAULT!r}: it names the Pulumi resources")
        if not isinstance(entry, dict):
            _fail(f"smh-media:libraries.{key} must be an object of library config keys")
        bad = sorted(set(entry) - ENTRY_KEYS)
        if bad:
            _fail(f"smh-media:libraries.{key} has unknown key(s) {bad}; known: {sorted(ENTRY_KEYS)}")
        values = {k: _typed(where, k, kind, entry.get(k)) for k, kind in LIBRARY_CONFIG.items()}
        share = _typed(where, "shareBucketWith", "str", entry.get("shareBucketWith"))
        if share is not None:
            clash = sorted(k for k in BUCKET_CONFIG if entry.get(k) is not None)
            if clash:
                _fail(f"{where}shareBucketWith puts the library on the bucket of {share!r}; the bucket key(s) "
                      f"{clash} belong to that library, not to this one")
        for k in SHARED_DEFAULTS:
            if values[k] is None and (share is None or k not in BUCKET_CONFIG):
                values[k] = top.get(k)
        specs.append(LibrarySpec(key, where, values, share))
    return specs


def check_spec(spec: LibrarySpec) -> None:
    """Required keys and the library object, checked before anything is declared."""
    if spec.share_with is None:
        missing = [k for k in ("bucketName", "appId", "region") if not spec.get(k)]
        if missing:
            _fail("missing required key(s) " + ", ".join(f"{spec.where}{k}" for k in missing)
                  + " (set them with `pulumi config set smh-media:<key> <value>` or in stacks/Pulumi.<stack>.yaml)")
    library_cfg = spec.get("library", {})
    if not isinstance(library_cfg, dict):
        _fail(f"{spec.where}library must be an object of MediaLibrary arguments")
    bad = sorted(set(library_cfg) - LIBRARY_KEYS)
    if bad:
        _fail(f"{spec.where}library has unknown key(s) {bad}; known: {sorted(LIBRARY_KEYS)}")
    if not library_cfg.get("library_name"):
        _fail(f"{spec.where}library.library_name is required (1 to 50 characters)")


def _albums(spec: LibrarySpec, owner: str, prefix: str, albums: object, force_destroy: bool,
            **where: Any) -> dict[str, tuple[str, Album]]:
    if not isinstance(albums, dict) or not all(isinstance(v, str) for v in albums.values()):
        _fail(f"{owner} must be a map of key -> album name")
    out = {}
    for key, album_name in albums.items():
        name = _claim("Album", spec.name(f"{prefix}{key}"), f"{owner}.{key}")
        try:
            out[key] = (album_name, Album(name, album_name=album_name, force_destroy=force_destroy, album_key=key,
                                          **where))
        except ValueError as err:
            _fail(str(err))
    return out


def declare_bucket_settings(spec: LibrarySpec, bucket: Bucket) -> None:
    """The bucket's CORS, lifecycle and referer resources, from bucketCors / bucketLifecycle / bucketReferer."""
    for key, (suffix, cls, known) in BUCKET_SETTINGS.items():
        settings = spec.get(key)
        if settings is None:
            continue
        where = f"{spec.where}{key}"
        if not isinstance(settings, dict):
            _fail(f"{where} must be an object of {cls.__name__} arguments; known keys: {sorted(known)}")
        bad = sorted(set(settings) - known)
        if bad:
            _fail(f"{where} has unknown key(s) {bad}; known: {sorted(known)}")
        args = dict(settings)
        if cls is BucketCors:
            origins = args.pop("browser_uploads", None)
            extra = args.get("rules") or []
            if origins is not None and (not isinstance(origins, list) or not all(isinstance(o, str) for o in origins)):
                _fail(f"{where}.browser_uploads must be a list of page origins, e.g. [https://app.example.com]")
            if not isinstance(extra, list):
                _fail(f"{where}.rules must be a list of CORS rules")
            args["rules"] = ([BucketCors.smh_browser_uploads(origins)] if origins else []) + extra
            if not args["rules"]:
                _fail(f"{where} needs browser_uploads (page origins) or rules")
        if cls is BucketReferer and "domains" not in args:
            _fail(f"{where}.domains is required (the referers of the white or black list)")
        cls(_claim(cls.__name__, spec.name(suffix), where), bucket=bucket.bucket, region=bucket.region, **args)


def declare_library(spec: LibrarySpec, shared: Declared | None = None) -> Declared:
    """Everything one library needs: its bucket (or the shared one), media processing, the library, its
    spaces and albums. Called once per library; `shared` is the library whose bucket this one uses."""
    force_destroy = bool(spec.get("forceDestroy", False))
    where = spec.where.rstrip(".")
    if shared is None:
        bucket = Bucket(
            _claim("Bucket", spec.name("bucket"), where),
            bucket_name=spec.get("bucketName"),
            app_id=str(spec.get("appId")),
            region=spec.get("region"),
            acl=spec.get("bucketAcl", "private"),
            tags=spec.get("bucketTags", {}),
            force_destroy=force_destroy,
            adopt=bool(spec.get("adoptBucket", False)),
            adopt_from=spec.get("adoptBucketFrom"),
        )
        processing = MediaProcessing(_claim("MediaProcessing", spec.name("processing"), where),
                                     bucket=bucket.bucket, region=bucket.region)
        declare_bucket_settings(spec, bucket)
    else:
        bucket, processing = shared.bucket, shared.processing
    library = MediaLibrary(
        _claim("MediaLibrary", spec.name("library"), where),
        bucket=bucket.bucket,
        bucket_region=bucket.region,
        force_destroy=force_destroy,
        opts=pulumi.ResourceOptions(depends_on=[processing], protect=bool(spec.get("protectLibrary", False))),
        **spec.get("library", {}),
    )
    declared = Declared(bucket, processing, library)
    spaces: dict[str, Space] = {}
    albums_of: dict[str | None, dict[str, tuple[str, Album]]] = {}  # space key (None: the library) -> albums

    spaces_cfg = spec.get("spaces", {})
    if spec.get("spacesFile"):  # a map too big for one config value (the engine passes config in one env var)
        try:
            spaces_cfg = spaces_from_file(spec.get("spacesFile"), spaces_cfg, f"{spec.where}spacesFile")
        except ValueError as err:
            _fail(str(err))
    if not isinstance(spaces_cfg, dict):
        _fail(f"{spec.where}spaces must be a map of key -> Space arguments")
    try:
        chunks = space_set_chunks(spec.get("spaceSet"), len(spaces_cfg), f"{spec.where}spaceSet")
    except ValueError as err:
        _fail(str(err))
    if chunks:  # SpaceSet resources instead of a Space and Albums each (docs/spaces.md, "Thousands of tenant spaces")
        declared.space_ids = declare_space_set(_claim("SpaceSet", spec.name("spaces"), f"{spec.where}spaces"),
                                               library, spaces_cfg, force_destroy, spec.name("space-") + "{key}",
                                               chunks)
    for key, space_cfg in ({} if chunks else spaces_cfg).items():
        if not isinstance(space_cfg or {}, dict):
            _fail(f"{spec.where}spaces.{key} must be an object of Space arguments")
        space_cfg = dict(space_cfg or {})
        bad = sorted(set(space_cfg) - SPACE_KEYS)
        if bad:
            _fail(f"{spec.where}spaces.{key} has unknown key(s) {bad}; known: {sorted(SPACE_KEYS)}")
        albums = space_cfg.pop("albums", {})
        space_cfg.setdefault("force_destroy", force_destroy)
        try:
            set_mark = ownership.mark(spec.name("spaces"))  # the SpaceSet(s) this library's spaces may move from
            space = Space(_claim("Space", spec.name(f"space-{key}"), f"{spec.where}spaces.{key}"),
                          library=library, also_marks=[f"{set_mark}/{key}", f"{set_mark}-{{n}}/{key}"], **space_cfg)
        except ValueError as err:
            _fail(str(err))
        declared.space_ids[key], spaces[key] = space.space_id, space
        if albums:
            albums_of[key] = _albums(spec, f"{spec.where}spaces.{key}.albums", f"album-{key}-", albums,
                                     bool(space_cfg["force_destroy"]), space=space, library=library)
    if spec.get("albums"):
        albums_of[None] = _albums(spec, f"{spec.where}albums", "album-", spec.get("albums"), force_destroy,
                                  library=library)
    declare_permissions(spec.values, spec.where, library, spaces, albums_of,
                        lambda r: _claim("permission", spec.name(r), where), _fail)
    return declared


def main() -> None:
    cfg = pulumi.Config()
    stack_config = pulumi.runtime.get_config_env() if hasattr(pulumi.runtime, "get_config_env") else {}
    unknown_keys = sorted(k.split(":", 1)[1] for k in stack_config if k.startswith("smh-media:")
                          and k.split(":", 1)[1] not in TOP_KEYS)
    if unknown_keys:
        _fail(f"unknown key(s) {unknown_keys} under smh-media:; known keys: {sorted(TOP_KEYS)}")
    plain = config.plain_secret_warning(stack_config, pulumi.runtime.get_config_secret_keys_env(), pulumi.get_stack())
    if plain:
        pulumi.log.warn(plain)

    top = read_top(cfg)
    entries = read_entries(cfg, top)
    specs: list[LibrarySpec] = []
    if not entries or any(v is not None for k, v in top.items() if k not in SHARED_DEFAULTS):
        specs.append(LibrarySpec(DEFAULT, "smh-media:", top))
    specs.extend(entries)
    buckets: dict[tuple[str, str], str] = {}
    for spec in specs:
        check_spec(spec)
        if spec.share_with is not None:
            owner = next((s for s in specs if s.key == spec.share_with), None)
            if owner is None or owner.share_with is not None:
                _fail(f"{spec.where}shareBucketWith must name a library with a bucket of its own "
                      f"({sorted(s.key for s in specs if s.share_with is None)}), not {spec.share_with!r}")
            continue
        full = (str(spec.get("bucketName")), str(spec.get("appId")))
        other = buckets.setdefault(full, spec.where.rstrip("."))
        if other != spec.where.rstrip("."):
            _fail(f"{spec.where}bucketName {full[0]!r} is the bucket of {other} too: two Bucket resources cannot "
                  f"own one bucket; use shareBucketWith to put both libraries on it")

    for spec in specs:  # names that would give two objects one ownership mark fail before anything is declared
        spaces = spec.get("spaces") or {}
        for key in spaces if isinstance(spaces, dict) else ():
            albums = (spaces[key] or {}).get("albums") if isinstance(spaces[key], dict) else None
            try:
                ownership.mark(spec.name(f"space-{key}"))
                for akey in albums if isinstance(albums, dict) else ():
                    ownership.mark(spec.name(f"album-{key}-{akey}"))
            except ValueError as err:
                _fail(f"{spec.where}spaces: {err}")
    declared: dict[str, Declared] = {}
    for spec in sorted(specs, key=lambda s: s.share_with is not None):  # bucket owners first
        declared[spec.key] = declare_library(spec, declared.get(spec.share_with) if spec.share_with else None)

    if DEFAULT in declared:
        main_lib = declared[DEFAULT]
        pulumi.export("bucket", main_lib.bucket.bucket)
        pulumi.export("region", main_lib.bucket.region)
        pulumi.export("library_id", main_lib.library.library_id)
        pulumi.export("access_domain", main_lib.library.access_domain)
        pulumi.export("library_secret", main_lib.library.library_secret)
        pulumi.export("storage_bucket", main_lib.library.storage_bucket)  # the bucket SMH stores the library in
        if main_lib.space_ids:
            pulumi.export("space_ids", main_lib.space_ids)
    others = {k: d for k, d in declared.items() if k != DEFAULT}
    if others:
        pulumi.export("libraries", {
            k: {"bucket": d.bucket.bucket, "region": d.bucket.region, "library_id": d.library.library_id,
                "access_domain": d.library.access_domain, "library_secret": d.library.library_secret,
                "storage_bucket": d.library.storage_bucket,
                **({"space_ids": d.space_ids} if d.space_ids else {})}
            for k, d in others.items()})


main()
