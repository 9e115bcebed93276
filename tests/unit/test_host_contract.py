"""The private Pulumi shapes the dynamic host's patches stand on (smh_provider/host_contract.py), pinned to the
pulumi version in requirements.txt: an upgrade that changes one fails here, not silently in a user's run.

The real server module (`pulumi/dynamic/__main__.py` of the installed SDK) is loaded as the dynamic host runs it,
minus its last statement (`main()`, which would serve forever). Each check is also shown to fail on a server of
another shape, and the hooks' reaction to it (a warning, or a SpaceSet's refusal) is checked."""

from __future__ import annotations

import ast
import asyncio
import base64
import importlib.util
import re
import sys
import types
from importlib.metadata import version
from pathlib import Path
from typing import Any

import dill
import pulumi
import pytest
from pulumi.dynamic import ReadResult, ResourceProvider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from smh_provider import host, host_batch, host_contract, program

ROOT = Path(__file__).resolve().parents[2]


def pinned_pulumi() -> str:
    text = (ROOT / "requirements.txt").read_text()
    found = re.search(r"^pulumi==([\w.]+)\s*$", text, re.MULTILINE)
    assert found, "requirements.txt pins no pulumi==<version>"
    return found.group(1)


def load_server() -> types.ModuleType:
    """pulumi.dynamic.__main__ as `python -m pulumi.dynamic` runs it, without the final `main()` call."""
    spec = importlib.util.find_spec(host_contract.SERVER_MODULE)
    assert spec is not None and spec.loader is not None
    tree = ast.parse(spec.loader.get_source(spec.name) or "")
    last = tree.body[-1]
    assert isinstance(last, ast.Expr) and ast.unparse(last) == "main()", "the server no longer ends with main()"
    tree.body.pop()
    module = types.ModuleType("__main__")
    module.__spec__, module.__file__ = spec, spec.origin
    exec(compile(tree, spec.origin or "<server>", "exec"), module.__dict__)  # noqa: S102 - pulumi's own module
    return module


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A fresh real server as this process's __main__, with host.py's and host_batch.py's state reset."""
    module = load_server()
    monkeypatch.setitem(sys.modules, "__main__", module)
    monkeypatch.setattr(host, "_problems", [])
    monkeypatch.setattr(host_batch, "_installed", False)
    monkeypatch.setattr(host, "_engine", [None])  # no engine: log() falls back to pulumi.log
    return module


def test_the_installed_pulumi_is_the_pinned_one() -> None:
    assert version("pulumi") == pinned_pulumi(), (
        "the contract below is checked against the installed pulumi; run `make bootstrap` after changing "
        "requirements.txt")


def test_the_pinned_server_has_every_shape_the_hooks_need(server: types.ModuleType) -> None:
    assert host_contract.in_dynamic_host(server)
    assert host_contract.server_problems(server) == []
    assert host_contract.batch_problems(server) == []
    assert host_contract.program_problems() == []


def test_install_applies_every_hook_to_the_pinned_server(server: types.ModuleType,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[str] = []
    monkeypatch.setattr(host, "log", lambda message, warn=False, urn=None: warned.append(message))
    assert host.install() == [] and warned == []
    assert isinstance(server.traceback, host._Traceback) and isinstance(server.proto, host._Proto)
    assert host_batch.install() is True
    servicer = server.DynamicResourceProviderServicer
    assert servicer.Create.__closure__[0].cell_contents.__code__.co_name == "handler"
    # The shape checks still see through host_batch's layer (a second provider configures after the first).
    assert host_contract.server_problems(server) == []


class _UrnProvider(ResourceProvider):
    """read() answers with the URN host.rpc_urn finds in the server's frames."""

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, {"urn": host.rpc_urn()})


