"""`make bench`: time, API calls and provider memory of pulumi up / preview / refresh / destroy.

Starts its own emulator (random port) with a fixed latency per request, drives the real pulumi CLI through the
Automation API (file backend and PULUMI_HOME in a temp dir, the project's own __main__.py), and for every
scenario measures wall time (median of --reps runs), the emulator's calls by action and how many mutated, the
dynamic provider's peak memory, and two baselines from the same emulator: the floor (bench/floor.py) and the
plain sequential script (bench/sequential_script.py). Writes bench/results/latest.json, then docs/benchmarks.md
and docs/benchmarks-scaling.png (bench/report.py). Options: bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pulumi import automation as auto  # noqa: E402

from bench import report, targets  # noqa: E402
from bench.floor import ENGINE_CONCURRENCY, call_summary, floor_seconds  # noqa: E402
from bench.procmem import PeakMemory  # noqa: E402
from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY  # noqa: E402
from tests.emulator_process import EmulatorProcess  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "latest.json"
OPS = {"S1": "up", "S2": "up", "S3": "preview", "S4": "refresh", "S5": "up", "S6": "up", "S7": "destroy"}
NAMES = {"S1": "create the single-library stack", "S2": "no-op up", "S3": "preview", "S4": "refresh",
         "S5": "create N tenant spaces x 2 albums", "S6": "change one setting on every space", "S7": "destroy S5"}


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.tmp = tmp
        self.latency_s = args.latency_ms / 1000
        self.emu = EmulatorProcess()
        self.emu.control("POST", "faults", {"seed": 1, "latency_ms": args.latency_ms})
        self.project = self._project_dir()
        bin_dir = ROOT / ".tools" / "pulumi"
        os.environ["PATH"] = f"{bin_dir}:{os.environ.get('PATH', '')}"
        (tmp / "state").mkdir()
        self.env = {"PATH": os.environ["PATH"], "PULUMI_BACKEND_URL": f"file://{tmp / 'state'}",
                    "PULUMI_CONFIG_PASSPHRASE": "bench", "PULUMI_SKIP_UPDATE_CHECK": "true",
                    "PULUMI_HOME": str(tmp / "home")}
        self.env |= dict(kv.split("=", 1) for kv in args.engine_env)

    def _project_dir(self) -> Path:
        """A copy of the project (same __main__.py, provider symlinked) whose stacks live in the temp dir."""
        d = self.tmp / "project"
        d.mkdir()
        text = (ROOT / "Pulumi.yaml").read_text().replace("virtualenv: .venv", f"virtualenv: {ROOT / '.venv'}")
        lines = [x for x in text.splitlines() if not x.startswith("backend:") and "file://./.pulumi-state" not in x]
        (d / "Pulumi.yaml").write_text("\n".join(lines) + "\n")
        shutil.copy(ROOT / "__main__.py", d / "__main__.py")
        (d / "smh_provider").symlink_to(ROOT / "smh_provider")
        (d / "stacks").mkdir()
        return d

    def stack(self, config: dict[str, Any]) -> auto.Stack:
        ws = auto.LocalWorkspace(work_dir=str(self.project), env_vars=self.env)
        st = auto.Stack.create(f"b{uuid.uuid4().hex[:8]}", ws)
        base = {"tencentcloud:secretId": DEFAULT_SECRET_ID, "smh:endpoint": self.emu.url,
                "smh-media:appId": "1250000000", "smh-media:region": "ap-guangzhou"}
        cfg = {k: auto.ConfigValue(v) for k, v in base.items()}
        cfg["tencentcloud:secretKey"] = auto.ConfigValue(DEFAULT_SECRET_KEY, secret=True)
        big = {k: v for k, v in config.items() if k == "smh-media:spaces"}
        cfg |= {k: auto.ConfigValue(v if isinstance(v, str) else json.dumps(v)) for k, v in config.items()
                if k not in big}
        st.set_all_config(cfg)
        for key, value in big.items():
            self.set_object(st, key, value)
        return st

    def set_object(self, stack: auto.Stack, key: str, value: Any) -> None:
        """Structured config; a big map of spaces goes into a file named by `smh-media:spacesFile`: one config
        value must fit in one command-line argument and one environment variable (128 KiB on Linux)."""
        text = json.dumps(value)
        in_file = key == "smh-media:spaces" and len(text) >= int(os.environ.get("BENCH_SPACES_FILE_FROM", "100000"))
        if in_file:
            path = self.project / f"spaces-{stack.name}.json"
            path.write_text(text)
            stack.set_config("smh-media:spacesFile", auto.ConfigValue(path.name))
        else:
            stack.set_config(key, auto.ConfigValue(text))
        gone = "smh-media:spaces" if in_file else "smh-media:spacesFile"
        if gone in stack.get_all_config():
            stack.remove_config(gone)

    def measure(self, op: str, fn: Callable[[], Any], stack: auto.Stack | None = None,
                workers: int | None = None) -> dict[str, Any]:
        """One timed operation: wall time, the emulator's log of it, the floor, the provider's peak memory and the
        size of the stack's state checkpoint after it (`workers`: also the floor at the SpaceSet's concurrency)."""
        self.emu.control("DELETE", "requests")
        with PeakMemory() as mem:
            started = time.perf_counter()
            fn()
            wall = time.perf_counter() - started
        entries = self.emu.control("GET", "requests")["requests"]
        out = {"wall_s": round(wall, 3), "calls": call_summary(entries),
               "floor": floor_seconds(entries, op, self.latency_s), "peak_mib": mem.peak_mib,
               "state_bytes": self.state_bytes(stack) if stack else None}
        if workers:
            out["floor_workers"] = floor_seconds(entries, op, self.latency_s, concurrency=workers)
        return out

    def state_bytes(self, stack: auto.Stack) -> int | None:
        """Size of the stack's checkpoint file in the file backend (what the engine rewrites after every step)."""
        found = sorted((self.tmp / "state" / ".pulumi" / "stacks").glob(f"*/{stack.name}.json*"))
        found = [f for f in found if not f.name.endswith((".attrs", ".bak", ".tmp"))]
        return found[0].stat().st_size if found else None

    def script(self, mode: str, state: Path, **kw: Any) -> dict[str, Any]:
        cmd = [sys.executable, str(ROOT / "bench" / "sequential_script.py"), "--endpoint", self.emu.url,
               "--mode", mode, "--state", str(state)]
        for k, v in kw.items():
            cmd += [f"--{k.replace('_', '-')}", str(v)]
        self.emu.control("DELETE", "requests")
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
        entries = self.emu.control("GET", "requests")["requests"]
        return {"wall_s": json.loads(out.stdout.strip().splitlines()[-1])["seconds"], "calls": call_summary(entries)}


