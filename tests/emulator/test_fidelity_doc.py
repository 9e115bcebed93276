"""emulator/README.md lists every `Fidelity gap:` written in the emulator's docstrings (STYLE principle 11)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.script_module import load_script

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "fidelity_gaps.py"


def test_readme_fidelity_gaps_are_current() -> None:
    run = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr + "\nrun: .venv/bin/python scripts/fidelity_gaps.py"


@pytest.fixture
def gaps_module() -> object:
    return load_script("fidelity_gaps")


def test_collector_reads_docstrings_and_comments(gaps_module: object, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "emulator"
    (pkg / "services" / "demo").mkdir(parents=True)
    (pkg / "services" / "demo" / "models.py").write_text(textwrap.dedent('''
        """Demo backend."""

        # Fidelity gap: a module comment
        # that runs on.
        LIMIT = 1


        class DemoBackend:
            def act(self) -> None:
                """Do it.

                Fidelity gap: first gap
                continues here.
                Fidelity gap: second gap.

                Not a gap.
                """

            def quiet(self) -> None:
                """Fidelity gap: one-liner."""
    '''))
    (pkg / "store.py").write_text('def get():\n    """Fidelity gap: core one."""\n')
    monkeypatch.setattr(gaps_module, "ROOT", tmp_path)
    monkeypatch.setattr(gaps_module, "PACKAGE", pkg)
    gaps = [(g.service, g.where, g.text) for g in gaps_module.collect()]  # type: ignore[attr-defined]
    assert gaps == [
        ("core", "get", "core one."),
        ("demo", "(models module)", "a module comment that runs on."),
        ("demo", "DemoBackend.act", "first gap continues here."),
        ("demo", "DemoBackend.act", "second gap."),
        ("demo", "DemoBackend.quiet", "one-liner."),
    ]


def test_check_mode_reports_a_stale_readme(gaps_module: object, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- fidelity-gaps:start -->\nold\n<!-- fidelity-gaps:end -->\noutro\n")
    (tmp_path / "emulator").mkdir()
    monkeypatch.setattr(gaps_module, "README", readme)
    monkeypatch.setattr(gaps_module, "ROOT", tmp_path)
    monkeypatch.setattr(gaps_module, "PACKAGE", tmp_path / "emulator")
    assert gaps_module.main(["--check"]) == 1  # type: ignore[attr-defined]
    assert gaps_module.main([]) == 0  # type: ignore[attr-defined]
    assert gaps_module.main(["--check"]) == 0  # type: ignore[attr-defined]
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("\noutro\n") and "\nold\n" not in text
    assert "No fidelity gaps are recorded." in text
