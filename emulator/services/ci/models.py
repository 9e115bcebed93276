"""CI media-processing backend: which buckets have media processing bound, one method per action.

State: kind "media_bucket", key = full bucket name, doc {"bucket", "region", "app_id", "created"}.
COS owns the "bucket" documents and deletes the binding together with its bucket.
Methods take the calling account and plain values, raise CiError, and return plain data.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from emulator.accounts import Account
from emulator.errors import CiError
from emulator.services.base import Context

BEIJING = timezone(timedelta(hours=8))
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100


def ci_time(now: datetime | None = None) -> str:
    """CreateTime as the documented example writes it: `2019-11-15T12:12:12+0800`."""
    return (now or datetime.now(BEIJING)).astimezone(BEIJING).strftime("%Y-%m-%dT%H:%M:%S%z")


class CiBackend:
    def __init__(self, ctx: Context) -> None:
        self.store = ctx.store

    def _own_bucket(self, account: Account, bucket: str, region: str) -> dict[str, Any]:
        """The COS bucket doc, checked for ownership, existence and region (see create_media_bucket)."""
        app_id = bucket.rpartition("-")[2]
        doc = self.store.get("bucket", bucket)
        if app_id != account.app_id or (doc is not None and doc["app_id"] != account.app_id):
            raise CiError(403, "AccessDenied", f"You have no permission on bucket {bucket}.")
        if doc is None or doc["region"] != region:
            raise CiError(400, "ResourceNotFound", f"The bucket {bucket} does not exist in region {region}.")
        return doc

    def create_media_bucket(self, account: Account, bucket: str, region: str) -> dict[str, Any]:
        """Bind media processing to a bucket (POST /mediabucket).

        Fidelity gap: the answer for a missing bucket is undocumented; the emulator answers 400 ResourceNotFound
        (a code of the documented CI table), also when the bucket lives in another region than the host names.
        A bucket named with another APPID, or owned by another account, answers 403 AccessDenied.
        Fidelity gap: POST/DELETE /mediabucket on a Host without a bucket (ci.<region>.myqcloud.com or a bare
        address) answers 400 InvalidHost.
        Fidelity gap: no queues or CI_QCSRole are modelled, so CIRoleNotExist is never returned and the
        binding is visible to DescribeMediaBuckets at once.
        """
        with self.store.transaction():
            self._own_bucket(account, bucket, region)
            if self.store.get("media_bucket", bucket) is not None:
                raise CiError(
                    403, "MediaBucketAlreadyBinded", f"The bucket {bucket} has already bound media processing."
                )
            doc = {"bucket": bucket, "region": region, "app_id": account.app_id, "created": ci_time()}
            self.store.put("media_bucket", bucket, doc)
        return doc

    def describe_media_buckets(
        self,
        account: Account,
        regions: list[str],
        bucket_names: list[str],
        prefix: str,
        page_number: int,
        page_size: int,
    ) -> tuple[int, list[dict[str, Any]]]:
        """The caller's bound buckets, filtered and paged; returns (total count, page).

        Fidelity gap: an empty `regions` (or `All`) means every region; region ids that do not exist simply
        match nothing instead of being refused. Results are ordered by bucket name. A GET /mediabucket sent to
        a bucket host (`<bucket>.ci.<region>...`) is answered like one sent to the regional host.
        """
        wanted_regions = set() if any(r.lower() == "all" for r in regions) else set(regions)
        docs = [d for _, d in self.store.items("media_bucket") if d["app_id"] == account.app_id]
        if wanted_regions:
            docs = [d for d in docs if d["region"] in wanted_regions]
        if bucket_names:
            docs = [d for d in docs if d["bucket"] in bucket_names]
        if prefix:
            docs = [d for d in docs if d["bucket"].startswith(prefix)]
        start = (page_number - 1) * page_size
        return len(docs), docs[start : start + page_size]

    def delete_media_bucket(self, account: Account, bucket: str, region: str) -> None:
        """Unbind media processing from a bucket (DELETE /mediabucket); objects are untouched.

        Fidelity gap: unbinding a bucket that is not bound is undocumented; the emulator answers
        400 ResourceNotFound, the same code as for a missing bucket, so a client can treat both as "gone".
        """
        with self.store.transaction():
            self._own_bucket(account, bucket, region)
            if not self.store.delete("media_bucket", bucket):
                raise CiError(400, "ResourceNotFound", f"The bucket {bucket} has not bound media processing.")

    def inventory(self) -> list[dict[str, Any]]:
        return [d for _, d in self.store.items("media_bucket")]
