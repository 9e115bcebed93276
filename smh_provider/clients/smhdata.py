"""SMH data plane (business API; no Python SDK exists): tenant spaces and albums over plain HTTP.

Every call carries an access token. Tokens are fetched with the library secret, which the
provider reads itself (DescribeLibrarySecret, with the provider's credentials); both are cached
per library inside the provider process only (thread-safe), and a token is renewed before it
expires. Neither ever enters inputs, outputs, state or logs.

Real SMH is HTTPS on `<LibraryId>.api.tencentsmh.cn`; against the emulator the same URL is sent
as plain http through the emulator as a proxy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from smh_provider.clients import smh
from smh_provider.config import Settings
from smh_provider.errors import AlreadyExists, CloudError, NotFound, TransportError, cloud_error
from smh_provider.memo import PerKey

TOKEN_PERIOD = 7200  # seconds asked for; the service raises anything under 1200 to 1200
RENEW_MARGIN = 300  # fetch a new token this long before the old one expires


@dataclass
class _Token:
    value: str
    expires_at: float


def _pooled_session() -> requests.Session:
    """One session for the process; a SpaceSet keeps up to 64 calls in flight, more than the default pool's 10."""
    session = requests.Session()
    for scheme in ("http://", "https://"):
        session.mount(scheme, requests.adapters.HTTPAdapter(pool_connections=16, pool_maxsize=64))
    return session


