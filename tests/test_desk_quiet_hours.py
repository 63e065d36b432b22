"""Quiet hours for caseworkers (issue 16 point 14): only urgent alerts ignore them. A normal
alert raised at 23:00 in the caseworker's zone waits for the end of her quiet hours; an urgent
one goes at once. Through the real sender, a real SQLite outbox and the sandbox Bot API; and
the digest's labelled chart drawn by that sender."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot

from db.database import Database
from flows.core.clock import from_iso, to_iso
from flows.staff.alerts import raise_alert
from sandbox.server import DEFAULT_TOKEN
from scheduler.aiohttp_request import AiohttpRequest
from scheduler.pacer import Pacer
from scheduler.sender import OutboxSender
from tests.support.families import add_family
from tests.support.handles import SandboxHandle

NIGHT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai (quiet 21:30-07:30)
MORNING = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 07:30 in Shanghai


class MovableClock:
    """Real elapsed time on top of a start that the test can move (spacing keeps working)."""

    def __init__(self, start: datetime) -> None:
        self._start, self._t0 = start, time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)

    def set(self, when: datetime) -> None:
        self._start, self._t0 = when, time.monotonic()


@pytest.fixture
async def sender_at_night(sandbox: SandboxHandle, db: Database
                          ) -> AsyncIterator[tuple[OutboxSender, MovableClock]]:
    bot = Bot(DEFAULT_TOKEN, base_url=f"{sandbox.url}/bot",
              request=AiohttpRequest(connection_pool_size=8, read_timeout=10))
    await bot.initialize()
    clock = MovableClock(NIGHT)
    sender = OutboxSender(db, bot, clock, pacer=Pacer(30.0), backoff_base_s=0.05,
                          backoff_cap_s=0.2, max_attempts=5, idle_poll_s=0.05)
    yield sender, clock
    await sender.stop()
    await bot.shutdown()


async def _wait_for(db: Database, key: str, status: str, within: float = 15.0) -> dict:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        row = await db.read(lambda s: s.outbox.get(key))
        if row is not None and row["status"] == status:
            return row
        if asyncio.get_running_loop().time() > deadline:
            return row or {}
        await asyncio.sleep(0.05)


async def test_a_normal_alert_at_23h_waits_for_the_morning_an_urgent_one_goes_now(
        db: Database, sandbox: SandboxHandle,
        sender_at_night: tuple[OutboxSender, MovableClock]) -> None:
    sender, clock = sender_at_night
    ids = await db.write(add_family)
    await sandbox.client.user(201, "caseworker")

    def raise_both(s):  # type: ignore[no-untyped-def]
        normal = raise_alert(s, now=clock.now(), family_id=ids["family"], person_id=None,
                             rule="missed_school", severity="normal", evidence=None, count=3)
        urgent = raise_alert(s, now=clock.now(), family_id=ids["family"], person_id=None,
                             rule="sos", severity="urgent", evidence=None)
        return normal, urgent
    normal_id, urgent_id = await db.write(raise_both)
    sender.start()
    urgent = await _wait_for(db, f"alert:{urgent_id}:0", "delivered")
    assert urgent["status"] == "delivered"
    await asyncio.sleep(0.5)  # the sender has had every chance to send the normal one too
    normal = await _wait_for(db, f"alert:{normal_id}:0", "delivered", within=0.5)
    assert normal["status"] == "pending"
    # held until the end of her quiet hours, 07:30 in her own zone
    assert from_iso(normal["not_before"]) == MORNING
    sent = [m["text"] for m in await sandbox.client.sent()]
    assert len(sent) == 1 and "🔴" in sent[0]
    # nor does it climb to the supervisor while she sleeps: its clock starts at 07:30
    alert = await db.read(lambda s: s.alerts.get(normal_id))
    assert alert is not None and alert.next_escalation_at is not None
    assert from_iso(alert.next_escalation_at) == MORNING + timedelta(hours=24)

    clock.set(MORNING)
    normal = await _wait_for(db, f"alert:{normal_id}:0", "delivered")
    assert normal["status"] == "delivered"
    sent = [m["text"] for m in await sandbox.client.sent()]
    assert len(sent) == 2 and "🟡" in sent[1]


async def test_the_digest_chart_with_its_words_goes_out_through_the_sender(
        db: Database, sandbox: SandboxHandle,
        sender_at_night: tuple[OutboxSender, MovableClock]) -> None:
    """The digest queues the chart's rows and words; the sender draws the labelled PNG. (The
    digest is bulk: at night it waits too, so the clock is moved to the morning first.)"""
    from db.schedules import Schedule
    from flows.staff.digest import CHART, chart_from_rows, digest_messages

    sender, clock = sender_at_night
    clock.set(MORNING)
    ids = await db.write(add_family)
    await sandbox.client.user(201, "caseworker")
    schedule = Schedule(id=1, person_id=ids["caseworker"], kind="digest", ref_id=None,
                        weekdays="1", local_time="08:00", once_at=None, payload={},
                        next_run_at=None, last_run_at=None)
    messages = await db.read(lambda s: digest_messages(s, schedule, MORNING))
    await db.write(lambda s: [s.outbox.enqueue(m, now=to_iso(MORNING)) for m in messages])
    chart = messages[-1].payload[CHART]
    assert chart["labels"]["title"] == "最近 8 周：问候回复和孩子心情"
    sender.start()
    row = await _wait_for(db, messages[-1].dedupe_key, "delivered")
    assert row["status"] == "delivered"
    photos = [m for m in await sandbox.client.bot_messages(201) if m.get("photo")]
    assert len(photos) == 1
    assert photos[0]["photo"][0]["file_size"] == len(chart_from_rows(chart))
