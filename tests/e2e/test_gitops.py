"""scripts/gitops.py, the pipeline of .github/workflows/, run as the workflows run it: a subprocess driving the
real pulumi CLI against the session emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tencentcloud.smh.v20210712 import models

from tests import sdk_clients
from tests.e2e.conftest import base_config
from tests.emulator_process import ROOT

QUIET = {"on_output": lambda _: None}


def gitops(*args: str, env: dict[str, str], cwd: object = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "scripts" / "gitops.py"), *args]
    if cwd is not None:
        cmd += ["--cwd", str(cwd)]
    return subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False)


def libraries(emulator) -> list[dict]:  # type: ignore[no-untyped-def]
    return emulator.control("GET", "inventory")["libraries"]


def test_drift_check_fails_after_an_out_of_band_delete(emulator, make_stack, project_dir, engine_env) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(base_config(emulator))
    stack.up(**QUIET)  # a clean drift check right after up: see test_rehearse_plays_the_whole_pipeline
    [lib] = libraries(emulator)
    req = models.DeleteLibraryRequest()
    req.LibraryId = lib["LibraryId"]
    sdk_clients.smh(emulator.url).DeleteLibrary(req)

    res = gitops("drift-check", "--stack", stack.name, env=engine_env, cwd=project_dir)
    assert res.returncode == 1, res.stdout + res.stderr
    assert res.stdout.splitlines() == [
        f"drift on stack {stack.name}: the cloud no longer matches the stack",
        "- MediaLibrary `media-library`: gone from the cloud (deleted out of band); `up` would create it again",
    ]
    assert libraries(emulator) == []  # the check only looks


def test_rehearse_plays_the_whole_pipeline(emulator, engine_env) -> None:  # type: ignore[no-untyped-def]
    """up; a replacing change (comment, apply); no drift; an out-of-band ACL change; drift found; destroy."""
    res = gitops("rehearse", "--endpoint", emulator.url, env=engine_env)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
    out = res.stdout
    comment = out[out.index("## Pulumi preview of stack `rehearsal`"):out.index("=== preview-comment")]
    top, _, table = comment.partition("### Changes")
    assert "### ⚠️ Destructive changes" in top
    assert re.search(r"\*\*Replace\*\* media library `rehearsal`, id `smh[a-z0-9]+` \(resource `media-library`\), "
                     r"because `multi_album` cannot change in place", top), top
    assert "its files, its library ID and its library secret are lost" in top and "Bucket" not in top
    assert "| replace | `media-library` | MediaLibrary | **multi_album** (replace) |" in table
    assert "Summary: 1 replace, 3 same" in table
    assert "=== apply (merge): exit 0 (expected 0)" in out
    assert "no drift on stack rehearsal" in out
    assert "=== drift-check (after the out-of-band change): exit 1 (expected 1)" in out
    assert "Bucket `media-bucket`: changed out of band: acl" in out
    assert out.rstrip().endswith("rehearsal passed: every step behaved")
    inv = emulator.control("GET", "inventory")
    assert inv["buckets"] == [] and inv["libraries"] == []  # the throwaway stack is destroyed