class DataPlane:
    """One library's data plane, bound to the provider's settings."""

    # One secret and one token fetch per library even under concurrent creates (the engine runs up to 4 at once).
    _secrets: PerKey[str] = PerKey()
    _tokens: PerKey[_Token] = PerKey(valid=lambda tok: tok.expires_at - RENEW_MARGIN > time.time())
    _session = _pooled_session()

    def __init__(self, settings: Settings, library_id: str) -> None:
        self.settings = settings
        self.library_id = library_id
        self.key = (settings, library_id)
        host = f"{library_id}.api.tencentsmh.cn"
        self.base = f"http://{host}/api/v1" if settings.proxy else f"https://{host}/api/v1"
        self.proxies = {"http": settings.proxy, "https": settings.proxy} if settings.proxy else None

    # -- credentials ----------------------------------------------------------------------------
    def _secret(self) -> str:
        doing = f"reading the secret of media library {self.library_id}"
        return self._secrets.get(self.key, lambda: smh.library_secret(smh.client(self.settings), self.library_id,
                                                                      doing))

    def token(self) -> str:
        def fetch() -> _Token:
            data = self._send("GET", "/token", doing=f"getting an access token for media library {self.library_id}",
                              params={"library_id": self.library_id, "library_secret": self._secret(),
                                      "grant": "admin", "period": str(TOKEN_PERIOD)}, auth=False)
            return _Token(str(data["accessToken"]), time.time() + float(data.get("expiresIn") or TOKEN_PERIOD))

        return self._tokens.get(self.key, fetch).value

    def forget_token(self) -> None:
        self._tokens.forget(self.key)

    # -- transport -------------------------------------------------------------------------------
    def _send(self, method: str, path: str, doing: str, params: dict[str, str] | None = None,
              body: Any = None, auth: bool = True) -> Any:
        params = dict(params or {})
        if auth:
            params["access_token"] = self.token()
        try:
            resp = self._session.request(method, self.base + path, params=params, json=body, timeout=30,
                                         proxies=self.proxies)
        except requests.RequestException as err:
            raise TransportError("ConnectionError", type(err).__name__, "", 0, doing) from None
        if resp.status_code >= 300:
            try:
                data = resp.json()
            except ValueError:
                data = {}
            code = data.get("code") or f"HTTP{resp.status_code}"
            rid = data.get("requestId") or resp.headers.get("x-smh-request-id", "")
            err = cloud_error(code, data.get("message") or resp.reason or code, rid, resp.status_code, doing)
            if code == "InvalidAccessToken" and auth:
                self.forget_token()
            raise err
        if not resp.content:
            return {}
        try:
            return resp.json()
        except ValueError:
            return {}

    def call(self, method: str, path: str, doing: str, **kw: Any) -> Any:
        """One authenticated call; an expired/revoked token is replaced once."""
        try:
            return self._send(method, path, doing, **kw)
        except CloudError as err:
            if err.code != "InvalidAccessToken":
                raise
            return self._send(method, path, doing, **kw)

    # -- spaces -----------------------------------------------------------------------------------
    def create_space(self, attrs: dict[str, Any], user_id: str | None = None) -> str:
        """Create a space; `user_id` (the space's owner user, listed by list_spaces) carries our mark."""
        data = self.call("POST", f"/space/{self.library_id}", f"creating a tenant space in {self.library_id}",
                         body=attrs, params={"user_id": user_id} if user_id else None)
        return str(data["spaceId"])

    def list_spaces(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        marker = ""
        while True:
            params = {"limit": "1000", **({"marker": marker} if marker else {})}
            data = self.call("GET", f"/space/{self.library_id}/list", f"listing tenant spaces of {self.library_id}",
                             params=params)
            out.extend(data.get("list") or [])
            marker = data.get("nextMarker") or ""
            if not marker:
                return out

    def space_extension(self, space_id: str) -> dict[str, Any]:
        return self.call("GET", f"/space/{self.library_id}/{space_id}/extension",
                         f"reading tenant space {space_id} of {self.library_id}")

    def update_space_extension(self, space_id: str, attrs: dict[str, Any]) -> None:
        self.call("POST", f"/space/{self.library_id}/{space_id}/extension",
                  f"updating tenant space {space_id} of {self.library_id}", body=attrs)

    def space_size(self, space_id: str) -> int:
        data = self.call("GET", f"/space/{self.library_id}/{space_id}/size",
                         f"reading the size of tenant space {space_id}")
        return int(data.get("size") or 0)

    def delete_space(self, space_id: str, force: bool) -> None:
        self.call("DELETE", f"/space/{self.library_id}/{space_id}", f"deleting tenant space {space_id}",
                  params={"force": "1"} if force else None)

    # -- space quotas -------------------------------------------------------------------------------
    def get_space_quota(self, space_id: str) -> int | None:
        try:
            data = self.call("GET", f"/quota/{self.library_id}/{space_id}", f"reading the quota of space {space_id}")
        except NotFound:
            return None
        return int(data["capacity"])

    def set_space_quota(self, space_id: str, capacity: int, exists: bool) -> None:
        body = {"capacity": str(capacity), "removeWhenExceed": False, "removeAfterDays": 0}
        doing = f"setting the quota of space {space_id} to {capacity} bytes"
        if not exists:
            try:
                self.call("POST", f"/quota/{self.library_id}", doing, body={"spaces": [space_id], **body})
                return
            except AlreadyExists:
                pass  # an earlier attempt whose answer was lost created it: set the value instead
        self.call("PUT", f"/quota/{self.library_id}/{space_id}", doing, body=body)

    # -- albums (first-level directories) ---------------------------------------------------------
    def _dir(self, space_id: str, name: str = "") -> str:
        return f"/directory/{self.library_id}/{space_id}" + (f"/{quote(name, safe='')}" if name else "")

    def list_dir(self, space_id: str, name: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        contents: list[dict[str, Any]] = []
        page = 1
        while True:
            data = self.call("GET", self._dir(space_id, name), f"listing album {name or '/'} in space {space_id}",
                             params={"page": str(page), "page_size": "100"})
            out = data
            contents.extend(data.get("contents") or [])
            if len(contents) >= int(data.get("totalNum") or 0) or not data.get("contents"):
                return {**out, "contents": contents}
            page += 1

    def create_album(self, space_id: str, name: str) -> None:
        self.call("PUT", self._dir(space_id, name), f"creating album {name!r} in space {space_id}",
                  params={"conflict_resolution_strategy": "ask"})

    def rename_album(self, space_id: str, old: str, new: str) -> None:
        self.call("PUT", self._dir(space_id, new), f"renaming album {old!r} to {new!r} in space {space_id}",
                  body={"from": old})

    def delete_album(self, space_id: str, name: str) -> None:
        self.call("DELETE", self._dir(space_id, name), f"deleting album {name!r} in space {space_id}",
                  params={"permanent": "1"})