def _quiet(_: str) -> None:
    return


def summarize(sid: str, n: int | None, runs: list[dict[str, Any]], scripts: list[dict[str, Any]],
              resources: int, variant: str = "resources") -> dict[str, Any]:
    first = runs[0]
    out: dict[str, Any] = {
        "id": sid, "n": n, "name": NAMES[sid], "op": OPS[sid], "resources": resources, "variant": variant,
        "state_bytes": max((r.get("state_bytes") or 0 for r in runs), default=0) or None,
        "wall_runs_s": [r["wall_s"] for r in runs], "wall_s": round(statistics.median(r["wall_s"] for r in runs), 3),
        "calls": first["calls"], "calls_runs": [r["calls"]["total"] for r in runs],
        "floor_s": first["floor"]["seconds"], "floor": first["floor"],
        "peak_mib": max((r["peak_mib"] or 0 for r in runs), default=0) or None,
        "script_s": round(statistics.median(s["wall_s"] for s in scripts), 3) if scripts else None,
        "script_calls": scripts[0]["calls"] if scripts else None,
    }
    if first.get("floor_workers"):
        out["floor_workers_s"] = first["floor_workers"]["seconds"]
    return out


def run_single(b: Bench, reps: int, script_reps: int) -> list[dict[str, Any]]:
    cfg = {"smh-media:bucketName": "single", "smh-media:bucketTags": {"team": "media"},
           "smh-media:library": {"library_name": "single", "multi_tenant": False, "allow_photo": True,
                                 "allow_video": True}}
    st = b.stack(cfg)
    runs: dict[str, list[dict[str, Any]]] = {s: [] for s in ("S1", "S2", "S3", "S4")}
    for rep in range(reps):
        log(f"S1 create, run {rep + 1}/{reps}")
        runs["S1"].append(b.measure("up", lambda: st.up(on_output=_quiet)))
        if rep < reps - 1:
            st.destroy(on_output=_quiet)
    for rep in range(reps):
        log(f"S2 no-op up, S3 preview, S4 refresh: run {rep + 1}/{reps}")
        runs["S2"].append(b.measure("up", lambda: st.up(on_output=_quiet)))
        runs["S3"].append(b.measure("preview", lambda: st.preview(on_output=_quiet)))
        runs["S3"].append(b.measure("preview", lambda: st.preview(on_output=_quiet)))
        runs["S4"].append(b.measure("refresh", lambda: st.refresh(on_output=_quiet)))
    st.destroy(on_output=_quiet)
    st.workspace.remove_stack(st.name)
    scripts: dict[str, list[dict[str, Any]]] = {"create": [], "read": []}
    state = b.tmp / "script-single.json"
    for rep in range(script_reps):
        log(f"sequential script, single library, run {rep + 1}/{script_reps}")
        scripts["create"].append(b.script("create", state, bucket="script1", library="script1"))
        scripts["read"].append(b.script("read", state))
        b.script("destroy", state)
    base = {"S1": "create", "S2": "read", "S3": "read", "S4": "read"}
    return [summarize(s, None, runs[s], scripts[base[s]], 3) for s in runs]


