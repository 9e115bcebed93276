"""`bin/smh discover` against the emulator: an account made by hand (through the official SDKs, as the console
would) is listed and turned into a `pulumi import --file` document and the Python program's stack config.

Three libraries on two buckets: a single-tenant multi-album library with two albums, a multi-tenant library with
two spaces (one multi-album, with an album), and a third library sharing the first one's bucket. The scan runs as
a user runs it: `bin/smh discover` in a subprocess, credentials from the environment. When the provider plugin
serves `smh:index:*` (smh_provider/plugin), the import file is also imported and a preview must show no change.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation as auto
from tencentcloud.smh.v20210712 import models

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from smh_provider import config
from smh_provider.clients import cos as cos_client
from smh_provider.clients import smh as smh_client
from smh_provider.clients.smhdata import DataPlane
from tests import sdk_clients
from tests.e2e.conftest import base_config, pulumi_bin
from tests.emulator_process import ROOT, EmulatorProcess

pytestmark = pytest.mark.skipif(os.environ.get("SMH_LIVE") == "1", reason="emulator only: it makes an account's "
                                "worth of objects by hand")
APP = sdk_clients.APP_ID
REGION = sdk_clients.REGION


def _library(smh: Any, name: str, bucket: str, ext: dict[str, Any]) -> str:
    req = models.CreateLibraryRequest()
    req.from_json_string(json.dumps({"Name": name, "BucketName": bucket, "BucketRegion": REGION,
                                     "LibraryExtension": ext, "Remark": f"{name}, made in the console"}))
    return str(smh.CreateLibrary(req).LibraryId)


def make_account(emulator: EmulatorProcess) -> dict[str, Any]:
    """What a team made by hand: buckets, media processing, three libraries, spaces and albums."""
    cos, smh = sdk_clients.cos(emulator.url), sdk_clients.smh(emulator.url)
    for name in ("photos", "team"):
        cos.create_bucket(Bucket=f"{name}-{APP}")
    cos.put_bucket_tagging(Bucket=f"photos-{APP}", Tagging={"TagSet": {"Tag": [{"Key": "team", "Value": "media"}]}})
    cos.put_bucket_cors(Bucket=f"photos-{APP}", CORSConfiguration={"CORSRule": [{
        "ID": "web", "AllowedOrigin": ["https://app.example.com"], "AllowedMethod": ["GET", "PUT"],
        "AllowedHeader": ["*"], "ExposeHeader": ["ETag"], "MaxAgeSeconds": 600}]})
    cos.put_bucket_referer(Bucket=f"team-{APP}", RefererConfiguration={
        "Status": "Enabled", "RefererType": "White-List", "DomainList": {"Domain": ["*.example.com"]},
        "EmptyReferConfiguration": "Allow"})
    settings = config.load({}, environ={"TENCENTCLOUD_SECRET_ID": DEFAULT_SECRET_ID,
                                        "TENCENTCLOUD_SECRET_KEY": DEFAULT_SECRET_KEY, "SMH_ENDPOINT": emulator.url})
    cos_client.bind_media(cos_client.client(settings, REGION), f"photos-{APP}")
    photos = _library(smh, "Photos", f"photos-{APP}", {"IsMultiAlbum": True, "AllowPhoto": True,
                                                       "AllowVideo": True})
    team = _library(smh, "Team Files", f"team-{APP}", {"IsMultiSpace": True})
    archive = _library(smh, "Archive", f"photos-{APP}", {"IsMultiAlbum": False, "EnableSearch": True})
    plane = DataPlane(settings, photos)
    for album in ("2024 Summer", "family"):
        plane.create_album("-", album)
    team_plane = DataPlane(settings, team)
    s1 = team_plane.create_space({"multi_album": True, "space_tag": "alice"})
    s2 = team_plane.create_space({"public_read": True})
    team_plane.set_space_quota(s2, 1 << 30, exists=False)
    team_plane.create_album(s1, "trips")
    smh_client._modes = type(smh_client._modes)()  # nothing cached in this process for the provider's sake
    return {"photos": photos, "team": team, "archive": archive, "spaces": (s1, s2), "settings": settings}


def discover(emulator: EmulatorProcess, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TENCENTCLOUD_", "SMH_"))}
    env |= {"TENCENTCLOUD_SECRET_ID": DEFAULT_SECRET_ID, "TENCENTCLOUD_SECRET_KEY": DEFAULT_SECRET_KEY,
            "SMH_ENDPOINT": emulator.url}
    return subprocess.run([str(ROOT / "bin" / "smh"), "discover", "--out", str(out), *args], env=env, text=True,
                          capture_output=True, timeout=120, check=False)


def test_discover_lists_the_account_and_writes_the_import_file_and_stack_config(
        emulator: EmulatorProcess, tmp_path: Path) -> None:
    made = make_account(emulator)
    run = discover(emulator, tmp_path, "--region", REGION, "--stack", "adopted")
    assert run.returncode == 0, run.stderr
    assert "found 2 buckets (1 with media processing), 3 media libraries, 2 tenant spaces, 3 albums" in run.stdout
    s1, s2 = made["spaces"]
    photos, team, archive = made["photos"], made["team"], made["archive"]
    resources = json.loads((tmp_path / "import.json").read_text())["resources"]
    assert sorted((r["type"], r["name"], r["id"]) for r in resources) == sorted([
        ("smh:index:Bucket", "photos-bucket", f"{REGION}/photos-{APP}"),
        ("smh:index:MediaProcessing", "photos-processing", f"{REGION}/photos-{APP}"),
        ("smh:index:BucketCors", "photos-cors", f"{REGION}/photos-{APP}"),
        ("smh:index:Bucket", "team-files-bucket", f"{REGION}/team-{APP}"),
        ("smh:index:BucketReferer", "team-files-referer", f"{REGION}/team-{APP}"),
        ("smh:index:MediaLibrary", "photos-library", photos),
        ("smh:index:Album", "photos-album-2024-summer", f"{photos}/-/2024 Summer"),
        ("smh:index:Album", "photos-album-family", f"{photos}/-/family"),
        ("smh:index:MediaLibrary", "archive-library", archive),
        ("smh:index:MediaLibrary", "team-files-library", team),
        ("smh:index:Space", f"team-files-space-{s1.lower()}", f"{team}/{s1}"),
        ("smh:index:Space", f"team-files-space-{s2.lower()}", f"{team}/{s2}"),
        ("smh:index:Album", f"team-files-album-{s1.lower()}-trips", f"{team}/{s1}/trips"),
    ])
    text = (tmp_path / "Pulumi.adopted.discovered.yaml").read_text()
    cfg = yaml.safe_load(text)["config"]
    assert cfg["smh-media:appId"] == APP and cfg["smh-media:region"] == REGION
    libraries = cfg["smh-media:libraries"]
    assert libraries["photos"] == {
        "bucketName": "photos", "bucketTags": {"team": "media"}, "adoptBucket": True,
        "library": {"library_name": "Photos", "remark": "Photos, made in the console", "multi_album": True,
                    "allow_photo": True, "allow_video": True, "adopt": True} | {
            k: v for k, v in libraries["photos"]["library"].items()
            if k not in ("library_name", "remark", "multi_album", "allow_photo", "allow_video", "adopt")}}
    assert "archive" not in libraries  # a second library on the photos bucket: the Python adopt cannot tell them apart
    assert f"archive: library {archive} ('Archive') on the bucket of photos" in text
    assert libraries["team-files"]["library"]["multi_tenant"] is True
    assert "photos: bucket photos-1250000000 has cors rules (BucketCors)" in text
    assert f"space {s2}" in text and "'quota_bytes': 1073741824" in text and "albums {'trips': 'trips'}" in text
    assert DEFAULT_SECRET_KEY not in text and DEFAULT_SECRET_KEY not in (tmp_path / "import.json").read_text()


def test_discover_in_another_region_finds_nothing_and_says_so(emulator: EmulatorProcess, tmp_path: Path) -> None:
    make_account(emulator)
    run = discover(emulator, tmp_path, "--region", "ap-shanghai")
    assert run.returncode == 0, run.stderr
    assert "found 0 buckets (0 with media processing), 0 media libraries" in run.stdout
    assert run.stdout.count("skipped: library ") == 3  # their buckets are in ap-guangzhou
    assert json.loads((tmp_path / "import.json").read_text()) == {"resources": []}


def test_discover_without_credentials_names_the_variables(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TENCENTCLOUD_", "SMH_"))}
    run = subprocess.run([str(ROOT / "bin" / "smh"), "discover", "--out", str(tmp_path)], env=env, text=True,
                         capture_output=True, timeout=60, check=False)
    assert run.returncode == 2 and "TENCENTCLOUD_SECRET_ID" in run.stderr and not (tmp_path / "import.json").exists()


def _cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(pulumi_bin() / "pulumi"), *args, "--non-interactive"], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=600, check=False)


def test_the_discovered_account_imports_and_a_preview_shows_no_changes(
        emulator: EmulatorProcess, tmp_path: Path, engine_env: dict[str, str]) -> None:
    """The whole step for a team: discover, `pulumi import --file` into a Pulumi YAML project (the plugin's types),
    the code `pulumi import` prints as the program, and a preview right after with nothing to do."""
    if not (pulumi_bin() / "pulumi-language-yaml").exists():
        pytest.skip("no pulumi-language-yaml in .tools/pulumi (make bootstrap builds it): the import's program is "
                    "Pulumi YAML")
    made = make_account(emulator)
    assert discover(emulator, tmp_path, "--region", REGION).returncode == 0
    project = tmp_path / "project"
    project.mkdir()
    head = {"name": "discovered", "runtime": "yaml",
            "plugins": {"providers": [{"name": "smh", "path": str(ROOT / "bin")}]}}
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(head))
    env = {**os.environ, **engine_env, "SMH_ENDPOINT": ""}
    for args in (["stack", "init", "dev"], ["config", "set", "--plaintext", "smh:secretId", DEFAULT_SECRET_ID],
                 ["config", "set", "--secret", "smh:secretKey", DEFAULT_SECRET_KEY],
                 ["config", "set", "smh:endpoint", emulator.url], ["config", "set", "smh:region", REGION]):
        assert _cli(args, project, env).returncode == 0
    mutating = {a for a, spec in emulator.control("GET", "actions")["actions"].items() if spec["mutating"]}
    before = emulator.answered()
    run = _cli(["import", "--file", str(tmp_path / "import.json"), "--yes", "--protect=false",
                "--out", str(project / "imported.yaml")], project, env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "13 imported" in run.stdout, run.stdout[-3000:]
    program = yaml.safe_load((project / "imported.yaml").read_text())
    assert sorted(program["resources"]) == sorted(r["name"] for r in json.loads(
        (tmp_path / "import.json").read_text())["resources"])
    (project / "Pulumi.yaml").write_text(yaml.safe_dump({**head, **program}))
    preview = _cli(["preview", "--expect-no-changes", "--diff"], project, env)
    assert preview.returncode == 0, preview.stdout[-4000:] + preview.stderr[-4000:]
    # Neither the import nor the preview changed anything in the account (an access token is not an object of it).
    assert {a for a in emulator.answered() - before if a in mutating} <= {"smhdata:CreateAccessToken"}
    state = json.loads(_cli(["stack", "export"], project, env).stdout)
    ids = {r["id"] for r in state["deployment"]["resources"] if r["type"].startswith("smh:index:")}
    assert {made["photos"], made["team"], made["archive"], *made["spaces"]} <= ids
    assert _cli(["stack", "rm", "dev", "--force", "--yes"], project, env).returncode == 0


def test_the_discovered_stack_config_adopts_the_buckets_and_libraries_in_the_python_program(
        emulator: EmulatorProcess, tmp_path: Path, make_stack) -> None:  # type: ignore[no-untyped-def]
    """Path 2 of docs/import.md: the stack config pasted as is; `up` takes the buckets and libraries over (no new
    bucket or library; the third library, on a shared bucket, is left to the import) and a preview right after shows
    no change."""
    made = make_account(emulator)
    assert discover(emulator, tmp_path, "--region", REGION, "--stack", "py").returncode == 0
    discovered = yaml.safe_load((tmp_path / "Pulumi.py.discovered.yaml").read_text())["config"]
    cfg = {k: v for k, v in base_config(emulator).items() if not k.startswith("smh-media:")}
    cfg |= {k: auto.ConfigValue(v if isinstance(v, str) else json.dumps(v)) for k, v in discovered.items()}
    stack = make_stack(cfg)
    result = stack.up(on_output=lambda _: None)
    libraries = result.outputs["libraries"].value
    assert {k: v["library_id"] for k, v in libraries.items()} == {"photos": made["photos"], "team-files": made["team"]}
    assert len(sdk_clients.cos(emulator.url).list_buckets()["Buckets"]["Bucket"]) == 2
    # the stack, 2 buckets, 2 media processing, 2 libraries
    assert stack.preview(on_output=lambda _: None).change_summary == {"same": 7}
    # No destroy: the libraries hold albums and spaces the stack does not own (it refuses, rightly). The emulator is
    # reset for the next test; the state forgets the resources so the teardown has nothing to destroy.
    state = stack.export_stack()
    state.deployment["resources"] = [r for r in state.deployment["resources"] if r["type"].startswith("pulumi:")]
    stack.import_stack(state)
