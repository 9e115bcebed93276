"""From one scan (discover.py), the two ways to bring an account under code:

* `import_file()`: a `pulumi import --file` document (https://www.pulumi.com/docs/iac/adopting-pulumi/import/,
  "Bulk import operations": `{"resources": [{"type", "name", "id", "parent"?, ...}]}`) of the provider plugin's
  types `smh:index:<Type>`, for a stack whose program declares them (Pulumi YAML, or the code `pulumi import`
  prints). Resource names follow __main__.py's names for an entry `<key>` of `smh-media:libraries` (<key>-bucket,
  <key>-processing, <key>-library, <key>-space-<s>, <key>-album-<a>, <key>-album-<s>-<a>).
* `stack_config()`: the same account as `smh-media:` stack config for the Python program (__main__.py), with
  `adoptBucket` / `library.adopt` (or `adoptBucketFrom` / `adopt_from` for objects another stack marked), the
  way that program takes over existing buckets and libraries. Spaces, albums, bucket rules and a second library on
  a bucket are listed as comments only (why: stack_config_yaml): they come in through `pulumi import`.

IMPORT_IDS is the one place that says which id each type is imported with; the plugin's Read must accept them.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from smh_provider.tools.discover import Account, FoundBucket, FoundLibrary

# type -> how its import id is written: the forms the plugin's Read accepts (smh_provider/plugin/importers.py). The
# region is always given, so an import does not depend on the stack's smh:region.
IMPORT_IDS = {
    "Bucket": "<region>/<bucket>-<appid>",
    "MediaProcessing": "<region>/<bucket>-<appid>",
    "BucketCors": "<region>/<bucket>-<appid>",
    "BucketLifecycle": "<region>/<bucket>-<appid>",
    "BucketReferer": "<region>/<bucket>-<appid>",
    "MediaLibrary": "<library id>",
    "Space": "<library id>/<space id>",
    "Album": "<library id>/<space id, or - in a single-tenant library>/<album name>",
}
SETTING_TYPES = {"cors": "BucketCors", "lifecycle": "BucketLifecycle", "referer": "BucketReferer"}
KEY = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")  # __main__.LIBRARY_KEY: keys name resources


def token(type_name: str) -> str:
    return f"smh:index:{type_name}"


def slug(text: str, taken: set[str], fallback: str) -> str:
    """A config key from a display name: lowercase letters, digits and '-', at most 40, unique among `taken`."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:36].strip("-")
    if not base or base == "default" or not KEY.match(base):
        base = fallback
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


class Plan:
    """Keys for every discovered library (and bucket without one), decided once for both outputs."""

    def __init__(self, account: Account) -> None:
        self.account = account
        taken: set[str] = set()
        self.library_keys = {lib.library.id: slug(lib.library.name, taken, f"lib-{lib.library.id[-8:].lower()}")
                             for lib in account.libraries}
        # One library on a bucket owns it (the one named like the bucket, else the first created); the import file
        # has the others too, the Python config only the owner (SHARED).
        self.bucket_owner: dict[str, str] = {}
        for lib in sorted(account.libraries, key=lambda x: (self.library_keys[x.library.id] != x.library.bucket
                                                            .rpartition("-")[0], x.library.creation_time)):
            self.bucket_owner.setdefault(lib.library.bucket, self.library_keys[lib.library.id])
        self.bucket_keys = {b.name: self.bucket_owner.get(b.name) or slug(b.short_name, taken, "bucket")
                            for b in account.buckets}
        self.space_keys: dict[str, dict[str, str]] = {}
        for lib in account.libraries:
            used: set[str] = set()
            self.space_keys[lib.library.id] = {s.space_id: slug(s.space_id, used, "space") for s in lib.spaces}


def album_keys(names: list[str]) -> dict[str, str]:
    used: set[str] = set()
    return {name: slug(name, used, "album") for name in names}


def import_file(account: Account) -> dict[str, Any]:
    """The `pulumi import --file` document for everything discovered."""
    plan = Plan(account)
    resources: list[dict[str, Any]] = []
    for bucket in account.buckets:
        key = plan.bucket_keys[bucket.name]
        resources.append({"type": token("Bucket"), "name": f"{key}-bucket", "id": f"{bucket.region}/{bucket.name}"})
        if bucket.media_processing:
            resources.append({"type": token("MediaProcessing"), "name": f"{key}-processing",
                              "id": f"{bucket.region}/{bucket.name}"})
        for setting in bucket.settings:
            resources.append({"type": token(SETTING_TYPES[setting]), "name": f"{key}-{setting}",
                              "id": f"{bucket.region}/{bucket.name}"})
    for lib in account.libraries:
        key, lib_id = plan.library_keys[lib.library.id], lib.library.id
        resources.append({"type": token("MediaLibrary"), "name": f"{key}-library", "id": lib_id})
        for album, akey in album_keys(lib.albums).items():
            resources.append({"type": token("Album"), "name": f"{key}-album-{akey}", "id": f"{lib_id}/-/{album}"})
        for space in lib.spaces:
            skey = plan.space_keys[lib_id][space.space_id]
            resources.append({"type": token("Space"), "name": f"{key}-space-{skey}",
                              "id": f"{lib_id}/{space.space_id}"})
            for album, akey in album_keys(space.albums).items():
                resources.append({"type": token("Album"), "name": f"{key}-album-{skey}-{akey}",
                                  "id": f"{lib_id}/{space.space_id}/{album}"})
    return {"resources": resources}


