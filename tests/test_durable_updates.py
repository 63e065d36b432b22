"""No update lost between Telegram and the store: the bot is killed with SIGKILL during a burst of
1 000 incoming answers; after a restart every answer is stored, each exactly once."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from db.database import Database
from db.store import Store
from flows.core.clock import SystemClock, to_iso
from flows.core.ui import FlowContext
from flows.guardian import checkin
from tests.support.handles import SandboxHandle
from tests.support.process import BotProcess

pytestmark = pytest.mark.reliability

N = 1000
BASE = 800_000


def seed(store: Store, now: datetime) -> None:
    stamp = to_iso(now)
    cw = store.people.add(role="caseworker", now=stamp, display_name="cw", tg_user_id=799_999,
                          tg_chat_id=799_999)
    ctx = FlowContext(now=now, default_tz="Asia/Shanghai", default_locale="zh_CN",
                      bot_username="b")
    for i in range(N):
        family = store.families.add(village="村", now=stamp, caseworker_id=cw)
        store.families.add_child(family, name=f"孩子{i}", now=stamp, birth_month="2016-03")
        grandma = store.people.add(role="guardian", now=stamp, display_name=f"奶奶{i}",
                                   tg_user_id=BASE + i, tg_chat_id=BASE + i)
        store.families.add_member(family, grandma, "grandmother", now=stamp)
        person = store.people.get(grandma)
        assert person is not None
        checkin.begin_now(store, ctx, person)  # each is at the first question: mood


def stored(db_path: Path) -> tuple[int, int, int, int]:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        moods = conn.execute("SELECT COUNT(*) FROM checkins WHERE mood = 'happy'").fetchone()[0]
        inbound = conn.execute("SELECT COUNT(*), COUNT(DISTINCT tg_update_id) FROM interactions "
                               "WHERE direction = 'in' AND kind = 'text'").fetchone()
        done = conn.execute("SELECT COUNT(*) FROM inbox WHERE done_at IS NOT NULL").fetchone()[0]
        return int(moods), int(inbound[0]), int(inbound[1]), int(done)
    finally:
        conn.close()


async def test_kill_during_a_burst_of_answers_loses_none(sandbox: SandboxHandle,
                                                        tmp_path: Path) -> None:
    db_path = tmp_path / "burst.db"
    db = await Database.open(db_path)
    await db.write(lambda s: seed(s, SystemClock().now().astimezone(UTC)))
    await db.close()
    await sandbox.client._post("/sandbox/users", [  # type: ignore[arg-type]
        {"user_id": BASE + i, "first_name": f"奶奶{i}", "language_code": "zh-hans"} for i in range(N)])

    bot = BotProcess(sandbox.url, db_path, tmp_path / "bot.log")
    await bot.start()
    try:
        # the whole burst reaches the sandbox at once; the bot works through it
        await asyncio.gather(*(sandbox.client.send(BASE + i, "开心") for i in range(N)))
        for _ in range(400):
            if stored(db_path)[0] >= N // 4:
                break
            await asyncio.sleep(0.05)
        await bot.kill()
        at_kill = stored(db_path)
        assert 0 < at_kill[0] < N, f"the kill must land mid-burst: {at_kill}"

        await bot.start()
        for _ in range(1800):
            if stored(db_path)[0] >= N:
                break
            await asyncio.sleep(0.1)
    finally:
        assert await bot.stop() == 0, bot.log()[-3000:]
    moods, inbound, distinct, done = stored(db_path)
    assert moods == N, "every answer stored"
    assert inbound == distinct == N, "each update handled exactly once"
    assert done == N
    assert "Traceback" not in bot.log()
