"""Schema-first machinery shared by every resource.

A resource module declares its inputs as a tuple of `Prop` (name, kind, default, whether a
change replaces, a validation rule). From that one table this module derives:

* `check`: defaults, type normalisation (the wire turns ints into floats), unknown-value
  tolerance during preview, and one CheckFailure per broken rule naming the property;
* `diff`: which properties changed, which of those force a replacement (`replace`, or only when a
  value is set or cleared: `replace_if_set` / `replace_if_cleared`), and whether the old object must
  go first (`delete_before_replace`) because a name must stay unique; the engine is told only the
  properties the user declared (`host.note_diff`), never bookkeeping (`internal`, `quiet`);
* one operation (`operation.run`: its time budget and its voice) around every create, read, update
  and delete a subclass defines;
* the credential check that makes a preview fail when no keys are configured.

Providers hold nothing: credentials live in `smh_provider.config` inside the provider process.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, DiffResult, ResourceProvider
from pulumi.output import Unknown

from smh_provider import config, host, operation, program, state
from smh_provider.resources import rules

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # pulumi.runtime.rpc.UNKNOWN: a value not known in preview
Rule = Callable[[Any, Mapping[str, Any]], "str | None"]


@dataclass(frozen=True)
class Prop:
    name: str
    kind: str  # "str" | "int" | "bool" | "list" | "map" | "objects" (a list of objects, e.g. CORS rules)
    default: Any = None
    replace: bool = False
    rule: Rule | None = None
    doc: str = ""
    # A change of value is in place, but setting a value where there was none, or clearing one, replaces.
    replace_if_set: bool = False
    replace_if_cleared: bool = False
    # Preview support (see known_outputs): `via` names the internal prop carrying the identity of the resource
    # this value comes from; `internal` props are bookkeeping, never a change of their own.
    via: str | None = None
    internal: bool = False
    # Bookkeeping whose change updates the object but is never shown as a changed property (the ownership mark).
    quiet: bool = False


def is_unknown(value: Any) -> bool:
    """A value not known until apply: `rpc.Unknown()` in Check/Diff, or the UNKNOWN sentinel string."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def normalize(kind: str, value: Any) -> Any:
    """Bring a wire value into its canonical form; raise TypeError/ValueError when it cannot be."""
    if value is None or is_unknown(value):
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise TypeError("must be a string")
        return value
    if kind == "int":
        if isinstance(value, bool):
            raise TypeError("must be a whole number")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError("must be a whole number")
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise TypeError("must be a whole number")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise TypeError("must be true or false")
    if kind == "list":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise TypeError("must be a list of strings")
        return list(value)
    if kind == "objects":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, Mapping) for v in value):
            raise TypeError("must be a list of objects")
        return [dict(v) for v in value]
    if kind == "map":
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            raise TypeError("must be a map of string to string")
        return dict(sorted(value.items()))
    raise ValueError(f"unknown kind {kind}")


CRUD = ("create", "read", "update", "delete")


