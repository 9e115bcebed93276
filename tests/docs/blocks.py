"""The manual as the tests read it: its pages in reading order, their fenced shell blocks and their links.

Reading order is README.md, then the pages of mkdocs.yml's nav from top to bottom: the order a newcomer meets the
commands, which is the order tests/docs/test_manual_commands.py runs them in (a later page may build on what an
earlier one made, as a reader's machine would). A shell block is a fence whose info string is one of SHELLS. A
block that cannot run here carries `<!-- not-run: <reason> -->` on the line just before its fence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.emulator_process import ROOT

DOCS = ROOT / "docs"
SHELLS = ("bash", "sh", "shell", "console")
NOT_RUN = re.compile(r"^<!--\s*not-run:\s*(?P<reason>.*?)\s*-->$")
FENCE = re.compile(r"^(?P<fence>```+|~~~+)\s*(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Block:
    page: str            # path from the repository root, e.g. docs/real-cloud.md
    line: int            # 1-based line of the opening fence
    lang: str
    text: str
    not_run: str | None  # the reason of a not-run marker, else None

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    def commands(self) -> list[str]:
        """Logical command lines: continuation lines (`\\` at the end) joined, blank lines dropped; in a `console`
        block only the lines after a `$ ` prompt (the rest is what they print)."""
        out: list[str] = []
        pending = ""
        lines = self.text.splitlines()
        if self.lang == "console":
            kept: list[str] = []
            for line in lines:
                if line.startswith("$ ") or (kept and kept[-1].rstrip().endswith("\\")):
                    kept.append(line.removeprefix("$ "))
            lines = kept
        for raw in lines:
            if raw.rstrip().endswith("\\"):
                pending += raw.rstrip()[:-1] + " "
                continue
            line = pending + raw
            pending = ""
            if line.strip():
                out.append(line.strip())
        return out


class _Loader(yaml.SafeLoader):
    """mkdocs.yml names Python objects (`!!python/name:...`); reading the nav needs none of them."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def nav_pages() -> list[str]:
    """The nav's pages, in order, as paths relative to docs/."""
    config: dict[str, Any] = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_Loader)

    def walk(node: Any) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [page for item in node for page in walk(item)]
        if isinstance(node, dict):
            return [page for value in node.values() for page in walk(value)]
        return []

    return walk(config["nav"])


def reading_order() -> list[Path]:
    return [ROOT / "README.md"] + [DOCS / page for page in nav_pages()]


def blocks(path: Path) -> list[Block]:
    """Every fenced block of one page whose info string names a shell (fences inside other fences are skipped)."""
    lines = path.read_text().splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i].strip())
        if not opening:
            i += 1
            continue
        fence, info = opening.group("fence"), opening.group("info").strip()
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        lang = info.split()[0].strip("{}.") if info else ""
        if lang in SHELLS:
            previous = lines[i - 1].strip() if i else ""
            marker = NOT_RUN.match(previous)
            name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            found.append(Block(str(name), i + 1, lang, "\n".join(lines[i + 1:end]),
                               marker.group("reason") if marker else None))
        i = end + 1
    return found


def manual_blocks() -> list[Block]:
    return [block for page in reading_order() for block in blocks(page)]


def counts(found: list[Block]) -> dict[str, Any]:
    """What `make test` prints: blocks run, blocks marked not runnable, and where the marked ones are."""
    marked: dict[str, int] = {}
    for block in found:
        if block.not_run is not None:
            marked[Path(block.page).name] = marked.get(Path(block.page).name, 0) + 1
    return {"run": sum(1 for b in found if b.not_run is None), "not_run": sum(marked.values()), "marked": marked}


def summary_line(counted: dict[str, Any]) -> str:
    """The line `make test` ends with (tests/conftest.py), and README.md quotes."""
    marked = ", ".join(f"{page} {n}" for page, n in sorted(counted["marked"].items()))
    return f"manual shell blocks: {counted['run']} run, {counted['not_run']} marked not runnable ({marked})"


def yaml_block(text: str, start: str = "") -> Any:
    """The first yaml block of a page whose text begins with `start`, loaded."""
    block = re.search(r"```yaml\n(" + re.escape(start) + r".*?)```", text, re.S)
    assert block, f"no yaml block starting with {start!r}"
    return yaml.safe_load(block.group(1))


def assert_in_stack(shown: dict[str, Any], stack: str, where: str) -> None:
    """Every key and value a page shows of a stack file is what stacks/Pulumi.<stack>.yaml says."""
    def walk(part: dict[str, Any], actual: Any, path: str) -> None:
        for key, value in part.items():
            assert isinstance(actual, dict) and key in actual, f"{where}: {path}{key} is not in {stack_file}"
            if isinstance(value, dict):
                walk(value, actual[key], f"{path}{key}.")
            else:
                assert actual[key] == value, f"{where}: {path}{key}: {value!r}; {stack_file}: {actual[key]!r}"

    stack_file = f"stacks/Pulumi.{stack}.yaml"
    walk(shown, yaml.safe_load((ROOT / stack_file).read_text())["config"], "")


def heading_slugs(text: str) -> set[str]:
    """Anchors of a page's headings, as GitHub (and MkDocs' toc, for these headings) makes them: lower case,
    punctuation dropped, spaces to `-`."""
    slugs = set()
    for line in text.splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*$", line)
        if heading:
            words = re.sub(r"[^\w\- ]", "", heading.group(1).replace("`", "")).strip().lower()
            slugs.add(words.replace(" ", "-"))
    return slugs
