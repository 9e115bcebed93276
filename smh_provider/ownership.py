"""Ownership: which objects a stack may adopt, and which it may delete.

**Marks.** Every bucket, media library and tenant space the provider creates carries a mark naming the project,
stack and resource (`<project>/<stack>/<resource name>`), written in the same call that creates it: a bucket tag
and a library tag under `OWNER_TAG`, and a space's `userId` (the data plane's only creation-time label that lists
return; a SpaceSet entry's is `<project>/<stack>/<set>/<key>`). The mark is computed in the program, where the
stack is known. Two resource names that give one mark ("space-a b", "space-a-b") are refused at preview (`mark`).

**Across stacks** (`may_take`): an object without a mark is taken only with `adopt=True`; one whose mark names
another stack or resource only with `adopt_from=<that exact mark>` (the preview warns which stack loses it). From
then on it carries the new mark, so the old stack's refresh drops it (`read`) and its delete leaves it
(`still_ours`). Users and groups have no place for a mark: one that exists before the stack is taken over only
with `adopt: true`.

**Within the stack the state decides** (state.py). Which RPCs the engine makes depends on the command, so no
decision here rests on them. What the engine calls, read from pulumi pkg/resource/deploy v3.274.0
(step_generator.go, deployment_executor.go):

* `pulumi up`: Check for every registered resource, with its old inputs (`generateResourceSteps`); Diff for each
  that has old state; Create, Update, or a replacement's Create then, after every registration has completed
  (the program exits only when its registrations have), the Deletes: old objects of replacements and resources the
  program no longer declares (`performPostSteps`).
* `pulumi up --replace <urn>`: Check WITHOUT old inputs (the old state is ignored, as for a new resource), no Diff
  (`diff` returns a replacement blaming `id`), Create, then Delete of the old object (first, for resources with
  `delete_before_replace`, which Bucket sets).
* `pulumi up --target <urn>`: untargeted resources get no Check (their old inputs are reused) and no Diff; their
  deletes happen only when targeted.
* `pulumi destroy [--target]`: no program, no Check, no Diff: Deletes only. No RPC says which resources a run
  targets, so the check of the objects above a first delete (preflight.py) reads the `--target` list from the
  running CLI's command line (`state.run_targets`) and assumes every ancestor goes when it cannot.
* `pulumi refresh`: Read only. The recovery of scripts/recover.sh is `cancel`, `refresh --clear-pending-creates`
  (Read; pending creates forgotten), then `up`.

So the provider reads the stack's state (`pulumi stack export`, once per process, when a decision needs it) and
notes what this run made each resource hold. A resource of the state is known by its name as its mark writes it
(`state._mark_name`: "space-a b" is "space-a-b"), the name every decision asks by.

* A **create** adopts an object carrying one of its marks only when its own resource does not hold it in the
  state: such an object is one an interrupted run created (a kill, a lost answer) or one another resource of the
  stack holds (a move between Space resources and a SpaceSet, or between SpaceSet chunks). The object its own
  resource holds is the one a replacement replaces, in every path above: it is never adopted.
* A create adopts a space only with the declared `multi_album` (fixed at creation). A move between Space
  resources and a SpaceSet (or between chunks) that also flips it is refused: at preview by Check, which reads
  the holder's `multi_album` from the state (Check runs for every new resource, `--replace` included), and again
  at create (`space.adoptable_as_declared`), before anything changes.
* A create whose resource already holds an object in the state is a replacement, Diff or no Diff: before it
  starts, the old object's delete is checked (`before_replace`) and the create refused when that delete would be.
* A **delete** removes an object only when no other resource of the stack holds it, in the state or by this
  run's creates: an object that moved leaves the old resource's state and stays. Then the usual rules: files
  need force_destroy, checked before the first delete (preflight.py), another stack's mark is left alone.
* **The last holder deletes.** Two resources can hold one space in the state: a Space resource took it over
  from a SpaceSet whose delete was then refused (another of its spaces holds files), and a delete either finishes
  or changes nothing, so the set stays whole. When both are deleted in one run (`destroy`, both targeted), the
  first to decide leaves the space to the other and is released at once, under one lock with the decision
  (`state.defer_or_keep`; a set decides for all its spaces at once, with its checks, under the same lock): the
  second sees itself the last holder and deletes the space by the usual rules. Never both deferring, leaving a
  space outside the state; never both deleting.
"""

from __future__ import annotations

import re

import pulumi

from smh_provider import operation

OWNER_TAG = "pulumi:owner"
# Next to the mark: "true" when the object's force_destroy is on, so that the delete of an object inside it
# can tell, before it starts, whether this object's own delete (which comes later) will go through.
FORCE_TAG = "pulumi:force-destroy"
_UNSAFE = re.compile(r"[^\w+\-=.:/]")
MAX_MARK = 250


_marks: dict[str, str] = {}  # mark -> the resource name that gave it, in this program run


def mark_of(project: str, stack: str, resource_name: str) -> str:
    """The ownership mark of resource `resource_name` of a project's stack (without the check of `mark`)."""
    return _UNSAFE.sub("-", f"{project}/{stack}/{resource_name}")[:MAX_MARK]


