"""One bot per database, and the right database (issue 13, points 7 and 9), with the real
``bot.py run`` as a subprocess against the sandbox.

- a second instance on the same database exits at once with one sentence and a non-zero status,
  and the first one's in-flight messages are not touched (no duplicates, none in doubt);
- SIGTERM mid-broadcast puts claimed rows back to pending: a restart sends each message once;
- repeated 409 Conflict from getUpdates stops the bot with one sentence, no traceback;
- ``run`` refuses to create a missing database, refuses a damaged one, and stops when its file
  is deleted or replaced while it runs."""

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


def one_sentence(text: str, needle: str) -> str:
    lines = [line for line in text.strip().splitlines() if needle in line]
    assert len(lines) == 1, text[-3000:]
    assert "Traceback" not in text, text[-3000:]
    return lines[0]


async def seed_broadcast(sandbox: SandboxHandle, db_path: Path, n: int, base: int) -> None:
    db = await Database.open(db_path)
    now = to_iso(SystemClock().now())
    chats = list(range(base, base + n))
    await sandbox.client._post("/sandbox/users", [  # type: ignore[arg-type]
        {"user_id": c, "first_name": f"u{c}"} for c in chats])
    await db.write(lambda s: [s.outbox.enqueue(NewMessage(
        dedupe_key=f"bc:{c}", chat_id=c, lane=LANE_BULK, payload={"text": f"bc:{c}"}),
        now=now) for c in chats])
    await db.close()


async def broadcast_sent(sandbox: SandboxHandle) -> Counter[str]:
    return Counter(r["text"] for r in await sandbox.client.sent() if r["text"].startswith("bc:"))


def outbox_state(db_path: Path) -> tuple[dict[str, int], int]:
    conn = sqlite3.connect(db_path)
    try:
        statuses = dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status"))
        in_doubt = conn.execute("SELECT COUNT(*) FROM outbox WHERE in_doubt = 1").fetchone()[0]
        return statuses, int(in_doubt)
    finally:
        conn.close()


async def test_a_second_instance_exits_at_once_and_leaves_the_first_alone(
        sandbox: SandboxHandle, tmp_path: Path) -> None:
    n = 120
    db_path = tmp_path / "one.db"
    await seed_broadcast(sandbox, db_path, n, 61_000)
    # every send takes 0.3 s: the first instance always has messages in flight
    await sandbox.client.fault("slow", method="sendMessage", delay=0.3, count=n)
    first = BotProcess(sandbox.url, db_path, tmp_path / "first.log")
    second = BotProcess(sandbox.url, db_path, tmp_path / "second.log")
    await first.start()
    try:
        await first.wait_polling()
        for _ in range(400):
            if sum((await broadcast_sent(sandbox)).values()) >= 10:
                break
            await asyncio.sleep(0.05)
        await second.start()
        status = await second.exited()
        assert status is not None and status != 0, second.log()
        sentence = one_sentence(second.log(), "already running")
        assert str(db_path) in sentence
        for _ in range(1200):
            if len(await broadcast_sent(sandbox)) >= n:
                break
            await asyncio.sleep(0.05)
    finally:
        await second.stop()
        assert await first.stop() == 0, first.log()[-3000:]
    sent = await broadcast_sent(sandbox)
    assert len(sent) == n and max(sent.values()) == 1, "each message exactly once"
    assert outbox_state(db_path) == ({"delivered": n}, 0), "nothing was recovered as in doubt"


