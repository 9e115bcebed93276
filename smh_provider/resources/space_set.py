"""SpaceSet: all tenant spaces of a multi-tenant library (or a share of them) and their albums, as one resource.

```python
SpaceSet("tenants", library=library, spaces={"alice": {"multi_album": True, "albums": {"trip": "Trip"}},
                                             "bob": {"space_tag": "personal"}})
```

One engine step creates, changes or deletes any number of spaces, on the set's own thread pool (`workers`, default
32): the engine's cost per resource step (a state checkpoint each) is paid once, not once per space and album.
Everything else is the Space and Album resources' logic, called per key (space_set_apply.py).

* Diff is per key (space_set_plan.py): a preview lists the spaces and albums added, changed, replaced or deleted
  as detailed diff paths (`spaces["alice"].public_read`). Replace-only: library_id (the whole set). A change of a
  space's creation-only setting (multi_album, or clearing quota_bytes) replaces that space alone, inside the set;
  renaming an album moves it and keeps its files.
* Ownership: every space carries the mark `<project>/<stack>/<set>/<key>`; a create that finds its own mark
  adopts; a space with this set's mark that the set does not hold is deleted when empty and reported when not.
* Partial failure: when some keys fail, the others are kept, the outputs say exactly what exists, every failed
  key is reported with its error, and the next `up` finishes the rest (host_batch.PartialFailure).
* Refresh: one ListSpaces pass, then per space one extension read (and one album listing for a multi-album
  space, one quota read when a quota is declared), in parallel.
* Delete refuses a space that holds files unless force_destroy (per space, or for the whole set).

Outputs: `spaces` (the entries as they exist, sparse: only non-default settings) and `space_ids` (key -> id).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from smh_provider import host_batch, operation, ownership, preflight, state
from smh_provider.errors import NotFound, ProviderError, if_found
from smh_provider.resources import album, rules, space
from smh_provider.resources._base import BaseProvider, Prop, is_unknown
from smh_provider.resources.media_library import MediaLibrary
from smh_provider.resources.space import Listing, NotDeletable, require_multi_tenant
from smh_provider.resources.space_set_apply import Outcome, Runner
from smh_provider.resources.space_set_plan import UPDATE, detailed_diff, full, normalize_spaces, plan

PROPS = (
    Prop("library_id", "str", replace=True, via="library_identity", doc="the multi-tenant media library"),
    Prop("force_destroy", "bool", default=False,
         doc="delete spaces that still hold files (default of every space; a space's own force_destroy wins)"),
    Prop("workers", "int", default=32, rule=rules.int_range("workers", 1, 64),
         doc="calls in flight at once; changing it changes nothing in the cloud (never a diff)"),
    Prop("owner", "str", internal=True, doc="ownership mark prefix <project>/<stack>/<set>, set by the class"),
    Prop("legacy_mark", "str", internal=True,
         doc="mark template of Space resources this set takes over, e.g. <project>/<stack>/space-{key}"),
    Prop("also_marks", "list", default=[], internal=True,
         doc="mark templates of the same keys under other SpaceSets of the stack ({key}; {n}: any chunk)"),
    Prop("library_identity", "str", internal=True, doc="the library's identity (set when given library=)"),
    Prop("chunk", "str", internal=True, doc="i/n: the keys of share i of n (stack_spaces.chunk_of), or unset"),
)
# The arguments as docs/resources.md lists them: `spaces` is checked by space_set_plan, not by a Prop.
DOC_PROPS = (
    PROPS[0],
    Prop("spaces", "map of key -> space settings",
         doc="per key the Space resource's settings (allow_photo ... quota_bytes, force_destroy) plus `albums` "
             "(album key -> album name); keys: 1 to 64 letters, digits, `_ . -`, part of the ownership mark"),
    *PROPS[1:],
)


class SpaceSetProvider(BaseProvider):
    replace_checked = True
    props = PROPS
    type_label = "SpaceSet"

    def configure(self, req: ConfigureRequest) -> None:
        super().configure(req)
        host_batch.install()

    # -- check / diff ---------------------------------------------------------------------------
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        host_batch.install()
        result = super().check(olds, {k: v for k, v in news.items() if k not in ("spaces", "space_ids")})
        spaces, problems = normalize_spaces(news.get("spaces"))
        owner = news.get("owner")
        if isinstance(owner, str) and isinstance(spaces, dict):
            for key in spaces:
                if len(f"{owner}/{key}") > ownership.MAX_MARK:
                    problems.append((f'spaces["{key}"]', f"the ownership mark {owner}/{key} is longer than "
                                                         f"{ownership.MAX_MARK} characters; use a shorter key"))
        if not olds and isinstance(owner, str) and isinstance(spaces, dict):
            problems += _moves_changing_multi_album(news, spaces)
        old_n, new_n = (str(x).partition("/")[2] or "1" for x in (olds.get("chunk") or "", news.get("chunk") or ""))
        if olds and old_n != new_n:
            # This set exists before and after with another share of the keys: its update would remove keys while
            # the set they move to adopts them, in parallel; nothing orders the two. Through one set both moves are
            # a create then a delete of separate resources, which the engine orders (state.py).
            problems.append(("chunk", f"the spaces are split into {new_n} SpaceSet resources, where the state has "
                                      f"{old_n}: moving keys between existing chunks in one `up` is not safe. Go "
                                      f"through one set: set spaceSet to true (or {{from: N}}) and run `pulumi up`, "
                                      f"then set {{chunks: {new_n}}} and run `pulumi up` again; neither step "
                                      "recreates or deletes a space."))
        result.inputs["spaces"] = spaces
        result.failures = [*result.failures, *(CheckFailure(p, r) for p, r in problems)]
        return result

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        host_batch.install()
        base = super().diff(id_, {k: v for k, v in olds.items() if k != "workers"},
                            {k: v for k, v in news.items() if k not in ("spaces", "workers")})
        new_spaces = news.get("spaces")
        if base.replaces:
            return base
        if is_unknown(new_spaces):
            return DiffResult(changes=True, replaces=[], stables=[], delete_before_replace=False)
        old_force, new_force = bool(olds.get("force_destroy")), bool(news.get("force_destroy"))
        plans = plan(olds.get("spaces") or {}, new_spaces or {}, old_force, new_force)
        self._before_replacing(plans, olds, news, old_force)
        paths = detailed_diff(plans, olds.get("spaces") or {}, new_spaces or {})
        if old_force != new_force:
            paths["force_destroy"] = UPDATE
        changed = bool(paths) or bool(base.changes)
        if changed:
            host_batch.set_detailed_diff(paths)
        return DiffResult(changes=changed, replaces=[], stables=[], delete_before_replace=False)

    def before_replace(self, id_: str, olds: dict[str, Any], replaces: list[str]) -> None:
        """The whole set is replaced (its library changed, `up --replace`): every space it holds goes after the new
        set exists, so each must be able to go (empty, or force_destroy); spaces another resource holds stay."""
        if not replaces:
            return
        refused = self.replace_problems(olds)
        if refused:
            raise preflight.refuse(f"replacing SpaceSet of media library {olds.get('library_id')} "
                                   f"({', '.join(replaces)} changed)", refused, preflight.WAY_OUT)

    def replace_problems(self, olds: dict[str, Any]) -> list[str]:
        """Why the delete of the set's spaces (outputs `olds`), which its replacement implies, would be refused."""
        inputs = self.inputs_of(olds)
        try:
            runner = self._runner(inputs)
        except NotFound:
            return []
        spaces, ids = olds.get("spaces") or {}, olds.get("space_ids") or {}
        checked = runner.run({k: functools.partial(
            _checked, runner, k, sid, full(spaces.get(k) or {}, inputs["force_destroy"])["force_destroy"])
            for k, sid in ids.items() if not state.held_by_others("space", sid, inputs["owner"])})
        return [f'spaces["{k}"]: {o.error}' for k, o in sorted(checked.items()) if o.error]

    def _before_replacing(self, plans: dict[str, Any], olds: dict[str, Any], news: dict[str, Any],
                          old_force: bool) -> None:
        """A space replaced inside the set (its multi_album changed, its quota cleared) must be able to go: refused
        at preview when it holds files without force_destroy. Reads only the spaces being replaced."""
        replaced = {k: p for k, p in plans.items() if p.op == "replace"}
        if not replaced:
            return
        runner = self._runner(self.inputs_of(olds))
        ids, spaces, problems = olds.get("space_ids") or {}, olds.get("spaces") or {}, []
        new_spaces, new_force = news.get("spaces") or {}, bool(news.get("force_destroy"))
        for key, p in sorted(replaced.items()):
            sid = ids.get(key)
            if not sid:
                continue
            force = full(spaces.get(key) or {}, old_force)["force_destroy"] or \
                full(new_spaces.get(key) or {}, new_force)["force_destroy"]
            try:
                runner.check_deletable(sid, force)
            except ProviderError as err:
                problems.append(f'spaces["{key}"] ({", ".join(p.reasons)} changed, so its space {sid} is replaced): '
                                f"{err}")
            else:
                operation.say(f'spaces["{key}"]: its space {sid} is replaced ({", ".join(p.reasons)} changed): a new '
                              "space is created and the old one deleted", warn=True)
        if problems:
            raise preflight.refuse(f"updating SpaceSet of media library {olds.get('library_id')}", problems,
                                   preflight.WAY_OUT)

    # -- create / update / delete ---------------------------------------------------------------------
    def _runner(self, inputs: dict[str, Any], listed: bool = False) -> Runner:
        """The runner of this set's space calls; `listed`: with the library's space listing loaded (NotFound when
        the library is gone)."""
        runner = Runner(self.settings(), inputs["library_id"], inputs["owner"] or "", inputs["workers"],
                        [inputs.get("legacy_mark") or "", *(inputs.get("also_marks") or [])])
        if listed:
            runner.listing = Listing.load(runner.plane)
        return runner

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self.inputs_of(props)
        spaces: dict[str, Any] = props.get("spaces") or {}
        require_multi_tenant(self.settings(), inputs["library_id"],
                             f"creating the tenant spaces of SpaceSet in media library {inputs['library_id']}")
        runner = self._runner(inputs, listed=True)
        force = inputs["force_destroy"]
        outcomes = runner.run({k: functools.partial(runner.create, k, e, force, set()) for k, e in spaces.items()})
        set_id = f"spaceset-{uuid.uuid4().hex[:16]}"
        return CreateResult(set_id, self._finish(set_id, inputs, runner, outcomes, {}, {}, "creating"))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs = self.inputs_of(news)
        old_spaces, old_ids = dict(olds.get("spaces") or {}), dict(olds.get("space_ids") or {})
        new_spaces: dict[str, Any] = news.get("spaces") or {}
        old_force, new_force = bool(olds.get("force_destroy")), inputs["force_destroy"]
        plans = plan(old_spaces, new_spaces, old_force, new_force)
        runner = self._runner(inputs)
        tasks: dict[str, Callable[[], Outcome]] = {}
        quiet: dict[str, Outcome] = {}
        exclude = set(old_ids.values())
        for key, p in plans.items():
            old, new, sid = old_spaces.get(key), new_spaces.get(key), old_ids.get(key)
            if p.op == "create" or (sid is None and new is not None):
                tasks[key] = functools.partial(runner.create, key, new, new_force, exclude)
            elif p.op == "delete":
                force = full(old, new_force)["force_destroy"]
                tasks[key] = functools.partial(runner.delete, key, old, sid, force)
            elif p.op == "replace":
                tasks[key] = functools.partial(runner.replace, p, old, sid, new, old_force, new_force, exclude)
            elif p.calls_cloud:
                tasks[key] = functools.partial(runner.update, p, old, sid, new, old_force, new_force)
            else:  # force_destroy only: bookkeeping
                quiet[key] = Outcome(key, new, sid)
        for key, new in new_spaces.items():
            # The same settings, written another way (force_destroy now declared on the entry, equal to what the
            # set's gave it, or no longer declared): nothing to do in the cloud, but the outputs take the new form,
            # or the next diff compares against the old one under the set's new force_destroy.
            if key not in plans and old_ids.get(key) and old_spaces.get(key) != new:
                quiet[key] = Outcome(key, new, old_ids[key])
        runner.listing = Listing.load(runner.plane)  # adoption, and the sweep of leftovers
        outcomes = {**quiet, **runner.run(tasks)}
        return UpdateResult(self._finish(id_, inputs, runner, outcomes, old_spaces, old_ids, "updating",
                                         keep=set(old_ids.values())))

    def _finish(self, set_id: str, inputs: dict[str, Any], runner: Runner, outcomes: dict[str, Outcome],
                spaces: dict[str, Any], ids: dict[str, str], doing: str, keep: set[str] | None = None
                ) -> dict[str, Any]:
        """The outputs after the tasks ran; raise PartialFailure (with them) when a key or the sweep failed."""
        spaces, ids = dict(spaces), dict(ids)
        deleted: set[str] = set()
        for key, out in outcomes.items():
            deleted.update(out.deleted)
            if out.space_id is None:
                spaces.pop(key, None)
                ids.pop(key, None)
            else:
                spaces[key], ids[key] = out.entry or {}, out.space_id
                state.note_album_keys(inputs["owner"], out.space_id, (out.entry or {}).get("albums") or {})
        problems = [f'spaces["{k}"]: {o.error}' for k, o in sorted(outcomes.items()) if o.error]
        leftovers: list[str] = []
        if runner.listing is not None:
            _, leftovers = runner.sweep(set(ids.values()) | deleted | (keep or set()))
            problems += leftovers
        outs = {**inputs, "spaces": dict(sorted(spaces.items())), "space_ids": dict(sorted(ids.items()))}
        if problems:
            failed = sum(1 for o in outcomes.values() if o.error)
            raise host_batch.PartialFailure(
                set_id, outs, problems,
                f"{doing} SpaceSet of media library {inputs['library_id']}: {failed} of {len(outcomes)} spaces "
                f"failed{f' and {len(leftovers)} leftover spaces were kept' if leftovers else ''}"
                f"; the {len(ids)} spaces that exist are saved in the state, and the next `pulumi up` retries the "
                "rest")
        return outs

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        inputs = self.inputs_of(props)
        spaces, ids = props.get("spaces") or {}, props.get("space_ids") or {}
        try:
            runner = self._runner(inputs, listed=True)
            lib_id = inputs["library_id"]  # the library and bucket this run deletes next must be able to go too
            preflight.check_tree(f"library:{lib_id}", lambda: preflight.library_ancestor(
                self.settings(), lib_id, ownership.stack_of(inputs["owner"])), f"deleting SpaceSet of {lib_id}")
        except NotFound:
            return  # the library is gone, and its spaces with it
        force = inputs["force_destroy"]
        forced = {k: full(spaces.get(k) or {}, force)["force_destroy"] for k in ids}
        # Before the first delete, every space that goes must be able to go (a delete never starts that cannot
        # finish); spaces another resource of the stack holds now stay, and are not this delete's to check. The
        # decision and the release of what stays are one step (state.deciding): a Space resource deleted in the
        # same run as this set then either sees the set still holding its space (and leaves it to the set) or
        # sees it released (and deletes it itself), never both deferring.
        owner = inputs["owner"]
        with state.deciding():
            going = {k: sid for k, sid in ids.items() if not state.held_by_others("space", sid, owner)}
            # A space that stays (another resource holds it now) keeps the albums its new holder declares; the
            # others this set held in it were removed from the program in the same `up`: they go, by the rules.
            orphans = {k: runner.orphan_albums(sid, spaces.get(k) or {}) for k, sid in ids.items() if k not in going}
            checked = runner.run({k: functools.partial(_checked, runner, k, sid, forced[k])
                                  for k, sid in going.items()})
            refused = [f'spaces["{k}"]: {o.error}' for k, o in sorted(checked.items()) if o.error]
            refused += [f'spaces["{k}"]: {problem}' for k, names in sorted(orphans.items())
                        for problem in runner.album_problems(ids[k], names, forced[k])]
            if refused:
                raise preflight.refuse(f"deleting SpaceSet of media library {inputs['library_id']}", refused,
                                       preflight.WAY_OUT)
            for k, sid in ids.items():
                if k not in going:
                    state.release("space", sid, owner)
        for k, names in orphans.items():
            for name in names:
                album.delete_album(runner.plane, ids[k], name, forced[k])
        outcomes = runner.run({k: functools.partial(runner.delete, k, spaces.get(k) or {}, sid, forced[k])
                               for k, sid in going.items()})
        deleted = {i for o in outcomes.values() for i in o.deleted}
        _, leftovers = runner.sweep(deleted | set(ids.values()))
        failed = [f'spaces["{k}"]: {o.error}' for k, o in sorted(outcomes.items()) if o.error]
        problems = failed + leftovers
        if problems:
            raise ProviderError(f"deleting SpaceSet of media library {inputs['library_id']}: {len(failed)} of "
                                f"{len(going)} spaces were kept ({len(deleted)} deleted)"
                                f"{f', {len(leftovers)} leftover spaces kept' if leftovers else ''}; run `pulumi "
                                "refresh` to bring the state to what exists:" + "".join(f"\n  - {p}" for p in problems))

    # -- refresh ------------------------------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self.inputs_of(props)
        spaces, ids = props.get("spaces") or {}, props.get("space_ids") or {}
        runner = if_found(lambda: self._runner(inputs, listed=True))
        if runner is None:
            return ReadResult("", {})
        existing = runner.listing.every  # by id: a space is ours by the state, whatever its listing shows
        force = inputs["force_destroy"]
        outcomes = runner.run({k: functools.partial(runner.read, k, spaces.get(k) or {}, sid, force)
                               for k, sid in ids.items() if sid in existing})
        failed = [f'spaces["{k}"]: {o.error}' for k, o in sorted(outcomes.items()) if o.error]
        if failed:
            raise ProviderError(f"reading SpaceSet of media library {inputs['library_id']}:"
                                + "".join(f"\n  - {p}" for p in failed))
        now = {k: o for k, o in outcomes.items() if o.space_id}
        return ReadResult(id_, {**inputs, "spaces": {k: o.entry for k, o in sorted(now.items())},
                                "space_ids": {k: o.space_id for k, o in sorted(now.items())}})


