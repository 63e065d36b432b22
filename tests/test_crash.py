"""kill -9 mid-broadcast, restart: nothing lost, nothing duplicated beyond the counted in-doubt."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from db.database import Database
from db.outbox import LANE_BULK, NewMessage
from flows.core.clock import SystemClock, to_iso
from tests.support.handles import SandboxHandle
from tests.support.process import BotProcess

pytestmark = pytest.mark.reliability

N = 150


async def sent_counter(sandbox: SandboxHandle) -> Counter[str]:
    return Counter(r["text"] for r in await sandbox.client.sent() if r["text"].startswith("bc:"))


async def test_restart_mid_broadcast_resumes_without_loss(sandbox: SandboxHandle, tmp_path: Path) -> None:
    db_path = tmp_path / "crash.db"
    db = await Database.open(db_path)
    now = to_iso(SystemClock().now())
    chats = list(range(7000, 7000 + N))
    for chat in chats:
        await sandbox.client.user(chat, f"u{chat}")
    await db.write(lambda s: [s.outbox.enqueue(NewMessage(
        dedupe_key=f"bc:{c}", chat_id=c, lane=LANE_BULK, payload={"text": f"bc:{c}"}),
        now=now) for c in chats])
    await db.close()

    bot = BotProcess(sandbox.url, db_path, tmp_path / "bot.log")
    await bot.start()
    for _ in range(600):
        if sum((await sent_counter(sandbox)).values()) >= N // 3:
            break
        await asyncio.sleep(0.05)
    await bot.kill()
    killed_at = sum((await sent_counter(sandbox)).values())
    assert 0 < killed_at < N, "the kill must land mid-broadcast"

    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()

    await bot.start()
    try:
        for _ in range(600):
            if len(await sent_counter(sandbox)) >= N:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
    finally:
        assert await bot.stop() == 0, bot.log()

    sent = await sent_counter(sandbox)
    assert len(sent) == N, "every message delivered"
    duplicates = sum(count - 1 for count in sent.values())
    conn = sqlite3.connect(db_path)
    in_doubt = conn.execute("SELECT COUNT(*) FROM outbox WHERE in_doubt = 1").fetchone()[0]
    statuses = dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())
    conn.close()
    assert statuses == {"delivered": N}
    print(f"crash figures: killed after {killed_at} sent, in_doubt={in_doubt}, duplicates={duplicates}")
    assert duplicates <= in_doubt, (duplicates, in_doubt)
    if in_doubt:
        assert "in flight when the bot stopped" in bot.log()
