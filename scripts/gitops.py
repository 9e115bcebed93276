"""The GitOps pipeline of .github/workflows/, as one script the workflows call and tests rehearse.

  preview-comment  pull request: `pulumi preview --diff --json` -> markdown comment (destructive changes first)
  apply            merge to main: `pulumi up --yes`
  drift-check      nightly: `pulumi preview --refresh --expect-no-changes`; exit 1 and say what drifted
  rehearse         the whole sequence against a running emulator, on a throwaway stack with a file
                   backend in a temp dir: up, a replacing change (comment, apply), no drift, an
                   out-of-band change, drift found; then destroy. Preview and up run with the policy
                   pack, as in the workflows

Run it with the project's interpreter: `.venv/bin/python scripts/gitops.py <command> --stack dev`. The pulumi
CLI is .tools/pulumi/pulumi; PULUMI_BACKEND_URL defaults to the project's file backend (as in the Makefile).
Exit codes: 0 fine, 1 the check failed (preview failed, drift found, rehearsal did not behave), 2 usage/error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import gitops_report as report

ROOT = Path(__file__).resolve().parent.parent


def engine_env(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    tools = ROOT / ".tools" / "pulumi"
    if tools.is_dir() and str(tools) not in env.get("PATH", "").split(":"):
        env["PATH"] = f"{tools}:{env.get('PATH', '')}"
    env.setdefault("PULUMI_BACKEND_URL", f"file://{ROOT / '.pulumi-state'}")
    env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    env.setdefault("PULUMI_HOME", str(ROOT / ".tools" / "pulumi-home"))
    return env


def policy_args(enabled: bool) -> list[str]:
    if not enabled:
        return []
    config = os.environ.get("POLICY_CONFIG") or str(ROOT / "policy" / "config.json")
    return ["--policy-pack", str(ROOT / "policy"), "--policy-pack-config", config]


def pulumi(args: list[str], cwd: Path, env: dict[str, str], capture: bool = True) -> subprocess.CompletedProcess:
    cmd = ["pulumi", *args, "--non-interactive"]
    return subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=capture, check=False)


def preview_json(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, dict[str, Any], str]:
    """(exit code, parsed JSON, stderr) of `pulumi preview --json ...`.

    The CLI leaves policy events out of --json, so they come from the engine's event log (a debug flag the
    Automation API uses too) and are added to the JSON as "policyEvents".
    """
    with tempfile.TemporaryDirectory(prefix="smh-gitops-") as tmp:
        log = Path(tmp) / "events.jsonl"
        debug_env = {**env, "PULUMI_DEBUG_COMMANDS": "true"}
        res = pulumi(["preview", "--json", "--event-log", str(log), *args], cwd, debug_env)
        events = log.read_text().splitlines() if log.exists() else []
    if os.environ.get("GITOPS_KEEP_JSON"):  # for debugging the report: keep what the engine printed
        Path(os.environ["GITOPS_KEEP_JSON"]).write_text(res.stdout)
    try:
        data = json.loads(res.stdout) if res.stdout.strip() else {}
    except json.JSONDecodeError:
        data = {}
    policy = [json.loads(e)["policyEvent"] for e in events if '"policyEvent"' in e]
    if data and policy:
        data["policyEvents"] = policy
    return res.returncode, data, res.stderr


def select_stack(a: argparse.Namespace, env: dict[str, str]) -> None:
    """As scripts/stack.sh does: the first preview or up of a stack creates it in the backend."""
    pulumi(["stack", "select", a.stack, "--create"], a.cwd, env)


def write_summary(text: str) -> None:
    if os.environ.get("GITHUB_STEP_SUMMARY"):  # the job's summary page on GitHub Actions
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a") as f:
            f.write(text + "\n")


def cmd_preview_comment(a: argparse.Namespace, env: dict[str, str]) -> int:
    select_stack(a, env)
    rc, data, stderr = preview_json(["--diff", "--stack", a.stack, *policy_args(a.policy)], a.cwd, env)
    if not data:
        print(f"gitops: pulumi preview printed no JSON (exit {rc}):\n{stderr}", file=sys.stderr)
        return 2
    text = report.comment(data, a.stack, ok=rc == 0)
    if a.out:
        Path(a.out).write_text(text)
    print(text)
    write_summary(text)
    return 0 if rc == 0 else 1


def cmd_apply(a: argparse.Namespace, env: dict[str, str]) -> int:
    select_stack(a, env)
    res = pulumi(["up", "--yes", "--stack", a.stack, *policy_args(a.policy)], a.cwd, env, capture=False)
    return 0 if res.returncode == 0 else 1


def cmd_drift_check(a: argparse.Namespace, env: dict[str, str]) -> int:
    rc, data, stderr = preview_json(["--refresh", "--expect-no-changes", "--diff", "--stack", a.stack], a.cwd, env)
    drifted = report.drift(data)
    if drifted:
        text = f"drift on stack {a.stack}: the cloud no longer matches the stack\n" + "\n".join(
            f"- {line}" for line in drifted)
        print(text)
        write_summary(text)
        return 1
    if rc != 0 or not data:
        problems = report.errors(data) or [stderr.strip()]
        print(f"gitops: drift check of stack {a.stack} failed (exit {rc}):\n" + "\n".join(problems), file=sys.stderr)
        return 2
    print(f"no drift on stack {a.stack}")
    write_summary(f"no drift on stack {a.stack}")
    return 0


# -- rehearse -----------------------------------------------------------------------------------------------
def project_copy(dst: Path) -> Path:
    """The stack program in `dst`, so a throwaway stack's Pulumi.<stack>.yaml stays out of the repo's stacks/."""
    text = (ROOT / "Pulumi.yaml").read_text().replace("virtualenv: .venv", f"virtualenv: {ROOT / '.venv'}")
    text = "\n".join(line for line in text.splitlines()
                     if "file://./.pulumi-state" not in line and not line.startswith("backend:"))
    (dst / "Pulumi.yaml").write_text(text + "\n")
    shutil.copy(ROOT / "__main__.py", dst / "__main__.py")
    (dst / "smh_provider").symlink_to(ROOT / "smh_provider")
    (dst / "stacks").mkdir()
    return dst


def make_bucket_public(endpoint: str, secret_id: str, secret_key: str, bucket: str, region: str) -> None:
    """The out-of-band change: someone makes the bucket public-read with the COS SDK (or in the console)."""
    from qcloud_cos import CosConfig, CosS3Client

    conf = CosConfig(Region=region, SecretId=secret_id, SecretKey=secret_key, Scheme="http",
                     Proxies={"http": endpoint, "https": endpoint})
    CosS3Client(conf, retry=0).put_bucket_acl(Bucket=bucket, ACL="public-read")


def cmd_rehearse(a: argparse.Namespace, env: dict[str, str]) -> int:
    from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY

    endpoint = a.endpoint or os.environ.get("SMH_ENDPOINT")
    if not endpoint:
        print("gitops rehearse: give --endpoint http://127.0.0.1:PORT of a running emulator", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="smh-gitops-"))
    (tmp / "state").mkdir()
    env = {**env, "PULUMI_BACKEND_URL": f"file://{tmp / 'state'}", "PULUMI_CONFIG_PASSPHRASE": "rehearsal"}
    (tmp / "project").mkdir()
    cwd = project_copy(tmp / "project")
    # with the policy pack, as the workflows run preview and up
    ns = argparse.Namespace(stack=a.stack, cwd=cwd, policy=True, out=str(tmp / "comment.md"))
    failures: list[str] = []

    def step(title: str, want: int, got: int) -> None:
        print(f"\n=== {title}: exit {got} (expected {want})", flush=True)
        if got != want:
            failures.append(f"{title}: exit {got}, expected {want}")

    def config(*pairs: str) -> None:
        pulumi(["config", "set-all", "--stack", a.stack, *pairs], cwd, env)

    try:
        pulumi(["stack", "init", a.stack], cwd, env)
        config(*(f"--plaintext={k}={v}" for k, v in {
            "tencentcloud:secretId": DEFAULT_SECRET_ID, "smh:endpoint": endpoint, "smh-media:bucketName": a.bucket,
            "smh-media:appId": "1250000000", "smh-media:region": "ap-guangzhou", "smh-media:forceDestroy": "true",
            "smh-media:library": json.dumps({"library_name": "rehearsal"})}.items()),
            f"--secret=tencentcloud:secretKey={DEFAULT_SECRET_KEY}")
        step("apply (first deployment)", 0, cmd_apply(ns, env))
        config(f"--plaintext=smh-media:library={json.dumps({'library_name': 'rehearsal', 'multi_album': True})}")
        step("preview-comment (pull request: multi_album on, replaces the library)", 0, cmd_preview_comment(ns, env))
        if "Destructive changes" not in Path(ns.out).read_text():
            failures.append("the comment has no 'Destructive changes' block for the library replacement")
        step("apply (merge)", 0, cmd_apply(ns, env))
        step("drift-check (nothing changed)", 0, cmd_drift_check(ns, env))
        make_bucket_public(endpoint, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, f"{a.bucket}-1250000000", "ap-guangzhou")
        print("\n=== out of band: bucket ACL set to public-read through the COS SDK")
        step("drift-check (after the out-of-band change)", 1, cmd_drift_check(ns, env))
    finally:
        pulumi(["destroy", "--yes", "--stack", a.stack], cwd, env)
        pulumi(["stack", "rm", "--yes", "--force", a.stack], cwd, env)
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nrehearsal " + ("FAILED:\n" + "\n".join(failures) if failures else "passed: every step behaved"))
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gitops.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("preview-comment", "apply", "drift-check", "rehearse"):
        p = sub.add_parser(name)
        # rehearse ignores $STACK: its stack lives only in a temp backend
        p.add_argument("--stack", default="rehearsal" if name == "rehearse" else os.environ.get("STACK") or "dev")
        if name != "rehearse":  # which copies the project into its temp dir
            p.add_argument("--cwd", type=Path, default=ROOT, help="project directory (default: this checkout)")
        if name in ("preview-comment", "apply"):
            p.add_argument("--policy", action="store_true", help="run policy/ with POLICY_CONFIG or its config.json")
        if name == "preview-comment":
            p.add_argument("--out", help="also write the markdown to this file")
        if name == "rehearse":
            p.add_argument("--endpoint", help="URL of a running emulator (default: $SMH_ENDPOINT)")
            p.add_argument("--bucket", default="gitops-rehearsal", help="bucket name of the throwaway stack")
    a = parser.parse_args(argv)
    commands = {"preview-comment": cmd_preview_comment, "apply": cmd_apply, "drift-check": cmd_drift_check,
                "rehearse": cmd_rehearse}
    return commands[a.command](a, engine_env())


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # rehearse imports emulator.accounts
    sys.exit(main())
