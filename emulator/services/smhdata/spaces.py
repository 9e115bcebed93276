"""Tenant spaces (fact sheet 5.3): create, list, count, size, delete, and their extension attributes."""

from __future__ import annotations

from typing import Any

from emulator.services.smhdata.common import SINGLE_SPACE, BackendBase, Caller, fail, invalid, iso, random_id

MAX_LIST = 1000
# Extension attributes: wire name -> (type, default). isMultiAlbum is creation-only.
ATTRS: dict[str, tuple[type, Any]] = {
    "isPublicRead": (bool, False), "isMultiAlbum": (bool, False), "allowPhoto": (bool, False),
    "allowVideo": (bool, False), "allowPhotoExtname": (list, []), "allowVideoExtname": (list, []),
    "allowFileExtname": (list, []), "recognizeSensitiveContent": (bool, False), "spaceTag": (str, ""),
}
CREATE_ONLY = ("isMultiAlbum",)


def check_attrs(given: dict[str, Any]) -> dict[str, Any]:
    """The known attributes of a JSON body, type-checked; unknown keys are ignored."""
    out: dict[str, Any] = {}
    for name, (kind, _) in ATTRS.items():
        if name not in given or given[name] is None:
            continue
        value = given[name]
        ok = isinstance(value, kind) and (kind is not list or all(isinstance(v, str) for v in value))
        if not ok:
            raise invalid(f"`{name}` must be a {'string array' if kind is list else kind.__name__}")
        out[name] = value
    return out


def public_space(doc: dict[str, Any]) -> dict[str, Any]:
    return {"spaceId": doc["spaceId"], "userId": doc["userId"], "creationTime": doc["creationTime"]}


