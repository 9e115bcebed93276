"""The rules of the SMH policy pack as plain functions over plain values, so they can be unit-tested without
an engine. `__main__.py` wires them into pulumi-policy; each returns the violation message (or messages),
which starts with the rule's name so that logs, JSON events and PR comments all carry it.

A value the engine does not know yet (an output of a resource still to be created) never reaches these
functions: the caller passes `UNKNOWN` instead, and a rule that cannot decide stays silent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TYPE_PREFIX = "pulumi-python:dynamic/smh:"
BUCKET = TYPE_PREFIX + "Bucket"
MEDIA_PROCESSING = TYPE_PREFIX + "MediaProcessing"
MEDIA_LIBRARY = TYPE_PREFIX + "MediaLibrary"
SPACE = TYPE_PREFIX + "Space"
SPACE_SET = TYPE_PREFIX + "SpaceSet"
BUCKET_CORS = TYPE_PREFIX + "BucketCors"

UNKNOWN: Any = object()

# Rule names: stable kebab-case; renaming one breaks every policy config that mentions it.
BUCKET_PRIVATE = "bucket-private"
PUBLIC_READ_ALLOW_LIST = "public-read-allow-list"
MEDIA_PROCESSING_ON = "media-library-media-processing"
LIBRARY_NAME_PATTERN = "library-name-pattern"
PRODUCTION_RECYCLE_BIN = "production-recycle-bin"
CORS_NO_WILDCARD_ORIGIN = "cors-no-wildcard-origin"

# Defaults of the policy config (policy/config.json overrides them per rule).
DEFAULT_LIBRARY_NAME_PATTERN = r"^[a-z][a-z0-9-]{1,48}[a-z0-9]$"
DEFAULT_PUBLIC_READ_STACKS: list[str] = []
DEFAULT_PRODUCTION_STACKS = ["prod", "production"]


def stack_of(urn: str) -> str:
    """The stack name inside a URN (urn:pulumi:<stack>::<project>::<type>::<name>)."""
    parts = urn.split(":", 3)
    return parts[2] if len(parts) > 3 and parts[0] == "urn" else ""


def bucket_private(props: Mapping[str, Any]) -> str | None:
    acl = props.get("acl", "private")
    if acl is UNKNOWN or acl in (None, "private"):
        return None
    return (f"{BUCKET_PRIVATE}: bucket {props.get('bucket_name')!r} has acl {acl!r}; buckets stay private "
            "(files are served through the media library, not the bucket)")


def public_read(kind: str, name: str, props: Mapping[str, Any], stack: str, allowed: Iterable[str]) -> str | None:
    """`kind` is 'library' or 'space'; public read is a setting of single-tenant libraries and of spaces."""
    if props.get("public_read") is not True:
        return None
    allowed = list(allowed)
    if stack in allowed:
        return None
    return (f"{PUBLIC_READ_ALLOW_LIST}: {kind} {name!r} has public_read: true, but stack {stack!r} is not in "
            f"the policy config's publicReadStacks ({allowed or 'empty'})")


def space_set_public_read(set_name: str, props: Mapping[str, Any], stack: str, allowed: Iterable[str]) -> list[str]:
    """public-read-allow-list on each entry of a SpaceSet: a space is one concept whether it is a Space resource
    or a set entry (a space's own public_read, as the set's `spaces` input holds it)."""
    spaces = props.get("spaces")
    if not isinstance(spaces, Mapping):
        return []
    out = []
    for key in sorted(spaces):
        entry = spaces[key]
        if isinstance(entry, Mapping):
            message = public_read("space", f'{set_name}.spaces["{key}"]', entry, stack, allowed)
            if message:
                out.append(message)
    return out


def library_name(props: Mapping[str, Any], pattern: str) -> str | None:
    value = props.get("library_name")
    if value is UNKNOWN or value is None:
        return None
    if re.fullmatch(pattern, str(value)):
        return None
    return f"{LIBRARY_NAME_PATTERN}: library_name {value!r} does not match the pattern {pattern!r}"


def production_recycle_bin(props: Mapping[str, Any], stack: str, production: Iterable[str]) -> str | None:
    if stack not in list(production) or props.get("recycle_bin") in (True, UNKNOWN):
        return None
    return (f"{PRODUCTION_RECYCLE_BIN}: library {props.get('library_name')!r} on production stack {stack!r} has "
            "no recycle bin (recycle_bin: true keeps deleted files recoverable)")


def cors_wildcard_origins(props: Mapping[str, Any]) -> list[str]:
    """One message per CORS rule whose allowed origins hold a '*' (alone: any web page; in a pattern: any page of
    whatever matches it). The CORS origin is the only thing that keeps another site's page from using a signed-in
    user's upload links."""
    rules = props.get("rules")
    if rules is UNKNOWN or not isinstance(rules, Sequence) or isinstance(rules, str):
        return []
    out = []
    for i, rule in enumerate(rules):
        origins = rule.get("allowed_origins") if isinstance(rule, Mapping) else None
        if not isinstance(origins, Sequence) or isinstance(origins, str):
            continue
        wild = [o for o in origins if isinstance(o, str) and "*" in o]
        if wild:
            what = "any web page" if "*" in wild else "every origin the pattern matches"
            out.append(f"{CORS_NO_WILDCARD_ORIGIN}: bucket {props.get('bucket')!r} CORS rule {i} "
                       f"({rule.get('id') or 'no id'}) allows origin(s) {wild}: {what} may then upload to and read "
                       "from the bucket from a browser; list the app's exact origins (scheme://host[:port])")
    return out


@dataclass
class Res:
    """A resource of the stack as the media-processing rule needs it."""

    type: str
    urn: str
    props: Mapping[str, Any]
    # property name -> URNs of the resources its value came from
    deps: Mapping[str, list[str]] = field(default_factory=dict)


def _bucket_refs(res: Res, resources_by_urn: Mapping[str, Res]) -> set[str]:
    """How `res` names its bucket: the full name when known, and any Bucket resource its `bucket` came from."""
    refs = {urn for urn in res.deps.get("bucket", []) if getattr(resources_by_urn.get(urn), "type", "") == BUCKET}
    value = res.props.get("bucket")
    if isinstance(value, str):
        refs.add(value)
    for urn in list(refs):
        bucket = resources_by_urn.get(urn)
        if bucket is not None and isinstance(bucket.props.get("bucket"), str):
            refs.add(bucket.props["bucket"])
    return refs


def media_processing_missing(resources: list[Res]) -> list[tuple[str, str]]:
    """(library URN, message) for each media library whose bucket has no MediaProcessing in the stack.

    A bucket is matched by its full name when the engine knows it, otherwise (first preview, the name is
    an output still to come) by the Bucket resource both the library and the MediaProcessing take it from.
    File libraries are exempt: media processing is what extracts covers of photos and videos.
    """
    by_urn = {r.urn: r for r in resources}
    processed: set[str] = set()
    for r in resources:
        if r.type == MEDIA_PROCESSING:
            processed |= _bucket_refs(r, by_urn)
    out = []
    for r in resources:
        if r.type != MEDIA_LIBRARY or r.props.get("file_library") is True:
            continue
        refs = _bucket_refs(r, by_urn)
        if refs and not refs & processed:
            shown = sorted(x for x in refs if not x.startswith("urn:")) or sorted(refs)
            out.append((r.urn, f"{MEDIA_PROCESSING_ON}: media library {r.props.get('library_name')!r} is bound to "
                               f"bucket {shown[0]!r}, which has no MediaProcessing resource in this stack "
                               "(without it SMH cannot extract video covers)"))
    return out
