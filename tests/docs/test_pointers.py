"""Messages and comments of the code that send a reader to a section of the manual name a page and a heading that
exist. The README keeps only the five-minute page, so a pointer to a README section is a pointer to nothing."""

from __future__ import annotations

import re

from smh_provider import ownership
from tests.docs import blocks
from tests.emulator_process import ROOT

# Where user-facing text lives: the provider's messages, the stack program, the scripts make runs, the policy pack.
SOURCES = [ROOT / "__main__.py", *sorted((ROOT / "smh_provider").rglob("*.py")),
           *sorted((ROOT / "scripts").glob("*.*")), *sorted((ROOT / "policy").glob("*.*"))]
# `docs/safety.md, 'Taking over existing objects'` / `docs/spaces.md, "Thousands of tenant spaces"`
DOC_SECTION = re.compile(r"docs/([\w-]+\.md)[,:]?\s+[\"']([^\"']+)[\"']")
# `README, "..."` / `README.md "..."` / `README: "..."`, but not emulator/README.md and the like (their own files)
README_SECTION = re.compile(r"(?<![\w/])README(?:\.md)?[,:]?\s+[\"']")


def test_pointers_name_a_heading_of_a_manual_page() -> None:
    found, broken = 0, []
    for source in SOURCES:
        text = source.read_text()
        broken += [f"{source.relative_to(ROOT)}: README section" for _ in README_SECTION.finditer(text)]
        for page, heading in DOC_SECTION.findall(text):
            found += 1
            target = blocks.DOCS / page
            slug = next(iter(blocks.heading_slugs(f"# {heading}")))
            if not target.is_file() or not any(s.startswith(slug) for s in blocks.heading_slugs(target.read_text())):
                broken.append(f"{source.relative_to(ROOT)}: docs/{page} has no heading {heading!r}")
    assert not broken, broken
    assert found >= 5  # the scan sees the pointers


def test_take_over_hint_names_the_safety_page() -> None:
    hint = ownership.take_over_hint("bucket photos-1250000000")
    assert "docs/safety.md, 'Taking over existing objects'" in hint, hint
    assert "taking-over-existing-objects" in blocks.heading_slugs((blocks.DOCS / "safety.md").read_text())

