"""Durable state for every service: one SQLite document table.

Each cloud object is a JSON document addressed by (kind, key). A write is committed before
the request that made it is answered, so a `kill -9` loses no acknowledged write
(WAL journal, synchronous=FULL). Without a state directory the database lives in memory.

All access is serialised by one re-entrant lock; `transaction()` groups a backend's
read-check-write steps so concurrent requests never interleave inside one cloud action.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Store:
    def __init__(self, state_dir: str | None = None) -> None:
        if state_dir:
            Path(state_dir).mkdir(parents=True, exist_ok=True)
            target = str(Path(state_dir) / "emulator.sqlite3")
        else:
            target = ":memory:"
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS docs (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
            " PRIMARY KEY (kind, key))"
        )
        self._lock = threading.RLock()
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Run a group of reads and writes atomically; nested calls join the outer one."""
        with self._lock:
            self._depth += 1
            if self._depth == 1:
                self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                if self._depth == 1:
                    self._db.execute("ROLLBACK")
                raise
            else:
                if self._depth == 1:
                    self._db.execute("COMMIT")
            finally:
                self._depth -= 1

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM docs WHERE kind=? AND key=?", (kind, key)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO docs (kind, key, value) VALUES (?, ?, ?)", (kind, key, json.dumps(doc))
            )

    def delete(self, kind: str, key: str) -> bool:
        with self.transaction():
            cur = self._db.execute("DELETE FROM docs WHERE kind=? AND key=?", (kind, key))
        return cur.rowcount > 0

    def delete_prefix(self, kind: str, prefix: str) -> int:
        with self.transaction():
            cur = self._db.execute(
                "DELETE FROM docs WHERE kind=? AND key >= ? AND key < ?", (kind, prefix, prefix + "\U0010ffff")
            )
        return cur.rowcount

    def items(self, kind: str, prefix: str = "", after: str = "", limit: int | None = None) -> list[tuple[str, dict]]:
        """Documents of one kind whose key starts with prefix, in key order, strictly after `after`."""
        sql = "SELECT key, value FROM docs WHERE kind=? AND key >= ? AND key < ? AND key > ? ORDER BY key"
        args: list[Any] = [kind, prefix, prefix + "\U0010ffff", after]
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [(k, json.loads(v)) for k, v in rows]

    def count(self, kind: str, prefix: str = "") -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM docs WHERE kind=? AND key >= ? AND key < ?", (kind, prefix, prefix + "\U0010ffff")
            ).fetchone()
        return int(row[0])

    def reset(self) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM docs")

    def close(self) -> None:
        with self._lock:
            self._db.close()
