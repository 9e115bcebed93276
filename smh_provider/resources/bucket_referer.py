"""BucketReferer: hotlink protection of a bucket (PUT/GET Bucket referer), a white or black list of referers.

Replace-only: bucket, region. In place: referer_type, domains, allow_empty_referer, enabled, adopt. Delete switches
hotlink protection off (the SDK's delete_bucket_referer: PUT ?referer with an empty body). COS skips the check for
signed requests (URL or header) and answers 403 to refused unsigned reads (COS guide 436/13319).

Preview warns when a white list refuses the empty referer: apps and many players send no Referer, so the library's
own unsigned downloads (public-read libraries, `cosUrl` links) would get 403.
"""

from __future__ import annotations

from typing import Any

import pulumi

from smh_provider.clients import cos_config
from smh_provider.resources import bucket_rules, rules
from smh_provider.resources._base import Prop
from smh_provider.resources._bucket_setting import BucketSetting, BucketSettingProvider, SettingCalls, setting_props

TYPES = ("White-List", "Black-List")
PROPS = setting_props(
    Prop("referer_type", "str", default="White-List", rule=rules.one_of("referer_type", TYPES),
         doc="White-List: only these referers; Black-List: all but these"),
    Prop("domains", "list", default=[], rule=lambda v, _: "; ".join(bucket_rules.check_domains(v)) or None,
         doc="referer domains, prefix-matched: example.com, *.example.com, 10.0.0.1:8080 (at most 10)"),
    Prop("allow_empty_referer", "bool", default=True, doc="let requests without a Referer through"),
    Prop("enabled", "bool", default=True, doc="hotlink protection on (false keeps the list but switches it off)"),
)


def blocks_apps(referer_type: Any, allow_empty_referer: Any) -> bool:
    return referer_type == "White-List" and allow_empty_referer is False


class BucketRefererProvider(BucketSettingProvider):
    props = PROPS
    type_label = "BucketReferer"
    label = "referer rules"
    calls = SettingCalls(cos_config.find_referer, cos_config.put_referer, cos_config.delete_referer)

    def desired(self, inputs: dict[str, Any]) -> Any:
        return {k: inputs[k] for k in ("enabled", "referer_type", "domains", "allow_empty_referer")}


    def as_inputs(self, inputs: dict[str, Any], value: Any) -> dict[str, Any]:
        return {**inputs, **value}

    def describe(self, value: Any) -> str:
        return f"{value['referer_type']} of {len(value['domains'])} domain(s)"


class BucketReferer(BucketSetting, module="smh", name="BucketReferer"):
    """Hotlink protection (referer white or black list) of a COS bucket."""

    referer_type: pulumi.Output[str]
    domains: pulumi.Output[list]

    def __init__(self, resource_name: str, *, bucket: pulumi.Input[str], region: pulumi.Input[str],
                 domains: pulumi.Input[list], referer_type: pulumi.Input[str] = "White-List",
                 allow_empty_referer: pulumi.Input[bool] = True, enabled: pulumi.Input[bool] = True,
                 adopt: bool = False, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(BucketRefererProvider(), resource_name, bucket, region, adopt, opts,
                         referer_type=referer_type, domains=domains, allow_empty_referer=allow_empty_referer,
                         enabled=enabled)
        if blocks_apps(referer_type, allow_empty_referer) and enabled is not False:
            pulumi.log.warn(
                f"BucketReferer {resource_name!r}: a white list with allow_empty_referer=False refuses every unsigned "
                "request without a Referer. Apps, players and download tools send none, so the library's own "
                "unsigned downloads (public-read libraries, cosUrl links) would get 403; signed requests are not "
                "checked. Set allow_empty_referer=True unless only web pages may read.", resource=self)
