"""scripts/bootstrap.sh's third part: the YAML language host and the smh provider plugin (docs/plugin.md), run for
real on a throw-away copy of the files bootstrap reads (the helpers of tests/unit/test_bootstrap.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.unit.test_bootstrap import (  # noqa: F401 - checkout is a fixture
    PIECES,
    REAL_CACHE,
    bootstrap,
    checkout,
    fake_cli,
    needs_bundle,
    place,
    tracked_changes,
)

YAML_CACHE = REAL_CACHE / "pulumi-language-yaml-v1.25.0"


def test_without_go_or_a_cached_host_it_only_warns(checkout: Path, tmp_path: Path) -> None:  # noqa: F811
    cli = fake_cli(tmp_path / "bin", "v3.274.0")
    done = bootstrap(checkout, "--pulumi-only", path=[cli.parent], cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert "no pulumi-language-yaml on PATH, none cached" in done.stdout and "Python programs are not affected" \
        in done.stdout
    wrapper = checkout / ".tools" / "smh-plugin" / "pulumi-resource-smh"
    assert f"exec {checkout}/bin/pulumi-resource-smh" in wrapper.read_text()
    assert os.access(wrapper, os.X_OK)
    assert tracked_changes(checkout) == ""


@needs_bundle
@pytest.mark.skipif(not (YAML_CACHE / "BUILD_KEY").is_file(), reason=f"no YAML host cached in {YAML_CACHE}")
def test_the_cached_host_and_the_plugin_are_installed(checkout: Path, tmp_path: Path) -> None:  # noqa: F811
    cli = place(("pulumi", *PIECES), tmp_path / "installed")
    done = bootstrap(checkout, "--pulumi-only", path=[cli.parent], cache=REAL_CACHE)
    assert done.returncode == 0, done.stderr
    assert f"YAML language host v1.25.0 from the cache {YAML_CACHE}" in done.stdout
    host = checkout / ".tools" / "pulumi" / "pulumi-language-yaml"
    assert host.read_bytes() == (YAML_CACHE / "pulumi-language-yaml").read_bytes()
    installed = checkout / ".tools" / "pulumi-home" / "plugins" / "resource-smh-v0.1.0" / "pulumi-resource-smh"
    assert f"exec {checkout}/bin/pulumi-resource-smh" in installed.read_text()
    again = bootstrap(checkout, "--pulumi-only", path=[cli.parent], cache=REAL_CACHE)
    assert "YAML language host v1.25.0 is ready" in again.stdout
    assert "installing" not in again.stderr  # the plugin is installed once
    assert tracked_changes(checkout) == ""
