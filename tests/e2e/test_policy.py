"""The policy pack in policy/ through the real engine: a violation fails preview and up with the rule's name
and creates nothing; a compliant stack passes; the advisory rule warns without failing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pulumi import automation as auto

from tests.e2e.conftest import base_config
from tests.emulator_process import ROOT

POLICY = str(ROOT / "policy")


def run(stack: auto.Stack, op: str, config: dict | None = None, tmp_path: Path | None = None) -> tuple[bool, str]:
    """(succeeded, all output) of preview or up with the policy pack."""
    lines: list[str] = []
    kwargs: dict = {"policy_packs": [POLICY], "on_output": lines.append}
    if config is not None and tmp_path is not None:
        path = tmp_path / "policy-config.json"
        path.write_text(json.dumps(config))
        kwargs["policy_pack_configs"] = [str(path)]
    try:
        getattr(stack, op)(**kwargs)
    except auto.CommandError as err:
        return False, "\n".join(lines) + str(err)
    return True, "\n".join(lines)


def test_violations_fail_preview_and_up_with_rule_names(emulator, make_stack, project_dir, engine_env) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(base_config(
        emulator, **{"smh-media:bucketAcl": "public-read",
                     "smh-media:library": '{"library_name": "Holiday Photos", "public_read": true}'}))

    # The pull-request preview as the workflow runs it: scripts/gitops.py with --policy (policy/config.json).
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "gitops.py"), "preview-comment", "--policy",
                          "--stack", stack.name, "--cwd", str(project_dir)],
                         env={**os.environ, **engine_env}, capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 1, res.stdout + res.stderr
    comment = res.stdout
    assert "**The preview failed**: a mandatory policy is violated" in comment
    assert "- **mandatory** `bucket-private` on `media-bucket`: bucket 'photos' has acl 'public-read'" in comment
    assert "- **mandatory** `public-read-allow-list` on `media-library`: library 'Holiday Photos' has" in comment
    assert "- **mandatory** `library-name-pattern` on `media-library`: library_name 'Holiday Photos'" in comment
    assert "media-library-media-processing" not in comment  # the program always declares MediaProcessing

    ok, out = run(stack, "up")
    assert not ok and "bucket-private: bucket 'photos' has acl 'public-read'" in out
    inv = emulator.control("GET", "inventory")
    assert inv["buckets"] == [] and inv["libraries"] == []


def test_compliant_stack_passes_and_config_allow_lists(emulator, make_stack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    library = '{"library_name": "photos", "public_read": true}'
    stack = make_stack(base_config(emulator, **{"smh-media:library": library}))
    ok, out = run(stack, "preview")
    assert not ok and "public-read-allow-list" in out

    # The policy config allows public read on this stack: the same program now passes and deploys.
    config = {"public-read-allow-list": {"publicReadStacks": [stack.name]}}
    ok, out = run(stack, "up", config, tmp_path)
    assert ok, out
    assert "mandatory" not in out and "advisory" not in out
    assert [lib["Name"] for lib in emulator.control("GET", "inventory")["libraries"]] == ["photos"]


def test_production_recycle_bin_is_advisory(emulator, make_stack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    stack = make_stack(base_config(emulator))  # recycle_bin defaults to false
    config = {"production-recycle-bin": {"productionStacks": [stack.name]}}
    ok, out = run(stack, "preview", config, tmp_path)
    assert ok, out
    assert "[advisory]  production-recycle-bin" in out and "has no recycle bin" in out
    assert "mandatory" not in out


def test_cors_wildcard_origin_is_advisory_unless_configured(emulator, make_stack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cors = {"rules": [{"allowed_origins": ["*"], "allowed_methods": ["GET"]}]}
    stack = make_stack(base_config(emulator, **{"smh-media:bucketCors": json.dumps(cors)}))
    ok, out = run(stack, "preview")
    assert ok, out
    assert "[advisory]  cors-no-wildcard-origin" in out and "any web page" in out
    ok, out = run(stack, "preview", {"cors-no-wildcard-origin": "mandatory"}, tmp_path)
    assert not ok and "[mandatory]  cors-no-wildcard-origin" in out
    exact = {"browser_uploads": ["https://app.example.com"]}
    stack.set_config("smh-media:bucketCors", auto.ConfigValue(json.dumps(exact)))
    ok, out = run(stack, "preview", {"cors-no-wildcard-origin": "mandatory"}, tmp_path)
    assert ok and "cors-no-wildcard-origin" not in out, out
