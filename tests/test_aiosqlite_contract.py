"""The aiosqlite internals db/worker.py relies on (issue 15.8). If an aiosqlite upgrade changes
them, these tests say what changed and where we use it, instead of the bot failing at its first
write. Every check runs through db/worker.py, the only module that touches them."""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import threading
import tomllib
from importlib.metadata import version
from pathlib import Path

import aiosqlite
import pytest

from db import worker

ROOT = Path(__file__).resolve().parent.parent
WHERE = ("db/worker.py relies on it; adapt run_on_worker/worker_threads there (and only there), "
         "then widen the aiosqlite pin in pyproject.toml")


def _pinned_range() -> tuple[tuple[int, ...], tuple[int, ...]]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (spec,) = [d for d in deps if d.startswith("aiosqlite")]
    low, high = spec.removeprefix("aiosqlite").split(",")
    assert low.startswith(">=") and high.startswith("<"), spec
    return _parts(low[2:]), _parts(high[1:])


def _parts(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


def test_the_installed_aiosqlite_is_in_the_tested_range() -> None:
    low, high = _pinned_range()
    installed = _parts(version("aiosqlite"))
    assert low <= installed < high, (
        f"aiosqlite {version('aiosqlite')} is installed, but only {low}..<{high} was checked "
        f"against this contract; run this file with it, then update the pin. {WHERE}")


def test_the_private_members_still_exist() -> None:
    execute = getattr(aiosqlite.Connection, "_execute", None)
    assert execute is not None and inspect.iscoroutinefunction(execute), (
        f"aiosqlite.Connection._execute (queue a function on the worker thread) is gone or "
        f"no longer a coroutine function. {WHERE}")
    assert list(inspect.signature(execute).parameters)[:2] == ["self", "fn"], (
        f"aiosqlite.Connection._execute no longer takes (fn, *args, **kwargs). {WHERE}")
    assert isinstance(inspect.getattr_static(aiosqlite.Connection, "_conn", None), property), (
        f"aiosqlite.Connection._conn (the bare sqlite3.Connection) is no longer a property. "
        f"{WHERE}")


async def test_functions_run_in_order_on_one_worker_thread_with_the_bare_connection(
        tmp_path: Path) -> None:
    connection = await worker.connect(tmp_path / "contract.db")
    try:
        seen: list[tuple[int, int, object]] = []

        def job(conn: sqlite3.Connection, n: int, *, pause: float = 0.0) -> int:
            if pause:
                threading.Event().wait(pause)  # the first one is slow: the others must wait
            seen.append((n, threading.get_ident(), conn))
            return n * 10

        results = await asyncio.gather(*(worker.run_on_worker(connection, job, n,
                                                              pause=0.05 if n == 0 else 0.0)
                                         for n in range(5)))
        assert results == [0, 10, 20, 30, 40], f"results came back wrong. {WHERE}"
        assert [n for n, _, _ in seen] == [0, 1, 2, 3, 4], (
            f"functions queued on one connection no longer run one at a time in order: the "
            f"group commit's serialisation depends on it. {WHERE}")
        threads = {ident for _, ident, _ in seen}
        assert len(threads) == 1 and threading.get_ident() not in threads, (
            f"functions no longer run on one worker thread of their own. {WHERE}")
        conn = seen[0][2]
        assert isinstance(conn, sqlite3.Connection) and all(c is conn for _, _, c in seen), (
            f"the function no longer gets the one bare sqlite3.Connection. {WHERE}")
        assert conn.isolation_level is None, (
            f"the connection is no longer in autocommit mode (we write BEGIN ourselves). {WHERE}")

        def fails(conn: sqlite3.Connection) -> None:
            raise LookupError("from the worker")

        with pytest.raises(LookupError, match="from the worker"):
            await worker.run_on_worker(connection, fails)
        assert await worker.run_on_worker(connection, job, 7) == 70, (
            f"the worker thread does not survive an exception in a function. {WHERE}")
        (thread,) = [t for t in worker.worker_threads() if t.ident in threads]
        assert not thread.daemon, "the worker thread became a daemon (conftest's leak check)"
    finally:
        await connection.close()
    for _ in range(50):
        if not any(t.ident in threads for t in worker.worker_threads()):
            break
        await asyncio.sleep(0.02)
    assert not any(t.ident in threads for t in worker.worker_threads()), (
        f"closing the connection no longer ends its worker thread, or worker_threads() no "
        f"longer finds it by name (tests/conftest.py's leak check uses it). {WHERE}")


async def test_worker_threads_finds_an_open_connection(tmp_path: Path) -> None:
    before = worker.worker_threads()
    connection = await worker.connect(tmp_path / "contract.db")
    try:
        assert len(worker.worker_threads() - before) == 1, (
            f"worker_threads() no longer recognises aiosqlite's worker thread by its name, so "
            f"the leak check in tests/conftest.py would pass blindly. {WHERE}")
    finally:
        await connection.close()
