"""Carrying out the walk's steps (walk.py) through the real pulumi CLI against the emulator, and out of band
through the SMH data plane; walk_checks.py then judges the result.

The stack's config is written straight into the project copy's stacks/Pulumi.<stack>.yaml (kept from the
`pulumi stack init` that made it, secrets included), so a config edit costs no CLI run.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from tests.emulator_process import ROOT, EmulatorProcess
from tests.reliability.outside import DataPlane
from tests.reliability.test_crash import kill_tree
from tests.reliability.walk import File, Model, Step

CLI_TIMEOUT = 600


@dataclass
class Result:
    """What one step did: each CLI run's command, exit code and output, and whether the config was applied."""

    runs: list[tuple[str, int, str]] = field(default_factory=list)
    applied: bool | None = None  # True: an up (or recovery) went through; False: refused; None: no up
    killed_after: str = ""
    note: str = ""

    def output(self) -> str:
        return "\n".join(f"$ {cmd} (exit {rc})\n{out}" for cmd, rc, out in self.runs)


class World:
    """One stack of the walk's project copy on the shared emulator."""

    def __init__(self, emulator: EmulatorProcess, project: Path, stack: str, env: dict[str, str],
                 base: dict[str, Any]) -> None:
        self.emulator, self.project, self.stack, self.env = emulator, project, stack, {**os.environ, **env}
        self.file = project / "stacks" / f"Pulumi.{stack}.yaml"
        self.base = base  # the stack file as `pulumi config set-all` wrote it: credentials, bucket, library
        self._plane: DataPlane | None = None
        self._plane_at = 0.0
        self.project_name = "smh-media"  # Pulumi.yaml's name: the first part of every ownership mark

    # -- config and CLI --------------------------------------------------------------------------------------------
    def write_config(self, config: dict[str, Any]) -> None:
        doc = json.loads(json.dumps(self.base))
        doc["config"].update({
            "smh-media:spaces": json.dumps(config["spaces"], sort_keys=True),
            "smh-media:spaceSet": json.dumps(config["spaceSet"]),
            "smh-media:forceDestroy": json.dumps(config["forceDestroy"]),
        })
        self.file.write_text(yaml.safe_dump(doc, sort_keys=False))

    def pulumi(self, result: Result, *args: str) -> int:
        cmd = ["pulumi", *args, "--non-interactive", "--stack", self.stack]
        done = subprocess.run(cmd, cwd=self.project, env=self.env, capture_output=True, text=True,
                              timeout=CLI_TIMEOUT)
        result.runs.append((" ".join(args), done.returncode, done.stdout + done.stderr))
        return done.returncode

    def up(self, result: Result, *extra: str) -> bool:
        ok = self.pulumi(result, "up", "--yes", "--skip-preview", *extra) == 0
        result.applied = ok
        return ok

    def preview_clean(self, result: Result) -> bool:
        return self.pulumi(result, "preview", "--expect-no-changes") == 0

    def export(self) -> dict[str, Any]:
        done = subprocess.run(["pulumi", "stack", "export", "--stack", self.stack], cwd=self.project, env=self.env,
                              capture_output=True, text=True, timeout=CLI_TIMEOUT)
        if done.returncode:
            raise RuntimeError(f"pulumi stack export: {done.stderr}")
        return json.loads(done.stdout).get("deployment") or {}

    def recover(self, result: Result) -> bool:
        done = subprocess.run([str(ROOT / "scripts" / "recover.sh"), self.stack], cwd=self.project, env=self.env,
                              capture_output=True, text=True, timeout=CLI_TIMEOUT)
        result.runs.append(("scripts/recover.sh", done.returncode, done.stdout + done.stderr))
        result.applied = done.returncode == 0
        return result.applied

    def kill_up(self, result: Result, k: int) -> bool:
        """`pulumi up` SIGKILLed once the emulator has answered its k-th mutating call (the emulator then holds
        every later request and drops it: the cloud saw exactly k changes). False if the up ended first."""
        self.emulator.control("POST", "faults", {"hold_after_mutations": k})
        try:
            proc = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--stack",
                                     self.stack], cwd=self.project, env=self.env, start_new_session=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            deadline = time.monotonic() + CLI_TIMEOUT
            while self.emulator.control("GET", "faults").get("holding") is not True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.communicate()[0]
                    result.runs.append(("up (ended before the kill point)", proc.returncode, out))
                    result.applied = proc.returncode == 0
                    result.note = f"the up ended before mutating call {k}: {'applied' if result.applied else 'refused'}"
                    return False
                time.sleep(0.02)
            kill_tree(proc)
            out = proc.communicate()[0] if proc.stdout else ""
            mutations = [e for e in self.emulator.control("GET", "requests")["requests"] if e["mutated"]]
            result.killed_after = f"{mutations[-1]['service']}:{mutations[-1]['action']}" if mutations else "?"
            result.runs.append((f"up (SIGKILL after mutating call {k}, {result.killed_after})", -9, out))
            return True
        finally:
            self.emulator.control("DELETE", "faults")

    # -- out of band -----------------------------------------------------------------------------------------------
    def plane(self, lib_id: str) -> DataPlane:
        """The library's data plane with an admin token, renewed every few minutes (a soak outlives a token)."""
        if self._plane is None or self._plane.lib_id != lib_id or time.monotonic() - self._plane_at > 300:
            self._plane, self._plane_at = DataPlane(self.emulator, lib_id), time.monotonic()
        return self._plane

    def library_id(self) -> str | None:
        libs = self.emulator.control("GET", "inventory").get("libraries") or []
        return libs[0]["LibraryId"] if len(libs) == 1 else None

    # -- one step -------------------------------------------------------------------------------------------------
    def run(self, model: Model, step: Step) -> Result:
        result = Result()
        self.emulator.control("DELETE", "requests")
        if step.kind in ("edit", "revert"):
            if step.kind == "revert" and model.applied is not None:
                model.config = json.loads(json.dumps(model.applied))
            self.write_config(model.config)
            self.up(result)
        elif step.kind == "kill":
            self.write_config(model.config)
            if self.kill_up(result, step.detail["after_mutations"]):
                self.recover(result)
        elif step.kind == "replace":
            self.up(result, "--replace", step.detail["urn"])
        elif step.kind == "destroy":
            self.pulumi(result, "destroy", "--yes", "--skip-preview", "--target", step.detail["urn"],
                        *(["--target-dependents"] if step.detail.get("dependents") else []))
        elif step.kind == "refresh":
            self.pulumi(result, "refresh", "--yes", "--skip-preview")
        elif step.kind in ("upload", "drop"):
            self._out_of_band(model, step, result)
        if result.applied:
            model.applied = json.loads(json.dumps(model.config))
        if result.applied is not None:
            model.refused = not result.applied
        return result

    def _out_of_band(self, model: Model, step: Step, result: Result) -> None:
        lib = self.library_id()
        sid = model.space_ids.get(step.detail["key"])
        if lib is None or sid is None:
            result.note = "skipped: no single library or no such space"
            return
        plane = self.plane(lib)
        if step.kind == "drop":
            r = requests.delete(f"{plane.base}/space/{lib}/{sid}", params={"access_token": plane.token, "force": "1"},
                                proxies=plane.proxies, timeout=30)
            result.note = f"DELETE space {sid}: {r.status_code}"
            if r.status_code < 300:
                model.files = [f for f in model.files if f.space_id != sid]
                model.drifted.add(sid)
            return
        names = [step.detail["album"], step.detail["file"]] if step.detail["album"] else [step.detail["file"]]
        r = requests.put(plane.base + plane.path("file", sid, *names), params={"access_token": plane.token},
                         data=b"jpeg", proxies=plane.proxies, timeout=30)
        result.note = f"PUT {'/'.join(names)} into space {sid}: {r.status_code}"
        if r.status_code < 300:
            model.files.append(File(step.detail["file"], step.detail["key"], sid, step.detail["album"]))
