"""Baseline: the plain script a user without this tool would write, one SDK call after another, no Pulumi.

Same official SDKs as smh_provider/clients (cos-python-sdk-v5, tencentcloud-sdk-python-smh) and plain HTTP for
the SMH data plane, pointed at an emulator the same way (COS `Proxies` + `Scheme=http`, SMH
`HttpProfile(proxy=...)`, data plane through the emulator as an HTTP proxy). No waits, no safety checks, no
retries: the fewest calls that do the job, so its call count is the minimum the APIs need.

    python bench/sequential_script.py --endpoint URL --mode create|read|update|destroy --state FILE
        [--bucket NAME] [--library NAME] [--spaces N] [--albums 2] [--space-tag TAG]

`create` writes the ids it made to --state; the other modes read them. Prints one JSON line: {"seconds": ...}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import requests
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_auth import CosS3Auth
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.smh.v20210712 import models, smh_client

SECRET_ID = "AKIDEMULATOR0000000000000000000000000"
SECRET_KEY = "emulatorSecretKey0000000000000000"  # the emulator's documented default account
APP_ID = "1250000000"
REGION = "ap-guangzhou"


class Clients:
    def __init__(self, endpoint: str) -> None:
        conf = CosConfig(Region=REGION, SecretId=SECRET_ID, SecretKey=SECRET_KEY, Scheme="http",
                         Proxies={"http": endpoint, "https": endpoint})
        self.cos = CosS3Client(conf, retry=0)
        http = HttpProfile(protocol="http", endpoint="smh.tencentcloudapi.com", proxy=endpoint)
        self.smh = smh_client.SmhClient(credential.Credential(SECRET_ID, SECRET_KEY), "",
                                        ClientProfile(httpProfile=http))
        self.http = requests.Session()
        self.http.trust_env = False
        self.proxies = {"http": endpoint}

    def smh_call(self, action: str, params: dict[str, Any]) -> Any:
        req = getattr(models, f"{action}Request")()
        req.from_json_string(json.dumps(params))
        return getattr(self.smh, action)(req)

    def media(self, method: str, bucket: str) -> None:
        """CI media processing on/off: the SDK has no method for it, so use its request and auth machinery."""
        conf = self.cos._conf
        url = conf.uri(bucket=bucket, path="/mediabucket", endpoint=conf._endpoint_ci)
        self.cos.send_request(method=method, url=url, auth=CosS3Auth(conf, "/mediabucket", params={}), params={},
                              headers={"Content-Type": "application/xml"}, ci_request=True)

    def data(self, method: str, lib: str, path: str, token: str | None = None, **kw: Any) -> Any:
        params = dict(kw.pop("params", {}))
        if token:
            params["access_token"] = token
        resp = self.http.request(method, f"http://{lib}.api.tencentsmh.cn/api/v1{path}", params=params,
                                 proxies=self.proxies, timeout=30, **kw)
        resp.raise_for_status()
        return resp.json() if resp.content else {}

    def token(self, lib: str) -> str:
        secret = self.smh_call("DescribeLibrarySecret", {"LibraryId": lib}).LibrarySecret
        data = self.data("GET", lib, "/token", params={"library_id": lib, "library_secret": secret,
                                                       "grant": "admin", "period": "7200"})
        return str(data["accessToken"])


def create(c: Clients, a: argparse.Namespace) -> dict[str, Any]:
    bucket = f"{a.bucket}-{APP_ID}"
    c.cos.create_bucket(Bucket=bucket, ACL="private", Tagging="team=media")
    c.media("POST", bucket)
    ext = {"IsMultiSpace": True} if a.spaces else {"IsMultiSpace": False, "AllowPhoto": True, "AllowVideo": True}
    lib = c.smh_call("CreateLibrary", {"Name": a.library, "LibraryExtension": ext, "BucketName": bucket,
                                       "BucketRegion": REGION}).LibraryId
    state: dict[str, Any] = {"bucket": bucket, "library": lib, "spaces": {}}
    if a.spaces:
        token = c.token(lib)
        for i in range(a.spaces):
            attrs = {"isMultiAlbum": True, "spaceTag": a.space_tag}
            space = str(c.data("POST", lib, f"/space/{lib}", token, json=attrs)["spaceId"])
            albums = [f"Album {j}" for j in range(a.albums)]
            for name in albums:
                c.data("PUT", lib, f"/directory/{lib}/{space}/{requests.utils.quote(name, safe='')}", token,
                       params={"conflict_resolution_strategy": "ask"})
            state["spaces"][f"t{i:03d}"] = {"id": space, "albums": albums}
    return state


def read(c: Clients, state: dict[str, Any]) -> None:
    """Check everything is still there and as declared: what a script needs before deciding to change anything."""
    bucket, lib = state["bucket"], state["library"]
    c.cos.head_bucket(Bucket=bucket)
    c.cos.get_bucket_acl(Bucket=bucket)
    c.cos.get_bucket_tagging(Bucket=bucket)
    c.cos.ci_get_media_bucket(Regions=REGION, BucketNames=bucket, PageNumber="1", PageSize="100")
    c.smh_call("DescribeLibraries", {"LibraryIds": [lib]})
    if state["spaces"]:
        token = c.token(lib)
        for space in state["spaces"].values():
            c.data("GET", lib, f"/space/{lib}/{space['id']}/extension", token)
            for name in space["albums"]:
                c.data("GET", lib, f"/directory/{lib}/{space['id']}/{requests.utils.quote(name, safe='')}", token)


def update(c: Clients, state: dict[str, Any], tag: str) -> None:
    lib = state["library"]
    token = c.token(lib)
    for space in state["spaces"].values():
        c.data("POST", lib, f"/space/{lib}/{space['id']}/extension", token, json={"spaceTag": tag})


def destroy(c: Clients, state: dict[str, Any]) -> None:
    bucket, lib = state["bucket"], state["library"]
    if state["spaces"]:
        token = c.token(lib)
        for space in state["spaces"].values():
            for name in space["albums"]:
                c.data("DELETE", lib, f"/directory/{lib}/{space['id']}/{requests.utils.quote(name, safe='')}",
                       token, params={"permanent": "1"})
            c.data("DELETE", lib, f"/space/{lib}/{space['id']}", token)
    c.smh_call("DeleteLibrary", {"LibraryId": lib})
    c.media("DELETE", bucket)
    c.cos.delete_bucket(Bucket=bucket)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--endpoint", required=True)
    p.add_argument("--mode", choices=("create", "read", "update", "destroy"), required=True)
    p.add_argument("--state", required=True, type=Path)
    p.add_argument("--bucket", default="script")
    p.add_argument("--library", default="script")
    p.add_argument("--spaces", type=int, default=0)
    p.add_argument("--albums", type=int, default=2)
    p.add_argument("--space-tag", default="v0")
    a = p.parse_args(argv)
    c = Clients(a.endpoint)
    started = time.perf_counter()
    if a.mode == "create":
        a.state.write_text(json.dumps(create(c, a)))
    else:
        state = json.loads(a.state.read_text())
        {"read": lambda: read(c, state), "update": lambda: update(c, state, a.space_tag),
         "destroy": lambda: destroy(c, state)}[a.mode]()
    print(json.dumps({"seconds": round(time.perf_counter() - started, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
