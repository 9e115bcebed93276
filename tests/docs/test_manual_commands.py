"""Every shell block of README.md and of the manual, run as a reader would run it, so the manual cannot drift.

The blocks run in reading order (README.md, then mkdocs.yml's nav: tests/docs/blocks.py) in ONE copy of the
checkout (tracked and new files; `.venv` and `.tools` are links to this checkout's, so `make bootstrap` has nothing
to build) against the session's one emulator; each command line runs with bash in the copy's root and must exit 0.
Each page starts a new terminal (the environment of the test, HOME and PULUMI_HOME in a temp dir, the pinned
`pulumi` on PATH); an `export` in a block holds for the rest of its page. A block marked
`<!-- not-run: reason -->` is counted, not run; `make test` prints the counts (tests/conftest.py).

What differs from a reader's machine, and nothing else (SUBSTITUTIONS, applied to each command line):
* Tencent Cloud is the emulator: `127.0.0.1:4566` (the emulator of `make up`) becomes the session emulator's
  address, in the commands and in the copy's stack files; after `cp stacks/Pulumi.dev.yaml.example ...` the
  reader's edit is made (the emulator's SecretId, and `smh:endpoint` pointing at the emulator);
  `PULUMI_CONFIG_PASSPHRASE=...`, `TENCENTCLOUD_SECRET_ID=...`, `TENCENTCLOUD_SECRET_KEY=...` and `<SecretKey>` get
  the test's passphrase and the emulator's keys; `bin/smh discover` (docs/import.md: the account's credentials in
  the environment) gets `SMH_ENDPOINT`, the emulator's address.
* Team state: the `s3://` URL of real COS gets `&disable_https=true` and the page's terminal `HTTP_PROXY=<emulator>`
  (as tests/e2e/test_s3_backend.py does), so the CLI's calls keep their real Host and reach the emulator; the state
  bucket `team-state-1250000000` is created first, as the page assumes it exists.
* Cheaper forms of what other tests do in full: `venv/bin/pip install /path/to/this/repo` installs the distribution
  alone (`--no-deps --no-build-isolation --target`) into a temp dir; tests/packaging/test_install.py installs it
  with its dependencies into a fresh venv and runs a stack from it.
CHECKS then look at what a command did (the emulator's inventory, a file it wrote), beyond its exit code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from tests.docs import blocks
from tests.emulator_process import ROOT, EmulatorProcess
from tests.sdk_clients import cos

pytestmark = pytest.mark.emulator_only
PASSPHRASE = "manual-test-passphrase"
STEP_TIMEOUT = 600
STATE_BUCKET = "team-state-1250000000"
EXAMPLE_SECRET_ID = "AKIDxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"


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


class Session:
    """The copy, the emulator and a transcript: what the substitutions and checks need."""

    def __init__(self, emulator: EmulatorProcess, clone: Path, tmp: Path) -> None:
        self.emulator, self.clone, self.tmp = emulator, clone, tmp
        self.address = emulator.url.removeprefix("http://")
        self.transcript: list[str] = []
        self.seconds: dict[str, float] = {}  # per command line, for the slowest in the failure message and -s

    def inventory(self) -> dict[str, Any]:
        return self.emulator.control("GET", "inventory")

    def buckets(self) -> list[str]:
        """The buckets the commands made (the team state's bucket is the test's)."""
        return [b["bucket"] for b in self.inventory()["buckets"] if b["bucket"] != STATE_BUCKET]

    def substitute(self, command: str, env: dict[str, str]) -> str:
        command = command.replace("127.0.0.1:4566", self.address)
        command = command.replace("PULUMI_CONFIG_PASSPHRASE=...", f"PULUMI_CONFIG_PASSPHRASE={PASSPHRASE}")
        command = command.replace("TENCENTCLOUD_SECRET_ID=...", f"TENCENTCLOUD_SECRET_ID={DEFAULT_SECRET_ID}")
        command = command.replace("TENCENTCLOUD_SECRET_KEY=...", f"TENCENTCLOUD_SECRET_KEY={DEFAULT_SECRET_KEY}")
        command = command.replace("<SecretKey>", DEFAULT_SECRET_KEY)
        if "s3://" in command:
            command = re.sub(r"(s3://[^'\" ]*myqcloud\.com[^'\" ]*)", r"\1&disable_https=true", command)
            env["HTTP_PROXY"] = self.emulator.url
        if command.startswith(("bin/smh ", "make discover")):
            env["SMH_ENDPOINT"] = self.emulator.url
        if command.startswith("venv/bin/pip install /path/to/this/repo"):
            command = (f"{ROOT}/.venv/bin/python -m pip install -q --no-deps --no-build-isolation "
                       f"--target {self.tmp}/site {self.clone}")
        return command

    def after(self, command: str) -> None:
        if command.startswith("cp stacks/Pulumi.dev.yaml.example stacks/Pulumi.dev.yaml"):
            stack_file = self.clone / "stacks" / "Pulumi.dev.yaml"
            text = stack_file.read_text().replace(EXAMPLE_SECRET_ID, DEFAULT_SECRET_ID)
            stack_file.write_text(text.replace("config:\n", f"config:\n  smh:endpoint: {self.emulator.url}\n", 1))


def check_local_stack_up(s: Session, out: str) -> None:
    assert "library_id" in out and "photos-1250000000" in out, out
    assert s.buckets() == ["photos-1250000000"]


def check_destroyed(s: Session, out: str) -> None:
    assert s.buckets() == [] and s.inventory()["libraries"] == [], s.inventory()


def check_health(s: Session, out: str) -> None:
    assert '"status": "ok"' in out or '"status":"ok"' in out, out


def check_dev_stack(s: Session, out: str) -> None:
    stack_file = (s.clone / "stacks" / "Pulumi.dev.yaml").read_text()
    assert "encryptionsalt:" in stack_file and DEFAULT_SECRET_KEY not in stack_file, stack_file
    assert "secure: v1:" in stack_file
    assert "plain text" not in "\n".join(s.transcript)  # the key went in as a secret: no warning
    inv = s.inventory()
    assert s.buckets() == ["media-prod-1250000000"], inv
    assert [lib["Name"] for lib in inv["libraries"]] == ["media-prod"], inv
    assert inv["libraries"][0]["LibraryExtension"]["IsMultiSpace"] is True


def check_team_state(s: Session, out: str) -> None:
    keys = [o["Key"] for o in cos(s.emulator.url).list_objects(Bucket=STATE_BUCKET).get("Contents", [])]
    assert any(k.startswith(".pulumi/stacks/smh-media/dev") for k in keys), keys


def check_preview_comment(s: Session, out: str) -> None:
    comment = (s.clone / "preview.md").read_text()
    assert "Pulumi preview of stack `dev`" in comment and "No changes" in comment, comment


def check_drift_clean(s: Session, out: str) -> None:
    assert "drift" in out.lower(), out


def check_discovered(s: Session, out: str) -> None:
    """The dev stack of docs/real-cloud.md is the account's one library; discover lists it, keys left out."""
    assert "(1 with media processing), 1 media libraries" in out, out  # and the test's team state bucket
    written = (s.clone / "discovered" / "import.json").read_text()
    assert '"smh:index:MediaLibrary"' in written and '"media-prod-library"' in written, written
    assert DEFAULT_SECRET_KEY not in written


