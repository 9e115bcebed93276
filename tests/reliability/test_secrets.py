"""Suite 5, secrets: after `up`, no secret is written anywhere a user might copy it from.

The stack has a multi-tenant library and a tenant space, so the provider reads the library secret and
fetches data-plane access tokens. The secrets searched for are the account's secret key, the library
secret (read back with DescribeLibrarySecret) and every access token the emulator issued during the run
(read from its SQLite store), plus anything shaped like a token. The places searched: the state backend
on disk, the stack's config file, `pulumi stack export` (without --show-secrets), the engine's own log at
bug-report verbosity (`-v=9 --logtostderr`) of `up` and of `preview --refresh`, and the emulator's request
log (what the provider sent).
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto

from emulator.accounts import DEFAULT_SECRET_KEY
from tests.e2e.conftest import base_config
from tests.emulator_process import EmulatorProcess
from tests.reliability import report
from tests.reliability.outside import DataPlane

SUITE = "secrets"
TOKEN_SHAPE = re.compile(r"acctk01[a-z0-9]{40}")  # the emulator's token format (emulator/services/smhdata/tokens.py)


@pytest.fixture
def durable_emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """An emulator of its own with a state dir: its store is where the issued tokens can be read back."""
    proc = EmulatorProcess(state_dir=str(tmp_path / "emulator"))
    proc.state_file = tmp_path / "emulator" / "emulator.sqlite3"  # type: ignore[attr-defined]
    yield proc
    proc.stop()


def cli(stack: auto.Stack, *args: str) -> str:
    """The pulumi CLI on this stack with the workspace's environment; stdout + stderr (must succeed)."""
    done = subprocess.run(["pulumi", *args, "--stack", stack.name, "--cwd", stack.workspace.work_dir,
                           "--non-interactive", "--color", "never"], env=stack.workspace.env_vars,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"pulumi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-4000:]}"
    return done.stdout + done.stderr


def issued_tokens(state_file: Path) -> set[str]:
    with sqlite3.connect(f"file:{state_file}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT value FROM docs WHERE kind = 'smh_token'").fetchall()
    return {json.loads(value)["accessToken"] for (value,) in rows}


def test_no_secret_in_state_export_logs_or_requests(durable_emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    emulator = durable_emulator
    stack = make_stack(base_config(emulator, **{
        "smh-media:bucketName": "secrets",
        "smh-media:library": '{"library_name": "secrets", "multi_tenant": true}',
        "smh-media:spaces": json.dumps({"alice": {"multi_album": True, "albums": {"trip": "Trip"}}}),
        "smh-media:forceDestroy": "true",
    }))
    engine_log = cli(stack, "up", "--yes", "--skip-preview", "-v=9", "--logtostderr")
    engine_log += cli(stack, "preview", "--refresh", "-v=9", "--logtostderr")
    outputs = stack.outputs()
    lib_id = outputs["library_id"].value
    provider_tokens = issued_tokens(emulator.state_file)
    assert provider_tokens, "the provider fetched no access token: the data plane was not exercised"
    requests_log = json.dumps(emulator.control("GET", "requests"))

    plane = DataPlane(emulator, lib_id)  # a secret and a token of our own, fetched the documented way
    secrets = {"secret key": {DEFAULT_SECRET_KEY}, "library secret": {plane.secret},
               "access token": provider_tokens | {plane.token}}
    assert outputs["library_secret"].value == plane.secret

    state_dir = Path(stack.workspace.env_vars["PULUMI_BACKEND_URL"].removeprefix("file://"))
    # This stack's checkpoint, backups and update history (other suites' stacks share the backend directory).
    state_files = [p for p in state_dir.rglob("*") if p.is_file() and stack.name in str(p.relative_to(state_dir))]
    stack_file = Path(stack.workspace.work_dir) / "stacks" / f"Pulumi.{stack.name}.yaml"
    export = cli(stack, "stack", "export")
    places = {
        f"state backend ({len(state_files)} files)": "".join(p.read_text(errors="replace") for p in state_files),
        "stack config file": stack_file.read_text(),
        "pulumi stack export": export,
        "engine log -v=9 (up, preview --refresh)": engine_log,
        "emulator request log": requests_log,
    }
    assert stack.name in places[next(iter(places))] and '"ciphertext"' in export  # the state is there, encrypted
    assert "secretKey" in engine_log  # the verbose log does cover the provider's configuration

    leaks = []
    for place, text in places.items():
        found = sorted(kind for kind, values in secrets.items() if any(v in text for v in values))
        shaped = sorted(set(TOKEN_SHAPE.findall(text)))
        if shaped and "access token" not in found:
            found.append("access token")
        leaks += [(place, kind) for kind in found]
        report.row(SUITE, place=place, characters_searched=len(text), secrets_found=", ".join(found) or "none")

    secret_outputs = {k: v.secret for k, v in outputs.items()}
    report.record(SUITE, places_searched=len(places), secret_values_searched=sum(map(len, secrets.values())),
                  secrets_leaked=len(leaks), library_secret_output_marked_secret=secret_outputs["library_secret"])
    assert leaks == []
    assert secret_outputs["library_secret"] is True
    assert not any(flag for key, flag in secret_outputs.items() if key != "library_secret")
