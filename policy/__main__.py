"""SMH policy pack: mandatory guard rails for media stacks, plus advice for production stacks.

Rules (names are stable; policy/config.json configures them, the defaults are in smh_rules.py):
  bucket-private                  mandatory  Bucket acl is private
  public-read-allow-list          mandatory  public_read on a library or space (Space or SpaceSet entry) only on
                                             stacks in publicReadStacks
  media-library-media-processing  mandatory  the bucket of a media library has a MediaProcessing resource
  library-name-pattern            mandatory  library_name matches `pattern`
  production-recycle-bin          advisory   libraries on stacks in productionStacks have recycle_bin: true
  cors-no-wildcard-origin         advisory   BucketCors rules list exact origins, no '*' (config: enforcementLevel)

The langhost runs this file as a script from policy/, so smh_rules is imported as a top-level module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import smh_rules as r
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError


def plain(props: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level properties with values the engine does not know yet (preview) replaced by r.UNKNOWN."""
    out: dict[str, Any] = {}
    for key in props:
        try:
            out[key] = props[key]
        except UnknownValueError:
            out[key] = r.UNKNOWN
    return out


def _report(message: str | None, report: ReportViolation) -> None:
    if message:
        report(message)


def validate_bucket(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == r.BUCKET:
        _report(r.bucket_private(plain(args.props)), report)


def validate_public_read(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kinds = {r.MEDIA_LIBRARY: "library", r.SPACE: "space"}
    if args.resource_type == r.SPACE_SET:
        allowed = args.get_config().get("publicReadStacks", r.DEFAULT_PUBLIC_READ_STACKS)
        for message in r.space_set_public_read(args.name, plain(args.props), r.stack_of(args.urn), allowed):
            report(message)
        return
    if args.resource_type in kinds:
        allowed = args.get_config().get("publicReadStacks", r.DEFAULT_PUBLIC_READ_STACKS)
        props = plain(args.props)
        # a library by its name; a space has none, so by its Pulumi resource name
        name = props.get("library_name") if isinstance(props.get("library_name"), str) else args.name
        _report(r.public_read(kinds[args.resource_type], name, props, r.stack_of(args.urn), allowed), report)


def validate_library_name(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == r.MEDIA_LIBRARY:
        pattern = args.get_config().get("pattern", r.DEFAULT_LIBRARY_NAME_PATTERN)
        _report(r.library_name(plain(args.props), pattern), report)


def validate_recycle_bin(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == r.MEDIA_LIBRARY:
        production = args.get_config().get("productionStacks", r.DEFAULT_PRODUCTION_STACKS)
        _report(r.production_recycle_bin(plain(args.props), r.stack_of(args.urn), production), report)


def validate_cors_origins(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == r.BUCKET_CORS:
        props = plain(args.props)
        try:
            messages = r.cors_wildcard_origins(props)
        except UnknownValueError:  # a rule holds a value not known until apply
            messages = []
        for message in messages:
            report(message)


def validate_media_processing(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = [r.Res(res.resource_type, res.urn, plain(res.props),
                       {k: [d.urn for d in v] for k, v in res.property_dependencies.items()})
                 for res in args.resources if res.resource_type.startswith(r.TYPE_PREFIX)]
    for urn, message in r.media_processing_missing(resources):
        report(message, urn)


def _strings(description: str, default: list[str]) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "default": default, "description": description}


def _resource_policy(name: str, description: str, validate: Any, *, advisory: bool = False,
                     **config: dict[str, Any]) -> ResourceValidationPolicy:
    """A resource rule; `config`: the schema of each policy config key it reads."""
    return ResourceValidationPolicy(
        name=name, description=description, validate=validate,
        enforcement_level=EnforcementLevel.ADVISORY if advisory else None,
        config_schema=PolicyConfigSchema(properties=config) if config else None)


PolicyPack(
    name="smh-media-policy",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        _resource_policy(r.BUCKET_PRIVATE, "COS buckets of media libraries stay private (acl: private).",
                         validate_bucket),
        _resource_policy(
            r.PUBLIC_READ_ALLOW_LIST,
            "public_read on a media library or space only on stacks listed in publicReadStacks.",
            validate_public_read,
            publicReadStacks=_strings("stacks allowed public read", r.DEFAULT_PUBLIC_READ_STACKS)),
        StackValidationPolicy(
            name=r.MEDIA_PROCESSING_ON,
            description="The bucket bound to a media library has media processing switched on (MediaProcessing).",
            validate=validate_media_processing,
        ),
        _resource_policy(
            r.LIBRARY_NAME_PATTERN, "Media library names match the pattern in the policy config.",
            validate_library_name,
            pattern={"type": "string", "default": r.DEFAULT_LIBRARY_NAME_PATTERN,
                     "description": "regular expression library_name must match in full"}),
        _resource_policy(
            r.PRODUCTION_RECYCLE_BIN, "Media libraries of production stacks keep a recycle bin (recycle_bin: true).",
            validate_recycle_bin, advisory=True,
            productionStacks=_strings("production stack names", r.DEFAULT_PRODUCTION_STACKS)),
        _resource_policy(
            r.CORS_NO_WILDCARD_ORIGIN,
            "Bucket CORS rules allow exact page origins, not '*' (any site could use upload links).",
            validate_cors_origins, advisory=True),
    ],
)
