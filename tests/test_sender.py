"""The real sender against the sandbox over HTTP: limits, faults, 403s, exactly once."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from telegram import Bot

from db.database import Database
from db.outbox import LANE_ALERT, LANE_BULK, NewMessage
from flows.core.clock import Clock, to_iso
from sandbox.server import DEFAULT_TOKEN
from scheduler.aiohttp_request import AiohttpRequest
from scheduler.pacer import Pacer
from scheduler.sender import OutboxSender
from tests.support.families import add_family
from tests.support.handles import SandboxHandle

NOON = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 Shanghai


class SteppingClock:
    """Real elapsed time on top of a fixed daytime start (quiet hours never interfere)."""

    def __init__(self) -> None:
        import time

        self._t0 = time.monotonic()
        self._start = NOON

    def now(self) -> datetime:
        import time
        from datetime import timedelta

        return self._start + timedelta(seconds=time.monotonic() - self._t0)


@dataclass
class Env:
    sender: OutboxSender
    db: Database
    sandbox: SandboxHandle
    clock: Clock


@pytest.fixture
async def env(sandbox: SandboxHandle, db: Database) -> AsyncIterator[Env]:
    bot = Bot(DEFAULT_TOKEN, base_url=f"{sandbox.url}/bot",
              request=AiohttpRequest(connection_pool_size=32, read_timeout=10))
    await bot.initialize()
    clock = SteppingClock()
    sender = OutboxSender(db, bot, clock, pacer=Pacer(30.0), backoff_base_s=0.05,
                          backoff_cap_s=0.2, max_attempts=5, idle_poll_s=0.05)
    yield Env(sender, db, sandbox, clock)
    await sender.stop()
    await bot.shutdown()


async def enqueue_bulk(env: Env, chats: list[int], prefix: str = "m", lane: int = LANE_BULK,
                       person_id: int | None = None) -> None:
    for chat in chats:
        await env.sandbox.client.user(chat, f"u{chat}")
    now = to_iso(env.clock.now())
    await env.db.write(lambda s: [s.outbox.enqueue(NewMessage(
        dedupe_key=f"{prefix}:{c}", chat_id=c, lane=lane, payload={"text": f"{prefix}:{c}"},
        person_id=person_id), now=now) for c in chats])


async def drain(env: Env, expected: int, within: float = 30.0) -> None:
    env.sender.start()
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        counts = await env.db.read(lambda s: s.outbox.status_counts())
        if counts.get("delivered", 0) + counts.get("failed", 0) + counts.get("cancelled", 0) >= expected:
            break
        await asyncio.sleep(0.05)
    await env.sender.stop()


async def texts_sent(env: Env) -> Counter[str]:
    return Counter(r["text"] for r in await env.sandbox.client.sent())


async def test_delivers_each_message_exactly_once(env: Env) -> None:
    chats = list(range(1000, 1060))
    await enqueue_bulk(env, chats)
    await drain(env, len(chats))
    sent = await texts_sent(env)
    assert len(sent) == 60 and set(sent.values()) == {1}
    assert await env.db.read(lambda s: s.outbox.status_counts()) == {"delivered": 60}
    logged = await env.db.read(lambda s: s.interactions.count())
    assert logged == 60
    assert (await env.sandbox.client.stats())["http_429"] == 0


async def test_throttling_loses_and_duplicates_nothing(env: Env) -> None:
    await env.sandbox.client.limits(overall_per_s=5)  # the sandbox is far stricter than our pace
    chats = list(range(2000, 2040))
    await enqueue_bulk(env, chats)
    await drain(env, len(chats), within=40)
    stats = await env.sandbox.client.stats()
    assert stats["http_429"] > 0 and env.sender.stats.throttled > 0
    sent = await texts_sent(env)
    assert len(sent) == 40 and set(sent.values()) == {1}


async def test_5xx_and_dropped_connections_are_retried(env: Env) -> None:
    await env.sandbox.client.fault("http500", count=3)
    await env.sandbox.client.fault("drop", count=3)
    chats = list(range(3000, 3010))
    await enqueue_bulk(env, chats)
    await drain(env, len(chats))
    sent = await texts_sent(env)
    assert len(sent) == 10 and set(sent.values()) == {1}
    # every fault was met (by a send or by the channel's getMe probe) and none failed a message
    injected = (await env.sandbox.client.stats())["faults_injected"]
    assert injected["http500"] == 3 and injected["drop"] == 3
    assert sum(env.sender.stats.errors.values()) >= 3 and env.sender.stats.failed == 0
    assert await env.db.read(lambda s: s.outbox.status_counts()) == {"delivered": 10}


async def test_gives_up_after_max_attempts_with_the_reason(env: Env) -> None:
    await env.sandbox.client.fault("http500", count=100, chat_id=3100)
    await enqueue_bulk(env, [3100, 3101])
    await drain(env, 2)
    row = await env.db.read(lambda s: s.outbox.get("m:3100"))
    assert row is not None and row["status"] == "failed" and row["attempts"] == 5
    assert "Internal Server Error" in row["last_error"]
    assert (await env.db.read(lambda s: s.outbox.get("m:3101")))["status"] == "delivered"  # type: ignore[index]


async def test_blocked_person_becomes_unreachable_and_caseworker_is_told(env: Env) -> None:
    ids = await env.db.write(add_family)
    for chat in (101, 102, 201):
        await env.sandbox.client.user(chat, f"u{chat}")
    await env.sandbox.client.block(101)
    now = to_iso(env.clock.now())
    await env.db.write(lambda s: [s.outbox.enqueue(NewMessage(
        dedupe_key=f"b{i}", chat_id=101, lane=LANE_BULK, payload={"text": f"b{i}"},
        person_id=ids["guardian"]), now=now) for i in range(3)])
    await drain(env, 4)
    grandma = await env.db.read(lambda s: s.people.get(ids["guardian"]))
    assert grandma is not None and grandma.status == "unreachable"
    counts = await env.db.read(lambda s: s.outbox.status_counts())
    assert counts == {"failed": 1, "cancelled": 2, "delivered": 1}
    alerts = await env.db.read(lambda s: s.alerts.all())
    assert [(a.rule, a.severity) for a in alerts] == [("unreachable", "normal")]
    told = await env.sandbox.client.bot_messages(201)
    assert len(told) == 1 and "奶奶" in told[0]["text"] and "🟡" in told[0]["text"]


async def test_per_chat_spacing_respected(env: Env) -> None:
    await env.sandbox.client.limits(private_burst=1)  # any two within a second would be a 429
    await env.sandbox.client.user(4000, "x")
    now = to_iso(env.clock.now())
    await env.db.write(lambda s: [s.outbox.enqueue(NewMessage(
        dedupe_key=f"s{i}", chat_id=4000, lane=LANE_BULK, payload={"text": f"s{i}"}), now=now)
        for i in range(3)])
    await drain(env, 3, within=15)
    records = await env.sandbox.client.sent()
    assert [r["text"] for r in records] == ["s0", "s1", "s2"]
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(records)]
    assert min(gaps) >= 0.95
    assert (await env.sandbox.client.stats())["http_429"] == 0


async def test_alerts_overtake_bulk(env: Env) -> None:
    await enqueue_bulk(env, list(range(5000, 5090)))
    env.sender.start()
    await asyncio.sleep(0.5)
    await enqueue_bulk(env, [5999], prefix="alert", lane=LANE_ALERT)
    env.sender.wake()
    await drain(env, 91)
    order = [r["text"] for r in await env.sandbox.client.sent()]
    position = order.index("alert:5999")
    assert position < 40, position  # far ahead of the 90 bulk messages queued before it


async def test_stalled_requests_do_not_duplicate(env: Env) -> None:
    await env.sandbox.client.fault("slow", count=2, delay=2.0)
    chats = list(range(6000, 6005))
    await enqueue_bulk(env, chats)
    await drain(env, 5)
    sent = await texts_sent(env)
    assert len(sent) == 5 and set(sent.values()) == {1}


async def test_photos_and_documents_go_through_the_outbox(env: Env) -> None:
    import base64

    await env.sandbox.client.user(8000, "x")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    now = to_iso(env.clock.now())
    await env.db.write(lambda s: s.outbox.enqueue(NewMessage(
        dedupe_key="qr", chat_id=8000, lane=LANE_BULK, kind="photo",
        payload={"file_b64": base64.b64encode(png).decode(), "caption": "二维码"}), now=now))
    await env.db.write(lambda s: s.outbox.enqueue(NewMessage(
        dedupe_key="csv", chat_id=8000, lane=LANE_ALERT, kind="document",
        payload={"file_b64": base64.b64encode(b"a,b\n").decode(), "filename": "x.csv"}), now=now))
    await drain(env, 2, within=15)
    messages = await env.sandbox.client.bot_messages(8000)
    assert messages[0]["document"]["file_name"] == "x.csv"
    assert messages[1]["caption"] == "二维码" and messages[1]["photo"][0]["file_size"] == len(png)


async def test_the_digest_chart_is_drawn_by_the_sender(env: Env) -> None:
    """The due-work transaction queues the chart's rows; the PNG is drawn on the way out."""
    from flows.staff.digest import CHART, chart_from_rows

    await env.sandbox.client.user(8100, "x")
    rows: list[list[object]] = [["2026-W46", 7, 5, 3, 1, 1], ["2026-W47", 7, 7, 6, 1, 0]]
    now = to_iso(env.clock.now())
    await env.db.write(lambda s: s.outbox.enqueue(NewMessage(
        dedupe_key="chart", chat_id=8100, lane=LANE_BULK, kind="photo",
        payload={CHART: rows, "caption": "📊"}), now=now))
    await drain(env, 1, within=15)
    (message,) = await env.sandbox.client.bot_messages(8100)
    assert message["caption"] == "📊"
    assert message["photo"][0]["file_size"] == len(chart_from_rows(rows))
