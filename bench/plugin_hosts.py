"""The two hosts side by side: the Python program (dynamic providers) and a YAML program through the `smh` plugin.

    .venv/bin/python bench/plugin_hosts.py [--reps 3] [--set-tenants 200] [--latency-ms 50] [--out PATH]

Same emulator (bench/run.py's Bench: its own port, a fixed latency per request), same CLI, same resources with the
same names: the single-library stack (bucket, media processing, library): create, no-op `up`, `preview`; and a
SpaceSet of N tenant spaces with two albums each: create and preview; each the median of --reps runs, with the
emulator's calls of both hosts compared action by action. Writes bench/results/plugin-hosts.json and prints a
Markdown table (docs/plugin.md, "Benchmark"). Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from pulumi import automation as auto  # noqa: E402

from bench.run import Bench, _quiet, log, set_config  # noqa: E402
from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY  # noqa: E402

OUT = ROOT / "bench" / "results" / "plugin-hosts.json"
SINGLE = {"smh-media:bucketName": "single", "smh-media:bucketTags": {"team": "media"},
          "smh-media:library": {"library_name": "single", "multi_tenant": False, "allow_photo": True,
                                "allow_video": True}}


def yaml_program(bucket: str, library: dict[str, Any], spaces: dict[str, Any] | None = None,
                 tags: dict[str, str] | None = None) -> dict[str, Any]:
    """The Python program's resources for these settings, as a YAML program of the plugin."""
    res: dict[str, Any] = {
        "media-bucket": {"type": "smh:index:Bucket", "properties": {
            "bucket_name": bucket, "app_id": "1250000000", "region": "ap-guangzhou", "tags": tags or {}}},
        "media-processing": {"type": "smh:index:MediaProcessing", "properties": {
            "bucket": "${media-bucket.bucket}", "region": "${media-bucket.region}"}},
        "media-library": {"type": "smh:index:MediaLibrary", "properties": {
            **library, "bucket": "${media-bucket.bucket}", "bucket_region": "${media-bucket.region}"},
            "options": {"dependsOn": ["${media-processing}"]}},
    }
    if spaces is not None:
        res["spaces"] = {"type": "smh:index:SpaceSet", "properties": {
            "library_id": "${media-library.library_id}", "spaces": spaces}}
    return {"name": "smh-bench", "runtime": "yaml",
            "plugins": {"providers": [{"name": "smh", "path": str(ROOT / "bin")}]}, "resources": res}


class Hosts:
    def __init__(self, b: Bench, tmp: Path) -> None:
        self.b, self.tmp = b, tmp

    def python(self, cfg: dict[str, Any]) -> auto.Stack:
        return self.b.stack(cfg)

    def plugin(self, program: dict[str, Any]) -> auto.Stack:
        d = self.tmp / f"yaml-{uuid.uuid4().hex[:6]}"
        d.mkdir()
        (d / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
        st = auto.Stack.create(f"p{uuid.uuid4().hex[:8]}", auto.LocalWorkspace(work_dir=str(d), env_vars=self.b.env))
        st.set_all_config({"smh:secretId": auto.ConfigValue(DEFAULT_SECRET_ID),
                           "smh:secretKey": auto.ConfigValue(DEFAULT_SECRET_KEY, secret=True),
                           "smh:endpoint": auto.ConfigValue(self.b.emu.url)})
        return st


def single(h: Hosts, host: str, reps: int) -> dict[str, Any]:
    library = SINGLE["smh-media:library"]
    st = h.python(SINGLE) if host == "python" else h.plugin(yaml_program("single", library, tags={"team": "media"}))
    runs: dict[str, list[dict[str, Any]]] = {"create": [], "no-op up": [], "preview": []}
    for rep in range(reps):
        log(f"{host}: single library, run {rep + 1}/{reps}")
        runs["create"].append(h.b.measure("up", lambda: st.up(on_output=_quiet)))
        runs["no-op up"].append(h.b.measure("up", lambda: st.up(on_output=_quiet)))
        runs["preview"].append(h.b.measure("preview", lambda: st.preview(on_output=_quiet)))
        st.destroy(on_output=_quiet)
    st.workspace.remove_stack(st.name)
    return {op: {"wall_s": round(statistics.median(r["wall_s"] for r in rs), 3),
                 "wall_runs_s": [r["wall_s"] for r in rs], "calls": rs[0]["calls"]} for op, rs in runs.items()}


def space_set(h: Hosts, host: str, n: int, reps: int) -> dict[str, Any]:
    cfg = set_config(n, "v0")
    runs: dict[str, list[dict[str, Any]]] = {"create": [], "preview": []}
    for rep in range(reps):
        if host == "python":
            st = h.python(cfg)
            h.b.set_object(st, "smh-media:spaces", cfg["smh-media:spaces"])
        else:
            st = h.plugin(yaml_program(cfg["smh-media:bucketName"], cfg["smh-media:library"],
                                       cfg["smh-media:spaces"]))
        log(f"{host}: SpaceSet of {n} spaces, run {rep + 1}/{reps}")
        runs["create"].append(h.b.measure("up", lambda st=st: st.up(on_output=_quiet)))
        runs["preview"].append(h.b.measure("preview", lambda st=st: st.preview(on_output=_quiet)))
        st.destroy(on_output=_quiet)
        st.workspace.remove_stack(st.name)
    return {op: {"wall_s": round(statistics.median(r["wall_s"] for r in rs), 3),
                 "wall_runs_s": [r["wall_s"] for r in rs], "calls": rs[0]["calls"],
                 "same_calls_every_run": all(r["calls"]["by_action"] == rs[0]["calls"]["by_action"] for r in rs)}
            for op, rs in runs.items()}


def table(result: dict[str, Any]) -> str:
    rows = ["| scenario | dynamic host s | plugin s | calls (dynamic / plugin) |", "|---|---|---|---|"]
    for op in ("create", "no-op up", "preview"):
        py, pl = result["single"]["python"][op], result["single"]["plugin"][op]
        rows.append(f"| single library: {op} | {py['wall_s']} | {pl['wall_s']} | {py['calls']['total']} / "
                    f"{pl['calls']['total']} |")
    n = result["set_tenants"]
    if n:
        for op in ("create", "preview"):
            py, pl = result["space_set"]["python"][op], result["space_set"]["plugin"][op]
            rows.append(f"| SpaceSet of {n} spaces: {op} | {py['wall_s']} | {pl['wall_s']} | {py['calls']['total']}"
                        f" / {pl['calls']['total']} |")
        same = result["space_set"]["python"]["create"]["calls"]["by_action"] == \
            result["space_set"]["plugin"]["create"]["calls"]["by_action"]
        rows.append(f"\nSpaceSet create: the same calls action by action through both hosts: {'yes' if same else 'NO'}")
    return "\n".join(rows)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--set-tenants", type=int, default=200, help="N of the SpaceSet comparison (0: skip)")
    p.add_argument("--latency-ms", type=int, default=50)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    args.engine_env = []
    with tempfile.TemporaryDirectory(prefix="smh-bench-hosts-") as tmp:
        b = Bench(args, Path(tmp))
        try:
            h = Hosts(b, Path(tmp))
            result: dict[str, Any] = {"latency_ms": args.latency_ms, "reps": args.reps,
                                      "set_tenants": args.set_tenants,
                                      "single": {host: single(h, host, args.reps) for host in ("python", "plugin")}}
            if args.set_tenants:
                result["space_set"] = {host: space_set(h, host, args.set_tenants, args.reps)
                                       for host in ("python", "plugin")}
        finally:
            b.emu.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
