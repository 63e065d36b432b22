"""Ten SIGKILLs in a row at random points: during the first migration, during check-ins, a
broadcast and an escalation sweep. After every kill the SQLite file passes integrity_check;
at the end no answer is lost, no message is duplicated beyond the counted in-doubt ones,
conversations resume, and the alerts have climbed the ladder."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from db.database import Database
from db.outbox import LANE_BULK, NewMessage
from db.store import Store
from flows.core.clock import SystemClock, to_iso
from flows.core.ui import FlowContext
from flows.guardian import checkin
from flows.staff.alerts import raise_alert
from tests.support.families import add_family
from tests.support.handles import SandboxHandle
from tests.support.process import BotProcess

pytestmark = pytest.mark.reliability

KILLS = 10
FAMILIES = 40
BROADCAST = 200
GUARDIAN, CASEWORKER, SUPERVISOR = 60_000, 61_000, 62_000


def seed(store: Store) -> list[int]:
    now = SystemClock().now()
    ctx = FlowContext(now=now, default_tz="Asia/Shanghai", default_locale="zh_CN",
                      bot_username="b")
    sup = store.people.add(role="supervisor", now=to_iso(now), display_name="sup",
                           tg_user_id=SUPERVISOR, tg_chat_id=SUPERVISOR)
    alerts = []
    for i in range(FAMILIES):
        ids = add_family(store, guardian_tg=GUARDIAN + i, parent_tg=GUARDIAN + 500 + i,
                         caseworker_tg=CASEWORKER + i, village=f"村{i}")
        store.people.set_supervisor(ids["caseworker"], sup)
        grandma = store.people.get(ids["guardian"])
        assert grandma is not None
        checkin.begin_now(store, ctx, grandma)
        if i < 10:  # ten urgent alerts already past their 30 minutes: the ladder is due
            alert = raise_alert(store, now=now - timedelta(hours=1), family_id=ids["family"],
                                person_id=None, rule="sos", severity="urgent", evidence=None)
            assert alert is not None
            alerts.append(alert)
    store.outbox.enqueue_many([NewMessage(dedupe_key=f"bc:{n}", chat_id=GUARDIAN + n % FAMILIES,
                                          lane=LANE_BULK, payload={"text": f"bc:{n}"})
                               for n in range(BROADCAST)], now=to_iso(now))
    return alerts


def check_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


async def test_ten_kills_in_a_row(sandbox: SandboxHandle, tmp_path: Path) -> None:
    rng = random.Random(20261125)
    db_path = tmp_path / "crashes.db"
    users = [{"user_id": b + i, "first_name": f"u{b + i}", "language_code": "zh-hans"}
             for b in (GUARDIAN, GUARDIAN + 500, CASEWORKER) for i in range(FAMILIES)]
    users.append({"user_id": SUPERVISOR, "first_name": "sup", "language_code": "zh-hans"})
    await sandbox.client._post("/sandbox/users", users)  # type: ignore[arg-type]
    await sandbox.client.limits(enabled=False)
    bot = BotProcess(sandbox.url, db_path, tmp_path / "bot.log", create_db=True)

    # kill 1: the first start creates the schema; killed a few milliseconds in
    await bot.start()
    await asyncio.sleep(0.05)
    await bot.kill()
    check_file(db_path)
    db = await Database.open(db_path)  # migrations finish (each one is atomic)
    await db.write(seed)
    await db.close()

    pressed: dict[int, str] = {}
    for _kill in range(2, KILLS + 1):
        await bot.start()
        # guardians answer while the bot works through the broadcast and the ladder
        waiting = [g for g in range(GUARDIAN, GUARDIAN + FAMILIES) if g not in pressed]
        batch = rng.sample(waiting, min(len(waiting), 5))
        for g in batch:
            shown = [m for m in await sandbox.client.messages(g)
                     if m.get("reply_markup") and "心情" in (m.get("text") or "")]
            question = shown[-1] if shown else None
            mood = rng.choice(["happy", "neutral", "sad"])
            if question is None:
                await sandbox.client.send(g, {"happy": "开心", "neutral": "一般", "sad": "难过"}[mood])
            else:
                data = next(b["callback_data"] for row in question["reply_markup"]["inline_keyboard"]
                            for b in row if b["callback_data"].endswith(f":mood:{mood}"))
                await sandbox.client.press(g, question["message_id"], data)
            pressed[g] = mood
        await asyncio.sleep(rng.uniform(0.3, 1.5))
        await bot.kill()
        check_file(db_path)

    # the last start: everything finishes
    await bot.start()
    try:
        conn = sqlite3.connect(db_path)

        def moods() -> dict[int, str]:
            return {int(r[0]): r[1] for r in conn.execute(
                "SELECT p.tg_user_id, c.mood FROM checkins c JOIN people p ON p.id = c.guardian_id"
                " WHERE c.mood IS NOT NULL").fetchall()}

        def done() -> bool:
            delivered = conn.execute("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'bc:%' "
                                     "AND status = 'delivered'").fetchone()[0]
            climbed = conn.execute("SELECT COUNT(*) FROM alerts WHERE level >= 1").fetchone()[0]
            told = conn.execute("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'alert:%:1:%' "
                                "AND status = 'delivered'").fetchone()[0]
            return len(moods()) >= len(pressed) and delivered == BROADCAST and climbed >= 10 \
                and told >= 10
        for _ in range(600):
            if done():
                break
            await asyncio.sleep(0.1)
        assert moods() == pressed, "no answer lost"
        assert done()
        # conversations resume: a guardian who answered goes on to the next question
        g = next(iter(pressed))
        before = len(await sandbox.client.messages(g))
        await sandbox.client.send(g, "1")
        replies = await sandbox.client.bot_messages(g, after=before, wait=10)
        assert replies and "上学" in replies[-1]["text"]
        sent = Counter(r["text"] for r in await sandbox.client.sent()
                       if (r.get("text") or "").startswith("bc:"))
        in_doubt = conn.execute("SELECT COUNT(*) FROM outbox WHERE in_doubt = 1").fetchone()[0]
        duplicates = sum(n - 1 for n in sent.values())
        ladder = Counter(r["chat_id"] for r in await sandbox.client.sent()
                         if "⏫" in (r.get("text") or ""))
        conn.close()
    finally:
        assert await bot.stop() == 0, bot.log()[-3000:]
    assert len(sent) == BROADCAST
    assert duplicates <= in_doubt, (duplicates, in_doubt)
    assert ladder[SUPERVISOR] >= 10  # every due alert reached the supervisor
    print(f"crash series: {KILLS} kills survived, {len(pressed)} answers kept, broadcast "
          f"{BROADCAST}/{BROADCAST}, duplicates {duplicates} (in doubt {in_doubt}), "
          f"supervisor messages {ladder[SUPERVISOR]}")
