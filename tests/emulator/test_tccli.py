"""SMH through `tccli`, an independent client of the same API.

tccli is pointed at the emulator only with its documented settings: a throw-away `HOME` (tccli writes its
`~/.tccli/default.configure` there on first use), credentials from `TENCENTCLOUD_SECRET_ID` /
`TENCENTCLOUD_SECRET_KEY`, `--region`, and `--endpoint http://127.0.0.1:<port>`. tccli always builds an
https HttpProfile, but the SDK keeps an endpoint that already has a scheme, so `http://` in `--endpoint`
selects plain HTTP (the Host header then carries the literal endpoint, which the emulator routes by
X-TC-Action and which is what the request was signed with).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tencentcloud.smh.v20210712 import models

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import REGION, smh

TCCLI = Path(sys.executable).parent / "tccli"


@pytest.fixture
def tccli(emulator: EmulatorProcess, tmp_path: Path) -> Any:
    def run(action: str, *args: str, secret_key: str = DEFAULT_SECRET_KEY) -> tuple[int, Any, str]:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "NO_PROXY": "127.0.0.1",
               "TENCENTCLOUD_SECRET_ID": DEFAULT_SECRET_ID, "TENCENTCLOUD_SECRET_KEY": secret_key}
        proc = subprocess.run([str(TCCLI), "smh", action, *args, "--region", REGION, "--endpoint", emulator.url],
                              check=False, env=env, capture_output=True, text=True, timeout=120)
        out = json.loads(proc.stdout) if proc.returncode == 0 else None
        return proc.returncode, out, proc.stderr

    return run


def test_create_and_describe(tccli: Any, emulator: EmulatorProcess) -> None:
    rc, created, err = tccli("CreateLibrary", "--Name", "from-cli", "--Remark", "made by tccli",
                             "--LibraryExtension", '{"IsFileLibrary": true, "AllowFileExtName": ["txt"]}',
                             "--Tags", '[{"TagKey": "tool", "TagValue": "tccli"}]')
    assert rc == 0, err
    lib_id = created["LibraryId"]
    assert created["AccessDomain"] == f"{lib_id}.api.tencentsmh.cn"

    rc, listed, err = tccli("DescribeLibraries", "--LibraryIds", json.dumps([lib_id]), "--PageSize", "5")
    assert rc == 0, err
    assert listed["TotalCount"] == 1
    lib = listed["List"][0]
    assert (lib["Name"], lib["Remark"], lib["Tags"]) == ("from-cli", "made by tccli",
                                                         [{"TagKey": "tool", "TagValue": "tccli"}])
    assert lib["LibraryExtension"]["AllowFileExtName"] == ["txt"]
    assert lib["LibraryExtension"]["AllowPhoto"] is None

    # the SDK sees what tccli made, and tccli sees what the SDK makes
    sdk_ids = {x.LibraryId for x in smh(emulator.url).DescribeLibraries(models.DescribeLibrariesRequest()).List}
    assert sdk_ids == {lib_id}
    rc, filtered, err = tccli("DescribeLibraries", "--TagFilters", '[{"TagKey": "tool", "TagValue": ["tccli"]}]')
    assert rc == 0 and filtered["TotalCount"] == 1, err
    log = emulator.control("GET", "requests")
    assert log["counts"] == {"smh:CreateLibrary": 1, "smh:DescribeLibraries": 3}


def test_modify_secret_delete(tccli: Any) -> None:
    _, created, _ = tccli("CreateLibrary", "--Name", "temp")
    lib_id = created["LibraryId"]
    rc, _, err = tccli("ModifyLibrary", "--LibraryId", lib_id, "--Name", "renamed")
    assert rc == 0, err
    rc, secret, err = tccli("DescribeLibrarySecret", "--LibraryId", lib_id)
    assert rc == 0 and len(secret["LibrarySecret"]) == 64, err
    rc, _, err = tccli("DeleteLibrary", "--LibraryId", lib_id)
    assert rc == 0, err
    rc, _, err = tccli("DeleteLibrary", "--LibraryId", lib_id)
    assert rc != 0 and "ResourceNotFound.Library" in err


def test_errors_reach_the_cli(tccli: Any) -> None:
    rc, _, err = tccli("CreateLibrary", "--Name", "")
    assert rc != 0 and "code:InvalidParameterValue" in err
    rc, _, err = tccli("DescribeLibraries", secret_key="not-the-key")
    assert rc != 0 and "code:AuthFailure.SignatureFailure" in err

