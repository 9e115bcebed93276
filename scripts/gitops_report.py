"""Turn the JSON of `pulumi preview --diff --json` into what a reviewer reads (scripts/gitops.py uses it).

The engine prints {"steps": [{"op", "urn", "oldState", "newState", "diffs"?, "detailedDiff"?,
"replaceReasons"?}], "diagnostics": [...], "changeSummary": {...}}. A dynamic resource's step often has
no "diffs" (the dynamic provider answers only replaces), so changed keys are also derived by comparing the
old and new inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SMH_TYPE = "pulumi-python:dynamic/smh:"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's "known only after apply" (pulumi.runtime.rpc)
QUIET_OPS = {"same", "refresh", "read"}
# Bookkeeping inputs the resource classes set (Prop(internal=True), the ownership mark): never worth a reviewer's
# attention, and they change along with what really changed.
HIDDEN_KEYS = {"__provider", "identity", "library_identity", "space_identity", "owner", "parent_identity",
               "group_identity", "member_identity", "grantee_identity", "grantee_label", "group_label",
               "member_label", "known_roles", "max_depth", "key", "depth"}
REPLACE_OPS = {"replace", "create-replacement", "delete-replaced"}

# What is lost when a resource of this type is deleted (a replacement deletes the old one).
LOSSES = {
    "SpaceSet": "the albums and files of all its spaces are lost, and their space IDs change",
    "MediaLibrary": "its files, its library ID and its library secret are lost (apps and links that use them "
                    "stop working)",
    "Space": "its albums and files are lost, and its space ID changes",
    "Bucket": "its objects are lost",
    "Album": "its files are lost",
}
NOUNS = {"SpaceSet": "space set", "MediaLibrary": "media library", "Space": "space", "Bucket": "bucket",
         "Album": "album"}


@dataclass
class Change:
    op: str
    urn: str
    type: str
    keys: list[str] = field(default_factory=list)
    replace_reasons: list[str] = field(default_factory=list)
    ident: str = ""
    # Replaced only because an input is unknown in preview (an output of a resource that changes first):
    # the provider decides again during `up`, with the value known.
    maybe: bool = False
    # A SpaceSet's spaces deleted or replaced inside the set: (key, why; "" for a delete).
    set_losses: list[tuple[str, str]] = field(default_factory=list)
    # A Space or Album dropped from the program while a SpaceSet of its library takes its space over: the
    # resource leaves the state, nothing is deleted (docs/spaces.md, "Thousands of tenant spaces").
    handed_to: str = ""

    @property
    def name(self) -> str:
        return self.urn.split("::")[-1]

    @property
    def short_type(self) -> str:
        return self.type.removeprefix(SMH_TYPE)


def urn_type(urn: str) -> str:
    parts = urn.split("::")
    return parts[-2].split("$")[-1] if len(parts) >= 2 else ""


def _changed_keys(step: dict[str, Any]) -> list[str]:
    if step.get("op") in ("create", "delete"):
        return []  # every property; listing them says nothing
    keys = step.get("diffs") or list((step.get("detailedDiff") or {}).keys())
    if keys:
        return sorted({k.split(".")[0].split("[")[0] for k in keys} - HIDDEN_KEYS)
    old_state, new = step.get("oldState") or {}, (step.get("newState") or {}).get("inputs") or {}
    # After a refresh the cloud's values are in the old outputs, not necessarily in the old inputs.
    for old in (old_state.get("inputs") or {}, old_state.get("outputs") or {}):
        keys = sorted(k for k in set(old) | set(new) if k in new and k not in HIDDEN_KEYS and old.get(k) != new[k])
        if keys:
            return keys
    return []


SET_PATH = re.compile(r'^spaces\["([^"]+)"\](?:\.(\w+))?')
# A space's settings whose change replaces the space inside its SpaceSet (smh_provider/resources/space_set_plan.py).
SET_REPLACES = {"multi_album"}


def _set_changes(step: dict[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    """A SpaceSet update's detailed diff paths, and the spaces it deletes or replaces inside the set."""
    detail = step.get("detailedDiff") or {}
    losses: dict[str, str] = {}
    for p, d in detail.items():
        m = SET_PATH.match(p)
        if not m:
            continue
        key, prop, kind = m.group(1), m.group(2), (d or {}).get("kind", "")
        if prop is None and kind == "delete":
            losses[key] = ""
        elif prop in SET_REPLACES or (prop == "quota_bytes" and kind == "delete"):
            losses.setdefault(key, prop)
    return sorted(detail), sorted(losses.items())


