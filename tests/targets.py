"""Where the black-box suites run (STYLE principle 9: one suite, two targets).

By default: the session's local emulator. With SMH_LIVE=1 and credentials in the environment: real Tencent Cloud,
with every bucket and library name carrying this run's unique prefix, and a sweep at the end of the session that
deletes whatever still carries it, so a failed test leaves nothing behind. Tests that read the emulator's own
control API (request log, inventory, faults) are marked `emulator_only` and skipped live.

The observers (`bucket`, `media_binding`, `library`) and the sweep use the provider's thin wrappers over the
official SDKs, with `Settings` that point at whichever target this is; they never go through the engine.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from pulumi import automation as auto

from emulator.accounts import DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY
from smh_provider.clients import cos, smh
from smh_provider.clients.smhdata import DataPlane
from smh_provider.config import Settings
from smh_provider.errors import NotFound, ProviderError
from smh_provider.resources.rules import MAX_BUCKET_HOST

T = TypeVar("T")
LIVE_FLAG = "SMH_LIVE"
CREDENTIAL_VARS = ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY")
APPID_VAR, REGION_VAR, TOKEN_VAR = "SMH_LIVE_APPID", "SMH_LIVE_REGION", "TENCENTCLOUD_SECURITY_TOKEN"
DEFAULT_REGION = "ap-guangzhou"
EMULATOR_APPID = "1250000000"
MAX_LIBRARY_NAME = 50
HOW_TO_ENABLE = (f"set {LIVE_FLAG}=1, {CREDENTIAL_VARS[0]}, {CREDENTIAL_VARS[1]} and {APPID_VAR} (optional: "
                 f"{REGION_VAR}, default {DEFAULT_REGION}; {TOKEN_VAR}) to run it against real Tencent Cloud; "
                 "see tests/live/README.md")


def live_requested(env: Mapping[str, str]) -> bool:
    return env.get(LIVE_FLAG, "") == "1"


def live_skip_reason(env: Mapping[str, str]) -> str | None:
    """Why a live run cannot start (the exact variables to set), or None when it can or was not asked for."""
    if not live_requested(env):
        return None
    missing = [name for name in (*CREDENTIAL_VARS, APPID_VAR) if not env.get(name)]
    if not missing:
        return None
    return (f"{LIVE_FLAG}=1 but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: export "
            f"{CREDENTIAL_VARS[0]}, {CREDENTIAL_VARS[1]} and {APPID_VAR} (optional: {REGION_VAR}, default "
            f"{DEFAULT_REGION}; {TOKEN_VAR}) to run the end-to-end suites against real Tencent Cloud")


def mark_for_target(items: list[Any], env: Mapping[str, str]) -> None:
    """Live, skip `emulator_only` tests; otherwise skip `live_only` ones, saying how to enable them."""
    live = live_requested(env)
    for item in items:
        if live and item.get_closest_marker("emulator_only"):
            item.add_marker(pytest.mark.skip(reason=f"needs the emulator's control API; skipped with {LIVE_FLAG}=1"))
        elif not live and item.get_closest_marker("live_only"):
            item.add_marker(pytest.mark.skip(reason=f"a live test: {HOW_TO_ENABLE}"))


def new_run_id() -> str:
    """`e2e` + 6 hex digits: always 9 characters, so no run's prefix is a prefix of another run's names."""
    return f"e2e{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Target:
    live: bool
    secret_id: str
    secret_key: str
    app_id: str
    region: str
    endpoint: str | None  # where every SDK call goes (the emulator); None = real Tencent Cloud
    run_id: str = ""
    token: str | None = None
    emulator: Any = field(default=None, compare=False, repr=False)  # the EmulatorProcess, when there is one
    _serial: itertools.count = field(default_factory=itertools.count, compare=False, repr=False)

    @classmethod
    def for_emulator(cls, emulator: Any) -> Target:
        return cls(False, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, EMULATOR_APPID, DEFAULT_REGION, emulator.url,
                   emulator=emulator)

    @classmethod
    def from_env(cls, env: Mapping[str, str], run_id: str | None = None) -> Target:
        problem = live_skip_reason(env)
        if problem or not live_requested(env):
            raise ValueError(problem or f"{LIVE_FLAG}=1 is not set")
        return cls(True, env[CREDENTIAL_VARS[0]], env[CREDENTIAL_VARS[1]], env[APPID_VAR],
                   env.get(REGION_VAR) or DEFAULT_REGION, None, run_id or new_run_id(), env.get(TOKEN_VAR) or None)

    # -- names ---------------------------------------------------------------------------------
    def name(self, base: str, limit: int | None = None) -> str:
        """A bucket or library name: `base` itself on the emulator (reset before every test); live, a new name
        that starts with this run's prefix, short enough for the bucket host limit (and `limit`)."""
        if not self.live:
            return base
        room = MAX_BUCKET_HOST - len(f"-{self.app_id}.cos.{self.region}.myqcloud.com")
        if limit is not None:
            room = min(room, limit)
        unique = f"{self.run_id}{next(self._serial)}"
        return f"{unique}-{base}"[:room].rstrip("-") or unique

    def owns(self, name: str | None) -> bool:
        return bool(self.live and name and name.startswith(self.run_id))

    # -- stack config --------------------------------------------------------------------------
    def credentials_config(self) -> dict[str, auto.ConfigValue]:
        cfg = {"tencentcloud:secretId": auto.ConfigValue(self.secret_id),
               "tencentcloud:secretKey": auto.ConfigValue(self.secret_key, secret=True)}
        if self.live:
            cfg["tencentcloud:region"] = auto.ConfigValue(self.region)
        if self.token:
            cfg["tencentcloud:securityToken"] = auto.ConfigValue(self.token, secret=True)
        if self.endpoint:
            cfg["smh:endpoint"] = auto.ConfigValue(self.endpoint)
        return cfg

    # -- observers, through the provider's SDK wrappers ----------------------------------------
    def settings(self) -> Settings:
        return Settings(self.secret_id, self.secret_key, self.token, self.region, self.endpoint)

    def full_bucket(self, bucket_name: str) -> str:
        return f"{bucket_name}-{self.app_id}"

    def bucket(self, full: str) -> dict[str, str] | None:
        return _found(lambda: cos.find_bucket(cos.client(self.settings(), self.region), full))

    def media_binding(self, full: str) -> dict[str, Any] | None:
        return _found(lambda: cos.find_media_binding(cos.client(self.settings(), self.region), full, self.region))

    def library(self, library_id: str) -> dict[str, Any] | None:
        try:
            return smh.find_library(smh.client(self.settings()), library_id).raw
        except NotFound:
            return None

    def delete_library(self, library_id: str) -> None:
        smh.delete_library(smh.client(self.settings()), library_id)


