"""README.md stays the five-minute page: short, every link resolving (file and anchor), and its stack file the one
`make up` runs. What does not fit lives in the manual (docs/)."""

from __future__ import annotations

import re

from tests.docs import blocks
from tests.emulator_process import ROOT

README = ROOT / "README.md"
MAX_LINES = 150
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def test_readme_is_short() -> None:
    lines = README.read_text().splitlines()
    assert len(lines) <= MAX_LINES, f"README.md has {len(lines)} lines; move detail into a page of docs/"


def test_every_readme_link_resolves() -> None:
    links = LINK.findall(README.read_text())
    assert len(links) > 10  # the scan sees the links
    broken = []
    for link in links:
        if link.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = link.partition("#")
        target = (README.parent / path).resolve() if path else README
        if not target.exists():
            broken.append(f"{link}: no such file")
        elif anchor and anchor not in blocks.heading_slugs(target.read_text()):
            broken.append(f"{link}: no heading #{anchor} in {target.relative_to(ROOT)}")
    assert not broken, broken


def test_readme_links_every_page_of_the_nav() -> None:
    text = README.read_text()
    missing = [page for page in blocks.nav_pages() if f"(docs/{page}" not in text]
    assert not missing, f"README's manual table leaves out {missing}"


def test_readme_stack_file_is_the_local_stack() -> None:
    shown = blocks.yaml_block(README.read_text(), "config:")["config"]
    assert "smh-media:library" in shown and len(shown) >= 6
    blocks.assert_in_stack(shown, "local", "README.md")


def test_readme_quotes_the_counts_make_test_prints() -> None:
    line = blocks.summary_line(blocks.counts(blocks.manual_blocks()))
    assert line in README.read_text(), f"README.md's `make test` output should read: {line}"
