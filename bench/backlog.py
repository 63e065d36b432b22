"""Backlog benchmark (issue 13.14 and 13.5): N check-in prompts due within one minute on two
evenings running, drained by the real OutboxSender at Telegram's 30 msg/s, with urgent alerts
arriving in the middle.

Each evening the due-work tick hands the prompts fair send slots (flows.outbox.spread:
PROMPTS_PER_S to a second, yesterday's missed families first, then the day's rotating order);
``--no-spread`` drains them as they came (by id), the behaviour before, to compare.

At 30 msg/s, 200 000 prompts take 111 minutes, so the run is fast-forwarded: the sender's clock
runs ``--speed`` times faster than the wall clock and the pacer allows 30 x speed msg/s, so every
figure below is in the simulated (Telegram) seconds. The Bot API is PTB's offline request idiom
(sandbox/offline.py): the figure is the sender's scheduling, not HTTP.

Reported per evening: how late the delivered prompts were after they fell due (p50, p95, max)
and after their slot (p95, max: how well the timetable is kept), the spread window (first to
last slot), how many expired instead (each prompt carries its kind's expiry: dropped, counted,
no alert), and how long each alert waited behind the backlog; and over the two evenings, how
many families lost their question on both (fairness).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import emit  # type: ignore[import-not-found]
from telegram import Bot

from db.database import Database
from db.outbox import LANE_ALERT, LANE_BULK, NewMessage
from db.store import Store
from flows.core.clock import from_iso, to_iso
from flows.outbox.due_work import SEND_EXPIRY
from flows.outbox.spread import PROMPTS_PER_S, SLOT_CHUNK, assign_slots, to_spread
from sandbox.offline import OfflineBotApi
from scheduler.pacer import Pacer
from scheduler.sender import OutboxSender

START = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai
CHUNK = 5000
RATE = 30.0
FIRST_CHAT = 100_000


class FastClock:
    """Simulated time running ``speed`` times faster than the wall clock from a chosen moment;
    held still while an evening's prompts are enqueued (that work is not the sender's)."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._base = START
        self._t0 = time.monotonic()
        self._held: datetime | None = START

    def hold(self, at: datetime) -> None:
        self._held = at

    def run_from(self, at: datetime) -> None:
        self._base, self._t0, self._held = at, time.monotonic(), None

    def now(self) -> datetime:
        if self._held is not None:
            return self._held
        return self._base + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)


async def add_people(db: Database, n: int) -> list[int]:
    ids: list[int] = []
    for start in range(0, n, CHUNK):
        def work(s: Store, start: int = start) -> list[int]:
            return [s.people.add(role="guardian", now=to_iso(START), tg_user_id=FIRST_CHAT + i,
                                 tg_chat_id=FIRST_CHAT + i) for i in range(start, min(start + CHUNK, n))]
        ids += await db.write(work)
    return ids


def due_at(evening: datetime, i: int, n: int) -> datetime:
    return evening + timedelta(seconds=60 * i / n)  # all due within one minute


async def enqueue_evening(db: Database, people: list[int], day: int, evening: datetime,
                          tick: datetime, expiry: timedelta | None, spread: bool) -> None:
    """What the tick after the minute enqueues: one question per family, then the slots."""
    n = len(people)
    for start in range(0, n, CHUNK):
        def work(s: Store, start: int = start) -> None:
            messages = []
            for i in range(start, min(start + CHUNK, n)):
                due = due_at(evening, i, n)
                messages.append(NewMessage(
                    dedupe_key=f"checkin:{day}:{i}", chat_id=FIRST_CHAT + i, lane=LANE_BULK,
                    person_id=people[i], payload={"text": "今天孩子怎么样？"},
                    not_before=to_iso(due), expires_at=to_iso(due + expiry) if expiry else None))
            if spread:
                messages = to_spread(s, messages, now=tick, local_day=evening.date())
            s.outbox.enqueue_many(messages, now=to_iso(tick))
        await db.write(work)
    while spread:
        slots = await db.write(lambda s: assign_slots(s, tick))
        if slots.booked + slots.expired < SLOT_CHUNK:
            break