def test_rpc_urn_reads_the_urn_of_the_running_rpc_through_the_real_handler(server: types.ModuleType) -> None:
    urn = "urn:pulumi:s::p::pulumi-python:dynamic:Resource::r"
    props = {"__provider": base64.b64encode(dill.dumps(_UrnProvider(), recurse=True)).decode()}
    loop = asyncio.new_event_loop()
    try:
        request = provider_pb2.ReadRequest(id="r1", urn=urn,
                                           properties=loop.run_until_complete(rpc.serialize_properties(props, {})))
    finally:
        loop.close()

    class Context:
        def abort(self, code: Any, details: str) -> None:
            raise AssertionError(details)

    answer = server.DynamicResourceProviderServicer().Read(request, Context())
    assert rpc.deserialize_properties(answer.properties)["urn"] == urn


def _reshaped(server: types.ModuleType) -> types.ModuleType:
    """The server as a future pulumi might shape it: handlers without `request`, no module-level proto use."""

    class Servicer:
        def Create(self, req: Any, context: Any) -> Any:  # noqa: N802 - the RPC's name
            return None

        Read = Update = Delete = Diff = Check = Create

    server.DynamicResourceProviderServicer = Servicer
    del server.proto
    return server


def test_a_changed_server_is_named_and_the_user_warned_once(server: types.ModuleType,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _reshaped(server)
    problems = host_contract.server_problems(server)
    assert [p.split(":")[0] for p in problems] == ["diffs", "check failures", "progress"]
    warned: list[tuple[str, bool, str | None]] = []
    monkeypatch.setattr(host, "log", lambda message, warn=False, urn=None: warned.append((message, warn, urn)))
    assert host.install() == problems
    assert host.install() == problems  # the second provider in the process: no second warning
    assert len(warned) == 1 and warned[0][1] is True and warned[0][2] == ""
    assert f"pulumi {version('pulumi')}" in warned[0][0] and "requirements.txt" in warned[0][0]
    assert isinstance(server.traceback, host._Traceback)  # the errors hook still fits, and is kept


def test_a_changed_server_makes_a_space_set_refuse_to_run(server: types.ModuleType) -> None:
    _reshaped(server)
    with pytest.raises(host_batch.HostShapeError, match="SpaceSet resources refuse to run") as raised:
        host_batch.install()
    assert "Create is no longer a wrapper" in str(raised.value) and "spaceSet: false" in str(raised.value)
    assert host_batch.installed() is False


def test_outside_the_server_nothing_is_patched_and_nothing_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = types.ModuleType("__main__")
    monkeypatch.setitem(sys.modules, "__main__", plain)
    monkeypatch.setattr(host, "_problems", [])
    monkeypatch.setattr(host_batch, "_installed", False)
    assert host.install() == [] and host_batch.install() is False and host._problems == []


def test_a_changed_sdk_leaves_the_program_unpatched_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import pulumi.runtime.settings as engine_settings

    def error(message: str) -> None:  # a future signature
        pass

    monkeypatch.setattr(program, "_original", [])
    monkeypatch.setattr(pulumi.log, "error", error)
    warned: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *a, **k: warned.append(message))
    before = engine_settings.grpc_error_to_exception
    problems = program.quiet_engine_shutdown()
    assert problems and "pulumi.log.error" in problems[0] and len(warned) == 1
    assert pulumi.log.error is error and engine_settings.grpc_error_to_exception is before
    assert program.quiet_engine_shutdown() == [] and len(warned) == 1


def test_the_cli_program_runner_logs_run_errors_through_pulumi_log_error() -> None:
    """program.py's patch of pulumi.log.error matters only because the language host's runner calls it by
    attribute; that runner ships with the CLI bundle bootstrap installs (.tools/pulumi)."""
    runner = ROOT / ".tools" / "pulumi" / "pulumi-language-python-exec"
    if not runner.exists():
        pytest.skip("no CLI bundle in .tools/pulumi (run `make bootstrap`)")
    text = runner.read_text()
    assert re.search(r"except pulumi\.RunError as e:\s+pulumi\.log\.error\(str\(e\)\)", text), (
        "the CLI's program runner no longer reports a RunError through pulumi.log.error: program.py's quiet "
        "shutdown no longer applies")
