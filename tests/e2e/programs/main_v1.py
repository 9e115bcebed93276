"""Frozen copy of the stack program before `smh-media:libraries` (commit 5c1248e): one media library.

Config (namespace `smh-media`, see stacks/Pulumi.local.yaml):
  bucketName        bucket name without the -<appid> suffix          (required)
  appId             APPID of the account                              (required)
  region            COS region of the bucket, e.g. ap-guangzhou       (required)
  bucketAcl         private (default) | public-read | public-read-write
  bucketTags        map of bucket tags
  adoptBucket       bool: take over a bucket of that name that exists without this stack's ownership mark
  forceDestroy      bool: destroying also deletes objects / library contents (default false)
  protectLibrary    bool: Pulumi `protect` on the library (default false)
  library           object: MediaLibrary arguments in snake_case, e.g. {library_name: photos, multi_album: true};
                    `adopt: true` takes over a library already bound to the bucket without this stack's mark
  spaces            map: tenant spaces of a multi-tenant library, key -> Space arguments, plus
                    `albums` (key -> album name) for a space with multi_album: true
  albums            map: albums of a single-tenant multi-album library, key -> album name
                    (keys name the Pulumi resources; change a value to rename the album in place)
"""

from __future__ import annotations

import pulumi

from smh_provider import Album, Bucket, MediaLibrary, MediaProcessing, Space
from smh_provider.resources.media_library import PROPS as LIBRARY_PROPS
from smh_provider.resources.space import PROPS as SPACE_PROPS

LIBRARY_KEYS = {p.name for p in LIBRARY_PROPS if not p.internal} - {"bucket", "bucket_region", "force_destroy", "owner"}
SPACE_KEYS = {p.name for p in SPACE_PROPS if not p.internal} - {"library_id", "owner"} | {"albums"}
TOP_KEYS = {"bucketName", "appId", "region", "bucketAcl", "bucketTags", "forceDestroy", "protectLibrary", "library",
            "spaces", "albums", "adoptBucket"}


def _fail(message: str) -> None:
    raise pulumi.RunError(f"stack config: {message}")


cfg = pulumi.Config()
stack_config = pulumi.runtime.get_config_env() if hasattr(pulumi.runtime, "get_config_env") else {}
unknown_keys = sorted(k.split(":", 1)[1] for k in stack_config if k.startswith("smh-media:")
                      and k.split(":", 1)[1] not in TOP_KEYS)
if unknown_keys:
    _fail(f"unknown key(s) {unknown_keys} under smh-media:; known keys: {sorted(TOP_KEYS)}")

missing = [k for k in ("bucketName", "appId", "region") if not cfg.get(k)]
if missing:
    _fail("missing required key(s) " + ", ".join(f"smh-media:{k}" for k in missing)
          + " (set them with `pulumi config set smh-media:<key> <value>` or in stacks/Pulumi.<stack>.yaml)")

library_cfg = cfg.get_object("library") or {}
if not isinstance(library_cfg, dict):
    _fail("smh-media:library must be an object of MediaLibrary arguments")
bad = sorted(set(library_cfg) - LIBRARY_KEYS)
if bad:
    _fail(f"smh-media:library has unknown key(s) {bad}; known: {sorted(LIBRARY_KEYS)}")
if not library_cfg.get("library_name"):
    _fail("smh-media:library.library_name is required (1 to 50 characters)")

force_destroy = cfg.get_bool("forceDestroy") or False
region = cfg.require("region")

bucket = Bucket(
    "media-bucket",
    bucket_name=cfg.require("bucketName"),
    app_id=str(cfg.require("appId")),
    region=region,
    acl=cfg.get("bucketAcl") or "private",
    tags=cfg.get_object("bucketTags") or {},
    force_destroy=force_destroy,
    adopt=cfg.get_bool("adoptBucket") or False,
)
processing = MediaProcessing("media-processing", bucket=bucket.bucket, region=bucket.region)
library = MediaLibrary(
    "media-library",
    bucket=bucket.bucket,
    bucket_region=bucket.region,
    force_destroy=force_destroy,
    opts=pulumi.ResourceOptions(depends_on=[processing], protect=cfg.get_bool("protectLibrary") or False),
    **library_cfg,
)


def _albums(owner: str, albums: object, **where: object) -> None:
    if not isinstance(albums, dict) or not all(isinstance(v, str) for v in albums.values()):
        _fail(f"{owner if owner == 'smh-media:albums' else owner + '.albums'} must be a map of key -> album name")
    for key, album_name in albums.items():
        Album(f"album-{key}" if owner == "smh-media:albums" else f"album-{owner.split('.')[-1]}-{key}",
              album_name=album_name, force_destroy=force_destroy, **where)


space_ids: dict[str, pulumi.Output[str]] = {}
spaces_cfg = cfg.get_object("spaces") or {}
if not isinstance(spaces_cfg, dict):
    _fail("smh-media:spaces must be a map of key -> Space arguments")
for key, space_cfg in spaces_cfg.items():
    if not isinstance(space_cfg or {}, dict):
        _fail(f"smh-media:spaces.{key} must be an object of Space arguments")
    space_cfg = dict(space_cfg or {})
    bad = sorted(set(space_cfg) - SPACE_KEYS)
    if bad:
        _fail(f"smh-media:spaces.{key} has unknown key(s) {bad}; known: {sorted(SPACE_KEYS)}")
    albums = space_cfg.pop("albums", {})
    space_cfg.setdefault("force_destroy", force_destroy)
    try:
        space = Space(f"space-{key}", library=library, **space_cfg)
    except ValueError as err:
        _fail(str(err))
    space_ids[key] = space.space_id
    if albums:
        try:
            _albums(f"smh-media:spaces.{key}", albums, space=space, library=library)
        except ValueError as err:
            _fail(str(err))
if cfg.get_object("albums"):
    try:
        _albums("smh-media:albums", cfg.get_object("albums"), library=library)
    except ValueError as err:
        _fail(str(err))

pulumi.export("bucket", bucket.bucket)
pulumi.export("region", bucket.region)
pulumi.export("library_id", library.library_id)
pulumi.export("access_domain", library.access_domain)
pulumi.export("library_secret", library.library_secret)
if space_ids:
    pulumi.export("space_ids", space_ids)
