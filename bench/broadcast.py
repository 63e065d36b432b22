"""Broadcast benchmark: bulk messages to distinct chats through the real OutboxSender, over HTTP,
to the sandbox Bot API running in its own process.

Phase 1 (at the sandbox's limit, 30 msg/s): achieved rate, ratio to the limit, 429s.
Phase 2 (the limit lifted, our pacer off): the engine's own ceiling.
Both: duplicates and lost messages, from the sandbox's log of what it accepted.

At 30 msg/s, 100 000 messages take 56 minutes, so phase 1 sends --limited-count of them
(default 9 000, about five minutes; --quick 900, about 30 s); phase 2 sends all N.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import SandboxProcess, emit  # type: ignore[import-not-found]
from telegram import Bot

from db.database import Database
from db.outbox import LANE_BULK, NewMessage
from flows.core.clock import SystemClock, to_iso
from sandbox.client import SandboxClient
from sandbox.server import DEFAULT_TOKEN
from scheduler.aiohttp_request import AiohttpRequest
from scheduler.pacer import Pacer
from scheduler.sender import OutboxSender

CHUNK = 5000


async def enqueue(db: Database, client: SandboxClient, prefix: str, chats: range) -> None:
    now = to_iso(SystemClock().now())
    for start in range(chats.start, chats.stop, CHUNK):
        block = range(start, min(start + CHUNK, chats.stop))
        await client._post("/sandbox/users", [{"user_id": c} for c in block])  # type: ignore[arg-type]
        await db.write(lambda s, b=block: [s.outbox.enqueue(NewMessage(
            dedupe_key=f"{prefix}:{c}", chat_id=c, lane=LANE_BULK,
            payload={"text": f"{prefix}:{c}"}), now=now) for c in b])


async def run_phase(db: Database, sender: OutboxSender, total: int) -> float:
    sender.start()
    started = time.monotonic()
    while True:
        counts = await db.read(lambda s: s.outbox.status_counts())
        finished = sum(counts.get(k, 0) for k in ("delivered", "failed", "cancelled"))
        if finished >= total:
            break
        await asyncio.sleep(0.05)
    await sender.stop()
    return time.monotonic() - started


async def main(n: int, limited: int, limit: float) -> dict[str, object]:
    with SandboxProcess() as sandbox, tempfile.TemporaryDirectory() as tmp:
        client = SandboxClient(sandbox.url)
        await client.limits(overall_per_s=limit)
        db = await Database.open(Path(tmp) / "bench.db")
        bot = Bot(DEFAULT_TOKEN, base_url=f"{sandbox.url}/bot",
                  request=AiohttpRequest(connection_pool_size=128))
        await bot.initialize()

        # phase 1: at the limit
        await enqueue(db, client, "p1", range(1_000_000, 1_000_000 + limited))
        sender = OutboxSender(db, bot, SystemClock(), pacer=Pacer(limit))
        await run_phase(db, sender, limited)
        records = [r for r in await client.sent() if r["text"].startswith("p1:")]
        times = sorted(r["at"] for r in records)
        achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
        stats1 = await client.stats()

        # phase 2: limit lifted
        await client.limits(enabled=False)
        await enqueue(db, client, "p2", range(2_000_000, 2_000_000 + n))
        sender = OutboxSender(db, bot, SystemClock(), pacer=Pacer(None), max_in_flight=96)
        elapsed = await run_phase(db, sender, limited + n)
        records2 = [r for r in await client.sent() if r["text"].startswith("p2:")]
        times2 = sorted(r["at"] for r in records2)
        ceiling = (len(times2) - 1) / (times2[-1] - times2[0]) if len(times2) > 1 else 0.0

        sent = Counter(r["text"] for r in await client.sent())
        expected = {f"p1:{c}" for c in range(1_000_000, 1_000_000 + limited)} | {
            f"p2:{c}" for c in range(2_000_000, 2_000_000 + n)}
        await bot.shutdown()
        await db.close()
        await client.close()
        return {
            "benchmark": "broadcast",
            "n": n,
            "limited_count": limited,
            "limit_msgs_per_s": limit,
            "achieved_msgs_per_s": round(achieved, 2),
            "ratio_to_limit": round(achieved / limit, 3),
            "http_429": stats1["http_429"],
            "ceiling_msgs_per_s": round(ceiling, 1),
            "ceiling_phase_wall_s": round(elapsed, 2),
            "duplicates": sum(c - 1 for c in sent.values() if c > 1),
            "lost": len(expected - set(sent)),
        }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--limited-count", type=int, default=9_000)
    parser.add_argument("--limit", type=float, default=30.0)
    parser.add_argument("--quick", action="store_true", help="5 000 messages; under 50 s")
    args = parser.parse_args()
    if args.quick:
        args.n, args.limited_count = 5_000, 900
    emit(asyncio.run(main(args.n, args.limited_count, args.limit)))
