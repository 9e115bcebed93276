"""Values loaded once per key in the provider process, shared by the threads of concurrent RPCs.

The engine runs up to 4 provider RPCs at once. When several of them need the same thing (a library's mode, its
secret, an access token, a listing), the first one loads it and the others wait for that load instead of
repeating it. Nothing here is ever written to inputs, outputs or state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class PerKey(Generic[V]):
    """A value per key, loaded at most once at a time; `max_age` (seconds) or `valid` retire a stored value."""

    def __init__(self, max_age: float | None = None, valid: Callable[[V], bool] | None = None) -> None:
        self.max_age = max_age
        self.valid = valid
        self._lock = threading.Lock()
        self._loading: dict[Hashable, threading.Lock] = {}
        self._values: dict[Hashable, tuple[float, V]] = {}

    def _current(self, key: Hashable) -> tuple[bool, V | None]:
        with self._lock:
            stored = self._values.get(key)
        if stored is None:
            return False, None
        loaded_at, value = stored
        if self.max_age is not None and time.monotonic() - loaded_at >= self.max_age:
            return False, None
        if self.valid is not None and not self.valid(value):
            return False, None
        return True, value

    def get(self, key: Hashable, load: Callable[[], V], fresh: bool = False) -> V:
        """The stored value, or `load()`'s (stored); `fresh` loads again whatever is stored."""
        if not fresh:
            ok, value = self._current(key)
            if ok:
                return value  # type: ignore[return-value]
        with self._lock:
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:
            if not fresh:
                ok, value = self._current(key)  # another thread may have loaded it meanwhile
                if ok:
                    return value  # type: ignore[return-value]
            value = load()
            with self._lock:
                self._values[key] = (time.monotonic(), value)
            return value

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._values.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
