"""Bucket: a COS bucket for a media library, private by default.

Replace-only: bucket_name, app_id, region (a bucket's name and region never change; a new
name is a new bucket). In place: acl, tags, force_destroy. Delete refuses a bucket that still
holds objects or incomplete multipart uploads unless force_destroy, which removes every object
version and upload first.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from smh_provider.clients import cos
from smh_provider.errors import AlreadyOwned, NotFound, ProviderError
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop
from smh_provider.retry import DEFAULT_POLICY, wait_for

ACLS = ("private", "public-read", "public-read-write")
BUCKET_VISIBLE_TIMEOUT = 120.0

PROPS = (
    Prop("bucket_name", "str", replace=True, rule=rules.bucket_name, doc="bucket name without the -<appid> suffix"),
    Prop("app_id", "str", replace=True, rule=rules.app_id, doc="APPID of the owning account"),
    Prop("region", "str", replace=True, rule=rules.region, doc="COS region, e.g. ap-guangzhou"),
    Prop("acl", "str", default="private", rule=rules.one_of("acl", ACLS), doc="canned ACL"),
    Prop("tags", "map", default={}, rule=rules.tags, doc="bucket tags"),
    Prop("force_destroy", "bool", default=False, doc="on delete, remove every object and upload first"),
)


class BucketProvider(BaseProvider):
    props = PROPS
    type_label = "Bucket"
    unique_identity = ("bucket_name", "app_id")

    def _outs(self, inputs: dict[str, Any], acl: str | None = None, tags: dict[str, str] | None = None) -> dict:
        full = f"{inputs['bucket_name']}-{inputs['app_id']}"
        return {**inputs, "acl": acl if acl is not None else inputs["acl"],
                "tags": dict(sorted((tags if tags is not None else inputs["tags"]).items())),
                "bucket": full, "endpoint": f"{full}.cos.{inputs['region']}.myqcloud.com"}

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        full = f"{inputs['bucket_name']}-{inputs['app_id']}"
        c = cos.client(self.settings(), inputs["region"])
        first = True

        def attempt() -> bool:
            nonlocal first
            try:
                cos.create_bucket(c, full, inputs["acl"], inputs["tags"])
            except AlreadyOwned:
                if first:
                    raise
                return True  # an earlier attempt of ours landed
            finally:
                first = False
            return True

        try:
            DEFAULT_POLICY.create_once(attempt, lambda: cos.find_bucket(c, full), f"creating bucket {full}")
        except AlreadyOwned as err:
            raise ProviderError(
                f"creating bucket {full} (RequestId {err.request_id}): {err.code}: the bucket already exists in "
                "your account and is not managed by this stack. Choose another bucket_name, or delete the "
                "existing bucket first."
            ) from None
        wait_for("bucket-visible", lambda: cos.find_bucket(c, full), BUCKET_VISIBLE_TIMEOUT)
        return CreateResult(full, self._outs(inputs))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        c = cos.client(self.settings(), inputs["region"])
        head = DEFAULT_POLICY.call(lambda: cos.find_bucket(c, id_), f"reading bucket {id_}")
        if head is None:
            return ReadResult("", {})
        acl = DEFAULT_POLICY.call(lambda: cos.get_acl(c, id_))
        tags = DEFAULT_POLICY.call(lambda: cos.get_tags(c, id_))
        outs = self._outs(inputs, acl, tags)
        return ReadResult(id_, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        old, new = self.inputs_of(olds), self.inputs_of(news)
        c = cos.client(self.settings(), new["region"])
        if old["acl"] != new["acl"]:
            DEFAULT_POLICY.call(lambda: cos.put_acl(c, id_, new["acl"]))
        if old["tags"] != new["tags"]:
            DEFAULT_POLICY.call(lambda: cos.put_tags(c, id_, new["tags"]))
        return UpdateResult(self._outs(new))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        c = cos.client(self.settings(), inputs["region"])
        try:
            if inputs["force_destroy"]:
                DEFAULT_POLICY.call(lambda: cos.empty_bucket(c, id_), f"emptying bucket {id_}")
            else:
                objects, uploads = DEFAULT_POLICY.call(lambda: cos.is_empty(c, id_), f"deleting bucket {id_}")
                if objects or uploads:
                    raise ProviderError(
                        f"deleting bucket {id_}: it still holds {'objects' if objects else ''}"
                        f"{' and ' if objects and uploads else ''}"
                        f"{'incomplete multipart uploads' if uploads else ''}. Nothing was deleted. Empty it "
                        "yourself, or set force_destroy=True and run `pulumi up` before destroying to delete "
                        "every object with the bucket."
                    )
            DEFAULT_POLICY.call(lambda: cos.delete_bucket(c, id_), f"deleting bucket {id_}")
        except NotFound:
            return


class Bucket(Resource, module="smh", name="Bucket"):
    """A COS bucket (private read/write by default) to hold a media library."""

    bucket: pulumi.Output[str]
    region: pulumi.Output[str]
    acl: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    tags: pulumi.Output[dict]

    def __init__(self, resource_name: str, *, bucket_name: pulumi.Input[str], app_id: pulumi.Input[str],
                 region: pulumi.Input[str], acl: pulumi.Input[str] = "private",
                 tags: pulumi.Input[dict] | None = None, force_destroy: pulumi.Input[bool] = False,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        props = {"bucket_name": bucket_name, "app_id": app_id, "region": region, "acl": acl,
                 "tags": tags or {}, "force_destroy": force_destroy, "bucket": None, "endpoint": None}
        super().__init__(BucketProvider(), resource_name, props, opts)