def _ident(step: dict[str, Any]) -> str:
    """The cloud name and ID of the resource as the old state knows it, e.g. "'photos', id smh..."."""
    state = step.get("oldState") or step.get("newState") or {}
    outs = {**(state.get("inputs") or {}), **(state.get("outputs") or {})}
    name = outs.get("library_name") or outs.get("album_name") or outs.get("bucket") or outs.get("space_tag")
    ident = next((outs[k] for k in ("library_id", "space_id") if isinstance(outs.get(k), str)), None)
    parts = [f"`{name}`" if isinstance(name, str) else "", f"id `{ident}`" if ident else ""]
    return ", ".join(p for p in parts if p)


def _takers(preview: dict[str, Any]) -> dict[str, str]:
    """library id -> name of a SpaceSet in this preview that takes over Space resources (adopt_space_resources)."""
    out = {}
    for step in preview.get("steps") or []:
        inputs = (step.get("newState") or {}).get("inputs") or {}
        if urn_type(step.get("urn", "")).endswith("SpaceSet") and inputs.get("legacy_mark") \
                and isinstance(inputs.get("library_id"), str):
            out[inputs["library_id"]] = step["urn"].split("::")[-1]
    return out


def changes(preview: dict[str, Any]) -> list[Change]:
    """The steps that change something, one per resource (a replacement's sub-steps are folded into one)."""
    out: dict[str, Change] = {}
    takers = _takers(preview)
    for step in preview.get("steps") or []:
        op = step.get("op", "")
        if op in QUIET_OPS or urn_type(step.get("urn", "")) == "pulumi:pulumi:Stack":
            continue
        state = step.get("newState") or step.get("oldState") or {}
        urn = step.get("urn", "")
        kind = "replace" if op in REPLACE_OPS else op
        if urn in out:
            if kind == "replace":
                out[urn].op = "replace"
            continue
        reasons = list(step.get("replaceReasons") or [])
        new_inputs = (step.get("newState") or {}).get("inputs") or {}
        maybe = kind == "replace" and bool(reasons) and all(new_inputs.get(k) == UNKNOWN for k in reasons)
        out[urn] = Change(kind, urn, state.get("type") or urn_type(urn), _changed_keys(step), reasons,
                          _ident(step), maybe)
        if out[urn].short_type == "SpaceSet" and kind == "update":
            out[urn].keys, out[urn].set_losses = _set_changes(step)
        old = (step.get("oldState") or {}).get("outputs") or {}
        if kind == "delete" and out[urn].short_type in ("Space", "Album") and old.get("library_id") in takers:
            out[urn].handed_to = takers[old["library_id"]]
    return list(out.values())


def destructive(items: list[Change]) -> list[Change]:
    return [c for c in items if (c.op in ("replace", "delete") and c.short_type in LOSSES and not c.handed_to)
            or c.set_losses]


