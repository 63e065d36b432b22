"""One bot per database: an exclusive lock on ``<database>.lock`` beside it (decision 4).

``fcntl.flock`` belongs to the open file, so the kernel drops it when the process ends in any
way, SIGKILL included: a stale lock can never keep the next start out. Two paths to one file
(relative, symlinked) name the same lock, because the path is resolved first."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class AlreadyRunning(Exception):
    """Another process holds the database's lock."""


class InstanceLock:
    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path).resolve()
        self.path = Path(f"{self.db_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise AlreadyRunning(
                f"another KinBridge (process {holder}) is already running on {self.db_path}; "
                "stop it first (only one bot may use a database)") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock; the file stays (unlinking would race)
            self._fd = None
