"""Suite 4, bad input: invalid stack configurations fail cleanly and touch nothing in the cloud.

Each case is one complete stack config, given to the CLI as a `--config-file`, on one of a few shared
stacks (nothing is ever created, so they stay empty). It runs `preview`, or `up` for credentials and
endpoints, which only fail at the first cloud call. A case passes when the run exits non-zero, the output
names the property and the rule (every needle of the case appears), there is no Python traceback (an
smh_provider error reaches the user as its message alone), no engine noise after it ("Resource monitor has
terminated"), no long value repeated whole, and the emulator saw no mutating call.
"""

from __future__ import annotations

import json
import queue
import re
import socket
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from tests.e2e.conftest import base_config
from tests.reliability import report

SUITE = "bad_input"
LIB = '{"library_name": "photos"}'
MULTI = '{"library_name": "t", "multi_tenant": true}'
RUN_TIMEOUT = 300  # a run that hangs is a failure of the "bounded time" promise, not a slow test


def lib(**settings: Any) -> str:
    return json.dumps({"library_name": "photos", **settings})


LIBRARY_D = {"library": {"library_name": "d"}}


def libraries(**entries: dict[str, Any]) -> dict[str, str]:
    """The smh-media:libraries key holding these entries (JSON-encoded)."""
    return {"smh-media:libraries": json.dumps(entries)}


def team(**keys: Any) -> dict[str, Any]:
    """A multi-tenant library with a multi-album space and a role table, plus permission keys (JSON-encoded)."""
    base: dict[str, Any] = {"smh-media:library": MULTI,
                            "smh-media:spaces": json.dumps({"s": {"multi_album": True, "albums": {"a": "A"}}}),
                            "smh-media:roles": json.dumps({"viewer": ["view", "download"]}),
                            "smh-media:users": json.dumps({"ana": {}})}
    return base | {f"smh-media:{k}": v if v is None or isinstance(v, str) else json.dumps(v) for k, v in keys.items()}


GRANT = {"space": "s", "album": "a", "user": "ana", "role": "viewer"}


# A port bound but never listening: connections to it are refused at once, and no one else can take it
# while this module is loaded.
_NOT_LISTENING = socket.socket()
_NOT_LISTENING.bind(("127.0.0.1", 0))
DEAD_ENDPOINT = f"127.0.0.1:{_NOT_LISTENING.getsockname()[1]}"
DEAD_PORT = f"port={_NOT_LISTENING.getsockname()[1]}"  # how the connection error names it


