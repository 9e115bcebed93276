"""What the emulator holds versus what the Pulumi state says: the ground truth of the reliability suites."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pulumi import automation as auto
from tencentcloud.smh.v20210712 import models

from tests.e2e.conftest import base_config
from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import smh

# The full stack: bucket, media processing, a multi-tenant library, three spaces (two with two albums
# each, one with a quota). A full `up` makes 12 mutating calls (a data-plane token is one).
SPACES = {
    "a": {"multi_album": True, "albums": {"x": "Trip", "y": "Family"}},
    "b": {"multi_album": True, "public_read": True, "albums": {"z": "Work", "w": "Pets"}},
    "c": {"quota_bytes": 1000000},
}
ALBUMS = {"a": {"Trip", "Family"}, "b": {"Work", "Pets"}, "c": set()}


def full_config(emulator: EmulatorProcess, **overrides: object) -> dict[str, auto.ConfigValue]:
    return base_config(emulator, **{
        "smh-media:library": '{"library_name": "tenants", "multi_tenant": true}',
        "smh-media:spaces": json.dumps(SPACES),
        **overrides,
    })


def data_plane(emulator: EmulatorProcess, lib_id: str) -> tuple[str, dict[str, str], str]:
    """(base URL, proxies, admin access token) for calling a library's data plane on the emulator directly."""
    import requests

    req = models.DescribeLibrarySecretRequest()
    req.LibraryId = lib_id
    secret = smh(emulator.url).DescribeLibrarySecret(req).LibrarySecret
    base, proxies = f"http://{lib_id}.api.tencentsmh.cn/api/v1", {"http": emulator.url}
    token = requests.get(f"{base}/token", params={"library_id": lib_id, "library_secret": secret, "grant": "admin"},
                         proxies=proxies, timeout=10).json()["accessToken"]
    return base, proxies, token


def albums_of(emulator: EmulatorProcess, lib_id: str, space_id: str) -> set[str]:
    import requests

    base, proxies, token = data_plane(emulator, lib_id)
    r = requests.get(f"{base}/directory/{lib_id}/{space_id}", params={"access_token": token, "page_size": "100"},
                     proxies=proxies, timeout=10)
    r.raise_for_status()
    return {c["name"] for c in r.json().get("contents") or [] if c.get("type") == "dir"}


def state_resources(stack: auto.Stack) -> dict[str, list[dict[str, Any]]]:
    """Custom resources in the stack's state by short type name (Bucket, MediaLibrary, ...)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for res in stack.export_stack().deployment.get("resources", []):
        kind = res["type"].rsplit(":", 1)[-1]
        if res.get("custom") and res["type"].startswith("pulumi-python:dynamic/smh:"):
            out.setdefault(kind, []).append(res)
    return out


def compare(emulator: EmulatorProcess, stack: auto.Stack, spaces: dict[str, Any] = SPACES) -> dict[str, Any]:
    """Count duplicates and orphans (in the cloud, not in state) and missing objects (in state, not in the cloud).

    Returns {"duplicates": n, "orphans": [...], "missing": [...]} over buckets, media bindings, libraries,
    spaces and albums, and checks the stack's outputs point at what exists.
    """
    inv = emulator.control("GET", "inventory")
    state = state_resources(stack)
    cloud_ids = {
        "Bucket": [b["bucket"] for b in inv["buckets"]],
        "MediaProcessing": [b["bucket"] for b in inv["media_buckets"]],
        "MediaLibrary": [lib["LibraryId"] for lib in inv["libraries"]],
        "Space": [s["spaceId"] for s in inv["spaces"] if s["spaceId"] != "-"],
    }
    state_ids = {kind: [r["id"] for r in state.get(kind, [])] for kind in cloud_ids}
    duplicates, orphans, missing = 0, [], []
    for kind, ids in cloud_ids.items():
        duplicates += sum(n - 1 for n in Counter(ids).values() if n > 1)
        orphans += [f"{kind} {i}" for i in set(ids) - set(state_ids[kind])]
        missing += [f"{kind} {i}" for i in set(state_ids[kind]) - set(ids)]
    # Albums: names in each space against the Album resources in state.
    by_space: dict[str, set[str]] = {}
    for res in state.get("Album", []):
        by_space.setdefault(res["outputs"]["space_id"], set()).add(res["outputs"]["album_name"])
    for space in inv["spaces"]:
        found = albums_of(emulator, space["library"], space["spaceId"])
        declared = by_space.get(space["spaceId"], set())
        orphans += [f"Album {n}" for n in found - declared]
        missing += [f"Album {n}" for n in declared - found]
    # Outputs: the exported ids are the ones that exist.
    outputs = stack.outputs()
    if "library_id" in outputs and outputs["library_id"].value not in cloud_ids["MediaLibrary"]:
        missing.append(f"output library_id {outputs['library_id'].value}")
    for key, sid in (outputs["space_ids"].value if "space_ids" in outputs else {}).items():
        if sid not in cloud_ids["Space"]:
            missing.append(f"output space_ids.{key} {sid}")
    return {"duplicates": duplicates, "orphans": sorted(orphans), "missing": sorted(missing),
            "counts": {k: len(v) for k, v in cloud_ids.items()}}
