"""End-to-end fixtures: the real pulumi CLI (Automation API, local program), a file backend in a temp
dir, and a target: the session's shared emulator, or real Tencent Cloud with SMH_LIVE=1 (tests/targets.py).
Nothing here mocks the engine or the SDKs."""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto

from tests import targets
from tests.emulator_process import ROOT, EmulatorProcess
from tests.targets import Target

PASSPHRASE = "e2e-test-passphrase"


def project_venv() -> Path:
    """The venv the engine runs the program and the provider in: the one running these tests (`.venv`, or
    `.venv-3.13` under `make test-python`), else the repo's .venv."""
    return Path(sys.prefix) if sys.prefix != sys.base_prefix else ROOT / ".venv"


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
    live = {"SMH_ENDPOINT": ""} if targets.live_requested(os.environ) else {}  # live must not fall back to an emulator
    return {
        **live,
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
    text = (ROOT / "Pulumi.yaml").read_text().replace("virtualenv: .venv", f"virtualenv: {project_venv()}")
    text = "\n".join(line for line in text.splitlines() if "file://./.pulumi-state" not in line
                     and not line.startswith("backend:"))
    (d / "Pulumi.yaml").write_text(text + "\n")
    shutil.copy(ROOT / "__main__.py", d / "__main__.py")
    (d / "smh_provider").symlink_to(ROOT / "smh_provider")
    (d / "stacks").mkdir()
    return d


@pytest.fixture(scope="session")
def live_target() -> Iterator[Target]:
    """Real Tencent Cloud for this session; the sweep at the end deletes whatever still has the run's prefix."""
    reason = targets.live_skip_reason(os.environ)
    if reason:
        pytest.skip(reason)
    target = Target.from_env(os.environ)
    yield target
    targets.sweep(target)


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Target:
    """Where this test's stacks go: the (reset) session emulator, or real Tencent Cloud with SMH_LIVE=1."""
    if targets.live_requested(os.environ):
        return request.getfixturevalue("live_target")
    return Target.for_emulator(request.getfixturevalue("emulator"))


def base_config(where: EmulatorProcess | Target, **overrides: object) -> dict[str, auto.ConfigValue]:
    """Stack config of the default one-library stack on `where`, with overrides (None removes a key).

    Live, the bucket name and library_name (given or default) become new names with the run's prefix."""
    target = where if isinstance(where, Target) else Target.for_emulator(where)
    cfg: dict[str, auto.ConfigValue] = {
        **target.credentials_config(),
        "smh-media:bucketName": auto.ConfigValue("photos"),
        "smh-media:appId": auto.ConfigValue(target.app_id),
        "smh-media:region": auto.ConfigValue(target.region),
        "smh-media:library": auto.ConfigValue('{"library_name": "photos"}'),
    }
    for key, value in overrides.items():
        if value is None:
            cfg.pop(key, None)
        else:
            cfg[key] = value if isinstance(value, auto.ConfigValue) else auto.ConfigValue(str(value))
    if target.live:
        if "smh-media:bucketName" in cfg:
            cfg["smh-media:bucketName"] = auto.ConfigValue(target.name(cfg["smh-media:bucketName"].value))
        library = json.loads(cfg["smh-media:library"].value) if "smh-media:library" in cfg else None
        if isinstance(library, dict) and isinstance(library.get("library_name"), str):
            library["library_name"] = target.name(library["library_name"], targets.MAX_LIBRARY_NAME)
            cfg["smh-media:library"] = auto.ConfigValue(json.dumps(library))
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
        if not nothing_to_destroy(stack):
            try:
                stack.destroy(on_output=lambda _: None)
            except auto.CommandError:
                pass
        stack.workspace.remove_stack(stack.name, force=True)


def nothing_to_destroy(stack: auto.Stack) -> bool:
    """True when the stack's checkpoint in the file backend holds nothing a destroy would delete (no resource but
    the stack itself and its providers, no pending operation): most tests end with their own destroy, and the
    teardown then skips one CLI run. Anything unreadable or unexpected says False, and the destroy runs."""
    url = stack.workspace.env_vars.get("PULUMI_BACKEND_URL", "")
    if not url.startswith("file://"):
        return False
    files = list((Path(url.removeprefix("file://")) / ".pulumi" / "stacks").glob(f"*/{stack.name}.json"))
    if len(files) != 1:
        return False
    try:
        latest = (json.loads(files[0].read_text()).get("checkpoint") or {}).get("latest") or {}
    except (OSError, ValueError, AttributeError):
        return False
    if latest.get("pending_operations"):
        return False
    return all(r.get("type") == "pulumi:pulumi:Stack" or str(r.get("type", "")).startswith("pulumi:providers:")
               for r in latest.get("resources") or [])
