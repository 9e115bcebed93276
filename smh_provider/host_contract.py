"""The private shapes of Pulumi that the dynamic host's patches stand on, checked before a patch is applied.

Three modules adapt code of the pulumi package that is not a public API (STYLE.md principle 14):

* host.py swaps the dynamic provider server's module globals `traceback` (errors as their message) and `proto`
  (DiffResponse with the properties our diff named; CheckFailure without a long value), and reads the server's
  handler frames for the running RPC's URN (progress on the resource's line);
* host_batch.py rewrites the closure cell of the server's Create/Update wrappers (partial failure of a SpaceSet
  through `ErrorResourceInitFailed`);
* program.py patches `pulumi.log.error` and `pulumi.runtime.settings.grpc_error_to_exception` in the program.

Each function below returns, for one patch, the list of ways the running pulumi differs from the shape the patch
expects (empty: the patch is safe). The callers decide how loud a difference is (see their docstrings):

* host.py's hooks and program.py's only change how messages read: a changed shape leaves that hook out and
  **warns** the user once per run, naming what is lost and the tested version, because refusing to deploy over
  a cosmetic loss would block every stack after a pulumi upgrade;
* host_batch.py's hook keeps state correct after a partial failure: a changed shape makes every SpaceSet
  **fail** at its first RPC with a clear error (a SpaceSet that silently forgets created spaces is worse).

tests/unit/test_host_contract.py runs these checks against the pulumi version pinned in requirements.txt (and
the CLI bundle's program runner), so an upgrade that changes a shape fails there first.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from types import CodeType, ModuleType
from typing import Any

SERVER_MODULE = "pulumi.dynamic.__main__"  # what `python -m pulumi.dynamic` runs as __main__
RPCS = ("Create", "Read", "Update", "Delete", "Diff", "Check")  # handlers whose frames host.rpc_urn reads
TESTED = "the pulumi version pinned in requirements.txt"


def in_dynamic_host(module: ModuleType | None) -> bool:
    """Whether `module` (this process's __main__) is pulumi's dynamic provider server, whatever its shape."""
    spec = getattr(module, "__spec__", None)
    return getattr(spec, "name", None) == SERVER_MODULE


def names_used(code: CodeType) -> set[str]:
    """Every global and attribute name a function's code (nested functions and comprehensions included) uses."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= names_used(const)
    return names


def handler(servicer: Any, rpc: str) -> Callable[..., Any] | None:
    """The server's own function for `rpc` under its `_abort_with_traceback` wrapper (and under host_batch's)."""
    fn = getattr(servicer, rpc, None)
    seen = 0
    while fn is not None and getattr(fn, "__code__", None) is not None and fn.__code__.co_name != rpc and seen < 3:
        cells = getattr(fn, "__closure__", None) or ()
        fn = next((c.cell_contents for c in cells if callable(c.cell_contents)), None)
        seen += 1
    return fn if fn is not None and getattr(fn, "__code__", None) is not None else None


def _handlers(server: ModuleType) -> Iterator[tuple[str, Callable[..., Any] | None]]:
    servicer = getattr(server, "DynamicResourceProviderServicer", None)
    for rpc in RPCS:
        yield rpc, handler(servicer, rpc)


def server_problems(server: ModuleType) -> list[str]:
    """How the dynamic provider server differs from what host.py's hooks expect: one line each, starting with the
    hook it leaves out (`errors:`, `diffs:`, `check failures:`, `progress:`)."""
    from pulumi.runtime.proto import provider_pb2

    problems: list[str] = []
    wrap = getattr(server, "_abort_with_traceback", None)
    wrapper_names = set().union(*(names_used(c) for c in getattr(getattr(wrap, "__code__", None), "co_consts", ())
                                  if isinstance(c, CodeType))) if wrap else set()
    if not {"traceback", "format_exc"} <= wrapper_names or not hasattr(getattr(server, "traceback", None),
                                                                         "format_exc"):
        problems.append("errors: the server no longer reports a failed RPC with its module's "
                        "traceback.format_exc(), so provider errors show with their Python traceback")
    proto = getattr(server, "proto", None)
    diff_fields = set(provider_pb2.DiffResponse.DESCRIPTOR.fields_by_name)
    handlers = dict(_handlers(server))
    diff, check = handlers.get("Diff"), handlers.get("Check")
    if proto is None or not hasattr(proto, "PropertyDiff") or not hasattr(proto, "DiffResponse") \
            or not {"diffs", "detailedDiff", "hasDetailedDiff"} <= diff_fields \
            or diff is None or not {"proto", "DiffResponse"} <= names_used(diff.__code__):
        problems.append("diffs: the server no longer builds DiffResponse from its module's `proto`, so previews "
                        "list every input that differs, bookkeeping (identity, owner) included")
    if proto is None or not hasattr(proto, "CheckFailure") or check is None \
            or not {"proto", "CheckFailure"} <= names_used(check.__code__):
        problems.append("check failures: the server no longer builds CheckFailure from its module's `proto`, so "
                        "a failure about a long value repeats the whole value")
    frames = [rpc for rpc, fn in handlers.items()
              if fn is None or "request" not in fn.__code__.co_varnames[:fn.__code__.co_argcount]]
    if frames:
        problems.append(f"progress: the server's {', '.join(frames)} handlers no longer take `request`, so "
                        "progress messages show on the stack's line instead of the resource's")
    return problems


def batch_problems(server: ModuleType) -> list[str]:
    """How the server differs from what host_batch.py's partial-failure hook expects (one line each)."""
    from pulumi.runtime.proto import provider_pb2

    problems: list[str] = []
    servicer = getattr(server, "DynamicResourceProviderServicer", None)
    fields = {"Create": "properties", "Update": "news"}
    for rpc, field in fields.items():
        wrapper = getattr(servicer, rpc, None)
        cells = getattr(wrapper, "__closure__", None) or ()
        inner = cells[0].cell_contents if cells else None
        code = getattr(inner, "__code__", None)
        if code is None or code.co_name not in (rpc, "handler"):
            problems.append(f"{rpc} is no longer a wrapper whose first closure cell holds the server's {rpc} "
                            "handler")
            continue
        wrapper_names = names_used(wrapper.__code__)
        if not {"abort", "UNKNOWN"} <= wrapper_names:
            problems.append(f"{rpc}'s wrapper no longer aborts with grpc.StatusCode.UNKNOWN, the code the "
                            "partial failure's status details must carry")
        request = getattr(provider_pb2, f"{rpc}Request", None)
        if request is None or field not in request.DESCRIPTOR.fields_by_name:
            problems.append(f"pulumirpc.{rpc}Request has no field {field!r} (the properties the handler reads)")
    failed = getattr(provider_pb2, "ErrorResourceInitFailed", None)
    if failed is None or not {"id", "properties", "reasons"} <= set(failed.DESCRIPTOR.fields_by_name):
        problems.append("pulumirpc.ErrorResourceInitFailed (id, properties, reasons) is missing")
    return problems


def program_problems() -> list[str]:
    """How the pulumi SDK differs from what program.py's quiet shutdown expects (one line each)."""
    import pulumi
    import pulumi.runtime.settings as engine_settings

    problems: list[str] = []
    error = getattr(pulumi.log, "error", None)
    try:
        params = list(inspect.signature(error).parameters) if error is not None else []
    except (TypeError, ValueError):
        params = []
    if params[:4] != ["msg", "resource", "stream_id", "ephemeral"]:
        problems.append("pulumi.log.error no longer takes (msg, resource, stream_id, ephemeral)")
    convert = getattr(engine_settings, "grpc_error_to_exception", None)
    handle = getattr(engine_settings, "handle_grpc_error", None)
    if convert is None or handle is None or "grpc_error_to_exception" not in names_used(handle.__code__):
        problems.append("pulumi.runtime.settings.handle_grpc_error no longer converts errors through the "
                        "module's grpc_error_to_exception")
    return problems


def report(what: str, problems: list[str], lost: str) -> str:
    """One message for the user: which hook is left out, why, and what to do."""
    version = _dist_version()
    return (f"smh provider: {what} of pulumi {version} differs from the shape this provider was tested with ({TESTED})"
            f"; {lost}:\n" + "\n".join(f"  - {p}" for p in problems)
            + "\nReinstall the tested version (`make bootstrap`), or report this with the pulumi version.")


def _dist_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pulumi")
    except PackageNotFoundError:
        return "(unknown version)"