def _operation(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def run(self: BaseProvider, *args: Any) -> Any:
        with operation.run(name):
            if name == "create":
                self.before_recreate(args[0])
            return method(self, *args)

    run.operation = True  # type: ignore[attr-defined]
    return run


class BaseProvider(ResourceProvider):
    """Common check/diff/configure; subclasses declare `props` and implement the CRUD methods."""

    def __init__(self) -> None:
        super().__init__()
        program.quiet_engine_shutdown()  # runs where the program builds its providers (unpickling skips it)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in CRUD:
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "operation", False):
                setattr(cls, name, _operation(name, method))

    props: ClassVar[tuple[Prop, ...]] = ()
    type_label: ClassVar[str] = "resource"
    # Properties whose unchanged value means the replacement reuses the same unique name.
    unique_identity: ClassVar[tuple[str, ...]] = ()
    # Property -> the API field it is sent as (the client's table), for the reference page.
    api_fields: ClassVar[Mapping[str, str]] = {}

    def configure(self, req: ConfigureRequest) -> None:
        host.install()
        cfg = req.config
        raw = {key: cfg.get(key) for key, _ in config.KEYS.values()}
        try:
            config.set_current(config.load(raw))
        except config.ConfigError as err:
            config.set_current(config.Settings())
            config.set_config_error(str(err))

    # -- check --------------------------------------------------------------------------------
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {k: v for k, v in news.items() if k == "__provider"}
        failures: list[CheckFailure] = []
        known = {p.name for p in self.props}
        for key in news:
            if key not in known and key != "__provider" and not key.startswith("_"):
                failures.append(CheckFailure(key, f"unknown property for {self.type_label}"))
        for prop in self.props:
            value = news.get(prop.name)
            if value is None:
                value = prop.default
            try:
                value = normalize(prop.kind, value)
            except (TypeError, ValueError) as err:
                failures.append(CheckFailure(prop.name, f"{prop.name} {err}"))
                continue
            inputs[prop.name] = value
        for prop in self.props:
            value = inputs.get(prop.name)
            if prop.rule is None or is_unknown(value) or any(f.property == prop.name for f in failures):
                continue
            problem = prop.rule(value, inputs)
            if problem:
                failures.append(CheckFailure(prop.name, problem))
        failures.extend(CheckFailure(p, r) for p, r in self.check_resource(inputs))
        # The engine repeats a failing property's value whole ("property x value {...} has a problem"): for a long
        # value it is told no property (every reason starts with the property's name).
        host.note_long_values({f.property for f in failures if len(repr(news.get(f.property))) > rules.SHOWN})
        if not failures:
            inputs.update(self.known_outputs(inputs))
            if any(p.name == "identity" for p in self.props):
                inputs["identity"] = self.identity(inputs)
        if not failures:
            problem = config.config_error() or config.current().missing_credentials()
            if problem:
                key = config.config_error_key() if config.config_error() else config.current().missing_key()
                failures.append(CheckFailure(key or "tencentcloud:secretId", problem))
        return CheckResult(inputs, failures)

    def known_outputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Outputs that follow from the inputs alone (a bucket's full name), returned with the checked inputs.

        A dynamic provider cannot preview an update, so during a preview the engine reports an updated
        resource's outputs as its checked inputs: anything not in them turns unknown, and a dependent whose
        replace-only input comes from it (a library's bucket) would preview as replaced although `up` only
        updates. Ids cannot be known this way (Check sees old inputs, not old outputs): `identity` covers them.
        """
        return {}

    def identity(self, inputs: dict[str, Any]) -> str | None:
        """A digest of what makes this object this object: its ownership mark and creation-only settings.

        It changes exactly when a settings change replaces the object, and it is known at preview even when
        the object's id is not: a dependent carries it (`Prop.via`) so that an unknown id whose identity is
        unchanged is not mistaken for a replacement. None when a creation-only setting is itself unknown.
        """
        parts: list[Any] = [inputs.get("owner")]
        for prop in self.props:
            if prop.replace_if_set or prop.replace_if_cleared:
                if is_unknown(inputs.get(prop.name)):
                    return None
                parts.append([f"{prop.name} set", inputs.get(prop.name) is not None])
            if not prop.replace:
                continue
            value = inputs.get(prop.name)
            stand_in = inputs.get(prop.via) if prop.via else None
            if stand_in and not is_unknown(stand_in):
                value = ["via", stand_in]
            elif is_unknown(value):
                return None
            parts.append([prop.name, value])
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]

    def check_resource(self, inputs: dict[str, Any]) -> list[tuple[str, str]]:
        """Rules that involve several properties; return (property, reason) pairs."""
        return []

    # -- diff ---------------------------------------------------------------------------------
    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """The plan (`plan`, from the schema alone), then `before_replace`: no read unless it replaces."""
        result = self.plan(id_, olds, news)
        self.before_replace(id_, olds, list(result.replaces or []))
        return result

    def before_replace(self, id_: str, olds: dict[str, Any], replaces: list[str]) -> None:
        """Raise when the old object's delete, which a replacement implies, would be refused (preflight.py)."""

    def before_recreate(self, props: dict[str, Any]) -> None:
        """Before a create: when the state already holds an object for this resource, this create is a replacement
        (`up --replace` calls no Diff, so `before_replace` never ran): refuse it now if the old object's delete,
        which follows, would be refused. Reads the state only for resources with a mark (state.py)."""
        owner = props.get("owner")
        if not self.replace_checked or not isinstance(owner, str) or not owner:
            return
        for old_id, old_outputs in state.previous(owner):
            self.before_replace(old_id, old_outputs, ["id"])

    # Whether before_replace checks anything (resources whose old object's delete can be refused).
    replace_checked: ClassVar[bool] = False

    def plan(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Which properties changed and which force a replacement: the schema's diff, no cloud call."""
        changes, replaces = [], []
        for prop in self.props:
            if prop.internal:
                continue
            old = olds.get(prop.name, prop.default)
            new = news.get(prop.name, prop.default)
            if is_unknown(new) and prop.via and not is_unknown(news.get(prop.via)) and news.get(prop.via) \
                    and news.get(prop.via) == olds.get(prop.via):
                continue  # unknown only because its source updates in place at preview: same object
            if not is_unknown(new):
                try:
                    old, new = normalize(prop.kind, old), normalize(prop.kind, new)
                except (TypeError, ValueError):
                    pass
                if old == new:
                    continue
            changes.append(prop.name)
            known = not is_unknown(new)
            if prop.replace or known and ((prop.replace_if_set and old is None and new is not None)
                                          or (prop.replace_if_cleared and old is not None and new is None)):
                replaces.append(prop.name)
        same_name = bool(replaces) and bool(self.unique_identity) and all(
            not is_unknown(news.get(n)) and olds.get(n) == news.get(n) for n in self.unique_identity)
        quiet = {p.name for p in self.props if p.quiet}
        host.note_diff([n for n in changes if n not in quiet], replaces)
        return DiffResult(changes=bool(changes), replaces=replaces, stables=[],
                          delete_before_replace=same_name)

    # -- helpers ------------------------------------------------------------------------------
    def settings(self) -> config.Settings:
        problem = config.config_error()
        if problem:
            raise config.ConfigError(problem)
        return config.current().require()

    def inputs_of(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The declared inputs from a props/outputs bag, normalised, defaults filled in."""
        out = {}
        for prop in self.props:
            value = props.get(prop.name)
            out[prop.name] = normalize(prop.kind, prop.default if value is None else value)
        return out
