"""Shared fixtures (and only fixtures): a real SQLite file, the sandbox Bot API on 127.0.0.1, and
the real bot. What tests import lives in tests/support/."""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "1")

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import build_application, start_application, stop_application
from db.database import Database
from db.worker import worker_threads
from flows.core.clock import ManualClock
from sandbox.client import SandboxClient
from sandbox.limits import LimitSettings
from sandbox.server import DEFAULT_TOKEN, start_sandbox
from tests.support.clock import daytime_clock
from tests.support.handles import BotHandle, SandboxHandle, sandbox_settings


@pytest.fixture(autouse=True)
async def no_unclosed_connections() -> AsyncIterator[None]:
    """Every test closes what it opens: a leaked aiosqlite thread would hang the run at exit."""
    before = worker_threads()
    yield
    for _ in range(50):
        leaked = worker_threads() - before
        if not leaked:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{len(leaked)} aiosqlite connection thread(s) left open by this test")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kinbridge.db")
    yield database
    await database.close()


@pytest.fixture
def manual_clock() -> ManualClock:
    # a Monday morning in Shanghai
    return ManualClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHandle]:
    server, runner, port = await start_sandbox("127.0.0.1", 0, token=DEFAULT_TOKEN,
                                               limits=LimitSettings())
    url = f"http://127.0.0.1:{port}"
    client = SandboxClient(url)
    yield SandboxHandle(server, url, client)
    await client.close()
    await runner.cleanup()


@pytest.fixture
async def bot(sandbox: SandboxHandle, tmp_path: Path) -> AsyncIterator[BotHandle]:
    """The real application polling the sandbox over HTTP, on a real SQLite file. Its clock
    flows in real time from a fixed daytime hour (see tests/support/clock.py), so no test's
    outcome depends on when CI happens to run it."""
    settings = sandbox_settings(sandbox.url, tmp_path / "bot.db")
    database = await Database.open(settings.db_path)
    clock = daytime_clock()
    application = build_application(settings, db=database, clock=clock)
    await start_application(application, poll_timeout=1)
    yield BotHandle(application, application.bot_data.services, database, clock)
    await stop_application(application)
    await database.close()
