"""Team state on COS: two checkouts share one stack's state through `pulumi login s3://...` against the emulator.

The login URL is the real-COS form (virtual-hosted: `s3://<bucket>-<appid>?endpoint=cos.<region>.myqcloud.com`)
plus `disable_https=true`; Go's net/http sends those `http://` calls to HTTP_PROXY, the emulator, which sees the
real Host and checks the CLI's real SigV4 signatures. Each checkout has its own directory and PULUMI_HOME; the
only thing they share is the bucket (and the stack's Pulumi.<stack>.yaml, as a team shares it through git).
Checkout A names the backend with PULUMI_BACKEND_URL, checkout B runs `pulumi login <url>`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from tests.e2e.conftest import base_config, project_venv
from tests.emulator_process import ROOT, EmulatorProcess
from tests.sdk_clients import APP_ID, REGION, cos

pytestmark = pytest.mark.emulator_only  # the state bucket and HTTP_PROXY are the emulator's

STATE_BUCKET = f"team-state-{APP_ID}"
PROJECT = "s3-team"
HERE = Path(__file__).resolve().parent


def login_url(region: str = REGION) -> str:
    return f"s3://{STATE_BUCKET}?endpoint=cos.{region}.myqcloud.com&region={region}&disable_https=true"


def make_checkout(root: Path) -> Path:
    """A fresh copy of the small project, as a second `git clone` would be."""
    root.mkdir()
    (root / "Pulumi.yaml").write_text(
        f"name: {PROJECT}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n"
        f"    virtualenv: {project_venv()}\n"
    )
    shutil.copy(HERE / "s3_project" / "__main__.py", root / "__main__.py")
    (root / "smh_provider").symlink_to(ROOT / "smh_provider")
    return root


@pytest.fixture
def checkouts(emulator: EmulatorProcess, engine_env: dict[str, str],
              tmp_path: Path) -> Iterator[Callable[[str], auto.LocalWorkspace]]:
    cos(emulator.url).create_bucket(Bucket=STATE_BUCKET)
    made: list[auto.LocalWorkspace] = []

    def workspace(name: str, login: bool = False, **extra_env: str) -> auto.LocalWorkspace:
        """A checkout with its own PULUMI_HOME; `login` runs `pulumi login <url>` in it instead of setting
        PULUMI_BACKEND_URL (the CLI then keeps the URL in that home's credentials.json)."""
        home = tmp_path / f"home-{name}"
        home.mkdir()
        env = {**engine_env, "PULUMI_HOME": str(home), "PULUMI_BACKEND_URL": "" if login else login_url(),
               "HTTP_PROXY": emulator.url, "NO_PROXY": "127.0.0.1,localhost",
               "AWS_ACCESS_KEY_ID": DEFAULT_SECRET_ID, "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
               # keep the host's ~/.aws out of it
               "AWS_CONFIG_FILE": str(home / "aws-config"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-creds"),
               **extra_env}
        checkout = make_checkout(tmp_path / name)
        if login:
            done = subprocess.run(["pulumi", "login", login_url()], cwd=checkout, env={**os.environ, **env},
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0 and "Logged in to" in done.stdout, done.stderr
        ws = auto.LocalWorkspace(work_dir=str(checkout), env_vars=env)
        made.append(ws)
        return ws

    yield workspace
    owner = made[0] if made else None
    if owner is not None:
        for summary in owner.list_stacks():
            stack = auto.Stack.select(summary.name, owner)
            stack.destroy(on_output=lambda _: None)
            owner.remove_stack(summary.name)


def new_stack(ws: auto.LocalWorkspace, emulator: EmulatorProcess) -> auto.Stack:
    stack = auto.Stack.create(f"t{uuid.uuid4().hex[:8]}", ws)
    cfg = {k: v for k, v in base_config(emulator).items() if not k.startswith("smh-media:")}
    cfg |= {f"{PROJECT}:bucketName": auto.ConfigValue(f"shared{uuid.uuid4().hex[:6]}"),
            f"{PROJECT}:appId": auto.ConfigValue(APP_ID), f"{PROJECT}:region": auto.ConfigValue(REGION)}
    stack.set_all_config(cfg)
    return stack


def share_stack_file(stack: auto.Stack, other: auto.LocalWorkspace) -> auto.Stack:
    """Commit Pulumi.<stack>.yaml in one checkout and pull it in the other (its config and encryption salt)."""
    name = f"Pulumi.{stack.name}.yaml"
    shutil.copy(Path(stack.workspace.work_dir) / name, Path(other.work_dir) / name)
    return auto.Stack.select(stack.name, other)


def state_writes(emulator: EmulatorProcess, since: int) -> list[str]:
    log = emulator.control("GET", f"requests?since={since}")["requests"]
    return [e["path"] for e in log if e["action"] in ("PutObject", "PutObjectCopy")
            and e["path"].startswith("/.pulumi/stacks/")]


def last_seq(emulator: EmulatorProcess) -> int:
    return emulator.control("GET", "requests")["total"]


def test_two_checkouts_share_one_stack(emulator, checkouts) -> None:  # type: ignore[no-untyped-def]
    a, b = checkouts("a"), checkouts("b", login=True)
    stack_a = new_stack(a, emulator)
    up = stack_a.up(on_output=lambda _: None)
    assert up.summary.result == "succeeded" and up.summary.resource_changes == {"create": 2}
    bucket = up.outputs["bucket"].value
    assert bucket.endswith(f"-{APP_ID}")

    assert b.who_am_i().url.startswith(f"s3://{STATE_BUCKET}?")  # B uses the backend it logged in to
    assert [s.name for s in b.list_stacks()] == [stack_a.name]  # B sees A's stack before it has the stack file
    stack_b = share_stack_file(stack_a, b)
    assert {k: v.value for k, v in stack_b.outputs().items()} == {k: v.value for k, v in up.outputs.items()}
    since = last_seq(emulator)
    preview = stack_b.preview(on_output=lambda _: None)
    assert preview.change_summary == {"same": 2}
    assert state_writes(emulator, since) == []  # a preview reads the shared state and writes none
    up_b = stack_b.up(on_output=lambda _: None)
    assert up_b.summary.resource_changes == {"same": 2}
    history = stack_a.history()  # newest first: A sees B's update in the shared history
    assert [h.resource_changes for h in history] == [{"same": 2}, {"create": 2}]
    counts = emulator.control("GET", "requests")["counts"]
    assert counts.get("cos:ListObjectsV2", 0) > 0 and counts.get("cos:PutBucket") == 2  # state bucket + stack's
    assert not any(p.name == ".pulumi" for ws in (a, b) for p in Path(ws.work_dir).iterdir())


def test_second_concurrent_up_is_refused_while_the_first_holds_the_lock(emulator, checkouts,  # type: ignore[no-untyped-def]
                                                                       tmp_path) -> None:
    hold = tmp_path / "hold"
    hold.mkdir()
    a, b = checkouts("a", S3_TEST_HOLD=str(hold)), checkouts("b")
    stack_a = new_stack(a, emulator)
    stack_b = share_stack_file(stack_a, b)
    result: dict[str, object] = {}

    def first_up() -> None:
        try:
            result["up"] = stack_a.up(on_output=lambda _: None)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            result["error"] = exc

    first = threading.Thread(target=first_up)
    first.start()
    try:
        for _ in range(2400):  # the program signals once it runs inside the locked update
            if (hold / "holding").exists() or not first.is_alive():
                break
            first.join(0.05)
        assert (hold / "holding").exists(), result.get("error")
        since = last_seq(emulator)
        with pytest.raises(auto.CommandError) as refused:
            stack_b.up(on_output=lambda _: None)
        assert "currently locked by 1 lock(s)" in str(refused.value)
        assert state_writes(emulator, since) == []
    finally:
        (hold / "release").touch()
        first.join(180)
    assert "error" not in result, result.get("error")
    assert result["up"].summary.result == "succeeded"  # type: ignore[attr-defined]
    locks = cos(emulator.url).list_objects(Bucket=STATE_BUCKET, Prefix=".pulumi/locks/")
    assert "Contents" not in locks  # the first up released its lock
