"""`make docs` builds: the manual as a MkDocs site with --strict, so a broken link or anchor, or a page that is in
docs/ but not in the nav (an orphan), fails here, as it fails `make docs`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.docs import blocks
from tests.emulator_process import ROOT


def test_manual_builds_strict_without_a_warning(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNING" not in output, output
    index = (tmp_path / "site" / "index.html").read_text()
    assert 'class="mermaid"' in index, "the diagram of what one stack declares is not a Mermaid block any more"
    assert (tmp_path / "site" / "benchmarks-scaling.png").is_file()


def test_every_page_of_docs_is_in_the_nav() -> None:
    """mkdocs reports an orphan page only as a warning under `validation.nav.omitted_files`; this says which."""
    pages = {str(p.relative_to(blocks.DOCS)) for p in blocks.DOCS.rglob("*.md")}
    nav = blocks.nav_pages()
    assert pages == set(nav), (sorted(pages - set(nav)), sorted(set(nav) - pages))
    assert len(nav) == len(set(nav)), "a page is twice in the nav"
