"""SMH data plane (business API; no Python SDK exists): tenant spaces and albums over plain HTTP.

Methods take and return the provider's own terms: a space's settings are a dict keyed by the Space
property names (`SPACE_SETTINGS` maps them to the wire's attributes). `DataPlane.call` runs every request
under `retry.DEFAULT_POLICY`; an access token the service no longer accepts is replaced once, in the same
loop.

Every call carries an access token. Tokens are fetched with the library secret, which the
provider reads itself (DescribeLibrarySecret, with the provider's credentials); both are cached
per library inside the provider process only (thread-safe), and a token is renewed before it
expires. Neither ever enters inputs, outputs, state or logs.

Real SMH is HTTPS on `<LibraryId>.api.tencentsmh.cn`; against the emulator the same URL is sent
as plain http through the emulator as a proxy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from smh_provider.clients import smh
from smh_provider.config import Settings
from smh_provider.errors import AlreadyExists, CloudError, NotFound, TransportError, cloud_error
from smh_provider.memo import PerKey
from smh_provider.retry import DEFAULT_POLICY

TOKEN_PERIOD = 7200  # seconds asked for; the service raises anything under 1200 to 1200
RENEW_MARGIN = 300  # fetch a new token this long before the old one expires
# Space property -> space extension attribute on the wire.
SPACE_SETTINGS = {
    "allow_photo": "allowPhoto", "allow_video": "allowVideo", "public_read": "isPublicRead",
    "allow_photo_ext": "allowPhotoExtname", "allow_video_ext": "allowVideoExtname",
    "recognize_sensitive_content": "recognizeSensitiveContent", "multi_album": "isMultiAlbum",
    "space_tag": "spaceTag",
}


@dataclass(frozen=True)
class SpaceEntry:
    """A space as the library's space listing shows it: its id and its owner user (our ownership mark)."""

    space_id: str
    user_id: str


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
        self.base = f"http://{host}/api/v1" if settings.endpoint else f"https://{host}/api/v1"
        self.proxies = {"http": settings.endpoint, "https": settings.endpoint} if settings.endpoint else None

    # -- credentials ----------------------------------------------------------------------------
    def _secret(self) -> str:
        return self._secrets.get(self.key, lambda: smh.library_secret(smh.client(self.settings), self.library_id))

    def token(self) -> str:
        def fetch() -> _Token:
            doing = f"getting an access token for media library {self.library_id}"
            params = {"library_id": self.library_id, "library_secret": self._secret(), "grant": "admin",
                      "period": str(TOKEN_PERIOD)}
            data = DEFAULT_POLICY.call(lambda: self._send("GET", "/token", doing, params=params, auth=False), doing)
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
            raise cloud_error(code, data.get("message") or resp.reason or code, rid, resp.status_code, doing)
        if not resp.content:
            return {}
        try:
            return resp.json()
        except ValueError:
            return {}

    def call(self, method: str, path: str, doing: str, idempotent: bool = True,
             landed: Callable[[], Any] | None = None, **kw: Any) -> Any:
        """One authenticated call under the retry policy; a token the service refuses is replaced once.

        A call that must not apply twice says `idempotent=False` and may give `landed` (see
        `RetryPolicy.look_before_retry`).
        """
        def send() -> Any:
            return self._send(method, path, doing, **kw)

        return DEFAULT_POLICY.run(send, doing, idempotent, landed, renew=self._renew)

    def _renew(self, err: CloudError) -> bool:
        """An expired or revoked token: forget it, so the next attempt fetches a new one."""
        if err.code != "InvalidAccessToken":
            return False
        self.forget_token()
        return True

    # -- spaces -----------------------------------------------------------------------------------
    def create_space(self, settings: dict[str, Any], user_id: str | None = None,
                     landed: Callable[[], str | None] | None = None) -> str:
        """Create a space; `user_id` (the space's owner user, listed by list_spaces) carries our mark.

        Not idempotent: after a failure that may have applied, `landed()` finds the space an earlier attempt
        made (its id) or says None; without it, only a throttled attempt is tried again.
        """
        data = self.call("POST", f"/space/{self.library_id}", f"creating a tenant space in {self.library_id}",
                         idempotent=False, landed=landed and (lambda: _as_created(landed())),
                         body=_attrs(settings), params={"user_id": user_id} if user_id else None)
        return str(data["spaceId"])

    def list_spaces(self) -> list[SpaceEntry]:
        out: list[SpaceEntry] = []
        marker = ""
        while True:
            params = {"limit": "1000", **({"marker": marker} if marker else {})}
            data = self.call("GET", f"/space/{self.library_id}/list", f"listing tenant spaces of {self.library_id}",
                             params=params)
            out.extend(SpaceEntry(str(s["spaceId"]), str(s.get("userId") or "")) for s in data.get("list") or [])
            marker = data.get("nextMarker") or ""
            if not marker:
                return out

    def find_space(self, space_id: str) -> dict[str, Any]:
        """The space's settings (property name -> value, for those the service reports), or NotFound."""
        ext = self.call("GET", f"/space/{self.library_id}/{space_id}/extension",
                        f"reading tenant space {space_id} of {self.library_id}")
        return {name: ext[wire] for name, wire in SPACE_SETTINGS.items() if wire in ext}

    def update_space(self, space_id: str, settings: dict[str, Any], doing: str = "") -> None:
        """Set the given settings (those with a value) of a space."""
        self.call("POST", f"/space/{self.library_id}/{space_id}/extension",
                  doing or f"updating tenant space {space_id} of {self.library_id}", body=_attrs(settings))

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
    def where(self, space_id: str) -> str:
        """Where an album is, in words: a single-tenant library's albums are in the space '-'."""
        return f"in media library {self.library_id}" if space_id == "-" else f"in space {space_id}"

    def _dir(self, space_id: str, name: str = "") -> str:
        return f"/directory/{self.library_id}/{space_id}" + (f"/{quote(name, safe='')}" if name else "")

    def list_dir(self, space_id: str, name: str = "") -> list[dict[str, Any]]:
        """The entries of a space's root (or of album `name`): each has at least `name` and `type`."""
        contents: list[dict[str, Any]] = []
        page = 1
        while True:
            data = self.call("GET", self._dir(space_id, name), f"listing album {name or '/'} {self.where(space_id)}",
                             params={"page": str(page), "page_size": "100"})
            contents.extend(data.get("contents") or [])
            if len(contents) >= int(data.get("totalNum") or 0) or not data.get("contents"):
                return contents
            page += 1

    def album_names(self, space_id: str) -> set[str]:
        """Names of the albums (first-level directories) of a space."""
        return {entry["name"] for entry in self.list_dir(space_id) if entry.get("type") == "dir"}

    def create_album(self, space_id: str, name: str) -> None:
        self.call("PUT", self._dir(space_id, name), f"creating album {name!r} {self.where(space_id)}",
                  params={"conflict_resolution_strategy": "ask"})

    def rename_album(self, space_id: str, old: str, new: str) -> None:
        self.call("PUT", self._dir(space_id, new), f"renaming album {old!r} to {new!r} {self.where(space_id)}",
                  body={"from": old})

    def delete_album(self, space_id: str, name: str) -> None:
        self.call("DELETE", self._dir(space_id, name), f"deleting album {name!r} {self.where(space_id)}",
                  params={"permanent": "1"})


def _attrs(settings: dict[str, Any]) -> dict[str, Any]:
    return {SPACE_SETTINGS[name]: value for name, value in settings.items() if value is not None}


def _as_created(space_id: str | None) -> dict[str, Any] | None:
    """What CreateSpace answers, for a space an earlier attempt created."""
    return {"spaceId": space_id} if space_id else None