def mark(resource_name: str) -> str:
    """The ownership mark of a resource of the running program's project and stack.

    Characters a mark cannot carry become '-', so two names can give one mark ("space-a b", "space-a-b"): then
    recovery or a move could take one's object for the other's. The second such name is refused (ValueError, which
    the program reports at preview, before anything is created).
    """
    text = mark_of(pulumi.get_project(), pulumi.get_stack(), resource_name)
    other = _marks.setdefault(text, resource_name)
    if other != resource_name:
        raise ValueError(f"resource names {other!r} and {resource_name!r} give one ownership mark {text!r} "
                         "(characters other than letters, digits and _ + - = . : / become '-'): rename one of them, "
                         "e.g. use only letters, digits and '-' in space and album keys")
    return text


def same_stack(a: str | None, b: str | None) -> bool:
    """Two marks of resources of one project and stack (two libraries of one stack may share a bucket)."""
    return bool(a and b) and a.rpartition("/")[0] == b.rpartition("/")[0]  # type: ignore[union-attr]


def split_tags(tags: dict[str, str]) -> tuple[dict[str, str], str]:
    """(the user's tags, our mark or '') from the tags the cloud reports."""
    user = {k: v for k, v in tags.items() if k not in (OWNER_TAG, FORCE_TAG)}
    return dict(sorted(user.items())), tags.get(OWNER_TAG, "")


def with_mark(tags: dict[str, str], owner: str | None, force: bool = False) -> dict[str, str]:
    out = {**tags, OWNER_TAG: owner} if owner else dict(tags)
    if force and owner:
        out[FORCE_TAG] = "true"
    return out


def warn(message: str) -> None:
    """A warning the CLI shows on the line of the resource being worked on."""
    operation.say(message, warn=True)


def warn_takeover(what: str, adopt_from: str | None) -> None:
    """At preview of a create with adopt_from: say which stack loses the object."""
    if adopt_from:
        warn(f"{what}: adopt_from={adopt_from!r}: if it still carries that mark, this run takes it over from "
             f"{describe(adopt_from)}, which then no longer manages it (its refresh drops it from its state and its "
             "destroy leaves it in place)")


def warn_gone(what: str, found: str) -> None:
    warn(f"{what} now carries the ownership mark {found!r} of {describe(found)}: it was taken over, so this stack "
         "no longer manages it and leaves it in place")


def stack_of(owner: str | None) -> str:
    """'<project>/<stack>' of a mark, or '' (stack names cannot contain '/')."""
    parts = (owner or "").split("/")
    return "/".join(parts[:2]) if len(parts) >= 3 else ""


def describe(owner: str) -> str:
    """A mark in words: "stack 'local' of project 'smh-media' (resource 'media-bucket')"."""
    parts = owner.split("/", 2)
    if len(parts) < 3:
        return f"the owner {owner!r}"
    return f"stack {parts[1]!r} of project {parts[0]!r} (resource {parts[2]!r})"


def mark_rule(value: str | None, inputs: object = None, name: str = "adopt_from") -> str | None:
    """Rule for adopt_from: empty, or a mark `<project>/<stack>/<resource>` that is not this resource's own."""
    if not value:
        return None
    if len(value.split("/", 2)) < 3 or not all(value.split("/", 2)):
        return (f"{name} {value!r} must be the ownership mark the object carries, '<project>/<stack>/<resource>' "
                "(e.g. 'smh-media/local/media-bucket'; the error that refused adopt=True names it)")
    own = inputs.get("owner") if isinstance(inputs, dict) else None
    if own and value == own:
        return f"{name} {value!r} is this resource's own mark: nothing to take over (remove {name})"
    return None


def may_take(found: str, owner: str | None, adopt: bool, adopt_from: str | None) -> str | None:
    """Why this resource must not take over an existing object carrying mark `found` ('' = none), or None.

    Ours (an interrupted run made it): take it. No mark: only with adopt=True. Another stack's or
    resource's mark: only with adopt_from naming exactly that mark; adopt=True is never enough.
    """
    if owner and found == owner:
        return None
    if not found:
        if adopt or adopt_from:
            return None if adopt else (f"it carries no ownership mark, while adopt_from expects {adopt_from!r}; "
                                       "set adopt=True instead to take over an object no stack owns")
        return "it carries no ownership mark, so no stack of this provider created it"
    if adopt_from == found:
        return None
    who = describe(found)
    if adopt_from:
        return (f"it carries the ownership mark {found!r} of {who}, not {adopt_from!r} as adopt_from says; "
                "nothing was taken over")
    return (f"it carries the ownership mark {found!r}: {who} manages it. adopt=True never takes over an object "
            f"another stack or resource owns; to move it to this one, set adopt_from={found!r} (in stack config: "
            "smh-media:adoptBucketFrom for the bucket, adopt_from in smh-media:library for the library; that stack "
            "then no longer manages it: its refresh drops it and its destroy leaves it alone), or choose another name")


def still_ours(found: str, owner: str | None) -> bool:
    """Whether a delete may go on: the object carries our mark, or none (removed outside, nobody claims it)."""
    return not found or not owner or found == owner


def take_over_hint(what: str, flag: str = "adopt=True") -> str:
    return (f"To take over the existing {what}, set {flag} on the resource (in this project's stack config: see "
            "the safety model, docs/safety.md, 'Taking over existing objects') and run `pulumi up`: the provider "
            "then writes this stack's ownership mark on it and manages it from then on. Otherwise choose another name.")
