"""Accounts and API keys known to the emulator.

The default account is what a fresh `python -m emulator` accepts:

    APPID       1250000000
    OwnerUin    100000000001
    SecretId    AKIDEMULATOR0000000000000000000000000
    SecretKey   emulatorSecretKey0000000000000000

These are public, documented test values; they grant nothing anywhere but here.
More accounts come from `--accounts FILE`, a JSON list:

    [{"app_id": "1250000001", "owner_uin": "100000000002",
      "keys": [{"secret_id": "AKID...", "secret_key": "...", "token": "optional"}]}]

A key with a "token" is a temporary credential: requests signed with it must carry that
token (x-cos-security-token / x-ci-security-token / X-TC-Token).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_APP_ID = "1250000000"
DEFAULT_OWNER_UIN = "100000000001"
DEFAULT_SECRET_ID = "AKIDEMULATOR0000000000000000000000000"
DEFAULT_SECRET_KEY = "emulatorSecretKey0000000000000000"


@dataclass(frozen=True)
class Key:
    secret_id: str
    secret_key: str
    token: str | None = None


@dataclass
class Account:
    app_id: str
    owner_uin: str
    keys: list[Key] = field(default_factory=list)


class Accounts:
    """Lookup of keys by SecretId; each key belongs to one account."""

    def __init__(self, accounts: list[Account]) -> None:
        self.accounts = accounts
        self._by_secret_id: dict[str, tuple[Account, Key]] = {}
        for acct in accounts:
            for key in acct.keys:
                self._by_secret_id[key.secret_id] = (acct, key)

    def lookup(self, secret_id: str) -> tuple[Account, Key] | None:
        return self._by_secret_id.get(secret_id)

    def by_app_id(self, app_id: str) -> Account | None:
        return next((a for a in self.accounts if a.app_id == app_id), None)

    @classmethod
    def build(
        cls,
        app_id: str = DEFAULT_APP_ID,
        secret_id: str = DEFAULT_SECRET_ID,
        secret_key: str = DEFAULT_SECRET_KEY,
        owner_uin: str = DEFAULT_OWNER_UIN,
        accounts_file: str | None = None,
    ) -> Accounts:
        accounts = [Account(app_id, owner_uin, [Key(secret_id, secret_key)])]
        if accounts_file:
            for raw in json.loads(Path(accounts_file).read_text()):
                keys = [Key(k["secret_id"], k["secret_key"], k.get("token")) for k in raw.get("keys", [])]
                existing = next((a for a in accounts if a.app_id == str(raw["app_id"])), None)
                if existing:
                    existing.keys.extend(keys)
                else:
                    accounts.append(Account(str(raw["app_id"]), str(raw.get("owner_uin", raw["app_id"])), keys))
        return cls(accounts)