def _moves_changing_multi_album(news: dict[str, Any], spaces: dict[str, Any]) -> list[tuple[str, str]]:
    """A new set taking spaces over from Space resources or other sets (entering a set, a threshold, chunks): at
    preview, each key's multi_album must be what its space has (fixed at creation; the create refuses it too)."""
    templates = [t for t in [news.get("legacy_mark"), *(news.get("also_marks") or [])] if isinstance(t, str) and t]
    held = space.held_marks(news.get("owner")) if templates else {}
    problems = []
    for key, entry in spaces.items() if held else ():
        want = bool((entry or {}).get("multi_album"))
        moving = space.moving_here(held, [t.replace("{key}", key) for t in templates])
        if moving and moving[1] != want:
            problems.append((f'spaces["{key}"].multi_album', space.moving_with_other_multi_album(
                f'the tenant space of spaces["{key}"]', [moving[0]], want)))
    return problems


def _checked(runner: Runner, key: str, space_id: str, force: bool) -> Outcome:
    """Whether the space of `key` can go; the outcome's error says why not in a few words (the refusal that lists
    them says once that nothing was deleted, and the way out)."""
    try:
        runner.check_deletable(space_id, force)
    except NotDeletable as err:
        return Outcome(key, None, space_id, f"tenant space {space_id}: {err.problem}")
    return Outcome(key, None, space_id)


