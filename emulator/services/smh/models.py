"""SMH control-plane backend (API 3.0, 2021-07-12): media libraries, one method per action.

State: kind "library", key = LibraryId; the doc holds the Library fields as DescribeLibraries returns
them plus "app_id"/"owner_uin" (the owner), "secret" and "created" (unix time). Tenant spaces are kind
"space", key "<LibraryId>/<SpaceId>", owned by the data plane. Methods raise Api3Error and return plain data.
"""

from __future__ import annotations

import re
import secrets
import string
import time
from datetime import UTC, datetime
from typing import Any

from emulator.accounts import Account
from emulator.errors import Api3Error
from emulator.regions import COS_REGIONS
from emulator.services.base import Context
from emulator.services.cos.models import CosBackend  # makes the bucket of --library-bucket ignored
from emulator.services.smh import extension

MAX_NAME = 50
MAX_REMARK = 250
MAX_TAGS = 50
MAX_IDS = 100
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
BUCKET_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-(?P<app_id>\d+)$")
ID_CHARS = string.ascii_lowercase + string.digits
PUBLIC_FIELDS = (
    "LibraryId",
    "Name",
    "Remark",
    "BucketName",
    "BucketRegion",
    "AccessDomain",
    "CreationTime",
    "LibraryExtension",
    "Size",
    "DirNum",
    "FileNum",
    "Tags",
)


DATA_PLANE_KINDS = ("smh_token", "smh_dir", "smh_file", "smh_quota", "smh_recycled", "smh_counter", "smh_roles",
                    "smh_user", "smh_group", "smh_member", "smh_grant")


def _missing(name: str) -> Api3Error:
    return Api3Error("MissingParameter", f"The request is missing a required parameter `{name}`")


def _invalid(message: str, code: str = "InvalidParameterValue") -> Api3Error:
    return Api3Error(code, message)


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """The `Library` structure of DescribeLibraries (no secret, no owner)."""
    base = {"Size": "0", "DirNum": "0", "FileNum": "0"}
    return {name: doc.get(name, base.get(name)) for name in PUBLIC_FIELDS}