def _warning(c: Change) -> str:
    if c.set_losses:
        return "\n".join(
            f"- **Replace** space `{key}` inside SpaceSet `{c.name}`, because `{why}` cannot change in place: the old "
            f"space is deleted, so {LOSSES['Space']}." if why else
            f"- **Delete** space `{key}` of SpaceSet `{c.name}`: {LOSSES['Space']}." for key, why in c.set_losses)
    noun = NOUNS[c.short_type]
    what = f"{noun} {c.ident} (resource `{c.name}`)" if c.ident else f"{noun} `{c.name}`"
    if c.maybe:
        return (f"- **May replace** {what}: {', '.join(f'`{k}`' for k in c.replace_reasons)} is known only after "
                f"another resource changes; if it differs, the old {noun} is deleted and {LOSSES[c.short_type]}.")
    if c.op == "replace":
        why = ", ".join(f"`{k}`" for k in c.replace_reasons) or "a replace-only property"
        return (f"- **Replace** {what}, because {why} cannot change in place: the old {noun} is deleted, "
                f"so {LOSSES[c.short_type]}.")
    return f"- **Delete** {what}: {LOSSES[c.short_type]}."


def _inputs(step: dict[str, Any], which: str) -> dict[str, Any]:
    state = step.get(which) or {}
    return {**(state.get("inputs") or {}), **(state.get("outputs") or {})}