class SpaceSet(Resource, module="smh", name="SpaceSet"):
    """Tenant spaces (租户空间) of a multi-tenant media library, with their albums, managed as one resource."""

    spaces: pulumi.Output[dict[str, Any]]
    space_ids: pulumi.Output[dict[str, str]]
    library_id: pulumi.Output[str]

    def __init__(self, resource_name: str, *, spaces: dict[str, Any], library: MediaLibrary | None = None,
                 library_id: pulumi.Input[str] | None = None, workers: int = 32, force_destroy: bool = False,
                 adopt_space_resources: str | None = None, chunk: str | None = None,
                 also_sets: list[str] | None = None, opts: pulumi.ResourceOptions | None = None) -> None:
        """`adopt_space_resources`: the name template of Space resources this set takes over (e.g.
        "space-{key}"): their spaces are adopted by mark, and the dropped Space and Album resources leave the
        state without deleting anything (docs/spaces.md, "Thousands of tenant spaces"). `chunk` ("i/n"): this set holds
        share i of n of a library's keys (stack_spaces.declare_space_set); n must not change later."""
        props: dict[str, Any] = {"library_identity": None}
        if library is not None:
            if library.declared_settings.get("multi_tenant") is not True:
                raise ValueError(f"SpaceSet {resource_name!r}: library {library._name!r} is single-tenant "
                                 "(multi_tenant is not True); tenant spaces exist only in multi-tenant libraries.")
            library_id = library.library_id
            props["library_identity"] = library.identity
            opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(depends_on=[library]), opts)
        if library_id is None:
            raise TypeError(f"SpaceSet {resource_name!r}: give library_id or library")
        legacy = None
        if adopt_space_resources:
            if "{key}" not in adopt_space_resources:
                raise ValueError(f"SpaceSet {resource_name!r}: adopt_space_resources must contain '{{key}}'")
            legacy = ownership.mark("x")[:-1] + adopt_space_resources
        props |= {"library_id": library_id, "spaces": spaces, "workers": workers, "force_destroy": force_destroy,
                  "owner": ownership.mark(resource_name), "legacy_mark": legacy, "chunk": chunk,
                  "also_marks": [ownership.mark(n.replace("{n}", "0")).removesuffix("0") + "{n}/{key}" if "{n}" in n
                                 else ownership.mark(n) + "/{key}" for n in also_sets or [] if n != resource_name],
                  "space_ids": None}
        super().__init__(SpaceSetProvider(), resource_name, props, opts)