# (case id, config overrides over base_config (None removes a key), needles that must all appear, command)
CASES: list[tuple[str, dict[str, Any], tuple[str, ...], str]] = [
    # bucket names
    ("bucket-uppercase", {"smh-media:bucketName": "Photos"}, ("bucket_name", "lowercase letters"), "preview"),
    ("bucket-underscore", {"smh-media:bucketName": "my_photos"}, ("bucket_name", "lowercase letters"), "preview"),
    ("bucket-leading-dash", {"smh-media:bucketName": "-photos"}, ("bucket_name", "must not start"), "preview"),
    ("bucket-too-long-for-host", {"smh-media:bucketName": "a" * 40}, ("bucket_name", "too long", "60"), "preview"),
    ("bucket-name-with-appid-suffix", {"smh-media:bucketName": "photos-1250000000"},
     ("bucket_name", "already ends with the APPID"), "preview"),
    ("bucket-name-missing", {"smh-media:bucketName": None}, ("smh-media:bucketName", "missing required"), "preview"),
    # APPIDs and regions
    ("appid-letters", {"smh-media:appId": "12abc"}, ("app_id", "5 to 12 digits"), "preview"),
    ("appid-leading-zero", {"smh-media:appId": "0125000000"}, ("app_id", "not starting with 0"), "preview"),
    ("appid-too-short", {"smh-media:appId": "1234"}, ("app_id", "5 to 12 digits"), "preview"),
    ("region-unknown", {"smh-media:region": "mars-1"}, ("region", "not a Tencent Cloud COS region"), "preview"),
    ("region-missing", {"smh-media:region": None}, ("smh-media:region", "missing required"), "preview"),
    # bucket settings
    ("acl-unknown", {"smh-media:bucketAcl": "public"}, ("acl", "must be one of", "public-read"), "preview"),
    ("tags-not-a-map", {"smh-media:bucketTags": '["team"]'}, ("tags", "map of string to string"), "preview"),
    ("tags-bad-characters", {"smh-media:bucketTags": '{"team<1>": "media"}'}, ("tags", "only letters"), "preview"),
    ("force-destroy-not-bool", {"smh-media:forceDestroy": "maybe"}, ("smh-media:forceDestroy", "bool"), "preview"),
    ("tags-reserved-owner-key", {"smh-media:bucketTags": '{"pulumi:owner": "me"}'}, ("tags key", "reserved"),
     "preview"),
    # the library
    ("library-name-empty", {"smh-media:library": lib(library_name="")}, ("library_name", "required"), "preview"),
    ("library-name-too-long", {"smh-media:library": lib(library_name="n" * 51)}, ("library_name", "1 to 50"),
     "preview"),
    ("library-remark-too-long", {"smh-media:library": lib(remark="r" * 251)}, ("remark", "0 to 250"), "preview"),
    ("library-not-an-object", {"smh-media:library": '["photos"]'}, ("smh-media:library", "must be an object"),
     "preview"),
    ("library-not-json", {"smh-media:library": "photos"}, ("smh-media:library", "JSON"), "preview"),
    ("library-tags-reserved-owner-key", {"smh-media:library": lib(tags={"pulumi:owner": "me"})},
     ("tags key", "reserved"), "preview"),
    ("library-unknown-key", {"smh-media:library": lib(colour="red")}, ("colour", "unknown key"), "preview"),
    ("library-bool-wrong-type", {"smh-media:library": lib(public_read="yes")}, ("public_read", "true or false"),
     "preview"),
    ("multi-album-on-multi-tenant", {"smh-media:library": lib(multi_tenant=True, multi_album=True)},
     ("multi_album", "multi-tenant"), "preview"),
    ("quota-without-multi-tenant", {"smh-media:library": lib(quota_bytes=1024)},
     ("quota_bytes", "needs multi_tenant=True"), "preview"),
    ("quota-zero", {"smh-media:library": lib(multi_tenant=True, quota_bytes=0)},
     ("quota_bytes", "between 1 and"), "preview"),
    ("recycle-days-without-recycle-bin", {"smh-media:library": lib(recycle_days=30)},
     ("recycle_days", "needs recycle_bin=True"), "preview"),
    ("recycle-days-out-of-range", {"smh-media:library": lib(recycle_bin=True, recycle_days=5000)},
     ("recycle_days", "between 0 and 1095"), "preview"),
    ("history-count-without-history", {"smh-media:library": lib(file_history_count=5)},
     ("file_history_count", "needs file_history=True"), "preview"),
    ("file-ext-on-media-library", {"smh-media:library": lib(allow_file_ext=["pdf"])},
     ("allow_file_ext", "only to single-tenant file libraries"), "preview"),
    # spaces and albums
    ("spaces-on-single-tenant", {"smh-media:spaces": '{"alice": {}}'}, ("single-tenant", "multi_tenant"),
     "preview"),
    ("albums-on-single-album-library", {"smh-media:albums": '{"trip": "Trip"}'},
     ("multi_album=True", "albums are not allowed"), "preview"),
    ("albums-top-level-on-multi-tenant", {"smh-media:library": MULTI, "smh-media:albums": '{"trip": "Trip"}'},
     ("multi-tenant", "Space"), "preview"),
    ("space-albums-without-multi-album", {"smh-media:library": MULTI,
                                          "smh-media:spaces": '{"alice": {"albums": {"trip": "Trip"}}}'},
     ("alice", "multi_album=True"), "preview"),
    ("space-not-an-object", {"smh-media:library": MULTI, "smh-media:spaces": '{"alice": "big"}'},
     ("smh-media:spaces.alice", "must be an object"), "preview"),
    ("space-unknown-key", {"smh-media:library": MULTI, "smh-media:spaces": '{"alice": {"colour": "red"}}'},
     ("smh-media:spaces.alice", "unknown key"), "preview"),
    ("album-name-with-slash", {"smh-media:library": lib(multi_album=True), "smh-media:albums": '{"t": "a/b"}'},
     ("album_name", "one path segment"), "preview"),
    ("albums-not-names", {"smh-media:library": lib(multi_album=True), "smh-media:albums": '{"t": 7}'},
     ("smh-media:albums must be a map of key -> album name",), "preview"),
    ("albums-duplicate-name", {"smh-media:library": lib(multi_album=True),
                               "smh-media:albums": '{"a": "Trip", "b": "Trip"}'},
     ("album_name 'Trip' is already the name of album 'album-a'", "media library 'media-library'", "unique"),
     "preview"),
    ("space-albums-duplicate-name", {"smh-media:library": MULTI, "smh-media:spaces": json.dumps(
        {"alice": {"multi_album": True, "albums": {"a": "Trip", "b": "Trip"}}})},
     ("album_name 'Trip' is already the name of album 'album-alice-a'", "tenant space 'space-alice'"), "preview"),
    # taking over objects
    ("adopt-bucket-from-not-a-mark", {"smh-media:adoptBucketFrom": "local"},
     ("adopt_from 'local'", "<project>/<stack>/<resource>"), "preview"),
    ("library-adopt-from-not-a-mark", {"smh-media:library": lib(adopt_from="smh-media/local")},
     ("adopt_from 'smh-media/local'", "<project>/<stack>/<resource>"), "preview"),
    ("public-read-true-on-multi-tenant", {"smh-media:library": lib(multi_tenant=True, multi_album=False,
                                                                   public_read=True)},
     ("public_read", "cannot be set on a multi-tenant library"), "preview"),
    # permissions (roles, users, groups, grants)
    ("roles-unknown-permission", team(roles={"viewer": ["view", "fly"]}), ("roles", "unknown permission", "fly"),
     "preview"),
    ("roles-not-a-list", team(roles={"viewer": "view"}), ("smh-media:roles.viewer", "list of permissions"),
     "preview"),
    ("user-id-invalid", team(users={"a b": {}}), ("user_id", "1 to 64"), "preview"),
    ("user-unknown-key", team(users={"ana": {"email": "a@b"}}), ("smh-media:users.ana", "unknown key", "email"),
     "preview"),
    ("group-name-too-long", team(groups={"g": {"name": "n" * 51}}), ("name", "1 to 50"), "preview"),
    ("group-parent-unknown", team(groups={"g": {"parent": "nope"}}), ("smh-media:groups.g.parent", "nope"),
     "preview"),
    ("group-parent-cycle", team(groups={"a": {"parent": "b"}, "b": {"parent": "a"}}), ("cycle of parents",),
     "preview"),
    ("group-nesting-too-deep", team(groups={f"g{i}": ({"parent": f"g{i - 1}"} if i else {}) for i in range(11)}),
     ("smh-media:groups.g10.parent", "at most 10 deep"), "preview"),
    ("group-member-unknown", team(groups={"g": {"members": ["zed"]}}), ("smh-media:groups.g.members", "zed"),
     "preview"),
    ("grant-role-not-in-table", team(grants={"x": GRANT | {"role": "owner"}}),
     ("role 'owner'", "not in the library's role table", "viewer"), "preview"),
    ("grant-without-role-table", team(roles=None, grants={"x": GRANT}), ("smh-media:grants.x", "role table"),
     "preview"),
    ("grant-two-grantees", team(groups={"g": {}}, grants={"x": GRANT | {"group": "g"}}),
     ("smh-media:grants.x", "exactly one grantee"), "preview"),
    ("grant-path-deeper-than-albums", team(grants={"x": {k: v for k, v in GRANT.items() if k != "album"}
                                                   | {"path": "A/sub"}}),
     ("path 'A/sub'", "albums are one level deep"), "preview"),
    ("grant-path-dot-dot", team(grants={"x": {k: v for k, v in GRANT.items() if k != "album"} | {"path": "../A"}}),
     ("path '../A'", "without `.` or `..`"), "preview"),
    ("grant-multi-tenant-without-space", team(grants={"x": {k: v for k, v in GRANT.items()
                                                            if k not in ("space", "album")} | {"path": "/"}}),
     ("multi-tenant", "space="), "preview"),
    ("grant-album-unknown", team(grants={"x": GRANT | {"album": "nope"}}),
     ("smh-media:grants.x.album 'nope'", "smh-media:spaces.s.albums"), "preview"),
    # several libraries (smh-media:libraries)
    ("libraries-not-a-map", {"smh-media:libraries": '["docs"]'}, ("smh-media:libraries", "must be a map"), "preview"),
    ("libraries-key-uppercase", libraries(Docs={}), ("smh-media:libraries key 'Docs'", "lowercase"), "preview"),
    ("libraries-entry-unknown-key", libraries(docs={"bucketname": "docs"}),
     ("smh-media:libraries.docs", "unknown key", "bucketname"), "preview"),
    ("libraries-entry-without-bucket", libraries(docs=LIBRARY_D),
     ("smh-media:libraries.docs.bucketName", "missing required"), "preview"),
    ("libraries-entry-without-library-name", libraries(docs={"bucketName": "docs"}),
     ("smh-media:libraries.docs.library.library_name", "required"), "preview"),
    ("libraries-entry-bool-wrong-type", libraries(docs={"bucketName": "docs", "forceDestroy": "maybe", **LIBRARY_D}),
     ("smh-media:libraries.docs.forceDestroy", "true or false"), "preview"),
    ("libraries-share-unknown-library", libraries(docs={"shareBucketWith": "nope", **LIBRARY_D}),
     ("smh-media:libraries.docs.shareBucketWith", "must name a library", "nope"), "preview"),
    ("libraries-share-with-bucket-key",
     libraries(docs={"shareBucketWith": "default", "bucketAcl": "public-read", **LIBRARY_D}),
     ("smh-media:libraries.docs.shareBucketWith", "bucketAcl"), "preview"),
    ("libraries-same-bucket-twice", libraries(docs={"bucketName": "photos", **LIBRARY_D}),
     ("smh-media:libraries.docs.bucketName 'photos'", "shareBucketWith"), "preview"),
    ("libraries-resource-name-collision", libraries(media={"bucketName": "m", "library": {"library_name": "m"}}),
     ("both declare", "media-bucket", "rename one"), "preview"),
    ("libraries-entry-bucket-name-invalid", libraries(docs={"bucketName": "Docs", **LIBRARY_D}),
     ("bucket_name", "lowercase letters"), "preview"),
    # bucket CORS, lifecycle, referer
    ("cors-origin-without-scheme", {"smh-media:bucketCors": json.dumps({"browser_uploads": ["app.example.com"]})},
     ("rules", "allowed_origins 'app.example.com'", "scheme://host[:port]"), "preview"),
    ("cors-origin-with-path", {"smh-media:bucketCors": json.dumps({"browser_uploads": ["https://a.com/app"]})},
     ("rules", "no path"), "preview"),
    ("cors-method-unknown", {"smh-media:bucketCors": json.dumps(
        {"rules": [{"allowed_origins": ["https://a.com"], "allowed_methods": ["PATCH"]}]})},
     ("allowed_methods 'PATCH'", "not a COS CORS method"), "preview"),
    ("cors-max-age-negative", {"smh-media:bucketCors": json.dumps(
        {"rules": [{"allowed_origins": ["https://a.com"], "allowed_methods": ["GET"], "max_age_seconds": -5}]})},
     ("max_age_seconds", "whole number of seconds"), "preview"),
    ("cors-empty", {"smh-media:bucketCors": "{}"}, ("smh-media:bucketCors", "browser_uploads"), "preview"),
    ("cors-unknown-key", {"smh-media:bucketCors": json.dumps({"origins": ["https://a.com"]})},
     ("smh-media:bucketCors", "unknown key", "origins"), "preview"),
    ("lifecycle-mixed-date-and-days", {"smh-media:bucketLifecycle": json.dumps({"allow_smh_paths": True, "rules": [
        {"id": "logs", "prefix": "logs/", "expiration_days": 30,
         "transitions": [{"date": "2027-01-01T00:00:00+08:00", "storage_class": "ARCHIVE"}]}]})},
     ("rules", "mixes dates and days", "split it"), "preview"),
    ("lifecycle-expires-smh-paths", {"smh-media:bucketLifecycle": json.dumps(
        {"rules": [{"id": "old", "expiration_days": 30}]})},
     ("rules", "allow_smh_paths=True", "behind SMH's back"), "preview"),
    ("lifecycle-abort-days-out-of-range", {"smh-media:bucketLifecycle": json.dumps(
        {"abort_incomplete_upload_days": 99999})}, ("abort_incomplete_upload_days", "between 0 and"), "preview"),
    ("referer-without-domains", {"smh-media:bucketReferer": json.dumps({"referer_type": "White-List"})},
     ("smh-media:bucketReferer.domains", "required"), "preview"),
    ("referer-type-unknown", {"smh-media:bucketReferer": json.dumps({"domains": ["a.com"], "referer_type": "grey"})},
     ("referer_type", "must be one of"), "preview"),
    ("bucket-settings-on-shared-bucket", {"smh-media:libraries": json.dumps({"docs": {
        "shareBucketWith": "default", "bucketCors": {"browser_uploads": ["https://a.com"]},
        "library": {"library_name": "d"}}})}, ("shareBucketWith", "bucketCors"), "preview"),
    # unknown keys
    ("unknown-top-level-key", {"smh-media:bucketname": "photos"}, ("bucketname", "unknown key"), "preview"),
    # credentials and endpoints
    ("credentials-missing", {"tencentcloud:secretId": None, "tencentcloud:secretKey": None},
     ("tencentcloud:secretId", "TENCENTCLOUD_SECRET_ID", "missing"), "preview"),
    ("secret-key-missing", {"tencentcloud:secretKey": None}, ("property tencentcloud:secretKey", "missing"), "preview"),
    ("endpoint-malformed", {"smh:endpoint": "ftp://emulator"}, ("property smh:endpoint", "scheme http"), "preview"),
    ("secret-key-wrong", {"tencentcloud:secretKey": "wrongSecretKey00000000000000000000"},
     ("creating bucket", "SignatureDoesNotMatch", "check tencentcloud:secretId and tencentcloud:secretKey"), "up"),
    ("secret-id-unknown", {"tencentcloud:secretId": "AKIDUNKNOWN00000000000000000000000000"},
     ("creating bucket", "InvalidAccessKeyId", "check tencentcloud:secretId and tencentcloud:secretKey"), "up"),
    ("endpoint-not-answering", {"smh:endpoint": f"http://{DEAD_ENDPOINT}"},
     ("creating bucket", "ConnectionError", f"nothing answered at smh:endpoint / SMH_ENDPOINT = http://{DEAD_ENDPOINT}",
      "attempt 1 of 8 failed; trying again in", "giving up in"),  # the wait speaks while it lasts
     "up"),
    ("endpoint-not-answering-short-budget",
     {"smh:endpoint": f"http://{DEAD_ENDPOINT}", "smh:operationTimeoutSeconds": "5"},
     ("creating bucket", "ConnectionError", "(giving up in 5 s)"), "up"),  # smh:operationTimeoutSeconds is the budget
    ("operation-timeout-not-a-number", {"smh:operationTimeoutSeconds": "soon"},
     ("smh:operationTimeoutSeconds", "number of seconds"), "preview"),
    # long values are cut in messages
    ("library-name-5000-characters", {"smh-media:library": lib(library_name="n" * 5000)},
     ("library_name", "1 to 50", "got 5000"), "preview"),
    ("bucket-name-5000-characters", {"smh-media:bucketName": "b" * 5000}, ("bucket_name", "5000 characters"),
     "preview"),
]
MONITOR_GONE = "Resource monitor has terminated"