def _known(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and value != UNKNOWN


def _grant_text(inputs: dict[str, Any]) -> str:
    who = inputs.get("grantee_label") if _known(inputs.get("grantee_label")) else inputs.get("grantee_id")
    where = inputs.get("path") or "/"
    space = inputs.get("space_id")
    place = f"`{where}`" + (f" of space `{space}`" if _known(space) and space != "-" else "")
    grantee = f"{inputs.get('grantee_type', 'grantee')} `{who if _known(who) else '?'}`"
    return f"{grantee} as `{inputs.get('role')}` on {place}"


def access(preview: dict[str, Any]) -> list[str]:
    """Permission changes a reviewer must see first: grants added or revoked, roles changed, users and groups
    deleted, group members added or removed ("access widened" / "access removed")."""
    out: list[str] = []
    for step in preview.get("steps") or []:
        op, kind = step.get("op", ""), urn_type(step.get("urn", "")).removeprefix(SMH_TYPE)
        name = step.get("urn", "").split("::")[-1]
        old, new = _inputs(step, "oldState"), _inputs(step, "newState")
        if kind == "FolderGrant":
            if op in ("create", "create-replacement"):
                out.append(f"- **Access widened**: {_grant_text(new)} (resource `{name}`)")
            elif op in ("delete", "delete-replaced"):
                out.append(f"- **Access removed**: {_grant_text(old)} (resource `{name}`)")
            elif op == "update" and old.get("role") != new.get("role"):
                out.append(f"- **Access changed**: {_grant_text(old)} becomes role `{new.get('role')}` "
                           f"(resource `{name}`)")
        elif kind == "User" and op in ("delete", "delete-replaced"):
            out.append(f"- **Access removed**: user `{old.get('user_id')}` is deleted, with its grants and group "
                       f"memberships (resource `{name}`)")
        elif kind == "Group" and op in ("delete", "delete-replaced"):
            out.append(f"- **Access removed**: group `{old.get('name')}` is deleted; its members lose what it was "
                       f"granted (resource `{name}`)")
        elif kind == "GroupMember" and op in ("create", "create-replacement", "delete", "delete-replaced"):
            inputs = new if op.startswith("create") else old
            member = inputs.get("member_label") or inputs.get("member_id")
            line = (f"{inputs.get('member_type', 'member')} `{member}` "
                    f"{'joins' if op.startswith('create') else 'leaves'} group `{inputs.get('group_label') or '?'}`")
            verb = "widened" if op.startswith("create") else "removed"
            out.append(f"- **Access {verb}**: {line} (resource `{name}`)")
    return out


def errors(preview: dict[str, Any]) -> list[str]:
    noise = ("Resource monitor has terminated", "preview failed")
    return [str(d.get("message", "")).strip() for d in preview.get("diagnostics") or []
            if d.get("severity") == "error" and not any(n in str(d.get("message")) for n in noise)]


def policy_violations(preview: dict[str, Any]) -> list[str]:
    """One line per policy event (scripts/gitops.py adds them from the engine's event log): level, rule,
    resource, and the rule's own message (the line after the rule's description)."""
    out = []
    for e in preview.get("policyEvents") or []:
        rule = str(e.get("policyName", "?"))
        message = (str(e.get("message", "")).strip().splitlines() or [""])[-1].removeprefix(f"{rule}: ")
        where = str(e.get("resourceUrn", "")).split("::")[-1]
        out.append(f"**{e.get('enforcementLevel', '?')}** `{rule}`" + (f" on `{where}`" if where else "")
                   + f": {message}")
    return out


def comment(preview: dict[str, Any], stack: str, ok: bool = True) -> str:
    """The markdown a reviewer reads: destructive changes first, then every change."""
    items = changes(preview)
    lines = [f"## Pulumi preview of stack `{stack}`", ""]
    if not ok:
        blocked = any(e.get("enforcementLevel") == "mandatory" for e in preview.get("policyEvents") or [])
        lines += ["**The preview failed**" + (": a mandatory policy is violated (see Policy below)" if blocked else "")
                  + "; nothing can be applied until this is fixed.", ""]
        found = [f"```\n{e}\n```" for e in errors(preview)]
        if not found and not preview.get("policyEvents"):
            found = ["(no error details in the JSON; see the job log)"]
        lines += [*found, ""] if found else []
    bad = destructive(items)
    if bad:
        verb = "deletes" if any(not c.maybe for c in bad) else "may delete"
        lines += ["### ⚠️ Destructive changes", "",
                  f"Applying this change {verb} {len(bad)} resource(s) that hold data. This cannot be undone; "
                  "back up what you need first, or keep the old settings.", ""]
        lines += [_warning(c) for c in bad]
        lines.append("")
    granted = access(preview)
    if granted:
        lines += ["### 🔐 Access changes", "",
                  "Who may see or change which folder changes with this preview; review these before the rest.", ""]
        lines += granted + [""]
    violations = policy_violations(preview)
    if violations:
        lines += ["### Policy", ""] + [f"- {v}" for v in violations] + [""]
    lines += ["### Changes", ""]
    if items:
        lines += ["| Operation | Resource | Type | Properties |", "|---|---|---|---|"]
        for c in items:
            props = ", ".join(f"**{k}** (replace)" if k in c.replace_reasons else k
                              for k in (c.keys or c.replace_reasons))
            op = f"moves into SpaceSet `{c.handed_to}` (kept in the cloud)" if c.handed_to else c.op
            lines.append(f"| {op}{'?' if c.maybe else ''} | `{c.name}` | {c.short_type} | {props} |")
    else:
        lines.append("No changes.")
    summary = preview.get("changeSummary") or {}
    if summary:
        lines += ["", "Summary: " + ", ".join(f"{n} {op}" for op, n in sorted(summary.items()))]
    return "\n".join(lines) + "\n"


def drift(preview: dict[str, Any]) -> list[str]:
    """One line per resource whose cloud state no longer matches the stack (from `preview --refresh`)."""
    out = []
    for c in changes(preview):
        if c.maybe:
            out.append(f"{c.short_type} `{c.name}`: takes {', '.join(c.replace_reasons)} from a drifted resource; "
                       "`up` would replace it only if that value changed")
        elif c.op == "create":
            out.append(f"{c.short_type} `{c.name}`: gone from the cloud (deleted out of band); `up` would "
                       "create it again")
        elif c.op == "update":
            out.append(f"{c.short_type} `{c.name}`: changed out of band: {', '.join(c.keys) or '?'}; `up` would "
                       "set it back")
        elif c.op == "replace":
            out.append(f"{c.short_type} `{c.name}`: changed out of band: {', '.join(c.replace_reasons)}; `up` "
                       "would replace it")
        else:
            out.append(f"{c.short_type} `{c.name}`: {c.op}")
    return out