async def evening_run(db: Database, sender: OutboxSender, clock: FastClock, people: list[int],
                      day: int, alerts: int, expiry: timedelta | None,
                      spread: bool) -> dict[str, object]:
    evening = START + timedelta(days=day)
    tick = evening + timedelta(seconds=60)
    clock.hold(tick)
    await enqueue_evening(db, people, day, evening, tick, expiry, spread)
    clock.run_from(tick)
    sender.wake()
    n = len(people)
    wall0 = time.monotonic()
    spacing = (n / RATE) / (alerts + 1)  # alerts spread over the backlog's length
    for k in range(alerts):
        target = evening + timedelta(seconds=spacing * (k + 1))
        ahead = (target - clock.now()).total_seconds() / clock.speed
        if ahead > 0:
            await asyncio.sleep(ahead)
        at = clock.now()
        await db.write(lambda s, k=k, at=at: s.outbox.enqueue(NewMessage(
            dedupe_key=f"alert:{day}:{k}", chat_id=9_000 + k, lane=LANE_ALERT,
            payload={"text": "🆘"}), now=to_iso(at)))
        sender.wake()
    while True:
        counts = await db.read(lambda s: s.outbox.status_counts())
        if counts.get("pending", 0) + counts.get("sending", 0) == 0:
            break
        await asyncio.sleep(0.2)
    await sender.wait_idle()
    wall = time.monotonic() - wall0
    rows = await db.read(lambda s: [tuple(r) for r in s.conn.execute(
        "SELECT dedupe_key, status, slot, delivered_at, created_at FROM outbox "
        "WHERE dedupe_key LIKE ? OR dedupe_key LIKE ?", (f"checkin:{day}:%", f"alert:{day}:%")
    ).fetchall()])
    late: list[float] = []
    behind_slot: list[float] = []
    slots: list[datetime] = []
    alert_wait: list[float] = []
    expired: set[int] = set()
    for key, status, slot, delivered, created in rows:
        if key.startswith("alert:"):
            if status == "delivered":
                alert_wait.append((from_iso(delivered) - from_iso(created)).total_seconds())
            continue
        i = int(key.rsplit(":", 1)[1])
        if status == "delivered":
            late.append((from_iso(delivered) - due_at(evening, i, n)).total_seconds())
            if slot:
                behind_slot.append((from_iso(delivered) - from_iso(slot)).total_seconds())
                slots.append(from_iso(slot))
        elif status == "cancelled":
            expired.add(i)
    late.sort()
    behind_slot.sort()
    window = (max(slots) - min(slots)).total_seconds() / 60 if slots else None
    return {
        "delivered": len(late), "expired": len(expired),
        "late_p50_min": pct(late, 0.50), "late_p95_min": pct(late, 0.95),
        "late_max_min": round(late[-1] / 60, 1) if late else 0.0,
        "after_slot_p95_s": pct(behind_slot, 0.95, 1), "after_slot_max_s":
            round(behind_slot[-1], 1) if behind_slot else None,
        "spread_window_min": round(window, 1) if window is not None else None,
        "alert_wait_max_s": round(max(alert_wait), 2) if alert_wait else None,
        "wall_s": round(wall, 1), "_expired": expired,
    }


def pct(values: list[float], p: float, unit: float = 60) -> float:
    if not values:
        return 0.0
    return round(values[min(len(values) - 1, int(p * len(values)))] / unit, 1)


async def run(n: int, speed: float, alerts: int, expiry: timedelta | None,
              spread: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "backlog.db")
        people = await add_people(db, n)
        clock = FastClock(speed)
        bot = Bot("123:offline", request=OfflineBotApi())
        await bot.initialize()
        sender = OutboxSender(db, bot, clock, pacer=Pacer(RATE * speed), idle_poll_s=0.05)
        # claim as at the real 30 msg/s (3 rows a claim): an alert waits behind what was
        # claimed before it, so the claim must not grow with the speed-up
        sender._batch_size = lambda: max(1, int(RATE / 10))  # type: ignore[method-assign]
        sender.start()
        evenings = []
        for day in (0, 1):
            evenings.append(await evening_run(db, sender, clock, people, day, alerts, expiry,
                                              spread))
        await sender.stop()
        await bot.shutdown()
        await db.close()
    missed1, missed2 = (e.pop("_expired") for e in evenings)
    assert isinstance(missed1, set) and isinstance(missed2, set)
    return {
        "prompts": n, "spread": spread, "prompts_per_s": PROMPTS_PER_S if spread else None,
        "expiry_min": expiry.total_seconds() / 60 if expiry else None,
        "evening1": evenings[0], "evening2": evenings[1],
        "expired_both_evenings": len(missed1 & missed2),
        "expired_1_served_2": len(missed1 - missed2),
        "speed": speed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 000 prompts")
    parser.add_argument("-n", type=int, default=200_000)
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--alerts", type=int, default=10)
    parser.add_argument("--no-spread", action="store_true", help="drain by id, to compare")
    parser.add_argument("--expiry-min", type=float, default=None,
                        help="a check-in question's expiry (default: SEND_EXPIRY['checkin'])")
    parser.add_argument("--no-expiry", action="store_true", help="never expire, to compare")
    args = parser.parse_args()
    n = 10_000 if args.quick else args.n
    expiry = None if args.no_expiry else (
        timedelta(minutes=args.expiry_min) if args.expiry_min else SEND_EXPIRY["checkin"])
    result = asyncio.run(run(n, args.speed, args.alerts, expiry, not args.no_spread))
    emit({"benchmark": "backlog", **result})


if __name__ == "__main__":
    main()
