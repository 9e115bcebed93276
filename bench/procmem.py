"""Peak memory of the dynamic provider: the `python -m pulumi.dynamic` process the engine starts per operation.

A sampler thread scans /proc every `interval` seconds while an operation runs and keeps, per process, the
largest VmHWM (the kernel's own high-water mark of resident memory), so a short sampling gap loses nothing but
a process that lives less than one interval. Linux only; elsewhere it reports None.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

MARKER = b"pulumi.dynamic"


def _parents() -> dict[int, int]:
    out: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                out[int(d.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                continue
    return out


def _descends(pid: int, root: int, parents: dict[int, int]) -> bool:
    while pid > 1:
        if pid == root:
            return True
        pid = parents.get(pid, 0)
    return False


def provider_hwm_kib(root: int | None = None) -> dict[int, int]:
    """VmHWM in KiB of every running `python -m pulumi.dynamic` process below `root` (default: this process),
    so that other engines on the same machine do not count."""
    root = root or os.getpid()
    out: dict[int, int] = {}
    parents: dict[int, int] | None = None
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            argv = (d / "cmdline").read_bytes().split(b"\0")
            if MARKER not in argv or b"-m" not in argv:
                continue
            parents = parents if parents is not None else _parents()
            if not _descends(int(d.name), root, parents):
                continue
            for line in (d / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    out[int(d.name)] = int(line.split()[1])
        except (OSError, ValueError):
            continue  # the process ended while we looked
    return out


class PeakMemory:
    """`with PeakMemory() as mem: ...` then `mem.peak_mib` (None when no provider process was seen)."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid, kib in provider_hwm_kib().items():
            if pid != os.getpid():
                self.peaks[pid] = max(self.peaks.get(pid, 0), kib)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        if Path("/proc/self/status").exists():
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()

    @property
    def peak_mib(self) -> float | None:
        return round(max(self.peaks.values()) / 1024, 1) if self.peaks else None
