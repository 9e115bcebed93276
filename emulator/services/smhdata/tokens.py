"""Access tokens (fact sheet 5.2): create with the library secret, renew, delete, and the check every call makes."""

from __future__ import annotations

from typing import Any

from emulator.services.smhdata.common import BackendBase, Caller, fail, invalid, random_id

DEFAULT_PERIOD = 86400
MIN_PERIOD = 1200
RENEW_SLACK = 60  # a use renews the token at most once a minute (each renewal is a durable write)
MAX_USER_IDS = 10
GRANTS = frozenset({
    "acl", "admin", "create_space", "delete_space", "space_admin", "create_directory", "delete_directory",
    "delete_directory_permanent", "move_directory", "copy_directory", "upload_file", "upload_file_force",
    "begin_upload", "begin_upload_force", "confirm_upload", "create_symlink", "create_symlink_force", "delete_file",
    "delete_file_permanent", "move_file", "move_file_force", "copy_file", "copy_file_force", "delete_recycled",
    "restore_recycled",
})


def _csv(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


class TokenActions(BackendBase):
    def _secret_library(self, library_id: str, library_secret: str) -> dict[str, Any]:
        if not library_id and not library_secret:
            raise fail("EmptyLibraryIdOrSecret", "library_id and library_secret are required")
        if not library_id:
            raise fail("EmptyLibraryId", "library_id is required")
        if not library_secret:
            raise fail("EmptyLibrarySecret", "library_secret is required")
        doc = self.store.get("library", library_id)
        if doc is None or doc.get("secret") != library_secret:
            raise fail("WrongLibraryIdOrSecret", "The library id or library secret is wrong")
        return doc

    def create_access_token(self, library_id: str, library_secret: str, space_ids: str, user_id: str,
                            client_id: str, session_id: str, period: int | None, grants: str) -> dict[str, Any]:
        """Issue an access token; returns {accessToken, expiresIn}.

        Fidelity gap: success answers 200 with the JSON body (the doc text says 204 next to a JSON body).
        Fidelity gap: `space_id` values are not checked against existing spaces when the token is issued (a
        missing space answers SpaceNotFound when used); single-tenant libraries ignore them. Unknown `grant`
        values are kept but grant nothing. `period` has no upper bound; a non-integer or negative period
        answers 400 InvalidParameter. The token value is `acctk01` + 40 lowercase letters and digits.
        """
        with self.store.transaction():
            lib = self._secret_library(library_id, library_secret)
            if period is not None and period < 0:
                raise invalid(f"period must be a non-negative number of seconds, got {period}")
            period = DEFAULT_PERIOD if period is None else max(period, MIN_PERIOD)
            token = random_id("acctk01", 40)
            now = self.clock()
            doc = {
                "libraryId": lib["LibraryId"], "accessToken": token, "spaceIds": _csv(space_ids),
                "userId": user_id or "", "clientId": client_id or "", "sessionId": session_id or "",
                "grants": _csv(grants), "period": period, "created": now, "expires": now + period,
            }
            self.store.put("smh_token", f"{lib['LibraryId']}/{token}", doc)
        return {"accessToken": token, "expiresIn": period}

    def _live_token(self, library_id: str, token: str) -> dict[str, Any]:
        doc = self.store.get("smh_token", f"{library_id}/{token}") if token else None
        if doc is None or doc["expires"] <= self.clock():
            raise fail("InvalidAccessToken", "The access token is invalid, expired or belongs to another library")
        return doc

    def renew_access_token(self, library_id: str, token: str) -> dict[str, Any]:
        """Extend a live token by the period it was issued with; returns {accessToken, expiresIn}."""
        with self.store.transaction():
            self._library(library_id)
            doc = self._live_token(library_id, token)
            doc["expires"] = self.clock() + doc["period"]
            self.store.put("smh_token", f"{library_id}/{token}", doc)
        return {"accessToken": token, "expiresIn": doc["period"]}

    def delete_access_token(self, library_id: str, token: str) -> None:
        """Revoke one token (no secret needed).

        Fidelity gap: deleting an unknown or expired token also answers 204 (the docs list no error for it).
        """
        with self.store.transaction():
            self._library(library_id)
            self.store.delete("smh_token", f"{library_id}/{token}")

    def delete_user_access_tokens(self, library_id: str, library_secret: str, user_ids: str, client_ids: str,
                                  session_ids: str) -> int:
        """Revoke every token of the listed users (optionally only those with the listed client/session ids).

        Fidelity gap: a missing `user_id` or more than 10 user ids answer 400 InvalidParameter (the real codes are
        undocumented); the 100-id limits on client_id/session_id are not enforced.
        """
        users, clients, sessions = _csv(user_ids), set(_csv(client_ids)), set(_csv(session_ids))
        with self.store.transaction():
            lib = self._secret_library(library_id, library_secret)
            if not users:
                raise invalid("user_id is required (comma-separated, at most 10)")
            if len(users) > MAX_USER_IDS:
                raise invalid(f"At most {MAX_USER_IDS} user ids per call, got {len(users)}")
            removed = 0
            for key, doc in self.store.items("smh_token", f"{lib['LibraryId']}/"):
                if (doc["userId"] in users and (not clients or doc["clientId"] in clients)
                        and (not sessions or doc["sessionId"] in sessions)):
                    self.store.delete("smh_token", key)
                    removed += 1
        return removed

    def authenticate(self, library_id: str, token: str, user_id: str = "") -> Caller:
        """The caller of any other call: a live token of this library, renewed by the use.

        Fidelity gap: the token is read from `access_token` or, failing that, an `Authorization: Bearer` header.
        Order of checks: EmptyAccessToken, LibraryNotFound, InvalidAccessToken; then each action checks its grant
        (NoPermission) before the token's spaces (AccessTokenNotMatchSpace). `user_id` stands in for the user only
        for admin tokens issued without one.
        Fidelity gap: a use renews the token for its full period at most once a minute (each renewal is a durable
        write), so the expiry may trail the last use by up to 60 s.
        """
        if not token:
            raise fail("EmptyAccessToken", "access_token is required")
        with self.store.transaction():
            lib = self._library(library_id)
            doc = self._live_token(library_id, token)
            now = self.clock()
            if doc["expires"] - now < doc["period"] - RENEW_SLACK:
                doc["expires"] = now + doc["period"]
                self.store.put("smh_token", f"{library_id}/{token}", doc)
        user = doc["userId"] or (user_id if "admin" in doc["grants"] else "")
        return Caller(lib, doc, user)

    def public_caller(self, library_id: str, space_id: str) -> Caller:
        """An anonymous caller, allowed only for reads of a public-read space (or single-tenant library).

        Fidelity gap: directory listing and file head, download and preview honour public read; other read APIs
        (file info, search, ...) are not emulated.
        """
        lib = self.store.get("library", library_id) if library_id else None
        ext = (lib or {}).get("LibraryExtension") or {}
        if lib is None:
            public = False
        elif ext.get("IsMultiSpace"):
            space = self.store.get("space", f"{library_id}/{space_id}")
            public = bool(space and space.get("isPublicRead"))
        else:
            public = bool(ext.get("IsPublicRead"))
        if lib is None or not public:
            raise fail("EmptyAccessToken", "access_token is required")
        return Caller(lib)
