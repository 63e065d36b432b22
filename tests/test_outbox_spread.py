"""Issue 13.14: prompts that fall due together get fair send slots within the channel's capacity.

Real SQLite, the real due-work tick (scheduler.jobs.sweep_due_work) and the real OutboxSender
against PTB's offline request idiom (sandbox/offline.py), as bench/backlog.py does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from telegram import Bot

from db.database import Database
from db.outbox import LANE_ALERT, LANE_BULK, LANE_REMINDER, NewMessage
from db.store import Store
from flows.core.clock import ManualClock, from_iso, to_iso
from flows.core.config import Settings
from flows.core.person_plans import sync_person
from flows.core.services import Services
from flows.outbox.delivery import claim_due
from flows.outbox.due_work import SEND_EXPIRY
from flows.outbox.spread import PROMPTS_PER_S, assign_slots, spread_key, to_spread
from sandbox.offline import OfflineBotApi
from scheduler.jobs import sweep_due_work
from scheduler.pacer import Pacer
from scheduler.sender import OutboxSender
from tests.support.families import add_family

pytestmark = pytest.mark.reliability

EVENING = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # Monday 19:00 in Shanghai
DAY = EVENING.date()


def add_people(store: Store, n: int, first_tg: int = 10_000) -> list[int]:
    return [store.people.add(role="guardian", now=to_iso(EVENING), display_name="奶奶",
                             tg_user_id=first_tg + i, tg_chat_id=first_tg + i) for i in range(n)]


def prompt(person: int, chat: int, key: str, *, lane: int = LANE_BULK,
           expires: datetime | None = None) -> NewMessage:
    return NewMessage(dedupe_key=key, chat_id=chat, lane=lane, person_id=person,
                      payload={"text": key}, expires_at=to_iso(expires) if expires else None)


async def enqueue_spread(db: Database, messages: list[NewMessage], now: datetime,
                         day: date = DAY) -> None:
    await db.write(lambda s: s.outbox.enqueue_many(
        to_spread(s, messages, now=now, local_day=day), now=to_iso(now)))


async def slots_of(db: Database) -> dict[str, tuple[str | None, str]]:
    rows = await db.read(lambda s: s.conn.execute(
        "SELECT dedupe_key, slot, not_before FROM outbox").fetchall())
    return {r[0]: (r[1], r[2]) for r in rows}


# ---- the timetable ------------------------------------------------------------------------
async def test_slots_fit_the_capacity_and_continue_after_those_already_booked(
        db: Database) -> None:
    people = await db.write(lambda s: add_people(s, 130))
    await enqueue_spread(db, [prompt(p, 10_000 + i, f"a:{i}") for i, p in enumerate(people[:100])],
                         EVENING)
    # waiting for a slot, a due prompt is not sent (a crash here leaves it for the next tick)
    claim = await db.write(lambda s: claim_due(s, EVENING, 500, {}))
    assert claim.items == []
    first = await db.write(lambda s: assign_slots(s, EVENING))
    assert (first.booked, first.expired) == (100, 0)
    # a later tick's prompts queue after the slots already booked, filling the last second
    later = EVENING + timedelta(seconds=1)
    await enqueue_spread(db, [prompt(p, 10_100 + i, f"b:{i}") for i, p in enumerate(people[100:])],
                         later)
    assert (await db.write(lambda s: assign_slots(s, later))).booked == 30

    slots = await slots_of(db)
    per_second = Counter(slot for slot, _nb in slots.values())
    assert max(per_second.values()) <= PROMPTS_PER_S
    seconds = sorted(from_iso(s) for s in per_second)
    assert seconds == [EVENING + timedelta(seconds=k) for k in range(len(seconds))]
    assert len(seconds) == -(-130 // PROMPTS_PER_S)  # the window is as short as capacity allows
    for slot, not_before in slots.values():
        assert slot is not None
        assert from_iso(slot) - timedelta(seconds=1) < from_iso(not_before) <= from_iso(slot)
    assert all(from_iso(slots[f"b:{i}"][0]) >= from_iso(max(slots[f"a:{j}"][0] for j in range(100)))
               for i in range(30))
    # only the first second is due at once; the rest at their slot, not before
    claim = await db.write(lambda s: claim_due(s, EVENING, 500, {}))
    assert len(claim.items) == PROMPTS_PER_S


async def test_the_order_is_the_days_fair_order_and_a_persons_own_messages_keep_theirs(
        db: Database) -> None:
    people = await db.write(lambda s: add_people(s, 60))
    messages = []
    for i, p in enumerate(people):
        messages.append(prompt(p, 10_000 + i, f"first:{p}", lane=LANE_REMINDER))
        messages.append(prompt(p, 10_000 + i, f"second:{p}"))
    await enqueue_spread(db, messages, EVENING)
    await db.write(lambda s: assign_slots(s, EVENING))
    slots = await slots_of(db)
    by_time = sorted(slots, key=lambda k: slots[k][1])
    expected = sorted(people, key=lambda p: spread_key(p, DAY))
    assert [int(k.split(":")[1]) for k in by_time[::2]] == expected
    for p in people:  # adjacent, and in the order the flow produced them
        assert by_time.index(f"second:{p}") == by_time.index(f"first:{p}") + 1
    tomorrow = sorted(people, key=lambda p: spread_key(p, DAY + timedelta(days=1)))
    assert tomorrow != expected and sorted(people) != expected  # rotates; not by id


async def test_alerts_and_replies_never_wait_for_a_slot(db: Database) -> None:
    people = await db.write(lambda s: add_people(s, 2))
    alert = NewMessage(dedupe_key="alert:1", chat_id=10_000, lane=LANE_ALERT, person_id=people[0],
                       payload={"text": "🆘"}, spread_key=1)
    later = prompt(people[1], 10_001, "later", expires=EVENING + timedelta(hours=2))
    later = NewMessage(**{**later.__dict__, "not_before": to_iso(EVENING + timedelta(hours=1))})
    await enqueue_spread(db, [alert, later], EVENING)
    waiting = await db.read(lambda s: s.outbox.awaiting_slot(10))
    assert waiting == []  # the alert is due now; a prompt meant for later keeps its own moment
    claim = await db.write(lambda s: claim_due(s, EVENING, 10, {}))
    assert [i.dedupe_key for i in claim.items] == ["alert:1"]


async def test_a_prompt_with_no_slot_before_its_moment_is_dropped_and_counted(
        db: Database) -> None:
    people = await db.write(lambda s: add_people(s, 3 * PROMPTS_PER_S))
    soon = EVENING + timedelta(seconds=2)  # room for two seconds of prompts
    await enqueue_spread(db, [prompt(p, 10_000 + i, f"p:{i}", expires=soon)
                              for i, p in enumerate(people)], EVENING)
    slots = await db.write(lambda s: assign_slots(s, EVENING))
    assert (slots.booked, slots.expired) == (2 * PROMPTS_PER_S, PROMPTS_PER_S)
    counts = await db.read(lambda s: s.outbox.status_counts())
    assert counts == {"pending": 2 * PROMPTS_PER_S, "cancelled": PROMPTS_PER_S}
    assert await db.read(lambda s: s.outbox.expired_count()) == PROMPTS_PER_S
    # the dropped ones took no capacity: the next prompt goes in the third second
    people2 = await db.write(lambda s: add_people(s, 1, first_tg=20_000))
    await enqueue_spread(db, [prompt(people2[0], 20_000, "next")], EVENING)
    await db.write(lambda s: assign_slots(s, EVENING))
    assert (await slots_of(db))["next"][0] == to_iso(EVENING + timedelta(seconds=2))


# ---- two evenings through the real tick and the real sender --------------------------------
FAMILIES = 40


@pytest.fixture
async def village(db: Database) -> AsyncIterator[tuple[Services, OutboxSender, OfflineBotApi]]:
    clock = ManualClock(EVENING - timedelta(hours=3))

    def build(s: Store) -> None:
        for i in range(FAMILIES):
            ids = add_family(s, guardian_tg=1000 + i, parent_tg=2000 + i, caseworker_tg=3000 + i)
            s.people.set_checkin_time(ids["guardian"], "19:00")
            sync_person(s, ids["guardian"], clock.now())
    await db.write(build)
    api = OfflineBotApi()
    bot = Bot("123:offline", request=api)
    await bot.initialize()
    # 19 msg/s: the sender claims one row at a time, so the test decides the capacity
    sender = OutboxSender(db, bot, clock, pacer=Pacer(19))
    yield Services(db=db, clock=clock, settings=Settings(token="123:offline")), sender, api
    await sender.stop()
    await bot.shutdown()


async def evening(svc: Services, sender: OutboxSender, day: int, capacity: int) -> None:
    """The 19:00 tick, then ``capacity`` sends spread over the question's lifetime, then past it."""
    clock = svc.clock
    assert isinstance(clock, ManualClock)
    start = EVENING + timedelta(days=day)
    clock.set(start)
    await sweep_due_work(svc)
    life = SEND_EXPIRY["checkin"]
    for k in range(capacity):
        clock.set(start + life * (k + 0.5) / capacity)
        assert await sender.drain_once() == 1
        await sender.wait_idle()
    clock.set(start + life + timedelta(minutes=1))
    assert await sender.drain_once() == 0  # the rest expired at send time, quietly
    await sender.wait_idle()
    clock.set(start + timedelta(hours=4))  # the polite closes, in quiet hours: next morning
    await sweep_due_work(svc)
    clock.set(start + timedelta(hours=13))
    while await sender.drain_once():
        await sender.wait_idle()