async def test_sigterm_mid_broadcast_puts_claimed_rows_back(sandbox: SandboxHandle,
                                                            tmp_path: Path) -> None:
    n = 150
    db_path = tmp_path / "term.db"
    await seed_broadcast(sandbox, db_path, n, 62_000)
    await sandbox.client.fault("slow", method="sendMessage", delay=0.2, count=n)
    bot = BotProcess(sandbox.url, db_path, tmp_path / "bot.log")
    await bot.start()
    await bot.wait_polling()
    for _ in range(600):
        if sum((await broadcast_sent(sandbox)).values()) >= n // 4:
            break
        await asyncio.sleep(0.05)
    assert await bot.stop() == 0, bot.log()[-3000:]
    statuses, in_doubt = outbox_state(db_path)
    assert set(statuses) == {"delivered", "pending"}, statuses
    assert in_doubt == 0, "a clean stop leaves nothing in doubt"
    delivered_before = statuses["delivered"]
    assert delivered_before == sum((await broadcast_sent(sandbox)).values())

    await bot.start()
    try:
        await bot.wait_polling()
        for _ in range(1200):
            if len(await broadcast_sent(sandbox)) >= n:
                break
            await asyncio.sleep(0.05)
    finally:
        assert await bot.stop() == 0, bot.log()[-3000:]
    sent = await broadcast_sent(sandbox)
    assert len(sent) == n and max(sent.values()) == 1
    assert outbox_state(db_path) == ({"delivered": n}, 0)
    assert "in flight when the bot stopped" not in bot.log()


async def test_repeated_409_conflict_stops_the_bot_with_one_sentence(
        sandbox: SandboxHandle, tmp_path: Path) -> None:
    db_path = tmp_path / "conflict.db"
    await (await Database.open(db_path)).close()
    bot = BotProcess(sandbox.url, db_path, tmp_path / "bot.log")
    await bot.start()
    await bot.wait_polling()
    await sandbox.client.fault("http409", method="getUpdates", count=1000)
    status = await bot.exited()
    if status is None:
        await bot.stop()
    assert status is not None and status != 0, bot.log()[-3000:]
    one_sentence(bot.log(), "409")


async def test_run_refuses_to_create_a_missing_database(sandbox: SandboxHandle,
                                                        tmp_path: Path) -> None:
    db_path = tmp_path / "missing.db"
    bot = BotProcess(sandbox.url, db_path, tmp_path / "bot.log")
    await bot.start()
    status = await bot.exited()
    assert status is not None and status != 0, bot.log()
    sentence = one_sentence(bot.log(), "no database")
    assert str(db_path) in sentence and "migrate" in sentence and "--create-db" in sentence
    assert not db_path.exists()

    created = BotProcess(sandbox.url, db_path, tmp_path / "created.log", create_db=True)
    await created.start()
    await created.wait_polling()
    assert await created.stop() == 0
    assert db_path.exists()


async def test_a_damaged_database_is_refused_at_start(sandbox: SandboxHandle,
                                                      tmp_path: Path) -> None:
    db_path = tmp_path / "damaged.db"
    db = await Database.open(db_path)
    await db.write(lambda s: [s.people.add(role="guardian", now="2026-11-23T00:00:00Z",
                                           display_name=f"p{i}" * 50) for i in range(200)])
    await db.close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'people'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with db_path.open("r+b") as fh:  # scribble over the people table's root page
        fh.seek((root - 1) * page_size + 8)
        fh.write(b"\xff" * 64)
    bot = BotProcess(sandbox.url, db_path, tmp_path / "bot.log")
    await bot.start()
    status = await bot.exited()
    assert status is not None and status != 0, bot.log()
    one_sentence(bot.log(), "damaged")


async def test_the_database_file_deleted_while_running_stops_the_bot(
        sandbox: SandboxHandle, tmp_path: Path) -> None:
    db_path = tmp_path / "gone.db"
    await (await Database.open(db_path)).close()
    bot = BotProcess(sandbox.url, db_path, tmp_path / "bot.log")
    await bot.start()
    await bot.wait_polling()
    db_path.rename(tmp_path / "moved-away.db")
    await (await Database.open(db_path)).close()  # an empty one in its place
    status = await bot.exited()
    if status is None:
        await bot.stop()
    assert status is not None and status != 0, bot.log()[-3000:]
    one_sentence(bot.log(), "replaced")
