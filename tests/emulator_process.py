"""Start and stop `python -m emulator` as a real subprocess, for tests and tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# What the emulators stopped so far in this process had answered (tests/emulator/test_every_action.py).
ANSWERED_BY_STOPPED: Counter[str] = Counter()


class EmulatorProcess:
    def __init__(self, state_dir: str | None = None, extra_args: list[str] | None = None, port: int = 0) -> None:
        args = [sys.executable, "-m", "emulator", "--port", str(port)]
        if state_dir:
            args += ["--state-dir", state_dir]
        args += extra_args or []
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("emulator listening on "):
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"emulator did not start: {line!r} {err}")
        self.url = line.split()[-1]
        self.port = int(self.url.rsplit(":", 1)[1])

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.url}/_emulator/{path}", data=data, method=method)
        proxy_free = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with proxy_free.open(req, timeout=10) as resp:
            return json.loads(resp.read())

    def answered(self) -> Counter[str]:
        """How often each declared action (`service:Action`) has answered without error since the start."""
        return Counter({key: a["answered"] for key, a in self.control("GET", "actions")["actions"].items()})

    def stop(self, sig: str = "TERM") -> int:
        if self.proc.poll() is None:
            try:
                ANSWERED_BY_STOPPED.update(self.answered())
            except OSError:  # not answering any more: what it answered is lost, the coverage test may say so
                pass
            (self.proc.kill if sig == "KILL" else self.proc.terminate)()
            self.proc.wait(timeout=10)
        return self.proc.returncode


def with_accounts(tmp_dir: Path, accounts: list[dict[str, Any]]) -> Iterator[EmulatorProcess]:
    """An emulator of its own that also knows `accounts` (the --accounts JSON); for module fixtures."""
    path = tmp_dir / "accounts.json"
    path.write_text(json.dumps(accounts))
    proc = EmulatorProcess(extra_args=["--accounts", str(path)])
    try:
        yield proc
    finally:
        proc.stop()
