"""The web-upload library (stacks/Pulumi.web.yaml) through `make up STACK=web`'s own script, and the bucket
sub-settings through the engine: a browser's preflight from the declared origin is answered, another origin's is
refused, CORS rules changed through the COS SDK show up in a refresh and `up` puts them back; rules change in place;
the lifecycle abort rule removes an abandoned upload when the emulator's clock moves; the referer warning."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from pulumi import automation as auto

from tests import sdk_clients
from tests.e2e.conftest import base_config
from tests.emulator_process import ROOT

QUIET = {"on_output": lambda _: None}
PAGE = "http://localhost:3000"  # the origin stacks/Pulumi.web.yaml declares
WEB_BUCKET = "web-1250000000"


def preflight(emulator, bucket: str, origin: str, method: str = "PUT") -> requests.Response:  # type: ignore[no-untyped-def]
    """The OPTIONS request a browser sends before a cross-origin upload: no signature, Origin, the method and the
    headers of the real request (SMH's signed upload headers)."""
    headers = {"Origin": origin, "Access-Control-Request-Method": method,
               "Access-Control-Request-Headers": "authorization,content-type,x-cos-security-token"}
    return requests.options(f"http://{bucket}.cos.ap-guangzhou.myqcloud.com/photos/cat.jpg", headers=headers,
                            proxies={"http": emulator.url}, timeout=10)


@pytest.fixture
def web_repo(tmp_path: Path, emulator) -> Path:  # type: ignore[no-untyped-def]
    """The project as a fresh clone has it (stack.sh, __main__.py, the web stack file), with the web stack's
    smh:endpoint pointed at this session's emulator."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    (repo / "stacks").mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, repo / name)
    for name in ("stack.sh", "stack_endpoint.py", "recover.sh"):
        if (ROOT / "scripts" / name).exists():
            shutil.copy(ROOT / "scripts" / name, repo / "scripts" / name)
    text = (ROOT / "stacks" / "Pulumi.web.yaml").read_text()
    (repo / "stacks" / "Pulumi.web.yaml").write_text(
        re.sub(r"smh:endpoint: \S+", f"smh:endpoint: {emulator.url}", text))
    for name in ("emulator", "smh_provider", ".venv"):
        (repo / name).symlink_to(ROOT / name)
    return repo


def stack_sh(repo: Path, op: str, engine_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "SMH_"))}
    env |= {"PATH": engine_env["PATH"], "PULUMI_HOME": engine_env["PULUMI_HOME"], "STACK": "web",
            "PULUMI_BACKEND_URL": f"file://{repo}/.pulumi-state", "PULUMI_SKIP_UPDATE_CHECK": "true"}
    (repo / ".pulumi-state").mkdir(exist_ok=True)
    done = subprocess.run([str(repo / "scripts" / "stack.sh"), op], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"stack.sh {op}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.emulator_only
def test_make_up_web_answers_the_browser_and_repairs_cors_drift(emulator, web_repo, engine_env) -> None:  # type: ignore[no-untyped-def]
    up = stack_sh(web_repo, "up", engine_env)
    assert "an emulator not started by make answers" in up.stdout  # the test's emulator, not a new one
    try:
        ok = preflight(emulator, WEB_BUCKET, PAGE)
        assert ok.status_code == 200, ok.text
        assert ok.headers["Access-Control-Allow-Origin"] == PAGE
        assert set(ok.headers["Access-Control-Allow-Methods"].split(",")) == {"PUT", "POST", "GET", "HEAD"}
        assert ok.headers["Access-Control-Allow-Headers"] == "authorization,content-type,x-cos-security-token"
        assert "ETag" in ok.headers["Access-Control-Expose-Headers"].split(",")
        assert preflight(emulator, WEB_BUCKET, "https://elsewhere.example.org").status_code == 403
        assert preflight(emulator, WEB_BUCKET, PAGE, method="DELETE").status_code == 403
        cos = sdk_clients.cos(emulator.url)
        lifecycle = cos.get_bucket_lifecycle(Bucket=WEB_BUCKET)["Rule"]
        assert [r["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] for r in lifecycle] == ["7"]

        # Someone changes the CORS rules through the COS SDK: the page's preflight now fails.
        cos.put_bucket_cors(Bucket=WEB_BUCKET, CORSConfiguration={"CORSRule": [
            {"AllowedOrigin": ["https://elsewhere.example.org"], "AllowedMethod": ["GET"]}]})
        assert preflight(emulator, WEB_BUCKET, PAGE).status_code == 403
        refresh = stack_sh(web_repo, "refresh", engine_env)
        assert re.search(r"~\s+.*BucketCors\s+media-cors\s+updated", refresh.stdout) or (
            "media-cors" in refresh.stdout and "1 updated" in refresh.stdout), refresh.stdout
        preview = stack_sh(web_repo, "preview", engine_env)
        assert "BucketCors::media-cors" in preview.stdout and "~ 1 to update" in preview.stdout, preview.stdout
        stack_sh(web_repo, "up", engine_env)
        assert preflight(emulator, WEB_BUCKET, PAGE).status_code == 200
        assert cos.get_bucket_cors(Bucket=WEB_BUCKET)["CORSRule"][0]["AllowedOrigin"] == [PAGE]
    finally:
        stack_sh(web_repo, "destroy", engine_env)
    inv = emulator.control("GET", "inventory")
    assert inv["buckets"] == [] and inv["libraries"] == []


@pytest.mark.emulator_only
def test_bucket_settings_update_in_place_and_lifecycle_acts(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    cors = {"browser_uploads": ["https://app.example.com"]}
    stack = make_stack(base_config(emulator, **{"smh-media:bucketCors": json.dumps(cors),
                                               "smh-media:bucketLifecycle": "{}"}))
    first = stack.up(**QUIET)
    assert first.summary.resource_changes["create"] == 6  # stack, bucket, processing, library, cors, lifecycle
    bucket = first.outputs["bucket"].value
    assert preflight(emulator, bucket, "https://app.example.com").status_code == 200
    assert preflight(emulator, bucket, "https://www.example.com").status_code == 403
    stack.preview(expect_no_changes=True, **QUIET)

    # A second origin: the CORS rules change in place, nothing else moves.
    cors["browser_uploads"].append("https://www.example.com")
    stack.set_config("smh-media:bucketCors", auto.ConfigValue(json.dumps(cors)))
    preview = stack.preview(**QUIET)
    assert {k: v for k, v in preview.change_summary.items() if k != "same"} == {"update": 1}
    up = stack.up(**QUIET)
    assert {k: v for k, v in up.summary.resource_changes.items() if k != "same"} == {"update": 1}
    assert preflight(emulator, bucket, "https://www.example.com").status_code == 200

    # The default lifecycle rule: an upload abandoned 8 days ago goes, one started 3 days ago stays.
    cos = sdk_clients.cos(emulator.url)
    old = cos.create_multipart_upload(Bucket=bucket, Key="media/old.mp4")["UploadId"]
    emulator.control("POST", "clock", {"advance_days": 5})
    new = cos.create_multipart_upload(Bucket=bucket, Key="media/new.mp4")["UploadId"]
    tick = emulator.control("POST", "clock", {"advance_days": 3})
    assert tick["lifecycle"]["aborted_uploads"] == 1
    left = cos.list_multipart_uploads(Bucket=bucket).get("Upload") or []
    left = left if isinstance(left, list) else [left]
    assert [u["UploadId"] for u in left] == [new] and old != new
    cos.abort_multipart_upload(Bucket=bucket, Key="media/new.mp4", UploadId=new)

    # Removing the keys removes the configurations (delete), and the bucket keeps working.
    stack.remove_config("smh-media:bucketCors")
    stack.remove_config("smh-media:bucketLifecycle")
    gone = stack.up(**QUIET)
    assert gone.summary.resource_changes.get("delete") == 2
    assert preflight(emulator, bucket, "https://app.example.com").status_code == 403


@pytest.mark.emulator_only
def test_referer_white_list_without_empty_referer_warns_at_preview(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    referer = {"domains": ["*.example.com"], "allow_empty_referer": False}
    stack = make_stack(base_config(emulator, **{"smh-media:bucketReferer": json.dumps(referer)}))
    lines: list[str] = []
    stack.preview(on_output=lines.append)
    text = "".join(lines)
    assert "warning" in text and "allow_empty_referer=False" in text and "library's own" in text, text
    assert emulator.control("GET", "requests")["mutating_total"] == 0