class SpaceActions(BackendBase):
    def _multi(self, caller: Caller) -> None:
        if not caller.multi_space:
            raise fail("NotMultiSpaceLibrary", f"Library `{caller.library_id}` is not a multi-tenant library")

    def _space_of(self, caller: Caller, space_id: str) -> dict[str, Any]:
        self._multi(caller)
        return self._space_doc(caller.library_id, space_id)

    def create_space(self, caller: Caller, attrs: dict[str, Any]) -> str:
        """Create a tenant space with optional extension attributes; returns the new SpaceId.

        Fidelity gap: space ids are `space` + 13 random lowercase letters and digits; a caller-chosen spaceId
        (newer SDK docs) is not supported. Attribute defaults follow the create doc (allowPhoto/allowVideo false);
        unknown body keys are ignored, wrongly typed ones answer 400 InvalidParameter. The space's userId is the
        token's user (or `user_id` for an admin token issued without one).
        """
        caller.require("create_space")
        self._multi(caller)
        clean = check_attrs(attrs)
        with self.store.transaction():
            while True:
                space_id = random_id("space", 13)
                if self.store.get("space", f"{caller.library_id}/{space_id}") is None:
                    break
            now = self.clock()
            doc = {"spaceId": space_id, "libraryId": caller.library_id, "userId": caller.user_id,
                   "creationTime": iso(now), "created": now}
            doc |= {name: clean.get(name, default) for name, (_, default) in ATTRS.items()}
            self.store.put("space", f"{caller.library_id}/{space_id}", doc)
        return space_id

    def list_spaces(self, caller: Caller, marker: str, limit: int | None) -> dict[str, Any]:
        """A page of spaces in SpaceId order; without admin/space_admin only the caller's own spaces.

        Fidelity gap: the marker is the last SpaceId of the previous page (real markers are opaque strings);
        a limit outside 1..1000 answers 400 InvalidParameter.
        """
        self._multi(caller)
        limit = MAX_LIST if limit is None else limit
        if not 1 <= limit <= MAX_LIST:
            raise invalid(f"limit must be within 1..{MAX_LIST}, got {limit}")
        everyone = caller.admin or "space_admin" in caller.grants
        after = f"{caller.library_id}/{marker}" if marker else ""
        docs = [d for _, d in self.store.items("space", f"{caller.library_id}/", after=after)
                if everyone or d["userId"] == caller.user_id]
        out: dict[str, Any] = {"list": [public_space(d) for d in docs[:limit]], "marker": marker or ""}
        if len(docs) > limit:
            out["nextMarker"] = docs[limit - 1]["spaceId"]
        return out

    def get_space_count(self, caller: Caller) -> int:
        """Fidelity gap: any valid token of the library may count its spaces (the grant needed is undocumented)."""
        self._multi(caller)
        return self.store.count("space", f"{caller.library_id}/")

    def delete_space(self, caller: Caller, space_id: str, force: bool) -> None:
        """Delete a tenant space with everything in it.

        Fidelity gap: a space holding directories or files is refused with 409 SpaceNotEmpty unless `force=1`
        (the iOS SDK's `force` parameter; the real semantics are undocumented). Deleting a space removes it from
        its quota (and the quota when no space is left); its access tokens stay and simply stop matching.
        """
        caller.require("delete_space")
        with self.store.transaction():
            self._space_of(caller, space_id)
            prefix = f"{caller.library_id}/{space_id}/"
            if not force and (self.store.count("smh_dir", prefix) or self.store.count("smh_file", prefix)):
                raise fail("SpaceNotEmpty", f"The space `{space_id}` is not empty; delete its contents or pass force=1")
            self.store.delete_prefix("smh_dir", prefix)
            self.store.delete_prefix("smh_file", prefix)
            for key, quota in self.store.items("smh_quota", f"{caller.library_id}/"):
                if space_id in quota["spaces"]:
                    quota["spaces"].remove(space_id)
                    if quota["spaces"]:
                        self.store.put("smh_quota", key, quota)
                    else:
                        self.store.delete("smh_quota", key)
            self.store.delete("space", f"{caller.library_id}/{space_id}")

    def get_space_size(self, caller: Caller, space_id: str) -> str:
        """Bytes used by the space's files, as a string.

        Fidelity gap: single-tenant libraries answer for SpaceId `-`; files in the recycle bin are not counted.
        """
        if caller.multi_space or space_id != SINGLE_SPACE:
            self._space_of(caller, space_id)
        return str(self._usage(caller.library_id, space_id))

    def get_space_extension(self, caller: Caller, space_id: str) -> dict[str, Any]:
        """The space's extension attributes.

        Fidelity gap: spaceTag and allowFileExtname are returned too (the doc example shows neither). For SpaceId
        `-` of a single-tenant library the library's own LibraryExtension values are shown (null as false / []).
        """
        if not caller.multi_space and space_id == SINGLE_SPACE:
            ext = caller.ext
            return {"isPublicRead": bool(ext.get("IsPublicRead")), "isMultiAlbum": bool(ext.get("IsMultiAlbum")),
                    "allowPhoto": bool(ext.get("AllowPhoto")), "allowVideo": bool(ext.get("AllowVideo")),
                    "allowPhotoExtname": ext.get("AllowPhotoExtName") or [],
                    "allowVideoExtname": ext.get("AllowVideoExtName") or [],
                    "allowFileExtname": ext.get("AllowFileExtName") or [],
                    "recognizeSensitiveContent": bool(ext.get("RecognizeSensitiveContent")), "spaceTag": ""}
        doc = self._space_of(caller, space_id)
        return {name: doc.get(name, default) for name, (_, default) in ATTRS.items()}

    def update_space_extension(self, caller: Caller, space_id: str, attrs: dict[str, Any]) -> None:
        """Change only the passed attributes (204).

        Fidelity gap: success answers 204 (the doc gives no status). isMultiAlbum cannot change: a different value
        answers 400 ImmutableSpaceAttribute, the current value is accepted. SpaceId `-` of a single-tenant library
        answers 400 NotMultiSpaceLibrary (change those settings with ModifyLibrary).
        """
        caller.require("space_admin")
        clean = check_attrs(attrs)
        with self.store.transaction():
            doc = self._space_of(caller, space_id)
            for name in CREATE_ONLY:
                if name in clean and clean[name] != doc.get(name):
                    raise fail("ImmutableSpaceAttribute", f"`{name}` can only be set when the space is created",
                               400)
            doc |= clean
            self.store.put("space", f"{caller.library_id}/{space_id}", doc)
