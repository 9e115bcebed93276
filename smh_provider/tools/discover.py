"""What an account already has: buckets, their media processing, media libraries, tenant spaces and albums.

`scan()` reads them through the same client wrappers the resources use (smh_provider/clients: COS and CI through
cos-python-sdk-v5, SMH through tencentcloud-sdk-python-smh, spaces and albums through the SMH data plane), read-only:
GET Service, CI DescribeMediaBuckets, GET ?acl / ?tagging, DescribeLibraries, DescribeLibrarySecret (the data
plane's token, kept in this process only, as in the provider), and the data plane's space, quota and directory
listings. Nothing is created, changed or marked.

Each object is described in the resources' own terms (property names as in each resource's PROPS), so
smh_provider/tools/import_plan.py can write both the `pulumi import --file` JSON and the stack config of the
Python program from one scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smh_provider import ownership
from smh_provider.clients import cos, cos_config, smh
from smh_provider.clients.smhdata import DataPlane
from smh_provider.config import Settings
from smh_provider.errors import NotFound


@dataclass
class FoundBucket:
    name: str  # full name <name>-<appid>
    region: str
    acl: str = "private"
    tags: dict[str, str] = field(default_factory=dict)  # the user's tags, without our mark
    mark: str = ""  # the ownership mark of a stack that manages it, or ""
    media_processing: bool = False
    settings: list[str] = field(default_factory=list)  # of "cors", "lifecycle", "referer": those it has

    @property
    def short_name(self) -> str:
        return self.name.rpartition("-")[0]

    @property
    def app_id(self) -> str:
        return self.name.rpartition("-")[2]


@dataclass
class FoundSpace:
    space_id: str
    user_id: str  # our mark when a stack created it
    settings: dict[str, Any]  # Space property -> value
    albums: list[str] = field(default_factory=list)


@dataclass
class FoundLibrary:
    library: smh.Library
    region: str
    settings: dict[str, Any]  # MediaLibrary property -> value, the declarable ones
    mark: str = ""
    spaces: list[FoundSpace] = field(default_factory=list)
    albums: list[str] = field(default_factory=list)  # a single-tenant multi-album library's albums


@dataclass
class Account:
    buckets: list[FoundBucket]
    libraries: list[FoundLibrary]
    skipped: list[str] = field(default_factory=list)  # what could not be read, one line each


def scan(settings: Settings, regions: list[str] | None = None) -> Account:
    """Every bucket of `regions` (all regions when None) and every library on one of them."""
    settings.require()
    lister = cos.client(settings, (regions or [settings.region or "ap-guangzhou"])[0])
    listed = [b for region in (regions or [None]) for b in cos.list_buckets(lister, region)]
    account = Account([], [])
    for item in sorted(listed, key=lambda b: (b.get("Location") or "", b.get("Name") or "")):
        account.buckets.append(_bucket(settings, str(item["Name"]), str(item.get("Location") or ""), account))
    where = {b.name: b.region for b in account.buckets}
    for lib in sorted(smh.list_libraries(smh.client(settings)), key=lambda x: (x.bucket, x.name, x.id)):
        region = str(lib.raw.get("BucketRegion") or where.get(lib.bucket) or "")
        if lib.bucket not in where:
            account.skipped.append(f"library {lib.id} ({lib.name!r}): its bucket {lib.bucket or '(none)'} is not "
                                   "among the buckets listed" + (f" in {', '.join(regions)}" if regions else ""))
            continue
        account.libraries.append(_library(settings, lib, region, account))
    return account


def _bucket(settings: Settings, name: str, region: str, account: Account) -> FoundBucket:
    c = cos.client(settings, region)
    found = FoundBucket(name, region)
    try:
        found.acl = cos.get_acl(c, name)
        found.tags, found.mark = ownership.split_tags(cos.get_tags(c, name))
    except NotFound:
        account.skipped.append(f"bucket {name}: gone while listing")
    try:
        cos.find_media_binding(c, name, region)
        found.media_processing = True
    except NotFound:
        pass
    for setting, find in BUCKET_SETTINGS.items():
        try:
            find(c, name)
            found.settings.append(setting)
        except NotFound:
            pass
    return found


# The bucket sub-settings a bucket may have (BucketCors, BucketLifecycle, BucketReferer): each finder raises NotFound
# when the bucket has none.
BUCKET_SETTINGS = {"cors": cos_config.find_cors, "lifecycle": cos_config.find_lifecycle,
                   "referer": cos_config.find_referer}


# MediaLibrary properties a program declares (the rest are outputs, bookkeeping or Pulumi-only switches).
LIBRARY_SETTINGS = tuple(smh.SETTINGS)


def _library(settings: Settings, lib: smh.Library, region: str, account: Account) -> FoundLibrary:
    declared: dict[str, Any] = {"library_name": lib.name, "remark": lib.remark or None}
    for name in LIBRARY_SETTINGS:
        value = lib.settings.get(name)
        if name == "quota_bytes" and not lib.quota_enabled:
            value = None
        if value is not None and value != [] and not (name == "recycle_days" and value == 0):
            declared[name] = value
    tags, mark = ownership.split_tags(lib.tags)
    if tags:
        declared["tags"] = tags
    found = FoundLibrary(lib, region, declared, mark)
    plane = DataPlane(settings, lib.id)
    try:
        if lib.settings.get("multi_tenant"):
            for entry in sorted(plane.list_spaces(), key=lambda s: s.space_id):
                found.spaces.append(_space(plane, entry.space_id, entry.user_id))
        elif lib.settings.get("multi_album"):
            found.albums = sorted(plane.album_names("-"))
    except NotFound as err:
        account.skipped.append(f"library {lib.id}: {err}")
    return found


def _space(plane: DataPlane, space_id: str, user_id: str) -> FoundSpace:
    raw = plane.find_space(space_id)
    declared = {k: v for k, v in raw.items() if v is not None and v != [] and not (k == "space_tag" and not v)}
    quota = plane.get_space_quota(space_id)
    if quota is not None:
        declared["quota_bytes"] = quota
    albums = sorted(plane.album_names(space_id)) if raw.get("multi_album") else []
    return FoundSpace(space_id, user_id, declared, albums)
