"""The one place that reaches into aiosqlite's internals: run a plain function on a
connection's worker thread.

aiosqlite's public API runs one statement at a time; a KinBridge transaction is a whole
synchronous function over the bare ``sqlite3.Connection`` (so no network call can sneak into
it, and the group commit is one thread hop). For that we use two private members of
``aiosqlite.Connection``: ``_execute(fn, *args)`` (queues ``fn`` on the connection's single
worker thread, first in first out, and awaits its result or exception) and ``_conn`` (the
``sqlite3.Connection`` that thread owns); and, for tests, the worker thread's name.
``tests/test_aiosqlite_contract.py`` checks both for
the aiosqlite range pinned in pyproject.toml and says what broke if an upgrade changes them.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import aiosqlite

T = TypeVar("T")
P = ParamSpec("P")

Connection = aiosqlite.Connection


async def connect(path: Path) -> Connection:
    """A connection with its own worker thread, in autocommit mode (we write BEGIN ourselves)."""
    return await aiosqlite.connect(path, isolation_level=None)


async def run_on_worker(connection: Connection,
                        fn: Callable[Concatenate[sqlite3.Connection, P], T],
                        *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``fn(conn, *args, **kwargs)`` on the connection's worker thread, after everything
    queued before it, and return its result (or raise its exception)."""
    result: Any = await connection._execute(fn, connection._conn, *args, **kwargs)
    return result


def worker_threads() -> set[threading.Thread]:
    """The live worker threads of every open connection (a third internal: aiosqlite names the
    thread after its target, ``_connection_worker_thread``). Tests use it to catch a connection
    left open, whose non-daemon thread would keep the process alive."""
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}
