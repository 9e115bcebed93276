"""BucketCors: the CORS rules of a bucket (PUT/GET/DELETE Bucket cors), so web pages can upload to it.

Replace-only: bucket, region. In place: rules (COS replaces all rules in one PUT), adopt. Delete removes the
bucket's CORS configuration. Preview checks each rule: origins `scheme://host[:port]` with at most one `*` (or `*`
alone), methods from COS's list, header names, max age, unique ids, at most 100 rules.

`BucketCors.smh_browser_uploads(origins)` is the rule an SMH library's web page needs: SMH answers an upload with
a COS host, path and pre-signed headers, and the browser sends the bytes to the bound bucket itself (Tencent's SMH
guide: browser uploads need CORS on that bucket first).
"""

from __future__ import annotations

from typing import Any

import pulumi

from smh_provider.clients import cos_config
from smh_provider.resources import bucket_rules
from smh_provider.resources._base import Prop
from smh_provider.resources._bucket_setting import BucketSetting, BucketSettingProvider, SettingCalls, setting_props

BROWSER_UPLOAD_RULE_ID = "smh-browser-uploads"
PROPS = setting_props(
    Prop("rules", "objects", default=[],
         doc="CORS rules: {id, allowed_origins, allowed_methods, allowed_headers, expose_headers, max_age_seconds}"),
)


class BucketCorsProvider(BucketSettingProvider):
    props = PROPS
    type_label = "BucketCors"
    label = "CORS rules"
    calls = SettingCalls(cos_config.find_cors, cos_config.put_cors, cos_config.delete_cors)
    canonical = staticmethod(bucket_rules.canonical_cors)

    def check_resource(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        return self.check_rules(inputs, inputs.get("rules"), bucket_rules.check_cors)


class BucketCors(BucketSetting, module="smh", name="BucketCors"):
    """The CORS rules of a COS bucket."""

    rules: pulumi.Output[list]

    def __init__(self, resource_name: str, *, bucket: pulumi.Input[str], region: pulumi.Input[str],
                 rules: pulumi.Input[list], adopt: bool = False, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(BucketCorsProvider(), resource_name, bucket, region, adopt, opts, rules=rules)

    @staticmethod
    def smh_browser_uploads(origins: list[str], max_age_seconds: int = 600) -> dict[str, Any]:
        """The CORS rule a web page of an SMH library needs on the bound bucket, for these page origins.

        Where each part comes from:
        - PUT: a simple upload sends the file's bytes to the COS `domain` and `path` that SMH's begin-upload answer
          names (SMH guide, product 1283, pages 75436-75438).
        - POST: large files go up in parts; COS's multipart initiate (`POST ?uploads`) and complete
          (`POST ?uploadId=`) are POSTs (COS API: Initiate/Complete Multipart Upload).
        - GET, HEAD: downloads are a 302 to a COS URL or a returned `cosUrl` (product 1339 page 49948, product 1283
          page 75432) that the page fetches from the bucket.
        - allowed headers `*`: the pre-signed `headers` of the begin-upload answer (Authorization,
          x-cos-security-token, Content-Type, ...) vary per upload, and the preflight must allow every one; COS's
          own JS SDK guide configures `*` (COS 436/43811).
        - expose ETag: the page reads each part's ETag to complete a multipart upload (the same COS JS SDK guide
          exposes ETag); x-cos-request-id: what a support ticket needs when an upload fails.
        - max age: how long a browser may cache the preflight (600 s by default; browsers cap it, e.g. 2 h).
        """
        return {"id": BROWSER_UPLOAD_RULE_ID, "allowed_origins": list(origins),
                "allowed_methods": ["PUT", "POST", "GET", "HEAD"], "allowed_headers": ["*"],
                "expose_headers": ["ETag", "x-cos-request-id"], "max_age_seconds": max_age_seconds}
