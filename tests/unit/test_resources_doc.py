"""docs/resources.md is generated from the resource schemas (scripts/gen_resources_doc.py) and kept current."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from smh_provider.resources import MediaLibrary
from smh_provider.resources._base import Prop
from tests.script_module import load_script

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return load_script("gen_resources_doc")


def test_page_is_current(gen: ModuleType) -> None:
    current = (ROOT / "docs" / "resources.md").read_text(encoding="utf-8")
    assert gen.render() == current, "docs/resources.md is stale: run python scripts/gen_resources_doc.py"


def test_every_property_and_output_is_on_the_page(gen: ModuleType) -> None:
    page = gen.render()
    for resource in gen.RESOURCES:
        section = page.split(f"## {resource.__name__}\n", 1)[1].split("\n## ", 1)[0]
        for prop in gen.provider_of(resource).props:
            if prop.internal:  # bookkeeping the resource classes set; never an argument
                assert f"| `{prop.name}` | " not in section.split("| output |")[0], (resource.__name__, prop.name)
                continue
            assert f"| `{prop.name}` |" in section, (resource.__name__, prop.name)
        for name, _ in gen.outputs(resource):
            assert f"| `{name}` |" in section, (resource.__name__, name)
    assert "| `library_secret` | string | yes |" in page
    assert "| `bucket_name` | string | — | yes | replace |" in page


def test_rules_are_described_from_their_arguments(gen: ModuleType) -> None:
    from smh_provider.resources import rules

    assert gen.rule_text(MediaLibrary, Prop("x", "int", rule=rules.int_range("x", 3, 7))) == "3 to 7"
    assert gen.rule_text(MediaLibrary, Prop("x", "str", rule=rules.length("x", 0, 9))) == "at most 9 characters"
    assert gen.rule_text(MediaLibrary, Prop("x", "str", rule=rules.one_of("x", ("a", "b")))) == "one of `a`, `b`"


def test_a_rule_without_text_stops_the_generator(gen: ModuleType) -> None:
    def novel_rule(value: object, _: object) -> str | None:
        return None

    with pytest.raises(SystemExit, match="add one to RULE_TEXT"):
        gen.rule_text(MediaLibrary, Prop("x", "str", rule=novel_rule))


def test_check_mode_reports_a_stale_page(gen: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "docs" / "resources.md"
    page.parent.mkdir()
    page.write_text("old\n")
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    monkeypatch.setattr(gen, "DOC", page)
    assert gen.main(["--check"]) == 1
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
