"""README.md, "Real Tencent Cloud", played word for word on a copy of the repository, against the emulator.

The commands are read from the README's first bash block of that section and run one by one with bash in a copy
of the checkout (its tracked and new files; `.venv` and `.tools` are links to this checkout's, so `make bootstrap`
has nothing to build). Two things differ from what a user types, both in the stack file after the `cp` line: the
user's own edits (the emulator's SecretId instead of the placeholder) and `smh:endpoint` pointing at the emulator.
The `...` of the passphrase and `<SecretKey>` become the test's passphrase and the emulator's key.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from tests.emulator_process import ROOT

pytestmark = pytest.mark.emulator_only
PASSPHRASE = "readme-test-passphrase"
STEP_TIMEOUT = 600


def readme_steps() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Real Tencent Cloud"):]
    section = section[:section.index("\n## ", 10)]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "README's Real Tencent Cloud section has no bash block"
    return [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def copy_checkout(dest: Path) -> None:
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                           capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    for shared in (".venv", ".tools"):
        (dest / shared).symlink_to(ROOT / shared)


def test_readme_real_cloud_section_works_word_for_word(emulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    steps = readme_steps()
    assert any(s.startswith("cp stacks/Pulumi.dev.yaml.example") for s in steps)
    assert any(s.startswith("bin/pulumi config set --secret tencentcloud:secretKey") for s in steps)
    clone = tmp_path / "smh-media"
    clone.mkdir()
    copy_checkout(clone)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PULUMI_", "TENCENTCLOUD_", "SMH_")) and k not in ("STACK", "POLICY")}
    env["HOME"] = str(tmp_path)  # nothing from the developer's own ~/.pulumi
    transcript = []
    for step in steps:
        command = step.replace("PULUMI_CONFIG_PASSPHRASE=...", f"PULUMI_CONFIG_PASSPHRASE={PASSPHRASE}")
        command = command.replace("<SecretKey>", DEFAULT_SECRET_KEY)
        if command.startswith("export "):
            key, value = command.removeprefix("export ").split("=", 1)
            env[key] = value
            continue
        done = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True,
                              timeout=STEP_TIMEOUT)
        transcript.append(f"$ {step}\n{done.stdout}{done.stderr}")
        assert done.returncode == 0, "\n".join(transcript)
        if command.startswith("cp stacks/Pulumi.dev.yaml.example"):
            stack_file = clone / "stacks" / "Pulumi.dev.yaml"
            text = stack_file.read_text().replace("AKIDxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", DEFAULT_SECRET_ID)
            stack_file.write_text(text.replace("config:\n", f"config:\n  smh:endpoint: {emulator.url}\n", 1))
    output = "\n".join(transcript)
    stack_file = (clone / "stacks" / "Pulumi.dev.yaml").read_text()
    assert "encryptionsalt:" in stack_file and DEFAULT_SECRET_KEY not in stack_file, stack_file
    assert "secure: v1:" in stack_file
    assert "plain text" not in output  # the key went in as a secret: no warning
    inv = emulator.control("GET", "inventory")
    assert [b["bucket"] for b in inv["buckets"]] == ["media-prod-1250000000"], inv
    assert [lib["Name"] for lib in inv["libraries"]] == ["media-prod"], inv
    assert inv["libraries"][0]["LibraryExtension"]["IsMultiSpace"] is True


def test_plain_secret_key_gets_a_preview_warning(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    from pulumi import automation as auto

    from tests.e2e.conftest import base_config

    stack = make_stack({**base_config(emulator), "tencentcloud:secretKey": auto.ConfigValue(DEFAULT_SECRET_KEY)})
    out = stack.preview(on_output=lambda _: None)
    text = out.stdout + out.stderr
    assert "tencentcloud:secretKey is plain text in the config of stack" in text, text
    assert f"bin/pulumi config set --secret tencentcloud:secretKey <value> --stack {stack.name}" in text, text
    assert DEFAULT_SECRET_KEY not in text
    stack.set_config("tencentcloud:secretKey", auto.ConfigValue(DEFAULT_SECRET_KEY, secret=True))
    out = stack.preview(on_output=lambda _: None)
    assert "plain text" not in out.stdout + out.stderr