def check_yaml_up(s: Session, out: str) -> None:
    """examples/yaml through the plugin: its bucket, and a library with the program's two tenant spaces."""
    inv = s.inventory()
    assert "yaml-photos-1250000000" in s.buckets(), inv
    library = next(lib["LibraryId"] for lib in inv["libraries"] if lib["BucketName"] == "yaml-photos-1250000000")
    assert len([space for space in inv["spaces"] if space["library"] == library]) == 2, inv


def check_yaml_destroyed(s: Session, out: str) -> None:
    assert "yaml-photos-1250000000" not in s.buckets(), s.inventory()


def check_python_sdk(s: Session, out: str) -> None:
    assert (s.clone / "sdk" / "python" / "pulumi_smh" / "media_library.py").is_file(), out


def check_installed(s: Session, out: str) -> None:
    assert (s.tmp / "site" / "smh_provider" / "__init__.py").is_file()
    assert not (s.tmp / "site" / "emulator").exists()  # the emulator is not part of the distribution


# (page, start of the command line) -> what the command must have done. Each must be reached.
CHECKS: dict[tuple[str, str], Callable[[Session, str], None]] = {
    ("README.md", "make up"): check_local_stack_up,
    ("docs/getting-started.md", "make destroy"): check_destroyed,
    ("docs/real-cloud.md", "STACK=dev make up"): check_dev_stack,
    ("docs/import.md", "bin/smh discover"): check_discovered,
    ("docs/team-state.md", "bin/pulumi stack init dev"): check_team_state,
    ("docs/gitops.md", ".venv/bin/python scripts/gitops.py preview-comment"): check_preview_comment,
    ("docs/gitops.md", ".venv/bin/python scripts/gitops.py drift-check"): check_drift_clean,
    ("docs/package.md", "venv/bin/pip install"): check_installed,
    ("docs/plugin.md", "bin/pulumi --cwd examples/yaml up"): check_yaml_up,
    ("docs/plugin.md", "bin/pulumi --cwd examples/yaml destroy"): check_yaml_destroyed,
    ("docs/sdks.md", ".tools/pulumi/pulumi package gen-sdk"): check_python_sdk,
    ("docs/emulator.md", "curl --noproxy '*' -s http://127.0.0.1:4566/_emulator/health"): check_health,
}


