"""Another process holds the database's write lock for several seconds: the bot's writes wait
and retry, nothing is lost, the bot does not crash, and it answers once the lock is gone."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time

import pytest

from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person

pytestmark = pytest.mark.reliability

HOLD_S = 7.0
LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


async def test_a_long_write_lock_elsewhere_delays_but_loses_nothing(
        bot: BotHandle, sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    await bot.db.write(lambda s: add_family(s))
    grandma = Person(sandbox, 101, "奶奶")
    for uid, name in ((101, "奶奶"), (102, "爸爸"), (201, "李主任")):
        await sandbox.client.user(uid, name, "zh-hans")
    (mood,) = await grandma.say("/checkin")

    locker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOCKER, str(bot.db.path), str(HOLD_S), stdout=subprocess.PIPE)
    assert locker.stdout is not None and (await locker.stdout.readline()).strip() == b"locked"
    started = time.monotonic()
    try:
        await sandbox.client.press(101, mood["message_id"], mood["reply_markup"]
                                   ["inline_keyboard"][2][0]["callback_data"])  # 😢
        for word in ("不舒服", "没去", "不正常"):
            await sandbox.client.send(101, word)
        # nothing can be stored while the other process holds the lock
        await asyncio.sleep(2)
        assert await bot.db.read(lambda s: s.checkins.for_family(1)[-1].mood) is None
        found = await sandbox.client.bot_messages(101, after=mood["message_id"], wait=30,
                                                  min_bot=4)
    finally:
        await asyncio.wait_for(locker.wait(), 30)
    waited = time.monotonic() - started
    assert waited >= HOLD_S - 1  # the answers really had to wait for the lock
    assert "担心" in found[-1]["text"], [m["text"] for m in found]
    row = await bot.db.read(lambda s: s.checkins.for_family(1)[-1])
    assert (row.mood, row.health, row.school, row.eating_sleeping) == \
        ("sad", "unwell", "missed", "not_normal")
    assert bot.application.running  # type: ignore[attr-defined]
    # the writes waited and retried quietly: no error, no failed poll, no apology
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.records
    assert any("locked" in r.getMessage() for r in caplog.records)
    assert not any("出了点问题" in m["text"] for m in found)
