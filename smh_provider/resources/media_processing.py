"""MediaProcessing: CI media processing switched on for a bucket (POST /mediabucket).

Without it SMH cannot extract video covers. Replace-only: bucket, region. Create binds and waits
until the binding is listed; delete unbinds; a bucket that is already gone counts as unbound.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from smh_provider import ownership, preflight
from smh_provider.clients import cos
from smh_provider.config import Settings
from smh_provider.errors import AlreadyOwned, NotFound
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop
from smh_provider.retry import wait_for

BINDING_VISIBLE_TIMEOUT = 120.0
FULL_BUCKET = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-[1-9][0-9]{4,11}$"


def _full_bucket(value: str, _: Any) -> str | None:
    if not re.match(FULL_BUCKET, value or ""):
        return f"bucket {rules.shown(value)} must be the full bucket name '<name>-<appid>', e.g. photos-1250000000"
    return None


def delete_bucket_part(settings: Settings, bucket: str, region: str, owner: str | None,
                       remove: Callable[[Any], None], *, of: str, doing: str, what: str) -> None:
    """Remove a part of a bucket that carries no mark of its own (media processing, a configuration) with
    `remove(client)`, after the delete preflight (`doing`: the step it names). Nothing is removed when the bucket
    belongs to another stack now (a warning names `the bucket <bucket> of <of>`: it goes with the bucket); a bucket
    already gone is fine. `what` is the thing deleted, as a later refusal names it."""
    c = cos.client(settings, region)
    stack = ownership.stack_of(owner)
    try:
        tags = cos.get_tags(c, bucket)
        found = tags.get(ownership.OWNER_TAG, "")
        if stack and found and ownership.stack_of(found) != stack:
            ownership.warn_gone(f"the bucket {bucket} of {of}", found)
            return
        preflight.check_tree(f"bucket:{bucket}", lambda: preflight.bucket_ancestor(
            settings, bucket, region, stack, tags=tags), doing)
        remove(c)
        preflight.deleted(what)
    except NotFound:
        return


PROPS = (
    Prop("bucket", "str", replace=True, rule=_full_bucket, doc="full bucket name <name>-<appid>"),
    Prop("region", "str", replace=True, rule=rules.region, doc="the bucket's region"),
    Prop("owner", "str", internal=True,
         doc="<project>/<stack>/<resource>: a binding carries no mark, so this tells whether the bucket is ours"),
)


class MediaProcessingProvider(BaseProvider):
    props = PROPS
    type_label = "MediaProcessing"
    unique_identity = ("bucket",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        bucket, region = inputs["bucket"], inputs["region"]
        c = cos.client(self.settings(), region)
        try:
            # Binding is idempotent in effect: a second bind is refused with MediaBucketAlreadyBinded.
            cos.bind_media(c, bucket)
        except AlreadyOwned:
            pass
        binding = wait_for("media-binding-listed", lambda: cos.find_media_binding(c, bucket, region),
                           BINDING_VISIBLE_TIMEOUT, doing=f"switching on media processing for bucket {bucket}")
        return CreateResult(bucket, {**inputs, "enabled_at": str(binding.get("CreateTime") or "")})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        c = cos.client(self.settings(), inputs["region"])
        try:
            binding = cos.find_media_binding(c, id_, inputs["region"])
        except NotFound:
            return ReadResult("", {})
        return ReadResult(id_, {**inputs, "enabled_at": str(binding.get("CreateTime") or props.get("enabled_at"))})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**self.inputs_of(news), "enabled_at": olds.get("enabled_at")})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        delete_bucket_part(self.settings(), id_, inputs["region"], inputs.get("owner"),
                           lambda c: cos.unbind_media(c, id_), of="media processing",
                           doing=f"switching off media processing for {id_}",
                           what=f"media processing of bucket {id_}")


class MediaProcessing(Resource, module="smh", name="MediaProcessing"):
    """Media processing (数据万象 媒体处理) switched on for a bucket."""

    bucket: pulumi.Output[str]
    region: pulumi.Output[str]
    enabled_at: pulumi.Output[str]

    def __init__(self, resource_name: str, *, bucket: pulumi.Input[str], region: pulumi.Input[str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(MediaProcessingProvider(), resource_name, {"bucket": bucket, "region": region,
                         "owner": ownership.mark(resource_name), "enabled_at": None}, opts)
