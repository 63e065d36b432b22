"""Shared fixtures: a real SQLite file, the sandbox Bot API on 127.0.0.1, and the real bot."""

from __future__ import annotations

import os

os.environ.setdefault("PTB_TIMEDELTA", "1")

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest

from bot import build_application, start_application, stop_application
from db.database import Database
from flows.core.clock import Clock, ManualClock, OffsetClock
from flows.core.config import Settings
from flows.core.services import Services
from sandbox.client import SandboxClient
from sandbox.limits import LimitSettings
from sandbox.server import DEFAULT_TOKEN, Sandbox, start_sandbox

T = TypeVar("T")


def _sqlite_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}


@pytest.fixture(autouse=True)
async def no_unclosed_connections() -> AsyncIterator[None]:
    """Every test closes what it opens: a leaked aiosqlite thread would hang the run at exit."""
    before = _sqlite_threads()
    yield
    for _ in range(50):
        leaked = _sqlite_threads() - before
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


@dataclass
class SandboxHandle:
    sandbox: Sandbox
    url: str
    client: SandboxClient


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHandle]:
    server, runner, port = await start_sandbox("127.0.0.1", 0, token=DEFAULT_TOKEN,
                                               limits=LimitSettings())
    url = f"http://127.0.0.1:{port}"
    client = SandboxClient(url)
    yield SandboxHandle(server, url, client)
    await client.close()
    await runner.cleanup()


def sandbox_settings(url: str, db_path: Path, **overrides: object) -> Settings:
    base = {"token": DEFAULT_TOKEN, "api_url": url, "db_path": db_path, "admins": (9001,),
            "tz": "Asia/Shanghai", "locale": "zh_CN"}
    base.update(overrides)
    return Settings(**base)  # type: ignore[arg-type]


@dataclass
class BotHandle:
    application: object
    services: Services
    db: Database
    clock: Clock


@pytest.fixture
async def bot(sandbox: SandboxHandle, tmp_path: Path) -> AsyncIterator[BotHandle]:
    """The real application polling the sandbox over HTTP, on a real SQLite file."""
    settings = sandbox_settings(sandbox.url, tmp_path / "bot.db")
    database = await Database.open(settings.db_path)
    clock = OffsetClock()
    application = build_application(settings, db=database, clock=clock)
    await start_application(application, poll_timeout=1)
    yield BotHandle(application, application.bot_data.services, database, clock)
    await stop_application(application)
    await database.close()


async def eventually(check: Callable[[], Awaitable[T]], *, within: float = 5.0,
                     interval: float = 0.02) -> T:
    """Poll ``check`` until it returns something truthy (work that happens after a reply)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(interval)
