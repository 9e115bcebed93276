"""The soak section of docs/reliability.md: written by `make soak` (walk_soak.py) between two markers, and kept by
report.py when `make test` regenerates the rest of the page (the short walk's figures are suite 9 of that page).
"""

from __future__ import annotations

import datetime as _dt
import platform
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from tests.reliability.report import PAGE

if TYPE_CHECKING:
    from tests.reliability.walk_driver import Outcome

BEGIN = "<!-- walk-soak: written by make soak (tests/reliability/walk_soak.py) -->"
END = "<!-- /walk-soak -->"


def kept_block(page: Path = PAGE) -> str:
    """The soak section of the page as it is now ('' when there is none)."""
    text = page.read_text() if page.exists() else ""
    if BEGIN not in text or END not in text:
        return ""
    return text[text.index(BEGIN):text.index(END) + len(END)]


def render_soak(outcomes: list[Outcome], seconds: float, steps: int, avoid: tuple[str, ...]) -> str:
    failed = [o for o in outcomes if o.violations]
    total = sum(o.steps for o in outcomes)
    lines = [
        BEGIN,
        "## 9b. Random walk, long run (`make soak`)",
        "",
        f"Last soak: {_dt.datetime.now(_dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} on {platform.node() or 'unknown'} "
        f"(Python {platform.python_version()}, code at {_revision()}). **{len(outcomes)} seeds, {total} steps "
        f"(up to {steps} a seed), {len(failed)} violations, {seconds / 60:.1f} minutes "
        f"({seconds / max(total, 1):.1f} s a step).**"
        + (f" Step kinds left out: {', '.join(avoid)}." if avoid else ""),
        "",
        "Each step is a config edit + `pulumi up` (space keys, albums: add, remove, rename, swap; `multi_album`, "
        "settings, `spaceSet` true/false/N/{from, chunks}, forceDestroy), `up --replace`, `destroy --target`, "
        "`refresh`, an upload or a space deleted by hand through the data plane, or an `up` SIGKILLed after a random "
        "mutating call followed by scripts/recover.sh. After every step: no file lost without force_destroy, state == "
        "cloud (no id in the state that is gone, no marked space or album outside the state, none twice), a clean "
        "preview after an `up` that went through, no traceback (tests/reliability/walk_checks.py). A seed stops at "
        "its first violation; replay one with the command in its row.",
        "",
        "| seed | steps | refused steps | seconds | violation | replay |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        violation = _cell("; ".join(o.violations)) if o.violations else "0"
        lines.append(f"| {o.seed} | {o.steps} | {o.refused} | {o.seconds:.0f} | {violation} | "
                     f"{'`' + o.replay() + '`' if o.violations else ''} |")
    return "\n".join([*lines, END])


def _revision() -> str:
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                              timeout=10, cwd=PAGE.parent).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def _cell(text: str, limit: int = 300) -> str:
    """One table cell: one line, pipes escaped, long texts (a whole preview) cut."""
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[:limit] + " ..."


def write_soak(outcomes: list[Outcome], seconds: float, steps: int, avoid: tuple[str, ...],
               page: Path = PAGE) -> Path:
    """Replace (or append) the soak section of the page; the rest of the page is left as it is."""
    block = render_soak(outcomes, seconds, steps, avoid)
    text = page.read_text() if page.exists() else "# Reliability: figures from the last run\n"
    old = kept_block(page)
    text = text.replace(old, block) if old else text.rstrip("\n") + "\n\n" + block + "\n"
    page.write_text(text)
    return page
