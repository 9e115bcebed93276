"""CI media-processing binding (/mediabucket) through the official cos-python-sdk-v5.

CI error bodies carry no `Resource`, so the SDK's `get_error_code()` is "Unknown" (as against the real
service); these tests assert the HTTP status and the `Code` parsed from `get_origin_msg()`, which is what a
client has to do too. The SDK has no create/delete call for /mediabucket: `ci_send` builds it the way
fact sheet 3.5 describes (`uri()` on the CI endpoint, `CosS3Auth`, `send_request(ci_request=True)`).
"""

from __future__ import annotations

import re
import time
import types
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
import requests
from qcloud_cos import CosConfig, CosS3Client, CosServiceError
from qcloud_cos import cos_auth as cos_auth_module
from qcloud_cos.cos_auth import CosS3Auth
from qcloud_cos.cos_comm import xml_to_dict

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from tests.emulator_process import EmulatorProcess
from tests.other_accounts import CI_OTHER, CI_TEMP, OTHER_APP_ID
from tests.sdk_clients import APP_ID, REGION, cos

OTHER_ID, OTHER_KEY = CI_OTHER
TEMP_ID, TEMP_KEY, TEMP_TOKEN = CI_TEMP
CI_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0800$")


# -- helpers (the provider has its own copy of ci_send) ----------------------------------------------------
def ci_send(client: CosS3Client, method: str, bucket: str) -> requests.Response:
    """POST/DELETE /mediabucket on `<bucket>.ci.<region>.myqcloud.com`, signed like every SDK CI call."""
    conf = client._conf
    url = conf.uri(bucket=None, path="/mediabucket", endpoint=f"{bucket}.{conf._endpoint_ci}")
    headers: dict[str, str] = {}
    if conf._ip is not None:  # IP mode: the Host header must still name the bucket's CI host
        headers["Host"] = f"{bucket}.{conf._endpoint_ci}"
    return client.send_request(method=method, url=url, auth=CosS3Auth(conf, "/mediabucket", params={}), params={},
                               headers=headers, ci_request=True)


def ci_call(client: CosS3Client, method: str, bucket: str) -> dict[str, Any]:
    return xml_to_dict(ci_send(client, method, bucket).content)


def ci_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[int, str, dict[str, str]]:
    """(status, Code, every child of the Error body) of a CI call that must fail."""
    with pytest.raises(CosServiceError) as info:
        call(*args, **kwargs)
    e = info.value
    assert e.get_error_code() == "Unknown"  # no <Resource>: the SDK cannot digest CI errors
    root = ET.fromstring(e.get_origin_msg())
    assert root.tag == "Error"
    fields = {child.tag: child.text or "" for child in root}
    return e.get_status_code(), fields["Code"], fields


def full(name: str, app_id: str = APP_ID) -> str:
    return f"{name}-{app_id}"


@pytest.fixture
def client(emulator: EmulatorProcess) -> CosS3Client:
    return cos(emulator.url)


# -- CreateMediaBucket / DescribeMediaBuckets / DeleteMediaBucket ------------------------------------------
def test_create_describe_delete(client: CosS3Client) -> None:
    b = full("media")
    client.create_bucket(Bucket=b)
    rt = ci_send(client, "POST", b)
    assert rt.status_code == 200
    assert rt.headers["Server"] == "tencent-ci"
    assert rt.headers["Content-Type"] == "application/xml"
    created = xml_to_dict(rt.content)
    assert created["RequestId"] == rt.headers["x-ci-request-id"]
    mb = created["MediaBucket"]
    assert (mb["BucketId"], mb["Name"], mb["Region"]) == (b, b, REGION)
    assert CI_TIME.match(mb["CreateTime"])

    listed = client.ci_get_media_bucket()
    assert (listed["TotalCount"], listed["PageNumber"], listed["PageSize"]) == ("1", "1", "10")
    assert listed["MediaBucketList"] == [{"BucketId": b, "Name": b, "Region": REGION, "CreateTime": mb["CreateTime"]}]
    assert listed["RequestId"]

    deleted = ci_call(client, "DELETE", b)
    assert set(deleted) == {"RequestId"}
    assert client.ci_get_media_bucket()["TotalCount"] == "0"
    assert client.head_bucket(Bucket=b)  # unbinding leaves the bucket alone


