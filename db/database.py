"""The one writer connection (and one reader), opened the way decision 4 of DESIGN.md asks.

Every transaction is a plain function ``fn(tx)`` that runs *inside* aiosqlite's worker thread
(through ``db/worker.py``, the one module that touches aiosqlite's internals).
Writes are group-committed: those that arrive while a batch is committing go together in the
next batch, one thread hop and one ``BEGIN IMMEDIATE … COMMIT`` for all, each ``fn`` in its own
SAVEPOINT so a failure rolls back only its own work. Since the thread runs one batch at a time,
two transactions can never interleave (the ROLLBACK-undoes-another-task's-INSERT trap cannot
happen), and a caller is answered only after COMMIT. No network call can sneak into a
transaction because the function is synchronous.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from db.migrations import migrate
from db.store import Store
from db.worker import Connection, connect, run_on_worker

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


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL ("database or disk is full"), or the OS's ENOSPC."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return code == sqlite3.SQLITE_FULL or "disk is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class DatabaseProblem(Exception):
    """The database cannot be used as it is; the message is one sentence for the operator."""


def _quick_check(conn: sqlite3.Connection) -> str:
    """'ok', or SQLite's first complaint (page and table numbers, never row contents)."""
    try:
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return str(rows[0][0]) if rows else "no answer"


def _is_new(conn: sqlite3.Connection) -> bool:
    return conn.execute("PRAGMA user_version").fetchone()[0] == 0 and \
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


class Database:
    def __init__(self, path: Path, writer: Connection, reader: Connection):
        self.path = path
        # which file we opened: a file deleted or replaced under us must stop the bot, not
        # have it write on into a file no one will ever read
        self.identity = _identity(path)
        self._writer = writer
        self._reader = reader
        self._closed = False
        self._queued: list[tuple[Callable[[Store], Any], asyncio.Future[Any]]] = []
        self._committer: asyncio.Task[None] | None = None
        self.batches = 0  # group commits so far (for benchmarks and tests)
        # runs first in every batch, in the worker thread (the interaction log rides along)
        self.with_every_batch: Callable[[Store], None] | None = None

    @classmethod
    async def open(cls, path: Path | str, *, run_migrations: bool = True, create: bool = True,
                   check: bool = False) -> Database:
        """Open (and migrate) the database. ``create=False``: a missing or empty file is a
        mistake (a relative path from another folder, a deleted file), not a fresh start.
        ``check``: run ``PRAGMA quick_check`` first. Both raise DatabaseProblem."""
        path = Path(path)
        if not create and not path.exists():
            raise DatabaseProblem(
                f"there is no database at {path.resolve()}; create it with 'python bot.py "
                "migrate' (or start with 'python bot.py run --create-db'), or set KINBRIDGE_DB "
                "to the right file")
        _create_private_file(path)
        writer = await connect(path)
        reader: Connection | None = None
        try:
            if check:
                verdict = await run_on_worker(writer, _quick_check)
                if verdict != "ok":
                    raise DatabaseProblem(
                        f"the database {path.resolve()} is damaged (SQLite quick_check: "
                        f"{verdict[:160]}); restore it from a backup")
            if not create and await run_on_worker(writer, _is_new):
                raise DatabaseProblem(
                    f"there is no database at {path.resolve()} (the file is empty); create it "
                    "with 'python bot.py migrate' (or start with 'python bot.py run "
                    "--create-db')")
            await run_on_worker(writer, _configure, readonly=False)
            reader = await connect(path)
            await run_on_worker(reader, _configure, readonly=True)
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

    def still_at_path(self) -> bool:
        """Is the file at our path still the one we opened (not deleted, moved or replaced)?"""
        return self.identity is not None and _identity(self.path) == self.identity

    async def migrate(self) -> int:
        """Apply pending migrations; returns the schema version."""
        return await run_on_worker(self._writer, migrate)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._reader.close()
        await self._writer.close()

    # ---- the two doors -------------------------------------------------------------------
    async def write(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn`` in a ``BEGIN IMMEDIATE`` transaction and return once it is committed.

        Group commit: writes that arrive while another batch is committing are run together,
        one hop and one COMMIT for all of them, each inside its own SAVEPOINT so that one
        failing ``fn`` is rolled back alone (its caller gets the exception; the others commit).
        """
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queued.append((fn, future))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.get_running_loop().create_task(self._commit_queued())
        return await future

    async def _commit_queued(self) -> None:
        while self._queued:
            batch, self._queued = self._queued, []
            try:
                outcomes = await self._run_batch([fn for fn, _ in batch])
            except BaseException as exc:  # BEGIN or COMMIT failed: nothing of the batch stuck
                for _fn, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            self.batches += 1
            for (_fn, future), (ok, value) in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    async def _run_batch(self, fns: list[Callable[[Store], Any]]) -> list[tuple[bool, Any]]:
        deadline = time.monotonic() + LOCKED_RETRY_SECONDS
        delay = 0.05
        while True:
            try:
                return await run_on_worker(self._writer, _in_group, fns, self.with_every_batch)
            except sqlite3.OperationalError as exc:
                if not _is_locked(exc) or time.monotonic() > deadline:
                    raise
                log.warning("database locked by another process; retrying the write")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    async def read(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn`` against a consistent snapshot of committed data (the reader connection)."""
        return await run_on_worker(self._reader, _in_snapshot, fn)

    async def raw_write(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """For maintenance (migrations, integrity checks): ``fn`` gets the bare connection."""
        return await run_on_worker(self._writer, fn)


def _in_group(conn: sqlite3.Connection, fns: list[Callable[[Store], Any]],
              also: Callable[[Store], None] | None = None) -> list[tuple[bool, Any]]:
    """One transaction for many writes; each in a savepoint so a failure undoes only its own.
    ``also`` runs first (so the writes see what it wrote: /forget scrubs the log entries just
    written), in its own savepoint; its failure is logged, not fatal."""
    conn.execute("BEGIN IMMEDIATE")
    outcomes: list[tuple[bool, Any]] = []
    try:
        if also is not None:
            conn.execute("SAVEPOINT also_write")
            try:
                also(Store(conn))
            except Exception:
                if not conn.in_transaction:
                    raise
                conn.execute("ROLLBACK TO also_write")
                log.exception("the write that rides along with every batch failed")
            conn.execute("RELEASE also_write")
        for fn in fns:  # even a lone write gets a savepoint: its failure must not undo ``also``
            conn.execute("SAVEPOINT one_write")
            try:
                outcomes.append((True, fn(Store(conn))))
            except Exception as exc:
                if not conn.in_transaction:
                    # SQLite itself rolled the whole transaction back ("database or disk is
                    # full", I/O error): every write of the batch failed, with this error
                    raise
                conn.execute("ROLLBACK TO one_write")
                outcomes.append((False, exc))
            conn.execute("RELEASE one_write")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def _in_snapshot(conn: sqlite3.Connection, fn: Callable[[Store], T]) -> T:
    conn.execute("BEGIN")
    try:
        return fn(Store(conn))
    finally:
        conn.execute("COMMIT")