def tenant_config(n: int, tag: str) -> dict[str, Any]:
    spaces = {f"t{i:03d}": {"multi_album": True, "space_tag": tag, "albums": {"a": "Album 0", "b": "Album 1"}}
              for i in range(n)}
    return {"smh-media:bucketName": f"tenants{n}", "smh-media:library": {"library_name": f"tenants{n}",
                                                                          "multi_tenant": True},
            "smh-media:spaces": spaces}


def _script_runs(b: Bench, n: int, reps: int, name: str, label: str) -> dict[str, list[dict[str, Any]]]:
    """The sequential script's create, read, update and destroy of N spaces (bucket and library `<name><n>`)."""
    scripts: dict[str, list[dict[str, Any]]] = {"create": [], "read": [], "update": [], "destroy": []}
    state = b.tmp / f"{name}-{n}.json"
    for rep in range(reps):
        log(f"{label}: sequential script, run {rep + 1}/{reps}")
        kw = {"bucket": f"{name}{n}", "library": f"{name}{n}"}
        scripts["create"].append(b.script("create", state, spaces=n, albums=2, space_tag="v0", **kw))
        scripts["read"].append(b.script("read", state))
        scripts["update"].append(b.script("update", state, space_tag="v1"))
        scripts["destroy"].append(b.script("destroy", state))
    return scripts


def run_tenants(b: Bench, n: int, reps: int, script_reps: int) -> list[dict[str, Any]]:
    st = b.stack(tenant_config(n, "v0"))
    runs: dict[str, list[dict[str, Any]]] = {s: [] for s in ("S5", "S3", "S4", "S6", "S7")}
    for rep in range(reps):
        log(f"N={n}: S5 create, S3 preview, S4 refresh, S6 change, S7 destroy: run {rep + 1}/{reps}")
        st.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(tenant_config(n, "v0")["smh-media:spaces"])))
        runs["S5"].append(b.measure("up", lambda: st.up(on_output=_quiet), st))
        runs["S3"].append(b.measure("preview", lambda: st.preview(on_output=_quiet), st))
        runs["S4"].append(b.measure("refresh", lambda: st.refresh(on_output=_quiet), st))
        st.set_config("smh-media:spaces", auto.ConfigValue(json.dumps(tenant_config(n, "v1")["smh-media:spaces"])))
        runs["S6"].append(b.measure("up", lambda: st.up(on_output=_quiet), st))
        runs["S7"].append(b.measure("destroy", lambda: st.destroy(on_output=_quiet), st))
    st.workspace.remove_stack(st.name)
    scripts = _script_runs(b, n, script_reps, "script", f"N={n}")
    resources = 3 + 3 * n
    return [summarize("S5", n, runs["S5"], scripts["create"], resources),
            summarize("S3", n, runs["S3"], scripts["read"], resources),
            summarize("S4", n, runs["S4"], scripts["read"], resources),
            summarize("S6", n, runs["S6"], scripts["update"], resources),
            summarize("S7", n, runs["S7"], scripts["destroy"], resources)]