def test_second_bind_is_refused(client: CosS3Client) -> None:
    b = full("twice")
    client.create_bucket(Bucket=b)
    ci_send(client, "POST", b)
    status, code, fields = ci_error(ci_send, client, "POST", b)
    assert (status, code) == (403, "MediaBucketAlreadyBinded")
    assert set(fields) == {"Code", "Message", "RequestId", "TraceId"}
    assert all(fields.values())


def test_error_headers(client: CosS3Client, emulator: EmulatorProcess) -> None:
    proxies = {"http": emulator.url}
    rt = requests.post(f"http://{full('nobody')}.ci.{REGION}.myqcloud.com/mediabucket", proxies=proxies, timeout=10)
    assert rt.status_code == 401
    assert rt.headers["Server"] == "tencent-ci"
    assert rt.headers["Content-Type"] == "application/xml"
    assert rt.headers["x-ci-request-id"] == ET.fromstring(rt.content).findtext("RequestId")
    assert ET.fromstring(rt.content).find("Resource") is None


def test_missing_bucket(client: CosS3Client) -> None:
    assert ci_error(ci_send, client, "POST", full("ghost"))[:2] == (400, "ResourceNotFound")
    assert ci_error(ci_send, client, "DELETE", full("ghost"))[:2] == (400, "ResourceNotFound")


def test_bucket_in_another_region(client: CosS3Client, emulator: EmulatorProcess) -> None:
    b = full("elsewhere")
    client.create_bucket(Bucket=b)
    shanghai = cos(emulator.url, region="ap-shanghai")
    assert ci_error(ci_send, shanghai, "POST", b)[:2] == (400, "ResourceNotFound")


def test_unbinding_an_unbound_bucket(client: CosS3Client) -> None:
    b = full("unbound")
    client.create_bucket(Bucket=b)
    assert ci_error(ci_send, client, "DELETE", b)[:2] == (400, "ResourceNotFound")


def test_deleting_the_bucket_drops_the_binding(client: CosS3Client) -> None:
    b = full("dropped")
    client.create_bucket(Bucket=b)
    ci_send(client, "POST", b)
    client.delete_bucket(Bucket=b)
    assert client.ci_get_media_bucket()["TotalCount"] == "0"
    client.create_bucket(Bucket=b)
    assert ci_call(client, "POST", b)["MediaBucket"]["BucketId"] == b


def test_describe_filters_and_pages(client: CosS3Client, emulator: EmulatorProcess) -> None:
    names = [full(n) for n in ("alpha", "alpine", "beta")]
    for n in names:
        client.create_bucket(Bucket=n)
        ci_send(client, "POST", n)
    sh = cos(emulator.url, region="ap-shanghai")
    sh.create_bucket(Bucket=full("gamma"))
    ci_send(sh, "POST", full("gamma"))

    def ids(**kw: str) -> list[str]:
        return [m["BucketId"] for m in client.ci_get_media_bucket(**kw).get("MediaBucketList", [])]

    assert ids() == sorted(names + [full("gamma")])
    assert ids(Regions="All") == sorted(names + [full("gamma")])
    assert ids(Regions=REGION) == names
    assert ids(Regions=f"{REGION},ap-shanghai") == sorted(names + [full("gamma")])
    assert ids(Regions="ap-shanghai") == [full("gamma")]
    assert ids(BucketName="alp") == names[:2]
    assert ids(BucketNames=f"{names[2]},{full('gamma')}") == [names[2], full("gamma")]
    page = client.ci_get_media_bucket(PageNumber="2", PageSize="2")
    assert (page["TotalCount"], page["PageNumber"], page["PageSize"]) == ("4", "2", "2")
    assert [m["BucketId"] for m in page["MediaBucketList"]] == [names[2], full("gamma")]
    single = client.ci_get_media_bucket(PageSize="1")
    assert len(single["MediaBucketList"]) == 1  # the SDK wraps a single entry into a list


