"""Backlog benchmark (issue 13.14 and 13.5): N check-in prompts due within one minute, drained by
the real OutboxSender at Telegram's 30 msg/s, with urgent alerts arriving in the middle.

At 30 msg/s, 200 000 prompts take 111 minutes, so the run is fast-forwarded: the sender's clock
runs ``--speed`` times faster than the wall clock and the pacer allows 30 x speed msg/s, so every
figure below is in the simulated (Telegram) seconds. The Bot API is PTB's offline request idiom
(sandbox/offline.py): the figure is the sender's scheduling, not HTTP.

Reported: how late the delivered prompts were (p50, p95, max), how many expired instead (each
prompt carries its kind's expiry, one hour for a check-in question: dropped at send time,
counted, no alert), and how long each alert waited behind the backlog.
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
from flows.core.clock import from_iso, to_iso
from flows.outbox.due_work import SEND_EXPIRY
from sandbox.offline import OfflineBotApi
from scheduler.pacer import Pacer
from scheduler.sender import OutboxSender

START = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai
CHUNK = 5000
RATE = 30.0


class FastClock:
    """Simulated time: START plus ``speed`` times the wall-clock seconds since creation."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return START + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)


async def enqueue_prompts(db: Database, n: int, expiry: timedelta | None) -> None:
    for start in range(0, n, CHUNK):
        def work(s, start: int = start) -> None:  # type: ignore[no-untyped-def]
            for i in range(start, min(start + CHUNK, n)):
                due = START + timedelta(seconds=60 * i / n)  # all due within one minute
                s.outbox.enqueue(NewMessage(
                    dedupe_key=f"checkin:{i}", chat_id=100_000 + i, lane=LANE_BULK,
                    payload={"text": "今天孩子怎么样？"}, not_before=to_iso(due),
                    expires_at=to_iso(due + expiry) if expiry else None), now=to_iso(START))
        await db.write(work)


async def run(n: int, speed: float, alerts: int, expire: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "backlog.db")
        await enqueue_prompts(db, n, SEND_EXPIRY["checkin"] if expire else None)
        clock = FastClock(speed)
        bot = Bot("123:offline", request=OfflineBotApi())
        await bot.initialize()
        sender = OutboxSender(db, bot, clock, pacer=Pacer(RATE * speed), idle_poll_s=0.05)
        # claim as at the real 30 msg/s (3 rows a claim): an alert waits behind what was
        # claimed before it, so the claim must not grow with the speed-up
        sender._batch_size = lambda: max(1, int(RATE / 10))  # type: ignore[method-assign]
        sender.start()
        alert_lateness: list[float] = []
        wall0 = time.monotonic()
        spacing = (n / RATE) / (alerts + 1)  # alerts spread over the backlog's length
        for k in range(alerts):
            target = START + timedelta(seconds=spacing * (k + 1))
            ahead = (target - clock.now()).total_seconds() / speed
            if ahead > 0:
                await asyncio.sleep(ahead)
            at = clock.now()
            await db.write(lambda s, k=k, at=at: s.outbox.enqueue(NewMessage(
                dedupe_key=f"alert:{k}", chat_id=9_000 + k, lane=LANE_ALERT,
                payload={"text": "🆘"}), now=to_iso(at)))
            sender.wake()
        while True:
            counts = await db.read(lambda s: s.outbox.status_counts())
            if counts.get("pending", 0) + counts.get("sending", 0) == 0:
                break
            await asyncio.sleep(0.2)
        await sender.stop()
        wall = time.monotonic() - wall0
        rows = await db.read(lambda s: [tuple(r) for r in s.conn.execute(
            "SELECT dedupe_key, status, not_before, delivered_at, created_at FROM outbox"
        ).fetchall()])
        await bot.shutdown()
        await db.close()
    late = sorted((from_iso(d) - from_iso(nb)).total_seconds() for k, st, nb, d, _ in rows
                  if k.startswith("checkin:") and st == "delivered")
    expired = sum(1 for k, st, *_ in rows if k.startswith("checkin:") and st == "cancelled")
    for k, st, _nb, d, created in rows:
        if k.startswith("alert:") and st == "delivered":
            alert_lateness.append((from_iso(d) - from_iso(created)).total_seconds())

    def pct(p: float) -> float:
        return round(late[min(len(late) - 1, int(p * len(late)))] / 60, 1) if late else 0.0
    return {
        "prompts": n, "expiry_min": SEND_EXPIRY["checkin"].total_seconds() / 60 if expire else None,
        "delivered": len(late), "expired": expired,
        "late_p50_min": pct(0.50), "late_p95_min": pct(0.95),
        "late_max_min": round(late[-1] / 60, 1) if late else 0.0,
        "alerts": alerts, "alert_wait_max_s": round(max(alert_lateness), 2) if alert_lateness else None,
        "speed": speed, "wall_s": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 000 prompts")
    parser.add_argument("-n", type=int, default=200_000)
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--alerts", type=int, default=10)
    parser.add_argument("--no-expiry", action="store_true", help="the old behaviour, to compare")
    args = parser.parse_args()
    n = 10_000 if args.quick else args.n
    result = asyncio.run(run(n, args.speed, args.alerts, not args.no_expiry))
    emit({"benchmark": "backlog", **result})


if __name__ == "__main__":
    main()
