"""Render docs/resources.md, the reference of every resource, from the resource schemas.

Each resource module declares its inputs once, as a tuple of `Prop` (smh_provider/resources/_base.py): name, kind,
default, whether a change replaces, a validation rule and a one-line doc. This script reads those tables, the
Resource classes (constructor signature, declared outputs, secret outputs) and the module docstrings, so the page
cannot drift from the code: tests/unit/test_resources_doc.py fails when it is stale.

    python scripts/gen_resources_doc.py           rewrite docs/resources.md
    python scripts/gen_resources_doc.py --check   exit 1 if docs/resources.md is stale

Rule texts: a rule built by a factory of smh_provider/resources/rules.py (one_of, length, int_range) is described
from its own arguments; any other rule needs an entry in RULE_TEXT below, and the script refuses to render without
one, so a new rule cannot go undocumented.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import smh_provider  # noqa: E402
from scripts import generated_file  # noqa: E402
from smh_provider.regions import REGIONS  # noqa: E402
from smh_provider.resources import bucket_rules, rules  # noqa: E402
from smh_provider.resources._base import BaseProvider, Prop  # noqa: E402

DOC = ROOT / "docs" / "resources.md"
# Every resource the package exports, in the order of its __all__.
RESOURCES = tuple(getattr(smh_provider, name) for name in smh_provider.__all__)
KINDS = {"str": "string", "int": "integer", "bool": "bool", "list": "list of strings", "map": "map of string to string",
         "objects": "list of objects"}
OUTPUT_KINDS = {"str": "string", "int": "integer", "bool": "bool", "list": "list", "dict": "map"}
REGION_TEXT = f"a COS region id, one of the {len(REGIONS)} in smh_provider/regions.py (e.g. `ap-guangzhou`)"

# Rules that are plain functions or lambdas: keyed by "module.qualname" of the function, or for a lambda by
# "Resource.property"; the value gets the rule's module so it can quote the module's own constants.
RULE_TEXT: dict[str, Callable[[ModuleType], str]] = {
    "smh_provider.resources.rules.bucket_name": lambda _: (
        "lowercase letters, digits and `-`, not starting or ending with `-`, without the `-<appid>` suffix; the "
        f"host `<bucket_name>-<app_id>.cos.<region>.myqcloud.com` at most {rules.MAX_BUCKET_HOST} characters"),
    "smh_provider.resources.rules.app_id": lambda _: "the account's APPID: 5 to 12 digits, not starting with 0",
    "smh_provider.resources.rules.region": lambda _: REGION_TEXT,
    "smh_provider.resources.rules.tags": lambda _: (
        "at most 50 entries; key 1 to 127 bytes, value at most 255 bytes; letters, digits, spaces and `+ - _ = . : /`; "
        "`pulumi:owner` and `pulumi:force-destroy` are reserved"),
    "smh_provider.resources.media_processing._full_bucket": lambda _: "the full bucket name `<name>-<appid>`",
    "smh_provider.resources.album._album_name": lambda _: (
        "1 to 255 characters, one path segment (no `/`, not `.` or `..`)"),
    "smh_provider.ownership.mark_rule": lambda _: (
        "an ownership mark `<project>/<stack>/<resource>` other than this resource's own: the exact mark the object "
        "carries (see the safety model, docs/safety.md, 'Taking over existing objects')"),
    "MediaLibrary.bucket_region": lambda _: REGION_TEXT + "; set together with `bucket`",
    "smh_provider.resources._permissions.user_id": lambda m: "1 to 64 letters, digits or `_ . @ -`",
    "smh_provider.resources._permissions.folder_path": lambda m: (
        "`/` (the root) or names separated by single `/`, no `.` or `..`, each at most 255 characters; no deeper "
        "than the library allows (albums: one level; media libraries without albums: the root only)"),
    "smh_provider.resources._permissions.role_names": lambda m: (
        f"1 to {m.MAX_ROLES} roles; names 1 to 50 characters; permissions among "
        + ", ".join(f"`{p}`" for p in m.PERMISSIONS)),
    "smh_provider.resources.group._depth": lambda m: (
        f"the `parent` chain is at most {m.common.MAX_NESTING} groups deep"),
    "smh_provider.resources.folder_grant._role": lambda _: (
        "a role name of the library's role table (checked at preview when `role_table=` is given)"),
    "MediaLibrary.storage_class": lambda m: "one of " + ", ".join(f"`{c}`" for c in m.STORAGE_CLASSES),
    "BucketReferer.domains": lambda _: (
        f"1 to {bucket_rules.MAX_REFERER_DOMAINS} entries, each one domain, IP or prefix without spaces or commas"),
}


def _closure(fn: Callable[..., Any]) -> dict[str, Any]:
    cells = fn.__closure__ or ()
    return {name: cell.cell_contents for name, cell in zip(fn.__code__.co_freevars, cells, strict=True)}


def rule_text(resource: type, prop: Prop) -> str:
    """Human text of a property's validation rule ("" when it has none)."""
    fn = prop.rule
    if fn is None:
        return ""
    module = sys.modules[fn.__module__]
    if fn.__module__ == rules.__name__ and fn.__qualname__.endswith(".<locals>.rule"):
        factory, args = fn.__qualname__.split(".")[0], _closure(fn)
        if factory == "one_of":
            return "one of " + ", ".join(f"`{a}`" for a in args["allowed"])
        if factory == "length":
            lo, hi = args["lo"], args["hi"]
            return f"{lo} to {hi} characters" if lo else f"at most {hi} characters"
        if factory == "int_range":
            return f"{args['lo']} to {args['hi']}"
    key = f"{resource.__name__}.{prop.name}" if fn.__name__ == "<lambda>" else f"{fn.__module__}.{fn.__qualname__}"
    if key not in RULE_TEXT:
        raise SystemExit(f"no rule text for {key} (property {prop.name} of {resource.__name__}): add one to "
                         "RULE_TEXT in scripts/gen_resources_doc.py")
    return RULE_TEXT[key](module)


