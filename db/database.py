"""The one writer connection (and one reader), opened the way decision 4 of DESIGN.md asks.

Every transaction is a plain function ``fn(tx)`` that runs *inside* aiosqlite's worker thread
between ``BEGIN IMMEDIATE`` and ``COMMIT``: one thread hop per transaction instead of one per
statement, and since that thread runs one function at a time, two transactions can never
interleave (the ROLLBACK-undoes-another-task's-INSERT trap cannot happen). No network call can
sneak into a transaction because the function is synchronous.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from db.migrations import migrate
from db.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
# A write that still finds the database locked after busy_timeout is retried this long in total
# (another process holding a write lock for several seconds must not lose our update).
LOCKED_RETRY_SECONDS = 60.0


def _create_private_file(path: Path) -> None:
    """Create the database file with mode 0600 before SQLite touches it (PIPL: child data)."""
    if str(path) == ":memory:":
        return
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _configure(conn: sqlite3.Connection, *, readonly: bool) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    else:
        conn.execute("PRAGMA query_only = ON")
    conn.row_factory = sqlite3.Row


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class Database:
    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._closed = False

    @classmethod
    async def open(cls, path: Path | str, *, run_migrations: bool = True) -> Database:
        path = Path(path)
        _create_private_file(path)
        writer = await aiosqlite.connect(path, isolation_level=None)
        reader: aiosqlite.Connection | None = None
        try:
            await writer._execute(_configure, writer._conn, readonly=False)
            reader = await aiosqlite.connect(path, isolation_level=None)
            await reader._execute(_configure, reader._conn, readonly=True)
            db = cls(path, writer, reader)
            if run_migrations:
                await db.migrate()
        except BaseException:
            # aiosqlite's worker threads are not daemons: an unclosed connection would keep
            # the process alive forever after a failed start.
            if reader is not None:
                await reader.close()
            await writer.close()
            raise
        return db

    async def migrate(self) -> int:
        """Apply pending migrations; returns the schema version."""
        return await self._writer._execute(migrate, self._writer._conn)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._reader.close()
        await self._writer.close()

    # ---- the two doors -------------------------------------------------------------------
    async def write(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn`` in one ``BEGIN IMMEDIATE`` transaction; commit, or roll back on error."""
        deadline = time.monotonic() + LOCKED_RETRY_SECONDS
        delay = 0.05
        while True:
            try:
                return await self._writer._execute(_in_transaction, self._writer._conn, fn)
            except sqlite3.OperationalError as exc:
                if not _is_locked(exc) or time.monotonic() > deadline:
                    raise
                log.warning("database locked by another process; retrying the write")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    async def read(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn`` against a consistent snapshot of committed data (the reader connection)."""
        return await self._reader._execute(_in_snapshot, self._reader._conn, fn)

    async def raw_write(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """For maintenance (migrations, integrity checks): ``fn`` gets the bare connection."""
        return await self._writer._execute(fn, self._writer._conn)


def _in_transaction(conn: sqlite3.Connection, fn: Callable[[Store], T]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(Store(conn))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _in_snapshot(conn: sqlite3.Connection, fn: Callable[[Store], T]) -> T:
    conn.execute("BEGIN")
    try:
        return fn(Store(conn))
    finally:
        conn.execute("COMMIT")
