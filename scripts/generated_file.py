"""The command line of a script that writes a generated file: rewrite it, or with --check exit 1 when stale."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def main(argv: list[str] | None, doc: str, script: str, path: Path, root: Path, wanted: Callable[[str], str]) -> int:
    """`doc`, `script`: the generator's __doc__ and __file__; `wanted(current)`: the file's right content given
    what it holds now ("" when it does not exist)."""
    name = path.relative_to(root)
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--check", action="store_true", help=f"exit 1 if {name} is out of date")
    args = parser.parse_args(argv)
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    text = wanted(current)
    if args.check:
        if text != current:
            print(f"{name} is stale: run `python scripts/{Path(script).name}`", file=sys.stderr)
            return 1
        return 0
    if text != current:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {name}")
    return 0
