"""How the doc-test reads a page (tests/docs/blocks.py): which fences are shell blocks, which are marked not
runnable, and which command lines a block holds. A mistake here would make the counts or the runs silently wrong."""

from __future__ import annotations

from pathlib import Path

from tests.docs import blocks
from tests.emulator_process import ROOT

PAGE = """# A page

```bash
make up \\
    STACK=tenants   # one command on two lines
export A=1
```

<!-- not-run: GitHub-only: needs a repository -->
```sh
gh secret set X
```

```text
make up    (output, not a command)
```

````markdown
```bash
echo inside another fence: not a block of this page
```
````

```console
$ make preview
Previewing update (local):
$ echo done
done
```
"""


def test_shell_blocks_markers_and_commands(tmp_path: Path) -> None:
    page = tmp_path / "_page_under_test.md"
    page.write_text(PAGE)
    found = blocks.blocks(page)
    assert [(b.lang, b.line, b.not_run) for b in found] == [
        ("bash", 3, None), ("sh", 10, "GitHub-only: needs a repository"), ("console", 24, None)]
    assert [" ".join(c.split()) for c in found[0].commands()] == [
        "make up STACK=tenants # one command on two lines", "export A=1"]
    assert found[2].commands() == ["make preview", "echo done"]
    assert blocks.counts(found) == {"run": 2, "not_run": 1, "marked": {"_page_under_test.md": 1}}


def test_reading_order_is_readme_then_the_nav() -> None:
    order = blocks.reading_order()
    assert order[0] == ROOT / "README.md" and order[1] == blocks.DOCS / "index.md"
    assert all(page.is_file() for page in order), [p for p in order if not p.is_file()]


def test_heading_slugs_match_github_and_mkdocs() -> None:
    slugs = blocks.heading_slugs("## Setup: what a new user waits for, and why\n### When `pulumi up` was interrupted")
    assert slugs == {"setup-what-a-new-user-waits-for-and-why", "when-pulumi-up-was-interrupted"}