def provider_of(resource: type) -> type[BaseProvider]:
    module = sys.modules[resource.__module__]
    return next(v for v in vars(module).values()  # the module's own provider, not a base class it imports
                if isinstance(v, type) and issubclass(v, BaseProvider) and v.__module__ == module.__name__)


def secret_outputs(resource: type) -> set[str]:
    """Names the constructor marks secret with additional_secret_outputs=[...]."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(resource)))
    return {elt.value for node in ast.walk(tree) if isinstance(node, ast.keyword)
            and node.arg == "additional_secret_outputs" and isinstance(node.value, (ast.List, ast.Tuple))
            for elt in node.value.elts if isinstance(elt, ast.Constant)}


def outputs(resource: type) -> list[tuple[str, str]]:
    """(name, type) of the outputs the Resource class and its bases in smh_provider declare as pulumi.Output[...]
    attributes, the bases' first."""
    found = []
    for klass in reversed(resource.__mro__):
        if not klass.__module__.startswith("smh_provider."):
            continue
        for name, note in inspect.get_annotations(klass).items():
            text = note if isinstance(note, str) else getattr(note, "__name__", str(note))
            if text.startswith("pulumi.Output["):
                found.append((name, text.removeprefix("pulumi.Output[").removesuffix("]")))
    return found


def api_fields(resource: type) -> dict[str, str]:
    """Property -> wire field, from the provider's `api_fields` (the client's table)."""
    return dict(provider_of(resource).api_fields)


def on_change(prop: Prop) -> str:
    if prop.replace:
        return "replace"
    if prop.replace_if_set and prop.replace_if_cleared:
        return "in place; setting or clearing it replaces"
    if prop.replace_if_set:
        return "in place; setting it replaces"
    if prop.replace_if_cleared:
        return "in place; clearing it replaces"
    return "in place"


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value!r}`"


def signature(resource: type) -> str:
    parts, star = ["resource_name"], False
    for param in list(inspect.signature(resource.__init__).parameters.values())[2:]:
        if param.kind is param.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        if param.kind is param.VAR_KEYWORD:
            parts.append(f"**{param.name}")
        elif param.default is param.empty:
            parts.append(param.name)
        else:
            parts.append(f"{param.name}={param.default!r}")
    return f"{resource.__name__}({', '.join(parts)})"


def required(resource: type, prop: Prop) -> str:
    params = inspect.signature(resource.__init__).parameters
    param = params.get(prop.name)
    if param is not None and param.default is param.empty:
        return "yes"
    if prop.default is None and prop.name.endswith("_id") and prop.name.removesuffix("_id") in params:
        return f"yes, or `{prop.name.removesuffix('_id')}=`"
    if prop.default is None and prop.rule is not None and prop.rule(None, {}):
        return "yes"
    return "no"


def _escape(text: str) -> str:
    """Plain text in a cell: `<name>` would otherwise vanish as an HTML tag."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_resource(resource: type) -> list[str]:
    provider = provider_of(resource)
    module = sys.modules[resource.__module__]
    summary = inspect.getdoc(resource) or ""
    details = (inspect.getdoc(module) or "").split("\n\n", 1)
    lines = [f"## {resource.__name__}", "", summary, "", f"```python\n{signature(resource)}\n```", ""]
    if len(details) > 1:
        lines += [details[1].strip(), ""]
    wire = api_fields(resource)
    head = ["argument", "type", "default", "required", "on change", "rule", "description"]
    head += ["API field"] * bool(wire)
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    # internal: bookkeeping set by the classes; a module's DOC_PROPS lists arguments the props table does not
    for prop in [p for p in getattr(module, "DOC_PROPS", provider.props) if not p.internal]:
        cells = [f"`{prop.name}`", KINDS.get(prop.kind, prop.kind), _value(prop.default), required(resource, prop),
                 on_change(prop), rule_text(resource, prop), _escape(prop.doc)]
        if wire:
            cells.append(f"`{wire[prop.name]}`" if prop.name in wire else "")
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    secrets = secret_outputs(resource)
    inputs = {p.name for p in provider.props if not p.internal}
    lines += ["", "| output | type | secret | also an argument |", "|---|---|---|---|"]
    for name, kind in outputs(resource):
        lines.append(f"| `{name}` | {OUTPUT_KINDS.get(kind, kind)} | {'yes' if name in secrets else 'no'} | "
                     f"{'yes' if name in inputs else 'no'} |")
    lines += ["", "Every argument is also an output, with the value as last set or read back from the service.", ""]
    return lines


def render() -> str:
    lines = [
        "# Resource reference",
        "",
        "<!-- generated by scripts/gen_resources_doc.py from the resource schemas; do not edit by hand -->",
        "",
        "Package `smh_provider` (`from smh_provider import Bucket, MediaProcessing, MediaLibrary, Space, Album, "
        "SpaceSet, BucketCors, BucketLifecycle, BucketReferer`).",
        "Arguments are checked at `preview`: a broken rule fails with a message naming the property and the rule,",
        "and nothing is created. *replace* means a change creates a new resource and deletes the old one; *in place*",
        "means one update call. `—` as a default means unset.",
        "",
    ]
    lines += [f"- [{r.__name__}](#{r.__name__.lower()}): {inspect.getdoc(r)}" for r in RESOURCES]
    lines.append("")
    for resource in RESOURCES:
        lines += render_resource(resource)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    return generated_file.main(argv, __doc__ or "", __file__, DOC, ROOT, lambda current: render())


if __name__ == "__main__":
    sys.exit(main())
