"""BucketLifecycle: the lifecycle rules of a bucket (PUT/GET/DELETE Bucket lifecycle).

Replace-only: bucket, region. In place: rules, abort_incomplete_upload_days, allow_smh_paths, adopt. Delete removes
the bucket's lifecycle configuration.

By default it holds one rule: abort multipart uploads still incomplete after 7 days (SMH uploads large files in
parts, and abandoned parts are billed until aborted). `rules` adds rules after it; the state's `rules` is the whole
list that COS holds, so a refresh shows rules changed out of band. Preview refuses a rule that mixes dates and
days (COS refuses Days and Date in one rule), and any rule that expires or transitions objects unless
allow_smh_paths=True: SMH chooses the object keys of library files itself and that layout is not documented, so
such a rule could delete or move library files behind SMH's back.
"""

from __future__ import annotations

from typing import Any

import pulumi

from smh_provider.clients import cos_config
from smh_provider.resources import bucket_rules, rules
from smh_provider.resources._base import Prop, is_unknown
from smh_provider.resources._bucket_setting import BucketSetting, BucketSettingProvider, SettingCalls, setting_props

ABORT_RULE_ID = "smh-abort-incomplete-uploads"
PROPS = setting_props(
    Prop("rules", "objects", default=[],
         doc="lifecycle rules: {id, prefix, enabled, expiration_days | expiration_date, transitions [{days | date, "
             "storage_class}], abort_incomplete_upload_days, noncurrent_expiration_days}; the abort rule comes first"),
    Prop("abort_incomplete_upload_days", "int", default=7,
         rule=rules.int_range("abort_incomplete_upload_days", 0, 36500),
         doc="abort multipart uploads incomplete after this many days (a first rule for the whole bucket; 0: none)"),
    Prop("allow_smh_paths", "bool", default=False,
         doc="allow rules that expire or transition objects (they may hit library files)"),
)


def abort_rule(days: int) -> dict[str, Any]:
    return {"id": ABORT_RULE_ID, "prefix": "", "abort_incomplete_upload_days": days}


class BucketLifecycleProvider(BucketSettingProvider):
    props = PROPS
    type_label = "BucketLifecycle"
    label = "lifecycle rules"
    calls = SettingCalls(cos_config.find_lifecycle, cos_config.put_lifecycle, cos_config.delete_lifecycle)
    canonical = staticmethod(bucket_rules.canonical_lifecycle)

    def check_resource(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        raw, allow = inputs.get("rules"), inputs.get("allow_smh_paths")
        days = inputs.get("abort_incomplete_upload_days")
        if any(is_unknown(v) for v in (raw, days, allow)) or not isinstance(raw, list):
            return []
        full = ([abort_rule(days)] if days else []) + raw
        return self.check_rules(inputs, full, lambda rules, declared: bucket_rules.check_lifecycle(
            rules, declared, bool(allow)))


class BucketLifecycle(BucketSetting, module="smh", name="BucketLifecycle"):
    """The lifecycle rules of a COS bucket; by default, abort incomplete multipart uploads after 7 days."""

    rules: pulumi.Output[list]

    def __init__(self, resource_name: str, *, bucket: pulumi.Input[str], region: pulumi.Input[str],
                 rules: pulumi.Input[list] | None = None, abort_incomplete_upload_days: pulumi.Input[int] = 7,
                 allow_smh_paths: pulumi.Input[bool] = False, adopt: bool = False,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(BucketLifecycleProvider(), resource_name, bucket, region, adopt, opts, rules=rules or [],
                         abort_incomplete_upload_days=abort_incomplete_upload_days, allow_smh_paths=allow_smh_paths)
