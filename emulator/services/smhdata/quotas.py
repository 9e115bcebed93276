"""Space quotas (fact sheet 5.3, admin only): create, read, modify, and the check uploads make."""

from __future__ import annotations

from typing import Any

from emulator.services.smhdata.common import SINGLE_SPACE, BackendBase, Caller, fail, invalid

MAX_CAPACITY = 9223372036854775807


def _capacity(value: Any) -> int:
    """Capacity arrives as a string of digits (documented) or a JSON number."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).isdigit():
        raise invalid("capacity must be a positive number of bytes (a string of digits)")
    n = int(value)
    if not 1 <= n <= MAX_CAPACITY:
        raise invalid(f"capacity must be within 1..{MAX_CAPACITY}")
    return n


def _settings(body: dict[str, Any]) -> dict[str, Any]:
    if "capacity" not in body:
        raise invalid("capacity is required")
    out: dict[str, Any] = {"capacity": _capacity(body["capacity"])}
    for name, kind, required in (("removeWhenExceed", bool, True), ("removeAfterDays", int, True),
                                 ("removeNewest", bool, False)):
        value = body.get(name)
        if value is None:
            if required:
                raise invalid(f"{name} is required")
            value = False
        if not isinstance(value, kind) or (kind is int and (isinstance(value, bool) or value < 0)):
            raise invalid(f"{name} must be a {'non-negative integer' if kind is int else 'boolean'}")
        out[name] = value
    return out


class QuotaActions(BackendBase):
    def _quota_of(self, library_id: str, space_id: str) -> tuple[str, dict[str, Any]] | None:
        for key, doc in self.store.items("smh_quota", f"{library_id}/"):
            if space_id in doc["spaces"]:
                return key, doc
        return None

    def create_quota(self, caller: Caller, body: dict[str, Any]) -> int:
        """Create one quota shared by the listed spaces (multi-tenant) or for the library's `-` space.

        Fidelity gap: needs the admin grant for all three quota calls. Quota ids count from 1 per library. A space
        that already has a quota answers 409 DuplicateQuota; `spaces` on a single-tenant library, a missing or
        empty `spaces` on a multi-tenant one, and malformed fields answer 400 InvalidParameter. removeWhenExceed,
        removeAfterDays and removeNewest are stored but no automatic removal happens.
        """
        caller.require()
        settings = _settings(body)
        spaces = body.get("spaces")
        with self.store.transaction():
            if caller.multi_space:
                if not isinstance(spaces, list) or not spaces or not all(isinstance(s, str) for s in spaces):
                    raise invalid("spaces must be a non-empty array of space ids in a multi-tenant library")
                for space_id in spaces:
                    self._space_doc(caller.library_id, space_id)
            else:
                if spaces:
                    raise invalid("spaces is only accepted by multi-tenant libraries")
                spaces = [SINGLE_SPACE]
            for space_id in spaces:
                if self._quota_of(caller.library_id, space_id):
                    raise fail("DuplicateQuota", f"The space `{space_id}` already has a quota")
            quota_id = self._next_id(caller.library_id, "quota")
            self.store.put("smh_quota", f"{caller.library_id}/{quota_id}",
                           {"id": quota_id, "spaces": list(dict.fromkeys(spaces))} | settings)
        return quota_id

    def get_quota(self, caller: Caller, space_id: str) -> dict[str, Any]:
        """{id, capacity} of the quota covering the space; 404 NoQuota when there is none."""
        caller.require()
        found = self._quota_of(caller.library_id, space_id)
        if found is None:
            raise fail("NoQuota", f"The space `{space_id}` has no quota")
        return {"id": found[1]["id"], "capacity": str(found[1]["capacity"])}

    def update_quota(self, caller: Caller, space_id: str, body: dict[str, Any]) -> None:
        """Replace the settings of the quota covering the space (and so of every space sharing it)."""
        caller.require()
        settings = _settings(body)
        with self.store.transaction():
            found = self._quota_of(caller.library_id, space_id)
            if found is None:
                raise fail("NoQuota", f"The space `{space_id}` has no quota")
            self.store.put("smh_quota", found[0], found[1] | settings)

    def _check_quota(self, library_id: str, space_id: str, growth: int) -> None:
        """Fidelity gap: an upload that would take the quota's spaces past capacity answers 400 QuotaLimitReached
        at once (the real service updates usage lazily and can overshoot); the library-level LibraryQuota of the
        control plane is not enforced."""
        found = self._quota_of(library_id, space_id)
        if found is None or growth <= 0:
            return
        used = sum(self._usage(library_id, s) for s in found[1]["spaces"])
        if used + growth > found[1]["capacity"]:
            raise fail("QuotaLimitReached", f"The upload would exceed the quota of {found[1]['capacity']} bytes "
                                            f"({used} used)")
