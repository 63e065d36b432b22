"""A week of fast-forwarded traffic for 50 families while the Bot API misbehaves: 500s, dropped
connections, a 10 s stall, a 429 storm, 403 for two guardians who blocked the bot, and the Bot
API server restarting mid-run. Afterwards every due message was delivered (or recorded as failed
with a reason and surfaced to the caseworker), every answer is stored, no alert is lost, and the
bot still answers."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from bot import build_application, start_application, stop_application
from db.database import Database
from db.store import Store
from flows.core.clock import OffsetClock
from flows.core.person_plans import sync_person
from sandbox.client import SandboxClient
from sandbox.server import DEFAULT_TOKEN, Sandbox
from scheduler.jobs import run_due_work
from tests.support.clock import daytime_clock
from tests.support.families import add_family
from tests.support.handles import sandbox_settings
from tests.support.waiting import eventually

pytestmark = pytest.mark.reliability

FAMILIES = 50
GUARDIAN, PARENT, CASEWORKER = 10_000, 20_000, 30_000
BLOCKED = (GUARDIAN + 7, GUARDIAN + 8)  # these two block the bot on day 2
SHANGHAI = ZoneInfo("Asia/Shanghai")
FAULTS_BY_DAY: dict[int, list[dict[str, Any]]] = {
    1: [{"kind": "http500", "count": 25}],
    2: [{"kind": "drop", "count": 15}],
    3: [{"kind": "slow", "count": 1, "delay": 10.0, "method": "sendMessage"}],
    4: [{"kind": "http429", "count": 20, "retry_after": 1}],
    5: [{"kind": "http500", "count": 10}, {"kind": "drop", "count": 10}],
}


class Server:
    """The sandbox on a fixed port, so it can be stopped and started again mid-run."""

    def __init__(self) -> None:
        self.sandbox = Sandbox(token=DEFAULT_TOKEN)
        self.runner = web.AppRunner(self.sandbox.app, access_log=None, handle_signals=False)
        self.site: web.TCPSite | None = None
        self.port = 0

    async def start(self) -> None:
        if self.site is None:
            await self.runner.setup()
        self.site = web.TCPSite(self.runner, "127.0.0.1", self.port)
        await self.site.start()
        if not self.port:
            server = self.site._server
            assert server is not None and server.sockets
            self.port = server.sockets[0].getsockname()[1]

    async def restart(self, down_s: float) -> None:
        assert self.site is not None
        await self.site.stop()
        await asyncio.sleep(down_s)
        await self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def seed(store: Store, clock: OffsetClock) -> None:
    for i in range(FAMILIES):
        ids = add_family(store, guardian_tg=GUARDIAN + i, parent_tg=PARENT + i,
                         caseworker_tg=CASEWORKER + i, village=f"村{i}")
        store.people.set_checkin_time(ids["guardian"], "19:00")
        store.people.set_weekly(ids["parent"], 7, "20:00")
        for person in (ids["guardian"], ids["parent"], ids["caseworker"]):
            sync_person(store, person, clock.now())


async def prompts(client: SandboxClient, chat: int) -> list[dict[str, Any]]:
    """The check-in prompts a guardian received (answered ones have lost their buttons)."""
    return [m for m in await client.messages(chat) if "点几下" in (m.get("text") or "")]


async def test_a_week_of_faults(tmp_path: Path) -> None:
    server = Server()
    await server.start()
    client = SandboxClient(server.url)
    await client.limits(enabled=False)  # this test is about faults, not about rates
    everyone = [{"user_id": b + i, "first_name": f"p{b + i}", "language_code": "zh-hans"}
                for b in (GUARDIAN, PARENT, CASEWORKER) for i in range(FAMILIES)]
    everyone.append({"user_id": 9001, "first_name": "admin", "language_code": "zh-hans"})
    await client._post("/sandbox/users", everyone)  # type: ignore[arg-type]

    settings = sandbox_settings(server.url, tmp_path / "week.db")
    db = await Database.open(settings.db_path)
    clock = daytime_clock()
    await db.write(lambda s: seed(s, clock))
    app = build_application(settings, db=db, clock=clock, send_rate_per_s=None)
    await start_application(app, poll_timeout=1)
    svc = app.bot_data.services
    answered: dict[int, list[tuple[str, str]]] = {}
    try:
        for day in range(7):
            for rule in FAULTS_BY_DAY.get(day, []):
                await client.fault(**rule)
            if day == 2:
                for chat in BLOCKED:
                    await client.block(chat)
            # fast-forward to this evening's check-in and let it go out
            local = clock.now().astimezone(SHANGHAI)
            target = local.replace(hour=19, minute=0, second=30, microsecond=0)
            if target <= local:
                target += timedelta(days=1)
            clock.advance(target - local)
            await run_due_work(svc)
            reachable = [GUARDIAN + i for i in range(FAMILIES)
                         if day < 2 or GUARDIAN + i not in BLOCKED]

            async def all_prompted(n: int = day + 1, who: list[int] = reachable) -> bool:
                return all([len(await prompts(client, g)) >= n for g in who])
            if not await eventually(all_prompted, within=60):
                state = await db.read(lambda s: s.conn.execute(
                    "SELECT status, attempts, last_error, not_before FROM outbox WHERE dedupe_key "
                    "LIKE 'checkin:%' AND status != 'delivered' LIMIT 5").fetchall())
                missing = [g for g in reachable if len(await prompts(client, g)) < day + 1]
                raise AssertionError(f"day {day}: prompts missing for {missing[:5]}: "
                                     f"{[tuple(r) for r in state]} now={clock.now()}")
            if day == 3:
                await server.restart(down_s=3.0)  # the Bot API goes away mid-run
            # each guardian answers mood and health; family 0 is sad all week, family 1 hurt
            for g in reachable:
                question = (await prompts(client, g))[-1]
                mood = "sad" if g == GUARDIAN else "happy"
                data = next(b["callback_data"] for row in question["reply_markup"]["inline_keyboard"]
                            for b in row if b["callback_data"].endswith(f":mood:{mood}"))
                await client.press(g, question["message_id"], data)
                answered.setdefault(g, []).append(("mood", mood))

            async def moods_stored(n: int = day + 1) -> bool:
                rows = await db.read(lambda s: s.conn.execute(
                    "SELECT COUNT(*) FROM checkins WHERE mood IS NOT NULL").fetchone()[0])
                return rows >= sum(min(n, len(v)) for v in answered.values())
            assert await eventually(moods_stored, within=60), f"day {day}: answers missing"
            clock.advance(timedelta(hours=4))  # the check-ins close politely (partial)
            await run_due_work(svc)
        # Sunday evening has passed during the week: weekly messages went out too
        await client.clear_faults()
        clock.advance(timedelta(minutes=10))
        await run_due_work(svc)
        sender = app.bot_data.sender
        assert sender is not None

        async def settled() -> bool:
            counts = await db.read(lambda s: s.outbox.status_counts())
            return counts.get("pending", 0) == 0 and counts.get("sending", 0) == 0
        for _ in range(20):  # retries wait on the (fast-forwarded) clock
            if await settled():
                break
            clock.advance(timedelta(minutes=30))
            sender.wake()
            await asyncio.sleep(1)
        assert await settled(), await db.read(lambda s: s.outbox.status_counts())

        # every due message delivered once, or failed with its reason (and surfaced)
        rows = await db.read(lambda s: s.conn.execute(
            "SELECT chat_id, status, last_error, in_doubt, dedupe_key FROM outbox").fetchall())
        statuses = Counter(r["status"] for r in rows)
        failed = [r for r in rows if r["status"] == "failed"]
        assert all(r["last_error"] for r in failed)
        failed_chats = {r["chat_id"] for r in failed}
        assert failed_chats <= set(BLOCKED), failed_chats
        alerts = await db.read(lambda s: s.alerts.all())
        unreachable = {a.person_id for a in alerts if a.rule == "unreachable"}
        assert len(unreachable) == len(BLOCKED)  # each one surfaced to the caseworker
        # duplicates: what reached the chats beyond what the outbox delivered, for the kinds
        # that only the outbox sends (prompts, polite closes, nudges, weekly messages)
        sent = await client.sent()
        kinds = {"checkin:": "点几下", "checkin_close:": "下次再聊", "nudge:": "💛",
                 "weekly:": "这一周"}
        duplicates = 0
        for key, words in kinds.items():
            delivered = sum(1 for r in rows if r["dedupe_key"].startswith(key)
                            and r["status"] == "delivered")
            received = sum(1 for m in sent if words in (m.get("text") or ""))
            assert received >= delivered, (key, received, delivered)
            duplicates += received - delivered
        in_doubt = sum(r["in_doubt"] for r in rows)
        assert duplicates <= in_doubt, (duplicates, in_doubt)
        weekly = [r for r in rows if r["dedupe_key"].startswith("weekly:")]
        assert len(weekly) == FAMILIES and all(r["status"] == "delivered" for r in weekly)

        # every answer stored, no alert lost
        stored = await db.read(lambda s: s.conn.execute(
            "SELECT p.tg_user_id, c.mood FROM checkins c JOIN people p ON p.id = c.guardian_id "
            "WHERE c.mood IS NOT NULL").fetchall())
        assert Counter(r[0] for r in stored) == Counter({g: len(v) for g, v in answered.items()})
        assert any(a.rule == "sad_streak" for a in alerts)
        for alert in alerts:
            msgs = [r for r in rows if r["dedupe_key"] == f"alert:{alert.id}:0"]
            assert msgs and msgs[0]["status"] in ("delivered", "failed"), alert

        # and the bot still answers
        await client.send(GUARDIAN, "/menu")
        menu = await client.bot_messages(GUARDIAN, after=max(m["message_id"] for m in
                                                              await client.messages(GUARDIAN)) - 1,
                                         wait=10)
        assert menu
        injected = server.sandbox.faults.injected
        print(f"faults injected: {dict(injected)}, sandbox restarts: 1, delivered: "
              f"{statuses['delivered']}, failed: {statuses.get('failed', 0)}, "
              f"duplicates: {duplicates} (in doubt {in_doubt})")
        assert sum(injected.values()) >= 60
    finally:
        await stop_application(app)
        await db.close()
        await client.close()
        await server.runner.cleanup()