SET_WORKERS = 32  # SpaceSet's default pool


def set_config(n: int, tag: str) -> dict[str, Any]:
    """The S5 stack of `tenant_config`, its spaces served by one SpaceSet (`smh-media:spaceSet`)."""
    cfg = tenant_config(n, tag)
    return {**cfg, "smh-media:bucketName": f"set{n}", "smh-media:spaceSet": True,
            "smh-media:library": {"library_name": f"set{n}", "multi_tenant": True}}


def run_set(b: Bench, n: int, reps: int, script_reps: int) -> list[dict[str, Any]]:
    """S5, S2, S3, S4, S6, S7 of the multi-tenant stack with a SpaceSet, with the script and floor of this run."""
    st = b.stack(set_config(n, "v0"))
    runs: dict[str, list[dict[str, Any]]] = {s: [] for s in ("S5", "S2", "S3", "S4", "S6", "S7")}
    spaces = {tag: set_config(n, tag)["smh-media:spaces"] for tag in ("v0", "v1")}
    for rep in range(reps):
        log(f"SpaceSet N={n}: S5 create, S2 no-op up, S3 preview, S4 refresh, S6 change, S7 destroy: "
            f"run {rep + 1}/{reps}")
        b.set_object(st, "smh-media:spaces", spaces["v0"])
        runs["S5"].append(b.measure("up", lambda: st.up(on_output=_quiet), st, SET_WORKERS))
        runs["S2"].append(b.measure("up", lambda: st.up(on_output=_quiet), st, SET_WORKERS))
        runs["S3"].append(b.measure("preview", lambda: st.preview(on_output=_quiet), st, SET_WORKERS))
        runs["S4"].append(b.measure("refresh", lambda: st.refresh(on_output=_quiet), st, SET_WORKERS))
        b.set_object(st, "smh-media:spaces", spaces["v1"])
        runs["S6"].append(b.measure("up", lambda: st.up(on_output=_quiet), st, SET_WORKERS))
        runs["S7"].append(b.measure("destroy", lambda: st.destroy(on_output=_quiet), st, SET_WORKERS))
    st.workspace.remove_stack(st.name)
    scripts = _script_runs(b, n, script_reps, "scriptset", f"SpaceSet N={n}")
    base = {"S5": "create", "S2": "read", "S3": "read", "S4": "read", "S6": "update", "S7": "destroy"}
    return [summarize(sid, n, runs[sid], scripts[base[sid]], 4, "SpaceSet") for sid in runs]