WORKERS = 3  # runs on separate stacks at once; each is mostly process start-up


@dataclass
class Outcome:
    code: int
    output: str


def run(stack: auto.Stack, command: str, config: dict[str, auto.ConfigValue], path: Path) -> Outcome:
    """`pulumi <command>` on the stack with exactly `config` (a --config-file), as a user would run it.

    The secret key goes in the environment (TENCENTCLOUD_SECRET_KEY), not in that file: a plain config value
    would be recorded in the update history of the shared state backend, which the secrets suite searches.
    """
    plain = {k: v.value for k, v in config.items()}
    env = dict(stack.workspace.env_vars)
    env.pop("TENCENTCLOUD_SECRET_KEY", None)
    if "tencentcloud:secretKey" in plain:
        env["TENCENTCLOUD_SECRET_KEY"] = plain.pop("tencentcloud:secretKey")
    path.write_text(json.dumps({"config": plain}))
    args = ["pulumi", command, "--stack", stack.name, "--cwd", stack.workspace.work_dir, "--config-file", str(path),
            "--non-interactive", "--color", "never", *(["--yes"] if command == "up" else [])]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    return Outcome(done.returncode, done.stdout + done.stderr)


@pytest.fixture(scope="module")
def outcomes(request, emulator_proc, project_dir: Path, engine_env: dict[str, str],  # type: ignore[no-untyped-def]
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Outcome], dict[str, Any]]]:
    """Run every case once, WORKERS at a time on stacks of their own, against a freshly reset emulator.

    Returns the outcome per case and the emulator's request log of the whole batch: no case may mutate
    anything, so a batch with zero mutating calls proves it for each case. The `up` cases go first: they
    wait on the network (the dead endpoint's backoff), which the previews can use.
    """
    tmp = tmp_path_factory.mktemp("bad-input")
    ws = auto.LocalWorkspace(work_dir=str(project_dir), env_vars=engine_env)
    made = [auto.Stack.create(f"bad{uuid.uuid4().hex[:8]}", ws) for _ in range(WORKERS)]
    free: queue.Queue[auto.Stack] = queue.Queue()
    for stack in made:
        free.put(stack)
    emulator_proc.control("POST", "reset")

    def one(case: str, overrides: dict[str, Any], command: str) -> Outcome:
        stack = free.get()
        try:
            return run(stack, command, base_config(emulator_proc, **overrides), tmp / f"{case}.json")
        finally:
            free.put(stack)

    selected = {item.callspec.params["case"] for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")}  # honour -k
    ordered = sorted((c for c in CASES if c[0] in selected), key=lambda c: c[3] != "up")
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {case: pool.submit(one, case, overrides, command) for case, overrides, _, command in ordered}
        results = {case: f.result() for case, f in futures.items()}
    log = emulator_proc.control("GET", "requests")
    report.record(SUITE, cloud_calls_seen=log["total"], mutating_calls_seen=log["mutating_total"])
    yield results, log
    for stack in made:
        ws.remove_stack(stack.name, force=True)


@pytest.mark.parametrize(("case", "needles", "command"), [(c[0], c[2], c[3]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_cleanly(outcomes, case, needles, command) -> None:  # type: ignore[no-untyped-def]
    results, log = outcomes
    got = results[case]
    missing = [n for n in needles if n not in got.output]
    traceback = "Traceback (most recent call last)" in got.output
    noise = MONITOR_GONE in got.output
    repeated = re.search(r"([A-Za-z0-9])\1{99}", got.output)  # a value of 100+ characters repeated whole
    clean = got.code != 0 and not missing and not traceback and not noise and not repeated \
        and log["mutating_total"] == 0
    message = next((line.strip() for line in reversed(got.output.splitlines())
                    if needles[0] in line and ("error" in line.lower() or "problem" in line)), "")
    report.record(SUITE, bad_inputs_tried=1, rejected_cleanly=int(clean))
    report.row(SUITE, case=case, command=command, exit_code=got.code, traceback=traceback,
               message=(message.split("has a problem: ", 1)[1] if "has a problem: " in message
                        else re.sub(r"^.*?(error|Error): ", "", message))[:220])
    assert got.code != 0, f"{case}: {command} succeeded\n{got.output}"
    assert not missing, f"{case}: output lacks {missing}\n{got.output}"
    assert not traceback, f"{case}: a Python traceback instead of a clean message\n{got.output}"
    assert not noise, f"{case}: engine noise after the message\n{got.output}"
    assert not repeated, f"{case}: a long value repeated whole\n{got.output[:3000]}"
    assert log["mutating_total"] == 0, f"the emulator saw mutating calls: {log['mutating_counts']}"
