"""Library users, groups and group members (docs/smh-permissions.md, sections 3 and 4).

State (see common.py for the rest):

    smh_user     "<LibraryId>/<UserId>"                          a library user
    smh_group    "<LibraryId>/<GroupId>"                         a group
    smh_member   "<LibraryId>/<GroupId>/<user|group>:<MemberId>" one membership

Fidelity gaps (the wire shapes of these calls are UNVERIFIED; the emulator's choices):
- every call needs an admin token (the `acl` grant makes a token one judged by roles, access.py);
- user ids are 1..64 characters of letters, digits and `_-.@`; nicknames at most 100 characters; other
  user fields (avatar, phoneNumber, email) are stored as given (strings);
- group names are 1..50 characters and unique in the library (409 GroupAlreadyExists);
- the ids of new groups are `group` + 10 lowercase letters/digits;
- nesting (a group as a member of a group) is at most MAX_NESTING groups deep; a deeper chain answers
  400 GroupNestingTooDeep, a cycle 400 GroupNestingCycle;
- `member_type` defaults to `user` when the query leaves it out;
- deleting a user or group also removes its memberships and folder grants; removing a member that is not
  there answers 404 MemberNotFound.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.services.smhdata.common import BackendBase, Caller, fail, invalid, iso, random_id

MAX_NESTING = 10
USER_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
USER_FIELDS = ("nickname", "avatar", "phoneNumber", "email")
MEMBER_TYPES = ("user", "group")


def _text(body: dict[str, Any], name: str, limit: int, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise invalid(f"`{name}` is required")
        return None
    if not isinstance(value, str) or len(value) > limit or (required and not value):
        raise invalid(f"`{name}` must be a string of {'1' if required else '0'}..{limit} characters")
    return value


class PeopleActions(BackendBase):
    # -- users ----------------------------------------------------------------------------------
    def _user(self, library_id: str, user_id: str) -> dict[str, Any]:
        doc = self.store.get("smh_user", f"{library_id}/{user_id}") if user_id else None
        if doc is None:
            raise fail("UserNotFound", f"The user `{user_id}` does not exist in library `{library_id}`")
        return doc

    def create_user(self, caller: Caller, body: dict[str, Any]) -> str:
        """Create a library user; body {"userId", "nickname"?, "avatar"?, "phoneNumber"?, "email"?}.

        Fidelity gap: the body, 201 {"userId"}, 409 UserAlreadyExists and the id/nickname limits are the
        emulator's choices; only delete's 409 UserResourceInUse is from the issue's reading of the docs.
        Deleting a user also drops its memberships and grants.
        """
        caller.require()
        user_id = body.get("userId")
        if not isinstance(user_id, str) or not USER_ID.match(user_id):
            raise invalid("`userId` must be 1..64 letters, digits or `_-.@`")
        fields = {name: _text(body, name, 100 if name == "nickname" else 1000) for name in USER_FIELDS}
        with self.store.transaction():
            key = f"{caller.library_id}/{user_id}"
            if self.store.get("smh_user", key) is not None:
                raise fail("UserAlreadyExists", f"The user `{user_id}` already exists", 409)
            self.store.put("smh_user", key, {"userId": user_id, **{k: v or "" for k, v in fields.items()},
                                             "creationTime": iso(self.clock())})
        return user_id

    def get_user(self, caller: Caller, user_id: str) -> dict[str, Any]:
        caller.require()
        return self._user(caller.library_id, user_id)

    def modify_user(self, caller: Caller, user_id: str, body: dict[str, Any]) -> None:
        caller.require()
        fields = {name: _text(body, name, 100 if name == "nickname" else 1000) for name in USER_FIELDS}
        with self.store.transaction():
            doc = self._user(caller.library_id, user_id)
            doc.update({k: v for k, v in fields.items() if v is not None})
            self.store.put("smh_user", f"{caller.library_id}/{user_id}", doc)

    def delete_user(self, caller: Caller, user_id: str) -> None:
        """409 UserResourceInUse while a tenant space belongs to the user (its personal space)."""
        caller.require()
        lib = caller.library_id
        with self.store.transaction():
            self._user(lib, user_id)
            owned = [d["spaceId"] for _, d in self.store.items("space", f"{lib}/") if d.get("userId") == user_id]
            if owned:
                raise fail("UserResourceInUse", f"The user `{user_id}` still has the space(s) {', '.join(owned)}; "
                                                "delete them first", 409)
            self._drop_principal(lib, "user", user_id)

    def _drop_principal(self, library_id: str, kind: str, ident: str) -> None:
        """Delete a user or group, the members of a group, and its memberships and grants."""
        self.store.delete(f"smh_{kind}", f"{library_id}/{ident}")
        if kind == "group":
            self.store.delete_prefix("smh_member", f"{library_id}/{ident}/")
        for key, doc in self.store.items("smh_member", f"{library_id}/"):
            if doc["memberType"] == kind and doc["memberId"] == ident:
                self.store.delete("smh_member", key)
        for key, doc in self.store.items("smh_grant", f"{library_id}/"):
            if doc["granteeType"] == kind and doc["granteeId"] == ident:
                self.store.delete("smh_grant", key)

    # -- groups ---------------------------------------------------------------------------------
    def _group(self, library_id: str, group_id: str) -> dict[str, Any]:
        doc = self.store.get("smh_group", f"{library_id}/{group_id}") if group_id else None
        if doc is None:
            raise fail("GroupNotFound", f"The group `{group_id}` does not exist in library `{library_id}`")
        return doc

    def _name_taken(self, library_id: str, name: str, but: str = "") -> None:
        for _, doc in self.store.items("smh_group", f"{library_id}/"):
            if doc["name"] == name and doc["groupId"] != but:
                raise fail("GroupAlreadyExists", f"A group named `{name}` already exists ({doc['groupId']})", 409)

    def create_group(self, caller: Caller, body: dict[str, Any]) -> str:
        """Create a group; body {"name"}; 201 {"groupId"}.

        Fidelity gap: names are unique in the library (409 GroupAlreadyExists) and 1..50 characters; the list
        answers {"list": [...]} without paging. Nesting is only through group members (member_type=group).
        """
        caller.require()
        name = _text(body, "name", 50, required=True) or ""
        with self.store.transaction():
            self._name_taken(caller.library_id, name)
            group_id = random_id("group", 10)
            self.store.put("smh_group", f"{caller.library_id}/{group_id}",
                           {"groupId": group_id, "name": name, "creationTime": iso(self.clock())})
        return group_id

    def list_groups(self, caller: Caller) -> list[dict[str, Any]]:
        caller.require()
        return [doc for _, doc in self.store.items("smh_group", f"{caller.library_id}/")]

    def get_group(self, caller: Caller, group_id: str) -> dict[str, Any]:
        caller.require()
        return self._group(caller.library_id, group_id)

    def modify_group(self, caller: Caller, group_id: str, body: dict[str, Any]) -> None:
        caller.require()
        name = _text(body, "name", 50, required=True) or ""
        with self.store.transaction():
            doc = self._group(caller.library_id, group_id)
            self._name_taken(caller.library_id, name, but=group_id)
            doc["name"] = name
            self.store.put("smh_group", f"{caller.library_id}/{group_id}", doc)

    def delete_group(self, caller: Caller, group_id: str) -> None:
        caller.require()
        with self.store.transaction():
            self._group(caller.library_id, group_id)
            self._drop_principal(caller.library_id, "group", group_id)

    # -- members --------------------------------------------------------------------------------
    def _children(self, library_id: str, group_id: str) -> list[str]:
        return [d["memberId"] for _, d in self.store.items("smh_member", f"{library_id}/{group_id}/group:")]

    def _parents(self, library_id: str, kind: str, ident: str) -> list[str]:
        return [d["groupId"] for _, d in self.store.items("smh_member", f"{library_id}/")
                if d["memberType"] == kind and d["memberId"] == ident]

    def _depth_down(self, library_id: str, group_id: str, seen: frozenset[str] = frozenset()) -> int:
        """Groups in the longest chain that starts at `group_id` and goes into its member groups."""
        below = [self._depth_down(library_id, c, seen | {group_id}) for c in self._children(library_id, group_id)
                 if c not in seen]
        return 1 + max(below, default=0)

    def _depth_up(self, library_id: str, group_id: str, seen: frozenset[str] = frozenset()) -> int:
        above = [self._depth_up(library_id, p, seen | {group_id}) for p in self._parents(library_id, "group", group_id)
                 if p not in seen]
        return 1 + max(above, default=0)

    def groups_of(self, library_id: str, kind: str, ident: str) -> set[str]:
        """Every group `ident` belongs to, directly or through nested groups."""
        out: set[str] = set()
        todo = self._parents(library_id, kind, ident)
        while todo:
            group = todo.pop()
            if group not in out:
                out.add(group)
                todo.extend(self._parents(library_id, "group", group))
        return out

    def add_member(self, caller: Caller, group_id: str, member_id: str, member_type: str) -> None:
        """Put a user or group into a group (idempotent; 204).

        Fidelity gap: a chain of more than 10 nested groups answers 400 GroupNestingTooDeep and a cycle 400
        GroupNestingCycle (the docs give the limit, not the codes); member_type defaults to `user`.
        """
        caller.require()
        if member_type not in MEMBER_TYPES:
            raise invalid(f"member_type must be user or group, got `{member_type}`")
        lib = caller.library_id
        with self.store.transaction():
            self._group(lib, group_id)
            if member_type == "user":
                self._user(lib, member_id)
            else:
                self._group(lib, member_id)
                if member_id == group_id or group_id in self._descendants(lib, member_id):
                    raise fail("GroupNestingCycle", f"Adding group `{member_id}` to `{group_id}` makes a cycle")
                depth = self._depth_up(lib, group_id) + self._depth_down(lib, member_id)
                if depth > MAX_NESTING:
                    raise fail("GroupNestingTooDeep", f"Groups nest at most {MAX_NESTING} deep; adding "
                                                      f"`{member_id}` to `{group_id}` makes a chain of {depth}")
            self.store.put("smh_member", f"{lib}/{group_id}/{member_type}:{member_id}",
                           {"groupId": group_id, "memberId": member_id, "memberType": member_type,
                            "creationTime": iso(self.clock())})

    def _descendants(self, library_id: str, group_id: str) -> set[str]:
        out: set[str] = set()
        todo = self._children(library_id, group_id)
        while todo:
            group = todo.pop()
            if group not in out:
                out.add(group)
                todo.extend(self._children(library_id, group))
        return out

    def remove_member(self, caller: Caller, group_id: str, member_id: str, member_type: str) -> None:
        caller.require()
        if member_type not in MEMBER_TYPES:
            raise invalid(f"member_type must be user or group, got `{member_type}`")
        with self.store.transaction():
            self._group(caller.library_id, group_id)
            if not self.store.delete("smh_member", f"{caller.library_id}/{group_id}/{member_type}:{member_id}"):
                raise fail("MemberNotFound", f"`{member_id}` ({member_type}) is not a member of `{group_id}`")

    def list_members(self, caller: Caller, group_id: str) -> list[dict[str, Any]]:
        caller.require()
        self._group(caller.library_id, group_id)
        return [{"memberId": d["memberId"], "memberType": d["memberType"]}
                for _, d in self.store.items("smh_member", f"{caller.library_id}/{group_id}/")]
