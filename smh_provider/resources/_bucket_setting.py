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

from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from smh_provider import ownership
from smh_provider.clients import cos
from smh_provider.errors import NotFound, ProviderError
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop, is_unknown
from smh_provider.resources.media_processing import _full_bucket, delete_bucket_part

BUCKET_PROPS = (
    Prop("bucket", "str", replace=True, rule=_full_bucket, doc="full bucket name <name>-<appid>"),
    Prop("region", "str", replace=True, rule=rules.region, doc="the bucket's region"),
)
ADOPT = Prop("adopt", "bool", default=False,
             doc="replace a configuration the bucket already has that this stack did not set")
OWNER = Prop("owner", "str", internal=True,
             doc="<project>/<stack>/<resource>: the configuration carries no mark, so this tells whether the bucket "
                 "is still this stack's")


def setting_props(*own: Prop) -> tuple[Prop, ...]:
    """A configuration's properties: the bucket's, its own, then adopt and the owner mark."""
    return (*BUCKET_PROPS, *own, ADOPT, OWNER)


class SettingCalls(NamedTuple):
    """The client's calls for one configuration (smh_provider/clients/cos_config.py)."""

    find: Callable[[Any, str], Any]  # the configuration, or NotFound (the configuration or the bucket missing)
    put: Callable[[Any, str, Any], None]
    delete: Callable[[Any, str], None]


class BucketSettingProvider(BaseProvider):
    """Subclasses name the configuration and its client calls, and map the checked inputs to the client's value
    (`desired`); by default the value is the `rules` input in its canonical form (`canonical`)."""

    label: ClassVar[str] = "configuration"
    unique_identity = ("bucket",)
    calls: ClassVar[SettingCalls]

    canonical: ClassVar[Callable[[list[Any]], list[dict[str, Any]]]]  # the rules as COS holds them

    # -- what subclasses provide -------------------------------------------------------------------
    def desired(self, inputs: dict[str, Any]) -> Any:
        return self.canonical(inputs["rules"])

    def check_rules(self, inputs: dict[str, Any], raw: Any,
                    check: Callable[[list[dict[str, Any]], list[Any]], list[str]]) -> list[tuple[str, str]]:
        """Put the declared rules `raw` into inputs in canonical form (the form read() returns, so diffs compare
        equal) and report what `check(canonical, raw)` finds wrong; nothing while a value is unknown."""
        if is_unknown(raw) or not isinstance(raw, list) or any(is_unknown(r) for r in raw):
            return []
        inputs["rules"] = self.canonical(raw)
        return [("rules", p) for p in check(inputs["rules"], raw)]

    def as_inputs(self, inputs: dict[str, Any], value: Any) -> dict[str, Any]:
        """The inputs that describe `value` as it is in the cloud (for read)."""
        return {**inputs, "rules": value}

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
            have = self.calls.find(c, bucket)
        except NotFound as err:
            if err.code == "NoSuchBucket":
                raise
            have = None
        if have is not None and have != want and not inputs["adopt"]:
            raise ProviderError(
                f"setting the {self.label} of bucket {bucket}: the bucket already has {self.label} "
                f"({self.describe(have)}) that differ from the declared ones and were not set by this stack. "
                + ownership.take_over_hint(f"{self.label} of bucket {bucket} (they are replaced)"))
        self.calls.put(c, bucket, want)
        return CreateResult(bucket, inputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        try:
            have = self.calls.find(self._client(inputs), id_)
        except NotFound:  # the configuration or the bucket is gone
            return ReadResult("", {})
        return ReadResult(id_, self.as_inputs(inputs, have))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs = self.inputs_of(news)
        self.calls.put(self._client(inputs), id_, self.desired(inputs))
        return UpdateResult(inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        delete_bucket_part(self.settings(), id_, inputs["region"], inputs.get("owner"),
                           lambda c: self.calls.delete(c, id_), of=f"these {self.label}",
                           doing=f"deleting the {self.label} of bucket {id_}", what=f"the {self.label} of bucket {id_}")


class BucketSetting(Resource):
    """The resource side: subclasses pass their provider and their own properties."""

    bucket: pulumi.Output[str]
    region: pulumi.Output[str]

    def __init__(self, provider: BucketSettingProvider, resource_name: str, bucket: pulumi.Input[str],
                 region: pulumi.Input[str], adopt: bool, opts: pulumi.ResourceOptions | None, **props: Any) -> None:
        super().__init__(provider, resource_name, {"bucket": bucket, "region": region, **props, "adopt": adopt,
                                                   "owner": ownership.mark(resource_name)}, opts)
