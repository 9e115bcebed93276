"""End-to-end fixtures: the real pulumi CLI (Automation API, local program), a file backend in a temp
dir, and the session's shared emulator. Nothing here mocks the engine or the SDKs."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from tests.emulator_process import ROOT, EmulatorProcess

PASSPHRASE = "e2e-test-passphrase"


def pulumi_bin() -> Path:
    local = ROOT / ".tools" / "pulumi"
    if (local / "pulumi").exists():
        return local
    found = shutil.which("pulumi")
    if not found:
        pytest.fail("no pulumi CLI: run `make bootstrap` (it installs the pinned CLI into .tools/pulumi)")
    return Path(found).parent


@pytest.fixture(scope="session")
def engine_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    state = tmp_path_factory.mktemp("pulumi-state")
    home = Path(os.environ.get("PULUMI_HOME") or tmp_path_factory.mktemp("pulumi-home"))
    bin_dir = pulumi_bin()
    # The Automation API finds `pulumi` on this process's PATH; the engine's children get env_vars.
    os.environ["PATH"] = f"{bin_dir}:{os.environ.get('PATH', '')}"
    return {
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}",
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_HOME": str(home),
    }


@pytest.fixture(scope="session")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project whose stack files land in a temp dir, not in the repo's stacks/."""
    d = tmp_path_factory.mktemp("project")
    text = (ROOT / "Pulumi.yaml").read_text().replace("virtualenv: .venv", f"virtualenv: {ROOT / '.venv'}")
    text = "\n".join(line for line in text.splitlines() if "file://./.pulumi-state" not in line
                     and not line.startswith("backend:"))
    (d / "Pulumi.yaml").write_text(text + "\n")
    shutil.copy(ROOT / "__main__.py", d / "__main__.py")
    (d / "smh_provider").symlink_to(ROOT / "smh_provider")
    (d / "stacks").mkdir()
    return d


def base_config(emulator: EmulatorProcess, **overrides: object) -> dict[str, auto.ConfigValue]:
    cfg: dict[str, auto.ConfigValue] = {
        "tencentcloud:secretId": auto.ConfigValue(DEFAULT_SECRET_ID),
        "tencentcloud:secretKey": auto.ConfigValue(DEFAULT_SECRET_KEY, secret=True),
        "smh:endpoint": auto.ConfigValue(emulator.url),
        "smh-media:bucketName": auto.ConfigValue("photos"),
        "smh-media:appId": auto.ConfigValue("1250000000"),
        "smh-media:region": auto.ConfigValue("ap-guangzhou"),
        "smh-media:library": auto.ConfigValue('{"library_name": "photos"}'),
    }
    for key, value in overrides.items():
        if value is None:
            cfg.pop(key, None)
        else:
            cfg[key] = value if isinstance(value, auto.ConfigValue) else auto.ConfigValue(str(value))
    return cfg


@pytest.fixture
def make_stack(project_dir: Path, engine_env: dict[str, str]) -> Iterator[Callable[..., auto.Stack]]:
    made: list[auto.Stack] = []

    def make(config: dict[str, auto.ConfigValue], env: dict[str, str] | None = None) -> auto.Stack:
        name = f"t{uuid.uuid4().hex[:8]}"
        ws = auto.LocalWorkspace(work_dir=str(project_dir), env_vars={**engine_env, **(env or {})})
        stack = auto.Stack.create(name, ws)
        stack.set_all_config(config)
        made.append(stack)
        return stack

    yield make
    for stack in made:
        try:
            stack.destroy(on_output=lambda _: None)
        except auto.CommandError:
            pass
        stack.workspace.remove_stack(stack.name, force=True)