class SmhBackend:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store

    # -- helpers ------------------------------------------------------------------------------
    def _library(self, account: Account, library_id: str | None) -> dict[str, Any]:
        """The caller's library or ResourceNotFound.Library; another APPID's library is not found either."""
        if not library_id:
            raise _missing("LibraryId")
        doc = self.store.get("library", library_id)
        if doc is None or doc["app_id"] != account.app_id:
            raise Api3Error("ResourceNotFound.Library", f"The library `{library_id}` does not exist")
        return doc

    @staticmethod
    def _check_text(name: str | None, remark: str | None, too_long: str) -> None:
        if name is not None and not name.strip():
            raise _invalid("Name must not be empty")
        if name is not None and len(name) > MAX_NAME:
            raise _invalid(f"Name must be at most {MAX_NAME} characters, got {len(name)}", too_long)
        if remark is not None and len(remark) > MAX_REMARK:
            raise _invalid(f"Remark must be at most {MAX_REMARK} characters, got {len(remark)}", too_long)

    @staticmethod
    def _check_tags(tags: list[dict[str, str]]) -> list[dict[str, str]]:
        """Tags as stored; the limits are explained in create_library."""
        if len(tags) > MAX_TAGS:
            raise _invalid(f"At most {MAX_TAGS} tags are allowed, got {len(tags)}")
        seen: set[str] = set()
        for i, tag in enumerate(tags):
            key, value = tag.get("TagKey"), tag.get("TagValue")
            if key is None:
                raise _missing(f"Tags.{i}.TagKey")
            if value is None:
                raise _missing(f"Tags.{i}.TagValue")
            if not key or len(key) > 127 or len(value) > 255:
                raise _invalid(f"Tags.{i}: TagKey must be 1..127 and TagValue 0..255 characters")
            if key in seen:
                raise _invalid(f"Tags.{i}: duplicate TagKey `{key}`")
            seen.add(key)
        return [{"TagKey": t["TagKey"], "TagValue": t["TagValue"]} for t in tags]

    def _check_bucket(self, account: Account, bucket: str | None, region: str | None) -> bool:
        """Validate the optional bucket binding (order explained in create_library); True for a MAZ bucket."""
        if bucket is None and region is None:
            return False
        if bucket is None or region is None:
            raise _missing("BucketName" if bucket is None else "BucketRegion")
        if region not in COS_REGIONS:
            raise _invalid(
                f"BucketRegion `{region}` is not a valid region", "InvalidParameterValue.BucketRegionInvalid"
            )
        m = BUCKET_NAME.match(bucket)
        if not m:
            raise _invalid(
                f"BucketName `{bucket}` is not a valid <name>-<APPID> bucket name",
                "InvalidParameterValue.BucketNameInvalid",
            )
        doc = self.store.get("bucket", bucket)
        if m["app_id"] != account.app_id or (doc is not None and doc["app_id"] != account.app_id):
            raise _invalid(
                f"The bucket `{bucket}` does not belong to you", "InvalidParameterValue.BucketNameNotBelongYou"
            )
        if doc is None:
            raise _invalid(f"The bucket `{bucket}` does not exist", "InvalidParameterValue.BucketNotFound")
        if doc["region"] != region:
            raise _invalid(
                f"The bucket `{bucket}` is not in region `{region}`", "InvalidParameterValue.BucketRegionInvalid"
            )
        return bool(doc.get("maz"))

    def _chosen_bucket(self, account: Account, region: str) -> str:
        """`--library-bucket ignored`: a new bucket `smh-<random>-<appid>` in `region`, made through COS (so it
        is listed, owned by the caller, and goes with the library; see delete_library)."""
        while True:
            name = "smh-" + "".join(secrets.choice(ID_CHARS) for _ in range(10)) + f"-{account.app_id}"
            if self.store.get("bucket", name) is None:
                CosBackend(self.ctx).put_bucket(account, name, region, None, [], {}, False)
                return name

    def _new_id(self) -> str:
        while True:
            library_id = "smh" + "".join(secrets.choice(ID_CHARS) for _ in range(13))
            if self.store.get("library", library_id) is None:
                return library_id

    # -- actions ------------------------------------------------------------------------------
    def create_library(
        self,
        account: Account,
        name: str | None,
        remark: str | None,
        bucket_name: str | None,
        bucket_region: str | None,
        library_extension: dict[str, Any] | None,
        tags: list[dict[str, str]] | None,
        api_region: str | None = None,
    ) -> dict[str, Any]:
        """Create a media library; returns the stored doc.

        Two answers, chosen with `--library-bucket` (EMULATOR_LIBRARY_BUCKET): "honoured" (the default, as the
        project's seed facts) binds BucketName/BucketRegion as below; "ignored" follows the SDK's field doc since
        3.0.919 ("当前版本不再支持指定存储桶": the current version no longer supports choosing the bucket).

        Fidelity gap: which of the two answers the live service gives is UNVERIFIED. With `ignored` the
        parameters are accepted unchecked and the library goes to a bucket the emulator creates,
        `smh-<10 random>-<APPID>` in BucketRegion (else the request's X-TC-Region, else ap-guangzhou), which
        DescribeLibraries reports and DeleteLibrary removes with the library (with its objects); that name
        pattern and that fate on delete are the emulator's choice.

        Fidelity gap: without BucketName/BucketRegion the library gets an SMH-managed bucket, shown as empty
        BucketName/BucketRegion strings; the managed bucket counts as non-MAZ, so MAZ_ storage classes are
        stored without the prefix. INTELLIGENT_TIERING is accepted on any bucket (bucket tiering is not
        modelled, so CosStorageClassIntelligentTiering is never returned). Library names need not be unique.
        Fidelity gap: too-long Name/Remark answer plain InvalidParameterValue here (CreateLibrary's documented
        codes have no LimitExceeded), but InvalidParameterValue.LimitExceeded in ModifyLibrary.
        Fidelity gap: extension fields that a library kind does not have (e.g. AllowPhoto on a file or
        multi-space library) are refused with InvalidParameterValue rather than ignored.
        Fidelity gap: bucket checks run in this order: both-or-neither (MissingParameter), region id
        (BucketRegionInvalid), name syntax (BucketNameInvalid), APPID suffix or owner (BucketNameNotBelongYou,
        also for a name with another APPID that does not exist), existence (BucketNotFound), the bucket's region
        (BucketRegionInvalid). A bucket may back several libraries (BucketNotSupport is never returned).
        Fidelity gap: tag limits are the generic Tencent Cloud ones (50 tags, TagKey 1..127 and TagValue
        0..255 characters, unique keys); SMH documents none of its own.
        Fidelity gap: with EnableFileHistory and no FileHistoryCount/FileHistoryExpireDay the defaults are
        999 versions kept forever (0 days); the real defaults are undocumented.
        """
        if name is None:
            raise _missing("Name")
        self._check_text(name, remark, "InvalidParameterValue")
        clean_tags = self._check_tags(tags or [])
        managed = self.ctx.library_bucket == "ignored"
        with self.store.transaction():
            if managed:
                region = next((r for r in (bucket_region, api_region) if r in COS_REGIONS), "ap-guangzhou")
                bucket_name, bucket_region, maz = self._chosen_bucket(account, region), region, False
            else:
                maz = self._check_bucket(account, bucket_name, bucket_region)
            ext = extension.for_create(library_extension or {}, maz)
            library_id = self._new_id()
            now = time.time()
            doc = {
                "LibraryId": library_id,
                "Name": name,
                "Remark": remark or "",
                "BucketName": bucket_name or "",
                "BucketRegion": bucket_region or "",
                "AccessDomain": f"{library_id}.api.tencentsmh.cn",
                "CreationTime": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "LibraryExtension": ext,
                "Size": "0",
                "DirNum": "0",
                "FileNum": "0",
                "Tags": clean_tags,
                "app_id": account.app_id,
                "owner_uin": account.owner_uin,
                "secret": secrets.token_hex(32),
                "created": now,
                "managed_bucket": managed,
            }
            self.store.put("library", library_id, doc)
        return doc

    def describe_libraries(
        self,
        account: Account,
        library_ids: list[str] | None,
        page_number: int | None,
        page_size: int | None,
        offset: int | None,
        limit: int | None,
        tag_filters: list[dict[str, Any]] | None,
    ) -> tuple[int, list[dict[str, Any]]]:
        """The caller's libraries, filtered and paged; returns (TotalCount, page).

        Fidelity gap: unknown (or other accounts') LibraryIds are silently omitted, not an error; an empty
        LibraryIds list filters nothing. When Offset or Limit is given they win over PageNumber/PageSize
        (defaults Offset 0, Limit 20). Results are in creation order, oldest first. Several TagFilters must all
        match; within one filter any listed value matches, and an empty TagValue list matches any value.
        """
        if library_ids is not None and len(library_ids) > MAX_IDS:
            raise _invalid(
                f"At most {MAX_IDS} LibraryIds per request, got {len(library_ids)}",
                "InvalidParameterValue.LimitExceeded",
            )
        for name, value in (("PageSize", page_size), ("Limit", limit)):
            if value is not None and value > MAX_PAGE_SIZE:
                raise _invalid(
                    f"{name} must be at most {MAX_PAGE_SIZE}, got {value}", "InvalidParameterValue.LimitExceeded"
                )
        for name, value, low in (
            ("PageNumber", page_number, 1),
            ("PageSize", page_size, 1),
            ("Offset", offset, 0),
            ("Limit", limit, 1),
        ):
            if value is not None and value < low:
                raise _invalid(f"{name} must be at least {low}, got {value}")
        if offset is not None or limit is not None:
            start, size = offset or 0, limit or DEFAULT_PAGE_SIZE
        else:
            size = page_size or DEFAULT_PAGE_SIZE
            start = ((page_number or 1) - 1) * size
        docs = [d for _, d in self.store.items("library") if d["app_id"] == account.app_id]
        if library_ids:
            wanted = set(library_ids)
            docs = [d for d in docs if d["LibraryId"] in wanted]
        for i, f in enumerate(tag_filters or []):
            key, values = f.get("TagKey"), f.get("TagValue") or []
            if key is None:
                raise _missing(f"TagFilters.{i}.TagKey")
            docs = [
                d
                for d in docs
                if any(t["TagKey"] == key and (not values or t["TagValue"] in values) for t in d.get("Tags") or [])
            ]
        docs.sort(key=lambda d: (d["created"], d["LibraryId"]))
        return len(docs), [self._usage(public(d)) for d in docs[start : start + size]]

    def modify_library(
        self,
        account: Account,
        library_id: str | None,
        name: str | None,
        remark: str | None,
        library_extension: dict[str, Any] | None,
        tags: list[dict[str, str]] | None,
    ) -> None:
        """Change only the passed fields.

        Fidelity gap: an immutable LibraryExtension field (IsFileLibrary, IsMultiSpace, CosStorageClass,
        IsMultiAlbum, EnableQuota) equal to its current value is accepted silently; a different value answers
        InvalidParameterValue naming the field. LibraryQuota can be changed only on libraries created with
        EnableQuota. Tags, when passed, replace the whole tag list ([] removes all tags).
        """
        self._check_text(name, remark, "InvalidParameterValue.LimitExceeded")
        clean_tags = self._check_tags(tags) if tags is not None else None
        with self.store.transaction():
            doc = self._library(account, library_id)
            if library_extension:
                doc["LibraryExtension"] = extension.for_modify(doc["LibraryExtension"], library_extension)
            if name is not None:
                doc["Name"] = name
            if remark is not None:
                doc["Remark"] = remark
            if clean_tags is not None:
                doc["Tags"] = clean_tags
            self.store.put("library", doc["LibraryId"], doc)

    def delete_library(self, account: Account, library_id: str | None) -> None:
        """Delete a library; refused while tenant spaces remain (ResourceInUse.MultiSpace).

        Fidelity gap: files stored in a single-space library do not block deletion.
        """
        with self.store.transaction():
            doc = self._library(account, library_id)
            if self.store.count("space", f"{doc['LibraryId']}/") > 0:
                raise Api3Error(
                    "ResourceInUse.MultiSpace", f"The library `{library_id}` still has tenant spaces; delete them first"
                )
            self.store.delete("library", doc["LibraryId"])
            for kind in DATA_PLANE_KINDS:  # the data plane's records go with the library
                self.store.delete_prefix(kind, f"{doc['LibraryId']}/")
            if doc.get("managed_bucket"):  # the bucket the emulator chose (--library-bucket ignored) goes too
                for kind in ("object", "upload"):
                    self.store.delete_prefix(kind, f"{doc['BucketName']}/")
                self.store.delete("bucket", doc["BucketName"])

    def describe_library_secret(self, account: Account, library_id: str | None) -> str:
        return self._library(account, library_id)["secret"]

    def inventory(self) -> list[dict[str, Any]]:
        return [self._usage(public(d)) | {"app_id": d["app_id"]} for _, d in self.store.items("library")]

    def _usage(self, lib: dict[str, Any]) -> dict[str, Any]:
        """Size, DirNum and FileNum from the data plane's directories and files (strings, as the API)."""
        prefix = f"{lib['LibraryId']}/"
        files = self.store.items("smh_file", prefix)
        lib["FileNum"] = str(len(files))
        lib["DirNum"] = str(self.store.count("smh_dir", prefix))
        lib["Size"] = str(sum(int(d.get("size") or 0) for _, d in files))
        return lib