def _bucket_config(bucket: FoundBucket, top_region: str) -> dict[str, Any]:
    out: dict[str, Any] = {"bucketName": bucket.short_name}
    if bucket.region != top_region:
        out["region"] = bucket.region
    if bucket.acl != "private":
        out["bucketAcl"] = bucket.acl
    if bucket.tags:
        out["bucketTags"] = bucket.tags
    out["adoptBucketFrom" if bucket.mark else "adoptBucket"] = bucket.mark or True
    return out


def _library_config(lib: FoundLibrary) -> dict[str, Any]:
    library = {k: v for k, v in lib.settings.items() if v is not None}
    library["adopt_from" if lib.mark else "adopt"] = lib.mark or True
    return library


def stack_config(account: Account) -> dict[str, Any]:
    """`config:` of stacks/Pulumi.<stack>.yaml for __main__.py (the `smh-media:libraries` form)."""
    plan = Plan(account)
    buckets = {b.name: b for b in account.buckets}
    app_ids = sorted({b.app_id for b in account.buckets})
    regions = [lib.region for lib in account.libraries] or [b.region for b in account.buckets]
    top_region = max(set(regions), key=regions.count) if regions else ""
    config: dict[str, Any] = {}
    if len(app_ids) == 1:
        config["smh-media:appId"] = app_ids[0]
    if top_region:
        config["smh-media:region"] = top_region
    entries: dict[str, Any] = {}
    for lib in account.libraries:
        key = plan.library_keys[lib.library.id]
        owner = plan.bucket_owner[lib.library.bucket]
        if owner != key:
            continue  # a second library on a bucket: see stack_config_yaml (SHARED)
        entry: dict[str, Any] = _bucket_config(buckets[lib.library.bucket], top_region)
        if len(app_ids) > 1:
            entry["appId"] = buckets[lib.library.bucket].app_id
        entry["library"] = _library_config(lib)
        entries[key] = entry
    if entries:
        config["smh-media:libraries"] = entries
    return {"config": config}


# Why a second library on one bucket is left out of the Python config: MediaLibrary's adopt finds an unmarked library
# by its bucket, so two of them on one bucket cannot be told apart (the first found is taken, and two creates running
# at once may both pick it).
SHARED = "the Python program's adopt finds a library by its bucket and cannot tell two apart"


def stack_config_yaml(account: Account) -> str:
    """stack_config() as YAML, with what it leaves out (spaces, albums, buckets without a library) as comments."""
    plan = Plan(account)
    lines = ["# smh-media stack config written by `bin/smh discover`: paste under `config:` of",
             "# stacks/Pulumi.<stack>.yaml (credentials: tencentcloud:secretId / secretKey as usual).",
             "# adoptBucket / library.adopt take the existing objects over on the first `pulumi up`."]
    notes: list[str] = []
    for lib in account.libraries:
        key = plan.library_keys[lib.library.id]
        for space in lib.spaces:
            skey = plan.space_keys[lib.library.id][space.space_id]
            albums = {k: name for name, k in album_keys(space.albums).items()}
            notes.append(f"#   {key}.spaces.{skey}: space {space.space_id} {space.settings}"
                         + (f", albums {albums}" if albums else ""))
        if lib.albums:
            notes.append(f"#   {key}.albums: { {k: name for name, k in album_keys(lib.albums).items()} }")
    for lib in account.libraries:
        key, owner = plan.library_keys[lib.library.id], plan.bucket_owner[lib.library.bucket]
        if owner != key:
            notes.append(f"#   {key}: library {lib.library.id} ({lib.library.name!r}) on the bucket of {owner}; "
                         + SHARED)
    for bucket in account.buckets:
        if bucket.settings:
            notes.append(f"#   {plan.bucket_keys[bucket.name]}: bucket {bucket.name} has "
                         + ", ".join(f"{s} rules ({SETTING_TYPES[s]})" for s in bucket.settings))
    if notes:
        lines += ["# Not included (a Space has no adopt in the Python program, so `up` would create new ones; an",
                  "# album holding files cannot be adopted; bucket rules are kept exactly as found only by an",
                  "# import): bring these in with `pulumi import --file`:", *notes]
    orphans = [b for b in account.buckets if b.name not in plan.bucket_owner]
    if orphans:
        lines.append("# Buckets without a media library (the program declares a bucket per library): "
                     + ", ".join(f"{b.name} ({b.region})" for b in orphans))
    for skipped in account.skipped:
        lines.append(f"# Skipped: {skipped}")
    body = yaml.safe_dump(stack_config(account), sort_keys=False, allow_unicode=True)
    return "\n".join(lines) + "\n" + body