async def outcome(db: Database, day: int) -> tuple[set[int], set[int]]:
    rows = await db.read(lambda s: s.conn.execute(
        "SELECT chat_id, status, last_error FROM outbox WHERE dedupe_key LIKE 'checkin:%' "
        "AND created_at LIKE ?", (f"{(EVENING + timedelta(days=day)).date().isoformat()}%",)
    ).fetchall())
    assert len(rows) == FAMILIES  # one question per family and evening: none lost
    served = {r[0] for r in rows if r[1] == "delivered"}
    missed = {r[0] for r in rows if r[1] == "cancelled" and r[2].startswith("expired")}
    assert served | missed == {r[0] for r in rows} and not served & missed
    return served, missed


async def test_families_missed_on_one_evening_are_served_the_next(
        village: tuple[Services, OutboxSender, OfflineBotApi]) -> None:
    """Capacity for half the families each evening: sent by id, the same half would lose their
    question every evening; the day's fair order serves yesterday's missed families first."""
    svc, sender, api = village
    half = FAMILIES // 2
    await evening(svc, sender, 0, half)
    served1, missed1 = await outcome(svc.db, 0)
    await evening(svc, sender, 1, half)
    served2, missed2 = await outcome(svc.db, 1)
    assert len(served1) == len(served2) == half
    assert missed1 <= served2, f"{len(missed1 & missed2)} families missed both evenings"
    assert not missed1 & missed2
    # nothing duplicated: each family received exactly the questions recorded as delivered
    for chat in range(1000, 1000 + FAMILIES):
        questions = [t for t in api.texts(chat) if "🌷" in t and "next time" not in t
                     and "下次" not in t]
        assert len(questions) == (chat in served1) + (chat in served2), api.texts(chat)


async def test_an_alert_queued_in_the_middle_of_the_timetable_goes_next(
        village: tuple[Services, OutboxSender, OfflineBotApi]) -> None:
    svc, sender, _api = village
    clock = svc.clock
    assert isinstance(clock, ManualClock)
    clock.set(EVENING)
    await sweep_due_work(svc)
    clock.set(EVENING + timedelta(minutes=1))  # every slot is due: a backlog of 40
    for _ in range(10):
        assert await sender.drain_once() == 1
        await sender.wait_idle()
    await svc.db.write(lambda s: s.outbox.enqueue(NewMessage(
        dedupe_key="alert:sos", chat_id=3000, lane=LANE_ALERT, payload={"text": "🆘"}),
        now=to_iso(clock.now())))
    assert await sender.drain_once() == 1
    await sender.wait_idle()
    rows = await svc.db.read(lambda s: s.conn.execute(
        "SELECT dedupe_key, status FROM outbox WHERE status = 'delivered' "
        "ORDER BY tg_message_id").fetchall())
    assert [r[0] for r in rows][-1] == "alert:sos" and len(rows) == 11