@pytest.mark.parametrize("kw", [{"PageSize": "101"}, {"PageSize": "0"}, {"PageNumber": "0"}, {"PageSize": "x"}])
def test_describe_bad_paging(client: CosS3Client, kw: dict[str, str]) -> None:
    assert ci_error(client.ci_get_media_bucket, **kw)[:2] == (400, "InvalidArgument")


def test_describe_on_a_bare_address_and_ip_mode(emulator: EmulatorProcess) -> None:
    conf = CosConfig(Region=REGION, SecretId=DEFAULT_SECRET_ID, SecretKey=DEFAULT_SECRET_KEY, Scheme="http",
                     IP="127.0.0.1", Port=emulator.port)
    ip_client = CosS3Client(conf, retry=0)
    cos(emulator.url).create_bucket(Bucket=full("ipmode"))
    assert ci_call(ip_client, "POST", full("ipmode"))["MediaBucket"]["Region"] == REGION
    assert ip_client.ci_get_media_bucket(Regions=REGION)["TotalCount"] == "1"


def test_bare_address_create_needs_a_bucket_host(emulator: EmulatorProcess) -> None:
    conf = CosConfig(Region=REGION, SecretId=DEFAULT_SECRET_ID, SecretKey=DEFAULT_SECRET_KEY, Scheme="http",
                     IP="127.0.0.1", Port=emulator.port)
    ip_client = CosS3Client(conf, retry=0)
    url = conf.uri(bucket=None, path="/mediabucket", endpoint=conf._endpoint_ci)
    status, code, _ = ci_error(ip_client.send_request, method="POST", url=url, params={}, headers={},
                               auth=CosS3Auth(conf, "/mediabucket", params={}), ci_request=True)
    assert (status, code) == (400, "InvalidHost")


def test_unknown_ci_route(client: CosS3Client) -> None:
    conf = client._conf
    url = conf.uri(bucket=None, path="/queue", endpoint=f"{full('q')}.{conf._endpoint_ci}")
    status, code, _ = ci_error(client.send_request, method="GET", url=url, params={}, headers={},
                               auth=CosS3Auth(conf, "/queue", params={}), ci_request=True)
    assert (status, code) == (501, "NotImplemented")


# -- accounts and signatures -----------------------------------------------------------------------------
def test_listing_shows_only_own_buckets_and_foreign_bucket_is_denied(two: EmulatorProcess) -> None:
    mine, theirs = cos(two.url), cos(two.url, OTHER_ID, OTHER_KEY)
    theirs.create_bucket(Bucket=full("theirs", OTHER_APP_ID))
    ci_send(theirs, "POST", full("theirs", OTHER_APP_ID))
    mine.create_bucket(Bucket=full("mine"))
    ci_send(mine, "POST", full("mine"))
    assert [m["BucketId"] for m in mine.ci_get_media_bucket()["MediaBucketList"]] == [full("mine")]
    assert [m["BucketId"] for m in theirs.ci_get_media_bucket()["MediaBucketList"]] == [full("theirs", OTHER_APP_ID)]
    assert ci_error(ci_send, mine, "POST", full("theirs", OTHER_APP_ID))[:2] == (403, "AccessDenied")
    assert ci_error(ci_send, mine, "DELETE", full("theirs", OTHER_APP_ID))[:2] == (403, "AccessDenied")
    assert ci_error(ci_send, mine, "POST", full("absent", OTHER_APP_ID))[:2] == (403, "AccessDenied")


