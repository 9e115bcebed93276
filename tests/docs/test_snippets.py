"""The code the manual shows next to the console steps (docs/console-steps.md) is code that exists: the stack file
is what stacks/Pulumi.local.yaml says, and every resource, argument and output of the Python program is one of
smh_provider's (checked against the constructors' signatures and declared outputs, without running an engine:
the e2e tests create these same resources from the same config)."""

from __future__ import annotations

import ast
import inspect
import re
import sys

import smh_provider
from tests.docs import blocks
from tests.docs.test_readme import assert_subset, local_stack_subset

PAGE = blocks.DOCS / "console-steps.md"


def test_console_steps_stack_file_is_the_local_stack() -> None:
    shown, stack = local_stack_subset(PAGE.read_text(), "config:")
    assert_subset(shown, stack, "docs/console-steps.md")


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
