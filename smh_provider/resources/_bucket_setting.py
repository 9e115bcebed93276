"""What BucketCors, BucketLifecycle and BucketReferer share: one configuration of one bucket, its own resource.

A bucket sub-setting is keyed by the bucket (terraform-provider-aws `bucket_*_configuration`; MediaProcessing
here): its id is the full bucket name, and `bucket`/`region` are replace-only. Create puts the configuration,
update puts it again (COS replaces the whole configuration in one call), delete removes it, and read returns what
the bucket has now, so a refresh shows rules changed out of band as drift and `up` puts the declared ones back; a
configuration removed out of band (or a bucket gone) leaves the state.

Nothing is taken silently: a create that finds the bucket already configured with something else fails unless
`adopt=True` (there is no place for an ownership mark in these configurations). Finding exactly the declared
configuration is not a conflict: that is an earlier run that died after the PUT. Delete, like MediaProcessing's,
leaves a bucket that another stack has taken over alone, and runs the delete preflight first (preflight.py), so a
destroy whose bucket delete would be refused stops before it removes anything.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from smh_provider import ownership, preflight
from smh_provider.clients import cos
from smh_provider.errors import NotFound, ProviderError
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop
from smh_provider.resources.media_processing import _full_bucket

BUCKET_PROPS = (
    Prop("bucket", "str", replace=True, rule=_full_bucket, doc="full bucket name <name>-<appid>"),
    Prop("region", "str", replace=True, rule=rules.region, doc="the bucket's region"),
)
ADOPT = Prop("adopt", "bool", default=False,
             doc="replace a configuration the bucket already has that this stack did not set")
OWNER = Prop("owner", "str", internal=True,
             doc="<project>/<stack>/<resource>: the configuration carries no mark, so this tells whether the bucket "
                 "is still this stack's")


class BucketSettingProvider(BaseProvider):
    """Subclasses name the configuration and map the checked inputs to and from the client's value."""

    label: ClassVar[str] = "configuration"
    unique_identity = ("bucket",)

    # -- what subclasses provide -------------------------------------------------------------------
    def desired(self, inputs: dict[str, Any]) -> Any:
        raise NotImplementedError

    def fetch(self, c: Any, bucket: str) -> Any:
        """The configuration as the client returns it, or NotFound (the configuration or the bucket missing)."""
        raise NotImplementedError

    def store(self, c: Any, bucket: str, value: Any) -> None:
        raise NotImplementedError

    def remove(self, c: Any, bucket: str) -> None:
        raise NotImplementedError

    def as_inputs(self, inputs: dict[str, Any], value: Any) -> dict[str, Any]:
        """The inputs that describe `value` as it is in the cloud (for read)."""
        raise NotImplementedError

    def describe(self, value: Any) -> str:
        return f"{len(value)} rule(s)" if isinstance(value, list) else "a configuration"

    # -- CRUD ----------------------------------------------------------------------------------------
    def _client(self, inputs: dict[str, Any]) -> Any:
        return cos.client(self.settings(), inputs["region"])

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        bucket, c = inputs["bucket"], self._client(inputs)
        want = self.desired(inputs)
        try:
            have = self.fetch(c, bucket)
        except NotFound as err:
            if err.code == "NoSuchBucket":
                raise
            have = None
        if have is not None and have != want and not inputs["adopt"]:
            raise ProviderError(
                f"setting the {self.label} of bucket {bucket}: the bucket already has {self.label} "
                f"({self.describe(have)}) that differ from the declared ones and were not set by this stack. "
                + ownership.take_over_hint(f"{self.label} of bucket {bucket} (they are replaced)"))
        self.store(c, bucket, want)
        return CreateResult(bucket, inputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        try:
            have = self.fetch(self._client(inputs), id_)
        except NotFound:  # the configuration or the bucket is gone
            return ReadResult("", {})
        return ReadResult(id_, self.as_inputs(inputs, have))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs = self.inputs_of(news)
        self.store(self._client(inputs), id_, self.desired(inputs))
        return UpdateResult(inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        settings = self.settings()
        c = cos.client(settings, inputs["region"])
        stack = ownership.stack_of(inputs.get("owner"))
        try:
            tags = cos.get_tags(c, id_)
            found = tags.get(ownership.OWNER_TAG, "")
            if stack and found and ownership.stack_of(found) != stack:
                ownership.warn_gone(f"the bucket {id_} of these {self.label}", found)
                return  # the bucket belongs to another stack now: its configuration is that stack's
            preflight.check_tree(f"bucket:{id_}", lambda: preflight.bucket_ancestor(
                settings, id_, inputs["region"], stack, tags=tags), f"deleting the {self.label} of bucket {id_}")
            self.remove(c, id_)
            preflight.deleted(f"the {self.label} of bucket {id_}")  # so a later refusal says it truly
        except NotFound:
            return