def test_temporary_token(two: EmulatorProcess) -> None:
    cos(two.url).create_bucket(Bucket=full("temp"))
    temp = cos(two.url, TEMP_ID, TEMP_KEY, token=TEMP_TOKEN)
    assert ci_send(temp, "POST", full("temp")).headers["x-ci-request-id"]
    assert temp.ci_get_media_bucket()["TotalCount"] == "1"
    no_token = cos(two.url, TEMP_ID, TEMP_KEY)
    assert ci_error(no_token.ci_get_media_bucket)[:2] == (403, "AccessDenied")
    wrong = cos(two.url, TEMP_ID, TEMP_KEY, token="tok-wrong")
    assert ci_error(ci_send, wrong, "DELETE", full("temp"))[:2] == (403, "AccessDenied")


@pytest.mark.parametrize("action", ["create", "describe", "delete"])
def test_signature_errors(client: CosS3Client, emulator: EmulatorProcess, action: str) -> None:
    client.create_bucket(Bucket=full("signed"))

    def call(c: CosS3Client) -> Any:
        if action == "describe":
            return c.ci_get_media_bucket()
        return ci_send(c, "POST" if action == "create" else "DELETE", full("signed"))

    assert ci_error(call, cos(emulator.url, DEFAULT_SECRET_ID, "wrong-key"))[:2] == (403, "AccessDenied")
    assert ci_error(call, cos(emulator.url, "AKIDNOSUCHKEY", DEFAULT_SECRET_KEY))[:2] == (401, "SecretidNotExist")
    anonymous = CosS3Client(CosConfig(Region=REGION, Anonymous=True, Scheme="http",
                                      Proxies={"http": emulator.url}), retry=0)
    assert ci_error(call, anonymous)[:2] == (401, "MissingAuthorization")
    if action == "create":
        assert call(client).status_code == 200


def test_expired_signature(client: CosS3Client, monkeypatch: pytest.MonkeyPatch) -> None:
    client.create_bucket(Bucket=full("late"))
    real = time.time
    # CosS3Auth signs [now-60, now+10000]: three hours in the past is already out of the window.
    monkeypatch.setattr(cos_auth_module, "time", types.SimpleNamespace(time=lambda: real() - 3 * 3600 - 10000))
    assert ci_error(ci_send, client, "POST", full("late"))[:2] == (401, "SignatureExpired")
    assert ci_error(client.ci_get_media_bucket)[:2] == (401, "SignatureExpired")
    monkeypatch.setattr(cos_auth_module, "time", time)
    assert ci_send(client, "POST", full("late")).status_code == 200


def test_malformed_authorization(emulator: EmulatorProcess) -> None:
    rt = requests.get(f"http://ci.{REGION}.myqcloud.com/mediabucket", headers={"Authorization": "Bearer nope"},
                      proxies={"http": emulator.url}, timeout=10)
    assert rt.status_code == 401
    assert ET.fromstring(rt.content).findtext("Code") == "InvalidAuthorization"


# -- faults and the request log --------------------------------------------------------------------------
def test_injected_fault_and_request_log(client: CosS3Client, emulator: EmulatorProcess) -> None:
    b = full("faulty")
    client.create_bucket(Bucket=b)
    emulator.control("POST", "faults", {"errors": [{"service": "ci", "action": "CreateMediaBucket",
                                                    "code": "SlowDown", "status": 429}]})
    assert ci_error(ci_send, client, "POST", b)[:2] == (429, "SlowDown")
    emulator.control("DELETE", "faults")
    ci_send(client, "POST", b)
    client.ci_get_media_bucket()
    ci_send(client, "DELETE", b)
    log = emulator.control("GET", "requests")
    assert log["mutating_counts"] == {"cos:PutBucket": 1, "ci:CreateMediaBucket": 1, "ci:DeleteMediaBucket": 1}
    assert log["counts"]["ci:DescribeMediaBuckets"] == 1
    assert log["faults_injected"] == 1
    assert emulator.control("GET", "inventory")["media_buckets"] == []