def run(command: str, cwd: Path, env: dict[str, str], env_file: Path) -> tuple[int, str]:
    """One command line with bash; the environment it leaves (its `export`s) is read back for the next one."""
    script = f"{command}\n__rc=$?\nenv -0 > {env_file}\nexit $__rc\n"
    done = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=STEP_TIMEOUT)
    if env_file.exists():
        env.clear()
        env.update(dict(item.split("=", 1) for item in env_file.read_text().split("\0") if "=" in item))
    return done.returncode, done.stdout + done.stderr


def terminal(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PULUMI_", "TENCENTCLOUD_", "SMH_", "AWS_")) and k not in ("STACK", "POLICY")}
    home = tmp / "home"
    env.update(HOME=str(home), PULUMI_HOME=str(home / ".pulumi"), PATH=f"{ROOT / '.tools' / 'pulumi'}:{env['PATH']}",
               NO_PROXY="127.0.0.1,localhost", AWS_CONFIG_FILE=str(home / "aws-config"),
               AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"))
    return env


def test_every_shell_block_is_run_or_marked() -> None:
    """A marker needs a reason; a block found is either run below or marked (nothing is silently skipped)."""
    found = blocks.manual_blocks()
    assert any(b.page == "README.md" for b in found) and any(b.page.startswith("docs/") for b in found)
    assert all(b.not_run is None or b.not_run.strip() for b in found), [b.where for b in found if b.not_run == ""]
    assert blocks.counts(found)["run"] >= len({page for page, _ in CHECKS})


def test_manual_commands_run(emulator: EmulatorProcess, tmp_path: Path, record_property) -> None:  # type: ignore[no-untyped-def]
    clone = tmp_path / "smh-media"
    clone.mkdir()
    copy_checkout(clone)
    for stack_file in (clone / "stacks").glob("Pulumi.*.yaml*"):
        stack_file.write_text(stack_file.read_text().replace("http://127.0.0.1:4566", emulator.url))
    (tmp_path / "home").mkdir()
    cos(emulator.url).create_bucket(Bucket=STATE_BUCKET)
    session = Session(emulator, clone, tmp_path)
    found = blocks.manual_blocks()
    reached = set()
    env_file = tmp_path / "env"
    page = None
    for block in found:
        if block.not_run is not None:
            continue
        if block.page != page:
            page, env = block.page, terminal(tmp_path)
        for line in block.commands():
            command = session.substitute(line, env)
            env_file.unlink(missing_ok=True)
            started = time.monotonic()
            rc, out = run(command, clone, env, env_file)
            session.seconds[f"{block.where} {line[:60]}"] = time.monotonic() - started
            session.transcript.append(f"$ {line}    ({block.where})\n{out[-4000:]}")
            assert rc == 0, "\n".join(session.transcript[-6:])
            session.after(line)
            for (check_page, start), check in CHECKS.items():
                if block.page == check_page and line.startswith(start):
                    check(session, out)
                    reached.add((check_page, start))
    assert reached == set(CHECKS), f"checks whose command is no longer in the manual: {set(CHECKS) - reached}"
    record_property("manual_shell_blocks", blocks.counts(found))
    slowest = sorted(session.seconds.items(), key=lambda item: -item[1])[:8]
    print("slowest commands:", *(f"{seconds:6.1f} s  {where}" for where, seconds in slowest), sep="\n  ")