def _found(find: Callable[[], T]) -> T | None:
    """What a provider finder returns, or None for NotFound."""
    try:
        return find()
    except NotFound:
        return None


def _sweep_one(what: str, detail: str, delete: Callable[[], None], deleted: list[str], failed: list[str]) -> None:
    """Run one delete of the sweep: `what` + `detail` into deleted, or `what: error` into failed (gone: neither)."""
    try:
        delete()
        deleted.append(what + detail)
    except NotFound:
        pass
    except ProviderError as err:
        failed.append(f"{what}: {err}")


def sweep(target: Target) -> list[str]:
    """Delete every library and bucket whose name starts with the run's prefix (libraries also when bound to such
    a bucket): spaces first, then libraries, then media processing, objects and buckets. Returns what it deleted;
    raises after trying everything if anything could not be deleted."""
    if not target.live or not target.run_id:
        return []
    settings, deleted, failed = target.settings(), [], []
    client = smh.client(settings)
    for lib in smh.list_libraries(client):
        lib_id = lib.id
        if not (target.owns(lib.name) or target.owns(lib.bucket)):
            continue

        def delete_library(lib_id: str = lib_id, multi_tenant: bool = bool(lib.settings.get("multi_tenant"))) -> None:
            if multi_tenant:
                plane = DataPlane(settings, lib_id)
                for space in plane.list_spaces():
                    plane.delete_space(space.space_id, force=True)
            smh.delete_library(client, lib_id)
        _sweep_one(f"library {lib_id}", f" ({lib.name})", delete_library, deleted, failed)
    c = cos.client(settings, target.region)
    listing = cos.call(lambda: c.list_buckets(), "listing buckets")
    buckets = (listing.get("Buckets") or {}).get("Bucket") or []
    for b in [buckets] if isinstance(buckets, dict) else buckets:
        name = b.get("Name", "")
        if not target.owns(name):
            continue
        bc = cos.client(settings, b.get("Location") or target.region)

        def delete_bucket(bc: Any = bc, name: str = name) -> None:
            try:
                cos.unbind_media(bc, name)
            except ProviderError:
                pass  # not bound (the code for that differs between CI regions); the bucket delete still decides
            cos.empty_bucket(bc, name)
            cos.delete_bucket(bc, name)
        _sweep_one(f"bucket {name}", "", delete_bucket, deleted, failed)
    if failed:
        raise RuntimeError(f"live sweep of run {target.run_id} left resources behind: " + "; ".join(failed))
    return deleted
