"""Directories and albums (fact sheet 5.4): create, list, delete (to the recycle bin or for good), rename/move."""

from __future__ import annotations

from typing import Any

from emulator.services.smhdata.common import (
    BackendBase,
    Caller,
    Target,
    check_directory_rules,
    check_names,
    check_strategy,
    fail,
    invalid,
    iso,
)

ORDER_BY = ("name", "modificationTime", "size", "creationTime")
ORDER_TYPES = ("asc", "desc")
FILTERS = ("onlyDir", "onlyFile")
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 20
CREATE_GRANTS = ("space_admin", "create_directory")
MOVE_GRANTS = ("space_admin", "move_directory")


def _entry(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    out = {"name": doc["name"], "type": doc.get("type", "dir") if kind == "file" else "dir",
           "creationTime": doc["creationTime"], "modificationTime": doc["modificationTime"]}
    if kind == "file":
        out |= {"contentType": doc["contentType"], "size": str(doc["size"]), "eTag": doc["eTag"],
                "crc64": doc["crc64"], "metaData": {}}
    return out


class DirectoryActions(BackendBase):
    def _dir_target(self, caller: Caller, space_id: str, parts: list[str]) -> Target:
        target = self._target(caller, space_id)
        if not parts:
            raise fail("EmptyPath", "The directory path is empty")
        check_names(parts, target, "DirectoryNameLengthExceed", "directory")
        check_directory_rules(parts, target)
        return target

    def _make_parents(self, target: Target, parents: list[str], now: float) -> None:
        """Create missing ancestors; an ancestor that is a file is a conflict whatever the strategy."""
        for i in range(1, len(parents) + 1):
            found = self._exists(target, parents[:i])
            if found == "file":
                raise fail("SameNameDirectoryOrFileExists", f"`{'/'.join(parents[:i])}` is a file")
            if not found:
                self._put_dir(target, parents[:i], now)

    def _put_dir(self, target: Target, parts: list[str], now: float, created: str | None = None) -> None:
        self.store.put("smh_dir", target.key(parts), {"name": parts[-1], "path": "/".join(parts),
                                                      "creationTime": created or iso(now),
                                                      "modificationTime": iso(now)})

    def _place(self, target: Target, parts: list[str], strategy: str, is_file: bool) -> list[str]:
        """The final path for a new entry at `parts`: itself, or renamed (`rename`) when the name is taken."""
        found = self._exists(target, parts)
        if not found:
            return parts
        if strategy == "rename" and not (is_file and found == "dir"):
            return parts[:-1] + [self._free_name(target, parts[:-1], parts[-1], is_file)]
        raise fail("SameNameDirectoryOrFileExists", f"A directory or file named `{'/'.join(parts)}` already exists")

    def create_directory(self, caller: Caller, space_id: str, parts: list[str], strategy: str) -> list[str] | None:
        """Create a directory (file libraries: any depth, parents created) or an album; the final path for `rename`.

        Fidelity gap: `with_inode` is ignored (no inode is returned). A rename picks `name (1)`, `name (2)`, ...
        Path segments are split on `/` and empty segments dropped.
        """
        caller.precheck(*CREATE_GRANTS)
        strategy = check_strategy(strategy, ("ask", "rename"))
        with self.store.transaction():
            target = self._dir_target(caller, space_id, parts)
            self.allow(caller, target, parts[:-1], CREATE_GRANTS, ("canUpload",), "create folders")
            now = self.clock()
            self._make_parents(target, parts[:-1], now)
            final = self._place(target, parts, strategy, is_file=False)
            self._put_dir(target, final, now)
        return final if strategy == "rename" else None

    def list_directory(self, caller: Caller, space_id: str, parts: list[str], page: int, page_size: int,
                       order_by: str, order_by_type: str, filter_: str) -> dict[str, Any]:
        """One page of a directory (the root lists the albums).

        Fidelity gap: only page/page_size paging (no marker mode, so no nextMarker); directories come before
        files, each group sorted by `order_by`; a page_size above 1000 and unknown order/filter values answer 400
        InvalidParameter. Files carry contentType, size, eTag, crc64 and an empty metaData; no authorityList,
        localSync or preview fields. An acl token lists only where a role lets it view (access.py).
        """
        if not 1 <= page or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise invalid(f"page must be >= 1 and page_size within 1..{MAX_PAGE_SIZE}")
        for name, value, allowed in (("order_by", order_by, ORDER_BY), ("order_by_type", order_by_type, ORDER_TYPES),
                                     ("filter", filter_, FILTERS)):
            if value and value not in allowed:
                raise invalid(f"{name} must be one of {', '.join(allowed)}, got `{value}`")
        target = self._target(caller, space_id)
        if parts and self.store.get("smh_dir", target.key(parts)) is None:
            raise fail("DirectoryNotFound", f"The directory `{'/'.join(parts)}` does not exist")
        visible = self.read_filter(caller, target, parts)
        prefix = target.key(parts) + "/" if parts else target.prefix
        dirs = [d for k, d in self.store.items("smh_dir", prefix) if "/" not in k[len(prefix):]]
        files = [d for k, d in self.store.items("smh_file", prefix) if "/" not in k[len(prefix):]]
        if visible is not None:  # a user without a root grant sees the albums it may view, no root files
            dirs, files = [d for d in dirs if d["name"] in visible], []
        key = order_by or "name"
        groups = []
        for docs, kind in ((dirs, "dir"), (files, "file")):
            if filter_ == ("onlyFile" if kind == "dir" else "onlyDir"):
                continue
            docs = sorted(sorted(docs, key=lambda d: d["name"]), key=lambda d: d.get(key, 0) if key == "size"
                          else d[key], reverse=order_by_type == "desc")  # stable: ties stay in name order
            groups += [_entry(d, kind) for d in docs]
        start = (page - 1) * page_size
        return {"path": parts, "fileCount": len(files), "subDirCount": len(dirs), "totalNum": len(groups),
                "contents": groups[start:start + page_size]}

    def delete_directory(self, caller: Caller, space_id: str, parts: list[str], permanent: bool) -> int | None:
        """Delete a directory and everything under it; the recycled item id when it went to the recycle bin.

        Fidelity gap: with UseRecycleBin on and no permanent=1 the directory goes to the recycle bin (a
        `smh_recycled` record; its contents leave the space and no longer count towards its size); the recycle bin
        cannot be listed or restored here. Permanent deletion with the recycle bin on needs
        delete_directory_permanent; every other delete needs delete_directory (or admin / space_admin).
        """
        recycle = bool(caller.ext.get("UseRecycleBin")) and not permanent
        grants = ("space_admin", "delete_directory" if recycle or not caller.ext.get("UseRecycleBin")
                  else "delete_directory_permanent")
        caller.precheck(*grants)
        with self.store.transaction():
            target = self._target(caller, space_id)
            if not parts:
                raise fail("EmptyPath", "The directory path is empty; the root cannot be deleted")
            self.allow(caller, target, parts[:-1], grants, ("canDelete",), "delete")
            key = target.key(parts)
            if self.store.get("smh_dir", key) is None:
                raise fail("DirectoryNotFound", f"The directory `{'/'.join(parts)}` does not exist")
            files = self.store.delete_prefix("smh_file", key + "/")
            dirs = self.store.delete_prefix("smh_dir", key + "/") + int(self.store.delete("smh_dir", key))
            self.store.delete_prefix("smh_grant", key + "#")
            self.store.delete_prefix("smh_grant", key + "/")
            if not recycle:
                return None
            item_id = self._next_id(caller.library_id, "recycled")
            self.store.put("smh_recycled", f"{caller.library_id}/{item_id}",
                           {"id": item_id, "spaceId": space_id, "path": "/".join(parts), "type": "dir",
                            "dirs": dirs, "files": files, "removalTime": iso(self.clock())})
            return item_id

    def move_directory(self, caller: Caller, space_id: str, parts: list[str], source: str,
                       strategy: str) -> list[str] | None:
        """Rename or move a directory with its contents (body {"from": <source path>}); the final path for `rename`.

        Fidelity gap: success answers 204 with no body for `ask` and 200 {"path": [...]} for `rename` (the doc
        shows the body but no status). `move_authority` is ignored. Moving a directory into itself answers 400
        InvalidSourceDirectory; a missing source 404 SourceDirectoryNotFound.
        """
        caller.precheck(*MOVE_GRANTS)
        strategy = check_strategy(strategy, ("ask", "rename"))
        src = [p for p in source.split("/") if p]
        with self.store.transaction():
            target = self._dir_target(caller, space_id, parts)
            if not src:
                raise fail("InvalidSourceDirectory", "`from` must name the source directory")
            self.allow(caller, target, src[:-1], MOVE_GRANTS, ("canDownload", "canDelete"), "move folders out")
            self.allow(caller, target, parts[:-1], MOVE_GRANTS, ("canUpload",), "move folders in")
            src_key = target.key(src)
            if self.store.get("smh_dir", src_key) is None:
                raise fail("SourceDirectoryNotFound", f"The source directory `{source}` does not exist")
            if len(parts) > len(src) and parts[:len(src)] == src:
                raise fail("InvalidSourceDirectory", "A directory cannot be moved into itself")
            now = self.clock()
            self._make_parents(target, parts[:-1], now)
            final = self._place(target, parts, strategy, is_file=False)
            new_key = target.key(final)
            for kind in ("smh_dir", "smh_file"):
                moved = [(src_key, self.store.get(kind, src_key))] + self.store.items(kind, src_key + "/")
                for old, doc in moved:
                    if doc is None:
                        continue
                    self.store.delete(kind, old)
                    rel = old[len(src_key):]
                    doc["path"] = "/".join(final) + rel
                    if old == src_key:
                        doc["name"], doc["modificationTime"] = final[-1], iso(now)
                    self.store.put(kind, new_key + rel, doc)
        return final if strategy == "rename" else None
