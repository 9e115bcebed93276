"""`pulumi import` through the `smh` provider plugin: objects made outside Pulumi (through the SDKs, as in the
console) come under a YAML program with the code the CLI prints, and a preview right after shows no changes; the
same import prints Python code in a Python project; an object another stack owns is refused."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from smh_provider import ownership
from smh_provider.clients import cos, smh
from smh_provider.clients import permissions as perm
from smh_provider.clients.smhdata import DataPlane
from tests.e2e.conftest import project_venv
from tests.e2e.plugin_support import (  # noqa: F401 - fixtures
    QUIET,
    cli,
    make_yaml_stack,
    plugin_config,
    state_resources,
    yaml_project,
)
from tests.emulator_process import ROOT
from tests.targets import MAX_LIBRARY_NAME, Target

PLUGIN = {"providers": [{"name": "smh", "path": str(ROOT / "bin")}]}


def project(directory: Path, name: str, runtime: object) -> Path:
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(yaml.safe_dump({"name": name, "runtime": runtime, "plugins": PLUGIN}))
    return directory


def test_import_of_objects_made_outside_pulumi(target: Target, make_yaml_stack, tmp_path: Path) -> None:  # noqa: F811
    # Made outside Pulumi, without any ownership mark.
    settings = target.settings()
    bucket = target.full_bucket(target.name("console"))
    cos.create_bucket(cos.client(settings, target.region), bucket, "private", {"team": "console"})
    c = smh.client(settings)
    library_id = smh.create_library(c, target.name("console", MAX_LIBRARY_NAME), {"multi_tenant": True},
                                    bucket=bucket, bucket_region=target.region)
    plane = DataPlane(settings, library_id)
    space_id = plane.create_space({"allow_video": False, "space_tag": "console"})
    albums_space = plane.create_space({"multi_album": True})
    plane.create_album(albums_space, "Trip")
    perm.create_user(plane, "alice", {"nickname": "Alice"})
    cos.bind_media(cos.client(settings, target.region), bucket)
    # ... and one that another stack manages.
    taken = smh.create_library(c, target.name("taken", MAX_LIBRARY_NAME), {},
                               tags={ownership.OWNER_TAG: "other-project/prod/media-library"})

    work = project(tmp_path / "yaml", "smh-import", "yaml")
    stack = make_yaml_stack(plugin_config(target), work)
    spec = {"resources": [
        {"type": "smh:index:Bucket", "name": "media-bucket", "id": f"{target.region}/{bucket}"},
        {"type": "smh:index:MediaLibrary", "name": "photos", "id": library_id},
        {"type": "smh:index:Space", "name": "alice", "id": f"{library_id}/{space_id}"},
        {"type": "smh:index:MediaProcessing", "name": "media-processing", "id": f"{target.region}/{bucket}"},
        {"type": "smh:index:Space", "name": "albums", "id": f"{library_id}/{albums_space}"},
        {"type": "smh:index:Album", "name": "trip", "id": f"{library_id}/{albums_space}/Trip"},
        {"type": "smh:index:User", "name": "alice-user", "id": f"{library_id}/alice"},
    ]}
    (work / "import.json").write_text(json.dumps(spec))
    cli(stack, "import", "--file", "import.json", "--yes", "--protect=false", "--out", "code.yaml")
    code = yaml.safe_load((work / "code.yaml").read_text())
    assert code["resources"]["photos"]["properties"]["multi_tenant"] is True, code
    # the CLI refers to the imported library by its id: ${photos.id}
    assert code["resources"]["alice"]["properties"]["library_id"] in (library_id, "${photos.id}"), code
    assert code["resources"]["alice"]["properties"]["space_tag"] == "console", code
    assert code["resources"]["trip"]["properties"]["album_name"] == "Trip", code
    assert code["resources"]["alice-user"]["properties"]["nickname"] == "Alice", code

    # The state holds this stack's mark; the cloud object is not changed by the import.
    state = state_resources(stack)
    assert state["photos"]["outputs"]["owner"] == f"smh-import/{stack.name}/photos"
    assert state["alice"]["id"] == space_id
    assert ownership.OWNER_TAG not in smh.find_library(c, library_id).tags

    # The printed code in the program: a preview right after shows no changes.
    program = yaml.safe_load((work / "Pulumi.yaml").read_text())
    program["resources"] = code["resources"]
    (work / "Pulumi.yaml").write_text(yaml.safe_dump(program))
    stack.preview(expect_no_changes=True, **QUIET)

    # Another stack's object: refused with the rule of adopt_from, nothing imported.
    refused = cli(stack, "import", "smh:index:MediaLibrary", "taken", taken, "--yes", check=False)
    assert refused.returncode != 0
    assert "carries the ownership mark 'other-project/prod/media-library'" in refused.stdout + refused.stderr
    assert "taken" not in state_resources(stack)

    # In a Python project the same import prints Python code (the schema's python language section).
    py_work = project(tmp_path / "py", "smh-import-py",
                      {"name": "python", "options": {"virtualenv": str(project_venv())}})
    (py_work / "__main__.py").write_text("")
    py_stack = make_yaml_stack(plugin_config(target), py_work)
    printed = cli(py_stack, "import", "smh:index:MediaLibrary", "photos", library_id, "--preview-only",
                  "--protect=false").stdout
    assert "import pulumi_smh as smh" in printed and 'photos = smh.MediaLibrary("photos"' in printed, printed
    assert "multi_tenant=True" in printed, printed

    # The first `up` that changes the library writes this stack's mark on it.
    program["resources"]["photos"]["properties"]["remark"] = "now managed by Pulumi"
    (work / "Pulumi.yaml").write_text(yaml.safe_dump(program))
    up = stack.up(**QUIET)
    assert up.summary.resource_changes == {"update": 1, "same": 7}, up.summary.resource_changes
    assert smh.find_library(c, library_id).tags[ownership.OWNER_TAG] == f"smh-import/{stack.name}/photos"
    stack.refresh(**QUIET)
    stack.preview(expect_no_changes=True, **QUIET)