def environment(args: argparse.Namespace) -> dict[str, Any]:
    pulumi_cli = subprocess.run([str(ROOT / ".tools" / "pulumi" / "pulumi"), "version"], capture_output=True,
                                text=True).stdout.strip()
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpu": platform.processor() or platform.machine(),
                    "cores": os.cpu_count(), "python": platform.python_version(),
                    "load_at_start": [round(x, 2) for x in load]},
        "versions": {"pulumi_cli": pulumi_cli, "pulumi_python": version("pulumi"),
                     "cos_python_sdk_v5": version("cos-python-sdk-v5"),
                     "tencentcloud_sdk_python_smh": version("tencentcloud-sdk-python-smh")},
        "settings": {"latency_ms": args.latency_ms, "reps": args.reps, "script_reps": args.script_reps,
                     "tenants": args.tenants, "set_tenants": args.set_tenants, "big_reps": args.big_reps,
                     "set_workers": SET_WORKERS, "engine_concurrency": ENGINE_CONCURRENCY,
                     "engine_env": args.engine_env},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--latency-ms", type=float, default=50.0, help="emulator latency per request (default 50)")
    p.add_argument("--reps", type=int, default=3, help="runs per scenario; wall time is their median (default 3)")
    p.add_argument("--script-reps", type=int, default=1, help="runs of the sequential script (default 1)")
    p.add_argument("--tenants", type=int, nargs="*", default=[10, 50, 200],
                   help="N for S5-S7 with Space and Album resources (default 10 50 200; none: skip them)")
    p.add_argument("--engine-env", nargs="*", default=[], metavar="KEY=VALUE",
                   help="extra environment of the pulumi CLI, e.g. PULUMI_SKIP_CHECKPOINTS=true (an experiment)")
    p.add_argument("--set-tenants", type=int, nargs="*", default=[10, 200, 2000],
                   help="N for the SpaceSet scenarios (default 10 200 2000; none: skip them)")
    p.add_argument("--big-reps", type=int, default=1, help="runs per scenario at N >= 1000 (default 1)")
    p.add_argument("--skip-single", action="store_true", help="skip S1-S4")
    p.add_argument("--keep", type=Path, default=None, metavar="RESULTS_JSON",
                   help="keep the scenarios of this earlier result that this run does not measure (each keeps "
                        "its own date and machine load)")
    p.add_argument("--out", type=Path, default=RESULTS, help=f"results JSON (default {RESULTS.relative_to(ROOT)})")
    p.add_argument("--no-docs", action="store_true", help="write the JSON only, not docs/benchmarks.{md,png}")
    p.add_argument("--started", type=float, default=None, help="unix time `make bench` started (for its total)")
    args = p.parse_args(argv)
    started = args.started or time.time()
    result = environment(args)
    with tempfile.TemporaryDirectory(prefix="smh-bench-") as tmp:
        b = Bench(args, Path(tmp))
        try:
            log(f"emulator {b.emu.url}, latency {args.latency_ms} ms, reps {args.reps}, N {args.tenants}")
            scenarios = [] if args.skip_single else run_single(b, args.reps, args.script_reps)
            for n in args.tenants:
                scenarios += run_tenants(b, n, args.reps, args.script_reps)
            for n in args.set_tenants:
                reps = args.big_reps if n >= 1000 else args.reps
                scenarios += run_set(b, n, reps, min(args.script_reps, reps))
                partial = args.out.with_suffix(".partial.json")  # what is measured survives a later failure
                partial.write_text(json.dumps({**result, "scenarios": scenarios}, indent=2) + "\n")
        finally:
            b.emu.stop()
    stamp = {"measured": result["date"], "load_at_start": result["machine"]["load_at_start"],
             "load_at_end": [round(x, 2) for x in os.getloadavg()]}
    scenarios = [{**s, **stamp} for s in scenarios]
    if args.keep and args.keep.exists():
        ran = {(s["id"], s["n"], s.get("variant", "resources")) for s in scenarios}
        old = json.loads(args.keep.read_text())
        kept = [{"measured": old["date"], "load_at_start": old["machine"]["load_at_start"], **s}
                for s in old["scenarios"] if (s["id"], s["n"], s.get("variant", "resources")) not in ran]
        scenarios = kept + scenarios
        result["kept_from"] = {"date": old["date"], "load_at_start": old["machine"]["load_at_start"],
                               "total_seconds": old.get("total_seconds")}
    result["scenarios"] = scenarios
    result["total_seconds"] = round(time.time() - started, 1)
    try:
        result["targets"] = targets.check(result)
    except Exception as err:  # noqa: BLE001 - the measurements matter more than their verdicts
        log(f"could not check the targets: {err!r}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    log(f"wrote {args.out}")
    if not args.no_docs:
        for path in report.write(result):
            log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
