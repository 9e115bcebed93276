"""Bucket: a COS bucket for a media library, private by default.

Replace-only: bucket_name, app_id, region (a bucket's name and region never change; a new
name is a new bucket). In place: acl, tags, force_destroy, owner, adopt. Delete refuses a bucket
that still holds objects or incomplete multipart uploads unless force_destroy, which removes every
object version and upload first.

The bucket carries this stack's ownership mark as the tag `pulumi:owner` (see ownership.py),
set in the PutBucket call itself. A create that meets the bucket already in the account adopts it
when the mark is ours (an earlier run died before saving state), takes it over when it has no mark
and adopt=True, or when its mark is exactly `adopt_from`, and otherwise fails saying whose it is
(ownership.may_take). `tags` never shows the mark; `owner` does. A bucket whose mark now names
another owner is gone for this stack: read reports it gone and delete leaves it in place.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from smh_provider import ownership, preflight, state
from smh_provider.clients import cos
from smh_provider.errors import AlreadyExists, AlreadyOwned, NotFound, ProviderError
from smh_provider.resources import rules
from smh_provider.resources._base import BaseProvider, Prop, is_unknown
from smh_provider.retry import wait_for

ACLS = ("private", "public-read", "public-read-write")
BUCKET_VISIBLE_TIMEOUT = 120.0

PROPS = (
    Prop("bucket_name", "str", replace=True, rule=rules.bucket_name, doc="bucket name without the -<appid> suffix"),
    Prop("app_id", "str", replace=True, rule=rules.app_id, doc="APPID of the owning account"),
    Prop("region", "str", replace=True, rule=rules.region, doc="COS region, e.g. ap-guangzhou"),
    Prop("acl", "str", default="private", rule=rules.one_of("acl", ACLS), doc="canned ACL"),
    Prop("tags", "map", default={}, rule=rules.tags, doc="bucket tags"),
    Prop("force_destroy", "bool", default=False, doc="on delete, remove every object and upload first"),
    Prop("owner", "str", quiet=True, doc="ownership mark <project>/<stack>/<resource>, set by the Bucket class"),
    Prop("adopt", "bool", default=False,
         doc="take over a bucket that already exists in the account without any ownership mark"),
    Prop("adopt_from", "str", rule=ownership.mark_rule,
         doc="take over a bucket that carries exactly this other stack's or resource's mark "
             "(<project>/<stack>/<resource>); that stack then no longer manages it"),
)


class BucketProvider(BaseProvider):
    props = PROPS
    type_label = "Bucket"
    unique_identity = ("bucket_name", "app_id")

    def known_outputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        if any(is_unknown(inputs.get(k)) for k in ("bucket_name", "app_id", "region")):
            return {}
        full = f"{inputs['bucket_name']}-{inputs['app_id']}"
        return {"bucket": full, "endpoint": f"{full}.cos.{inputs['region']}.myqcloud.com"}

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        if not olds and not result.failures:
            ownership.warn_takeover(f"Bucket {result.inputs.get('bucket')}", result.inputs.get("adopt_from"))
        return result

    def before_replace(self, id_: str, olds: dict[str, Any], replaces: list[str]) -> None:
        preflight.seen("bucket", id_, bool(replaces))
        if replaces:  # the old bucket goes first (same name), its libraries before it: refuse what would be refused
            old = self.inputs_of(olds)
            problems = preflight.bucket_problems(self.settings(), id_, old["region"], old["force_destroy"],
                                                 ownership.stack_of(old["owner"]))
            if problems:
                raise preflight.refuse(f"replacing bucket {id_} ({', '.join(replaces)} changed)", problems,
                                       preflight.WAY_OUT)
            preflight.checked(f"bucket:{id_}")

    def _outs(self, inputs: dict[str, Any], acl: str | None = None, tags: dict[str, str] | None = None) -> dict:
        full = f"{inputs['bucket_name']}-{inputs['app_id']}"
        return {**inputs, "acl": acl if acl is not None else inputs["acl"],
                "tags": dict(sorted((tags if tags is not None else inputs["tags"]).items())),
                "bucket": full, "endpoint": f"{full}.cos.{inputs['region']}.myqcloud.com",
                "force_tag": bool(inputs["force_destroy"])}

    def plan(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return preflight.retag(super().plan(id_, olds, news), olds)

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        full = f"{inputs['bucket_name']}-{inputs['app_id']}"
        c = cos.client(self.settings(), inputs["region"])
        owner = inputs["owner"]
        doing = f"creating bucket {full}"

        def ours() -> bool | None:
            """After a failed attempt: True when the bucket is there with our mark (that attempt landed)."""
            try:
                cos.find_bucket(c, full)
            except NotFound:
                return None
            return True if ownership.split_tags(cos.get_tags(c, full))[1] == owner and owner else None

        try:
            cos.create_bucket(c, full, inputs["acl"], self._tags(inputs), landed=ours)
        except AlreadyOwned as err:
            self._take_existing(c, full, inputs, err)
        except AlreadyExists as err:
            raise ProviderError(
                f"{doing} (RequestId {err.request_id}): {err.code}: bucket names are global per APPID and this one "
                "belongs to another account. Choose another bucket_name.") from None
        wait_for("bucket-visible", lambda: cos.find_bucket(c, full), BUCKET_VISIBLE_TIMEOUT, doing=doing)
        return CreateResult(full, self._outs(inputs))

    def _take_existing(self, c: Any, full: str, inputs: dict[str, Any], err: AlreadyOwned) -> None:
        """The bucket is already in the account: adopt it if it is ours or adopt=True, else explain."""
        _, found = ownership.split_tags(cos.get_tags(c, full))
        owner = inputs["owner"]
        if owner and found == owner and state.held_by_self("bucket", full, owner):
            raise ProviderError(
                f"creating bucket {full}: this resource already holds bucket {full} in the state, and a replacement "
                "keeps the bucket's name, so the old bucket would have to go first. Nothing was changed. Bucket "
                "resources replace delete-before-create (the `delete_before_replace` option, on by default): if you "
                "set it off, set it on again, or choose another bucket_name.")
        problem = ownership.may_take(found, owner, inputs["adopt"], inputs["adopt_from"])
        if problem:
            hint = " " + ownership.take_over_hint(f"bucket {full}") if not found and not inputs["adopt_from"] else ""
            raise ProviderError(
                f"creating bucket {full} (RequestId {err.request_id}): {err.code}: the bucket already exists in "
                f"your account and {problem}.{hint}"
            )
        # Ours (an interrupted run created it) or explicitly adopted: converge it to the declared settings.
        cos.put_acl(c, full, inputs["acl"])
        cos.put_tags(c, full, self._tags(inputs))

    @staticmethod
    def _tags(inputs: dict[str, Any]) -> dict[str, str]:
        return ownership.with_mark(inputs["tags"], inputs["owner"], inputs["force_destroy"])

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        c = cos.client(self.settings(), inputs["region"])
        try:  # two reads, no HEAD: GET ?acl answers NoSuchBucket for a bucket that is gone
            acl = cos.get_acl(c, id_)
            raw = cos.get_tags(c, id_)
            tags, owner = ownership.split_tags(raw)
        except NotFound:  # NoSuchBucket (cos.get_tags already reads NoSuchTagSet as no tags)
            return ReadResult("", {})
        if not ownership.still_ours(owner, inputs["owner"]):
            ownership.warn_gone(f"bucket {id_}", owner)
            return ReadResult("", {})  # another stack took it over (adopt_from): no longer this stack's
        # A mark removed outside Pulumi reads as None, so the next `up` writes it back.
        return ReadResult(id_, {**self._outs(inputs, acl, tags), "owner": owner or None,
                                "force_tag": raw.get(ownership.FORCE_TAG) == "true"})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        old, new = self.inputs_of(olds), self.inputs_of(news)
        c = cos.client(self.settings(), new["region"])
        if old["acl"] != new["acl"]:
            cos.put_acl(c, id_, new["acl"])
        if any(old[k] != new[k] for k in ("tags", "owner", "force_destroy")) or preflight.untagged(olds):
            cos.put_tags(c, id_, self._tags(new))
        return UpdateResult(self._outs(new))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        settings = self.settings()
        c = cos.client(settings, inputs["region"])
        doing = f"deleting bucket {id_}"
        try:
            found = ownership.split_tags(cos.get_tags(c, id_))[1]
            if not ownership.still_ours(found, inputs["owner"]):
                ownership.warn_gone(f"bucket {id_}", found)
                return  # another stack took it over: dropped from this stack's state, left in place
            stack = ownership.stack_of(inputs["owner"])
            preflight.check_tree(f"bucket:{id_}", lambda: preflight.bucket_problems(
                settings, id_, inputs["region"], True, stack), doing)  # libraries bound; contents just below
            if inputs["force_destroy"]:
                cos.empty_bucket(c, id_)
            else:
                objects, uploads = cos.is_empty(c, id_)
                if objects or uploads:
                    raise ProviderError(
                        f"deleting bucket {id_}: it still holds {'objects' if objects else ''}"
                        f"{' and ' if objects and uploads else ''}"
                        f"{'incomplete multipart uploads' if uploads else ''}. {preflight.nothing_deleted()} Empty it "
                        "yourself, or set force_destroy=True and run `pulumi up` before destroying to delete "
                        "every object with the bucket."
                    )
            cos.delete_bucket(c, id_)
            preflight.deleted(f"bucket {id_}")
        except NotFound:
            return


class Bucket(Resource, module="smh", name="Bucket"):
    """A COS bucket (private read/write by default) to hold a media library."""

    bucket: pulumi.Output[str]
    region: pulumi.Output[str]
    acl: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    tags: pulumi.Output[dict]
    owner: pulumi.Output[str]

    def __init__(self, resource_name: str, *, bucket_name: pulumi.Input[str], app_id: pulumi.Input[str],
                 region: pulumi.Input[str], acl: pulumi.Input[str] = "private",
                 tags: pulumi.Input[dict] | None = None, force_destroy: pulumi.Input[bool] = False,
                 adopt: pulumi.Input[bool] = False, adopt_from: pulumi.Input[str] | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        props = {"bucket_name": bucket_name, "app_id": app_id, "region": region, "acl": acl,
                 "tags": tags or {}, "force_destroy": force_destroy, "adopt": adopt, "adopt_from": adopt_from,
                 "owner": ownership.mark(resource_name), "bucket": None, "endpoint": None}
        # The name is global: a replacement that keeps it (`up --replace`, a region change) must delete first. The
        # engine makes no Diff for `--replace`, so the provider's delete_before_replace alone would not be seen.
        opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(delete_before_replace=True), opts)
        super().__init__(BucketProvider(), resource_name, props, opts)
