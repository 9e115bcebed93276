"""The code the manual shows is code that exists: each stack file excerpt (EXCERPTS) is what
stacks/Pulumi.<stack>.yaml says, and every resource, argument and output of the Python program next to the console
steps (docs/console-steps.md) is one of smh_provider's (checked against the constructors' signatures and declared
outputs, without running an engine: the e2e tests create these same resources from the same config)."""

from __future__ import annotations

import ast
import inspect
import re
import sys

import pytest

import smh_provider
from tests.docs import blocks

PAGE = blocks.DOCS / "console-steps.md"


# The first yaml block of each page is an excerpt of the stack file named here.
EXCERPTS = {"console-steps.md": "local", "web-apps.md": "web", "spaces.md": "tenants"}


@pytest.mark.parametrize("page", sorted(EXCERPTS))
def test_stack_file_excerpts_are_what_the_stack_files_say(page: str) -> None:
    shown = blocks.yaml_block((blocks.DOCS / page).read_text())
    shown = shown.get("config", shown)
    assert len(shown) >= 2
    blocks.assert_in_stack(shown, EXCERPTS[page], f"docs/{page}")


def test_console_steps_program_names_real_arguments_and_outputs() -> None:
    code = re.search(r"```python\n(.*?)```", PAGE.read_text(), re.S)
    assert code, "docs/console-steps.md has no python block"
    tree = ast.parse(code.group(1))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id in smh_provider.__all__]
    assert {c.func.id for c in calls} == {"Bucket", "MediaProcessing", "MediaLibrary"}  # type: ignore[attr-defined]
    problems = []
    for call in calls:
        cls = getattr(smh_provider, call.func.id)  # type: ignore[attr-defined]
        params = inspect.signature(cls.__init__).parameters
        known = set(params)
        if any(p.kind is p.VAR_KEYWORD for p in params.values()):  # MediaLibrary(**settings): its schema's names
            known |= {prop.name for prop in sys.modules[cls.__module__].PROPS}
        problems += [f"{cls.__name__}({kw.arg}=...)" for kw in call.keywords if kw.arg not in known]
    outputs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
               and n.value.id in ("bucket", "library")}
    declared = {name for cls in (smh_provider.Bucket, smh_provider.MediaLibrary)
                for name in inspect.get_annotations(cls)}
    problems += [f".{name}" for name in outputs - declared]
    assert outputs and not problems, problems
