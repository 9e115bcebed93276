"""docs/benchmarks.md and docs/benchmarks-scaling.png from bench/results/latest.json.

    .venv/bin/python -m bench.report [RESULTS_JSON]     # re-render the docs without re-running the benchmark
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench import targets

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
PLOT = ROOT / "docs" / "benchmarks-scaling.png"


def _f(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if not a or not b else f"{a / b:.2f}"


def table(result: dict[str, Any]) -> list[str]:
    rows = ["| scenario | spaces as | N | resources | wall s (median) | calls | mutating | floor s | script s "
            "| script calls | wall / floor | script / wall | provider peak MiB | state KB after | measured |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for s in result["scenarios"]:
        script_calls = s["script_calls"]["total"] if s.get("script_calls") else None
        state = f"{s['state_bytes'] / 1024:.0f}" if s.get("state_bytes") else "-"
        variant = {"SpaceSet": "SpaceSet"}.get(s.get("variant", ""), "Space + Album" if s["n"] else "-")
        when = f"{s.get('measured', result['date'])[:16]}, load {s.get('load_at_start', ['?'])[0]}"
        rows.append(
            f"| {s['id']} {s['name']} | {variant} | {s['n'] or '-'} | {s['resources']} | {_f(s['wall_s'])} "
            f"| {s['calls']['total']} | {s['calls']['mutating']} | {_f(s['floor_s'])} | {_f(s.get('script_s'))} "
            f"| {script_calls if script_calls is not None else '-'} | {_ratio(s['wall_s'], s['floor_s'])} "
            f"| {_ratio(s.get('script_s'), s['wall_s'])} | {_f(s.get('peak_mib'), 1)} | {state} | {when} |")
    return rows


def calls_detail(result: dict[str, Any]) -> list[str]:
    lines = ["| scenario | spaces as | N | calls by action (this tool) | floor round trips by stage |",
             "|---|---|---:|---|---|"]
    for s in result["scenarios"]:
        by = ", ".join(f"{k} {v}" for k, v in s["calls"]["by_action"].items()) or "none"
        stages = ", ".join(f"{k} {v}" for k, v in s["floor"]["stages"].items()) or "-"
        variant = "SpaceSet" if s.get("variant") == "SpaceSet" else "Space + Album" if s["n"] else "-"
        lines.append(f"| {s['id']} | {variant} | {s['n'] or '-'} | {by} | {stages} |")
    return lines


def plot(result: dict[str, Any], path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: matplotlib is not installed (bench/requirements.txt); no plot", file=sys.stderr)
        return None
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=110)
    styles = {"S5": "-", "S6": ":", "S7": "--"}
    for sid, style in styles.items():
        by_variant = {v: sorted((s["n"], s) for s in result["scenarios"]
                                if s["id"] == sid and s["n"] and s.get("variant", "resources") == v)
                      for v in ("resources", "SpaceSet")}
        for variant, color, label in (("resources", "tab:blue", "Space+Album"), ("SpaceSet", "tab:purple", "SpaceSet")):
            pts = by_variant[variant]
            if pts:
                ax.plot([n for n, _ in pts], [s["wall_s"] for _, s in pts], "o" + style, color=color,
                        label=f"{sid} {label}")
        base = by_variant["SpaceSet"] or by_variant["resources"]  # the baselines of the newest run
        if base:
            ns = [n for n, _ in base]
            ax.plot(ns, [s["script_s"] for _, s in base], "s" + style, color="tab:orange", label=f"{sid} script")
            ax.plot(ns, [s["floor_s"] for _, s in base], "^" + style, color="tab:green", label=f"{sid} floor")
    ax.set_xscale("log")
    ax.set_yscale("log")
    pts = sorted((s["n"], s["wall_s"]) for s in result["scenarios"]
                 if s["id"] == "S3" and s["n"] and s.get("variant", "resources") == "resources")
    if pts:  # no API call at all: what the engine and the program cost by themselves
        ax.plot([n for n, _ in pts], [w for _, w in pts], "x-.", color="gray", label="S3 preview (0 calls)")
    settings = result["settings"]
    ax.set_xlabel("N tenant spaces (2 albums each), log scale")
    ax.set_ylabel("wall time, s (log scale)")
    ax.set_title(f"S5 create / S6 change / S7 destroy / S3 preview, {settings['latency_ms']:.0f} ms per request, "
                 f"median of {settings['reps']}", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, ncol=3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def _rep_counts(result: dict[str, Any]) -> dict[str, str]:
    """'3 runs' -> which rows, for the header."""
    out: dict[str, list[str]] = {}
    for s in result["scenarios"]:
        n = len(s.get("wall_runs_s") or [1])
        label = f"{s.get('variant', 'resources')} N = {s['n']}" if s["n"] else "single library"
        out.setdefault(f"{n} run{'s' if n > 1 else ''}", [])
        if label not in out[f"{n} run{'s' if n > 1 else ''}"]:
            out[f"{n} run{'s' if n > 1 else ''}"].append(label)
    return {k: ", ".join(v).replace("resources", "Space + Album") for k, v in out.items()}


def markdown(result: dict[str, Any]) -> str:
    m, v, st = result["machine"], result["versions"], result["settings"]
    runs = sorted({f"{s.get('measured', result['date'])[:16]}, load at start {s.get('load_at_start', ['?'])[0]}"
                   for s in result["scenarios"]})
    minutes = result.get("total_seconds", 0) / 60
    out = [
        "# Benchmarks",
        "",
        f"Measured {result['date']} by `make bench` (bench/run.py; options in bench/README.md). "
        f"The whole `make bench` took **{minutes:.1f} min** ({result.get('total_seconds')} s), bootstrap included.",
        "",
        f"- Machine: {m['platform']}, {m['cores']} cores ({m['cpu']}), Python {m['python']}, load average at start "
        f"{m['load_at_start']} (the cores are shared with other work; compare runs on the same kind of machine only).",
        f"- Versions: Pulumi CLI {v['pulumi_cli']}, pulumi (Python SDK) {v['pulumi_python']}, cos-python-sdk-v5 "
        f"{v['cos_python_sdk_v5']}, tencentcloud-sdk-python-smh {v['tencentcloud_sdk_python_smh']}.",
        f"- Emulator latency fault {st['latency_ms']:.0f} ms on every cloud request; wall time is the median of "
        "a row's runs (" + ", ".join(f"{k} for {v}" for k, v in _rep_counts(result).items()) + "; every run is in "
        f"bench/results/latest.json), the sequential script the median of {st['script_reps']}.",
        f"- Engine concurrency {st['engine_concurrency']}: the Python dynamic provider serves at most 4 RPCs at once "
        "(`futures.ThreadPoolExecutor(max_workers=4)` in `pulumi/dynamic/__main__.py`, pulumi "
        f"{v['pulumi_python']}).",
        f"- SpaceSet rows: the spaces are one `SpaceSet` resource (`smh-media:spaceSet: true`) calling the API "
        f"{st.get('set_workers', 32)} at a time; their floor uses the same model as the Space + Album rows (4 in "
        "flight, the engine's limit when every space is a resource of its own), so a set can finish below it; the "
        "targets also give the floor at 32 in flight. N >= 1000 runs "
        f"{st.get('big_reps', 1)} time(s).",
        *([f"- This page combines {len(runs)} runs (" + "; ".join(runs) + "); each row is compared with the "
           "script and floor of its own run (column *measured*)."] if len(runs) > 1 else []),
        "- The machine is shared: other sessions' builds and tests ran during the measurements (the load column). "
        "Under load all three figures of a row (this tool, script, floor) come from the same minutes, which keeps "
        "their ratios fair; absolute seconds are not comparable across rows of different load.",
        "",
        "## Results",
        "",
        *table(result),
        "",
        "Columns: *calls* and *mutating* are the emulator's request log for the operation (a mutating call changed "
        "state); *floor* is the least time the same calls could take (below); *script* is bench/sequential_script.py "
        "doing the same job one SDK call after another (for S2-S4: reading everything back, which is what a script "
        "needs before it can tell whether anything must change); *wall / floor* below 2 and *script / wall* above 1 "
        "are good. Provider peak is the VmHWM of the `python -m pulumi.dynamic` process.",
        "",
        "![wall time against N](benchmarks-scaling.png)",
        "",
        "## Targets",
        "",
        *targets.lines(result),
        "",
        "## How the baselines are computed",
        "",
        "**Floor** (bench/floor.py). Each call in the operation's request log falls into a stage, and stages run one "
        "after another: creating, bucket -> media processing -> library -> library secret -> token -> spaces -> "
        "albums; destroying, secret -> token -> albums -> spaces -> library -> media processing -> bucket; "
        "refreshing, secret -> token -> every read at once. Inside a stage, calls on one resource (the bucket, one "
        "space, one album) are sequential, and different resources run side by side at most 4 at a time (the engine's "
        "limit above). A stage therefore takes at least max(longest chain, ceil(calls / 4)) round trips; the floor "
        "is the sum times the latency. It counts the calls this tool made, so extra calls raise it: compare *calls* "
        "with *script calls* for that.",
        "",
        "**Sequential script** (bench/sequential_script.py). The official SDKs and plain HTTP for the data plane, "
        "pointed at the emulator the same way as smh_provider/clients, with no waits, checks or retries: the fewest "
        "calls that do the job. Its time is measured inside the script (interpreter start-up excluded), which "
        "favours the script.",
        "",
        "## Calls by action",
        "",
        *calls_detail(result),
        "",
    ]
    return "\n".join(out)


def write(result: dict[str, Any], doc: Path = DOC, png: Path = PLOT) -> list[Path]:
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(markdown(result))
    written = [doc]
    if plot(result, png):
        written.append(png)
    return written


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "results" / "latest.json"
    data = json.loads(src.read_text())
    data["targets"] = targets.check(data)  # re-judged with the current bench/targets.py
    src.write_text(json.dumps(data, indent=2) + "\n")
    for p in write(data):
        print(f"wrote {p}")
