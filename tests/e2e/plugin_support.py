"""Fixtures and observers for the e2e tests of the `smh` provider plugin (docs/plugin.md): a copy of the YAML
example (examples/yaml) whose `plugins.providers` path points at this checkout's bin/, its stacks through the
Automation API with the session's engine environment, the plugin's config (`smh:*` keys) for a target, and a
snapshot of the seed's objects in the cloud that does not depend on which host or stack made them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from smh_provider import ownership
from smh_provider.clients import cos, smh
from smh_provider.clients.smhdata import DataPlane
from tests.e2e.conftest import nothing_to_destroy
from tests.emulator_process import ROOT
from tests.targets import Target

YAML_EXAMPLE = ROOT / "examples" / "yaml" / "Pulumi.yaml"
QUIET: dict[str, Any] = {"on_output": lambda _: None}


@pytest.fixture(scope="session")
def yaml_project(tmp_path_factory: pytest.TempPathFactory, engine_env: dict[str, str]) -> Path:
    """examples/yaml in a temp dir (its stack files land there), the plugin path made absolute."""
    if not shutil.which("pulumi-language-yaml", path=engine_env["PATH"]):
        pytest.fail("no pulumi-language-yaml next to the pulumi CLI: run `make bootstrap` (it builds the Pulumi YAML "
                    "language host once, or takes it from ~/.cache/smh-media; see docs/plugin.md)")
    d = tmp_path_factory.mktemp("yaml-project")
    text = YAML_EXAMPLE.read_text()
    assert "path: ../../bin" in text, "examples/yaml/Pulumi.yaml no longer names the plugin by ../../bin"
    (d / "Pulumi.yaml").write_text(text.replace("path: ../../bin", f"path: {ROOT / 'bin'}"))
    return d


def plugin_config(target: Target, **values: object) -> dict[str, auto.ConfigValue]:
    """The plugin's provider config (the `smh:` namespace) plus the YAML program's own keys (`smh-yaml:`)."""
    cfg = {"smh:secretId": auto.ConfigValue(target.secret_id),
           "smh:secretKey": auto.ConfigValue(target.secret_key, secret=True),
           "smh-yaml:appId": auto.ConfigValue(target.app_id),
           "smh-yaml:region": auto.ConfigValue(target.region)}
    if target.token:
        cfg["smh:securityToken"] = auto.ConfigValue(target.token, secret=True)
    if target.live:
        cfg["smh:region"] = auto.ConfigValue(target.region)
    if target.endpoint:
        cfg["smh:endpoint"] = auto.ConfigValue(target.endpoint)
    for key, value in values.items():
        cfg[key if ":" in key else f"smh-yaml:{key}"] = auto.ConfigValue(str(value).lower() if isinstance(value, bool)
                                                                         else str(value))
    return cfg


@pytest.fixture
def make_yaml_stack(yaml_project: Path, engine_env: dict[str, str]) -> Iterator[Callable[..., auto.Stack]]:
    made: list[auto.Stack] = []

    def make(config: dict[str, auto.ConfigValue], work_dir: Path | None = None) -> auto.Stack:
        ws = auto.LocalWorkspace(work_dir=str(work_dir or yaml_project), env_vars=dict(engine_env))
        stack = auto.Stack.create(f"y{uuid.uuid4().hex[:8]}", ws)
        stack.set_all_config(config)
        made.append(stack)
        return stack

    yield make
    for stack in made:
        if not nothing_to_destroy(stack):
            try:
                stack.destroy(**QUIET)
            except auto.CommandError:
                pass
        stack.workspace.remove_stack(stack.name, force=True)


def cli(stack: auto.Stack, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The real pulumi CLI on `stack` (for what the Automation API does not offer: import)."""
    env = {**os.environ, **stack.workspace.env_vars}
    proc = subprocess.run(["pulumi", *args, "--stack", stack.name, "--non-interactive"], cwd=stack.workspace.work_dir,
                          env=env, capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"pulumi {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def _name(mark: str | None) -> str | None:
    """The resource name of an ownership mark: what two hosts (or stacks) of one program have in common."""
    return mark.rsplit("/", 1)[-1] if mark else None


def seed_snapshot(target: Target, bucket: str, library_id: str) -> dict[str, Any]:
    """The seed's objects as the cloud holds them, with marks reduced to resource names and ids left out."""
    settings = target.settings()
    c = cos.client(settings, target.region)
    tags = cos.get_tags(c, bucket)
    lib = smh.find_library(smh.client(settings), library_id)
    plane = DataPlane(settings, library_id)
    spaces = {}
    for space in plane.list_spaces():
        found = plane.find_space(space.space_id)
        albums = sorted(plane.album_names(space.space_id)) if found.get("multi_album") else []
        spaces[_name(space.user_id)] = {**found, "albums": albums}
    return {
        "bucket": {"name": bucket, "acl": cos.get_acl(c, bucket),
                   "tags": {k: _name(v) if k == ownership.OWNER_TAG else v for k, v in tags.items()}},
        "media_processing": target.media_binding(bucket) is not None,
        "library": {"name": lib.name, "bucket": lib.bucket, "settings": lib.settings,
                    "tags": {k: _name(v) if k == ownership.OWNER_TAG else v for k, v in lib.tags.items()}},
        "spaces": spaces,
    }


def state_resources(stack: auto.Stack) -> dict[str, dict[str, Any]]:
    """Resource name -> its state (outputs, inputs, type) of the stack's checkpoint."""
    deployment = stack.export_stack().deployment
    return {r["urn"].split("::")[-1]: r for r in deployment.get("resources", [])
            if not r["type"].startswith("pulumi:")}


def dumps(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, default=str)
