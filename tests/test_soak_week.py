"""Issue 13 "Done when": a fast-forwarded week for 50 families with a 10-minute outage (the Bot
API refusing every connection while check-in prompts are due), a 2 000-message flood from one
grandmother who then presses 🆘, a caseworker who blocks the bot, and a restart while the
evening's prompts go out. Afterwards: 0 messages failed for a network reason, 0 lost,
0 duplicates beyond those counted in doubt, every 🆘 delivered to a reachable person."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import build_application, start_application, stop_application
from db.database import Database
from db.store import Store
from flows.core.clock import OffsetClock, to_iso
from flows.core.person_plans import sync_person
from sandbox.client import SandboxClient
from scheduler.jobs import run_due_work
from tests.support.families import add_family
from tests.support.handles import sandbox_settings
from tests.support.waiting import eventually
from tests.test_fault_week import Server, prompts

pytestmark = pytest.mark.reliability

FAMILIES = 50
GUARDIAN, PARENT, CASEWORKER, SUPERVISOR = 10_000, 20_000, 30_000, 40_000
BLOCKING_CW = CASEWORKER + 2       # blocks the bot on day 1
FLOODER = GUARDIAN + 5             # sends 2 000 messages on day 4, then presses 🆘
OUTAGE_DAY, FLOOD_DAY, BLOCK_DAY, RESTART_DAY = 3, 4, 1, 2
SHANGHAI = ZoneInfo("Asia/Shanghai")
NETWORK_KINDS = ("network", "server", "not_found")


def seed(store: Store, clock: OffsetClock) -> None:
    now = to_iso(clock.now())
    sup = store.people.add(role="supervisor", now=now, display_name="王督导",
                           tg_user_id=SUPERVISOR, tg_chat_id=SUPERVISOR)
    for i in range(FAMILIES):
        ids = add_family(store, guardian_tg=GUARDIAN + i, parent_tg=PARENT + i,
                         caseworker_tg=CASEWORKER + i, village=f"村{i}")
        store.people.set_supervisor(ids["caseworker"], sup)
        store.people.set_checkin_time(ids["guardian"], "19:00")
        store.people.set_weekly(ids["parent"], 7, "20:00")
        for person in (ids["guardian"], ids["parent"], ids["caseworker"]):
            sync_person(store, person, clock.now())


async def finish_help(client: SandboxClient, user: int, db: Database) -> None:
    """Answer the 🆘 questions (not in danger now, nothing to add) so the evening's check-in
    comes again the next day."""
    pressed: set[tuple[int, str]] = set()
    for _ in range(100):
        await asyncio.sleep(0.1)
        found = await client.bot_messages(user)
        # the newest question with these buttons (a receipt such as "✅ … 已经收到" may follow it)
        asking = next(((m, b["callback_data"]) for m in reversed(found)
                       for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
                       for b in row if b.get("callback_data", "") in ("h:danger:n", "h:more:skip")),
                      None)
        if asking is None or (asking[0]["message_id"], asking[1]) in pressed:
            if "h:more:skip" in {p[1] for p in pressed}:
                async def over() -> bool:  # her last press handled: the 🆘 exchange has ended
                    dialog = await db.read(lambda s: s.dialogs.get(user))
                    return dialog is None or dialog.kind != "sos"
                assert await eventually(over, within=20), "the 🆘 exchange never ended"
                return
            continue
        message, choice = asking
        pressed.add((message["message_id"], choice))
        await client.press(user, message["message_id"], choice)
    raise AssertionError("the 🆘 questions did not end")


async def _some_prompted(client: SandboxClient, n: int) -> bool:
    """At least one guardian has her n-th evening prompt: the sender is mid-evening."""
    got = Counter(r["chat_id"] for r in await client.sent() if "点几下" in (r["text"] or ""))
    return any(count >= n for count in got.values())


async def alerts_in(client: SandboxClient, chat: int) -> list[dict[str, Any]]:
    return [r for r in await client.sent() if r["chat_id"] == chat
            and ("🔴" in (r["text"] or "") or "⏫" in (r["text"] or ""))]


async def test_a_week_with_an_outage_a_flood_and_a_blocked_caseworker(tmp_path: Path) -> None:
    server = Server()
    await server.start()
    client = SandboxClient(server.url)
    everyone = [{"user_id": b + i, "first_name": f"p{b + i}", "language_code": "zh-hans"}
                for b in (GUARDIAN, PARENT, CASEWORKER) for i in range(FAMILIES)]
    everyone += [{"user_id": u, "first_name": f"p{u}", "language_code": "zh-hans"}
                 for u in (SUPERVISOR, 9001)]
    await client._post("/sandbox/users", everyone)  # type: ignore[arg-type]

    settings = sandbox_settings(server.url, tmp_path / "soak.db")
    db = await Database.open(settings.db_path)
    clock = OffsetClock()
    await db.write(lambda s: seed(s, clock))
    app = build_application(settings, db=db, clock=clock)
    await start_application(app, poll_timeout=1)
    svc = app.bot_data.services
    sender = app.bot_data.sender
    assert sender is not None
    sender.channel.probe_cap_s = 1.0  # the real cap is 5 s; the outage here is fast-forwarded
    sos_latency: list[float] = []
    sos_before: list[int] = []
    prompted_days: Counter[int] = Counter()
    try:
        for day in range(7):
            local = clock.now().astimezone(SHANGHAI)
            target = local.replace(hour=19, minute=0, second=30, microsecond=0)
            if target <= local:
                target += timedelta(days=1)
            clock.advance(target - local)
            if day == OUTAGE_DAY:
                # ten minutes of refused connections while the evening's prompts are due
                await client.fault("refuse", seconds=4.0)
                await run_due_work(svc)
                for _ in range(10):
                    await asyncio.sleep(0.3)
                    clock.advance(timedelta(minutes=1))
            elif day == RESTART_DAY:
                # a restart while the evening's prompts are going out: the old bot stops
                # (claimed rows go back), a new one starts on the same database and goes on
                await run_due_work(svc)
                await eventually(lambda n=day + 1: _some_prompted(client, n), within=20, interval=0.05)
                restarted_with = await db.read(lambda s: s.outbox.status_counts())
                await stop_application(app)
                app = build_application(settings, db=db, clock=clock)
                await start_application(app, poll_timeout=1)
                svc = app.bot_data.services
                sender = app.bot_data.sender
                assert sender is not None
                sender.channel.probe_cap_s = 1.0
                assert restarted_with.get("pending", 0) > 0, restarted_with  # mid-evening
            else:
                await run_due_work(svc)
            reachable = [GUARDIAN + i for i in range(FAMILIES)]

            async def all_prompted(n: int = day + 1, who: list[int] = reachable) -> bool:
                got = Counter(r["chat_id"] for r in await client.sent()
                              if "点几下" in (r["text"] or ""))
                return all(got[g] >= n for g in who)
            if not await eventually(all_prompted, within=40, interval=0.2):
                missing = [g for g in reachable if len(await prompts(client, g)) < day + 1]
                people = await db.read(lambda s, m=missing: [tuple(r) for r in s.conn.execute(
                    "SELECT tg_user_id, status, status_reason FROM people WHERE tg_user_id IN "
                    f"({','.join(str(x) for x in m)})").fetchall()])
                rows = await db.read(lambda s, m=missing: [tuple(r) for r in s.conn.execute(
                    "SELECT dedupe_key, status, substr(payload, 1, 80), last_error FROM outbox "
                    f"WHERE chat_id IN ({','.join(str(x) for x in m)}) ORDER BY id DESC LIMIT 8"
                    ).fetchall()])
                raise AssertionError(f"day {day}: prompts missing for {missing}: {people} {rows}")
            prompted_days[day] = len(reachable)
            for g in reachable:
                question = (await prompts(client, g))[-1]
                data = next(b["callback_data"] for row in question["reply_markup"]["inline_keyboard"]
                            for b in row if b["callback_data"].endswith(":mood:happy"))
                await client.press(g, question["message_id"], data)

            if day == BLOCK_DAY:
                await client.block(BLOCKING_CW)
                before = len(await alerts_in(client, SUPERVISOR))
                await client.send(BLOCKING_CW - CASEWORKER + GUARDIAN, "/help_now")
                # the caseworker cannot be reached: the alert climbs to a reachable person
                # (at once on the ladder branch; here after the 30-minute step at the latest)

                async def sos_raised() -> bool:
                    return any(a.rule == "sos" for a in await db.read(lambda s: s.alerts.all()))
                assert await eventually(sos_raised, within=20)
                await asyncio.sleep(0.5)  # its first copy meets the block (403)
                clock.advance(timedelta(minutes=31))
                await run_due_work(svc)

                async def supervisor_told(n: int = before) -> bool:
                    return len(await alerts_in(client, SUPERVISOR)) > n
                assert await eventually(supervisor_told, within=20), "🆘 reached nobody"
                await finish_help(client, BLOCKING_CW - CASEWORKER + GUARDIAN, db)

            if day == FLOOD_DAY:
                cw = FLOODER - GUARDIAN + CASEWORKER
                for start in range(0, 2000, 500):
                    await asyncio.gather(*[client.send(FLOODER, f"在吗{i}")
                                           for i in range(start, start + 500)])
                seen = len(await client.sent())
                pressed_at = time.time()
                await client.send(FLOODER, "🆘 紧急求助")

                async def caseworker_alerted(seen: int = seen, cw: int = cw) -> list[dict[str, Any]]:
                    return [r for r in (await client.sent())[seen:]
                            if r["chat_id"] == cw and "🔴" in (r["text"] or "")]
                alert = await eventually(caseworker_alerted, within=30)
                assert alert, "the flooder's 🆘 never reached her caseworker"
                to_cw = [r for r in (await client.sent())[seen:] if r["chat_id"] == cw]
                sos_before.append([r["seq"] for r in to_cw].index(alert[0]["seq"]))
                sos_latency.append(alert[0]["at"] - pressed_at)
                await finish_help(client, FLOODER, db)
            clock.advance(timedelta(hours=4))  # the check-ins close politely
            await run_due_work(svc)

        clock.advance(timedelta(minutes=10))
        await run_due_work(svc)

        async def settled() -> bool:
            counts = await db.read(lambda s: s.outbox.status_counts())
            return counts.get("pending", 0) == 0 and counts.get("sending", 0) == 0
        for _ in range(30):  # past the quiet night: what waits for the morning goes out
            if await settled():
                break
            clock.advance(timedelta(hours=3))
            sender.wake()
            await asyncio.sleep(0.5)
        assert await settled(), await db.read(lambda s: s.outbox.status_counts())

        rows = await db.read(lambda s: s.conn.execute(
            "SELECT chat_id, status, last_error, in_doubt, dedupe_key FROM outbox").fetchall())
        failed = [r for r in rows if r["status"] == "failed"]
        # 0 failed for a network reason: the only failures are the blocked caseworker's (403)
        assert not [r for r in failed if (r["last_error"] or "").startswith(NETWORK_KINDS)]
        assert {r["chat_id"] for r in failed} <= {BLOCKING_CW}, failed
        # 0 lost: every evening's prompt reached every guardian (none expired: 10 min late)
        checkin_rows = [r for r in rows if r["dedupe_key"].startswith("checkin:")]
        assert len(checkin_rows) == 7 * FAMILIES
        assert all(r["status"] == "delivered" for r in checkin_rows)
        assert sum(prompted_days.values()) == 7 * FAMILIES
        # 0 duplicates beyond those counted in doubt
        sent = await client.sent()
        duplicates = 0
        for key, words in {"checkin:": "点几下", "weekly:": "这一周"}.items():
            delivered = sum(1 for r in rows if r["dedupe_key"].startswith(key)
                            and r["status"] == "delivered")
            received = sum(1 for m in sent if words in (m.get("text") or ""))
            assert received >= delivered, (key, received, delivered)
            duplicates += received - delivered
        in_doubt = sum(r["in_doubt"] for r in rows)
        assert duplicates <= in_doubt, (duplicates, in_doubt)
        # every 🆘 reached a reachable person; the flooder's was next in her caseworker's chat
        alerts = await db.read(lambda s: s.alerts.all())
        sos = [a for a in alerts if a.rule == "sos"]
        assert len(sos) == 2, [a.rule for a in alerts]
        for alert in sos:
            copies = [r for r in rows if r["dedupe_key"].startswith(f"alert:{alert.id}:")
                      and r["status"] == "delivered"]
            assert copies, alert
        assert sos_before == [0] or sos_before == [1], sos_before
        # the sandbox's own timestamps, pressed -> received by the caseworker: printed, not
        # asserted (a test asserts no wall-clock time; the order above is the guarantee)
        assert sos_latency, sos_latency
        stats = await client.stats()
        print(f"soak: {Counter(r['status'] for r in rows)}, duplicates {duplicates} (in doubt "
              f"{in_doubt}), outage refusals {stats['faults_injected'].get('refuse')}, channel "
              f"pauses {sender.stats.channel_pauses}, flood throttled "
              f"{app.update_processor.throttle.throttled}, 🆘 after flood "
              f"{sos_latency[0]:.2f} s")
    finally:
        await stop_application(app)
        await db.close()
        await client.close()
        await server.runner.cleanup()
