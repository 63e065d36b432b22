"""Channel benchmark (issue 13, points 1, 5 and 6): the real OutboxSender over HTTP against the
sandbox Bot API (in its own process), at Telegram's limits, with the sandbox's fault spells.

1. outage: the Bot API refuses every connection for --outage seconds while messages are due:
   how many failed (should be 0), and how soon after it ended the queue was moving again;
2. per-chat 429: one chat answers 429 retry_after 10 while 20 bystanders are due: the
   bystanders' delay (p50, max) from the sandbox's received timestamps;
3. an alert behind a flood: 2 000 deferred replies queued for one caseworker, then an alert
   for her: the messages her chat received before it, and its delay from the sandbox's stamps.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from common import SandboxProcess, emit  # type: ignore[import-not-found]
from telegram import Bot

from db.database import Database
from db.outbox import LANE_ALERT, LANE_BULK, LANE_REPLY, NewMessage
from flows.core.clock import SystemClock, to_iso
from sandbox.client import SandboxClient
from sandbox.server import DEFAULT_TOKEN
from scheduler.aiohttp_request import AiohttpRequest
from scheduler.pacer import Pacer
from scheduler.sender import OutboxSender


async def enqueue(db: Database, rows: list[NewMessage]) -> None:
    now = to_iso(SystemClock().now())
    await db.write(lambda s: [s.outbox.enqueue(m, now=now) for m in rows])


async def settle(db: Database, total: int) -> None:
    while True:
        counts = await db.read(lambda s: s.outbox.status_counts())
        if sum(counts.get(k, 0) for k in ("delivered", "failed", "cancelled")) >= total:
            return
        await asyncio.sleep(0.05)


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    while True:
        if await check():
            return
        await asyncio.sleep(0.02)


async def _refused(client: SandboxClient) -> bool:
    return bool((await client.stats())["http_429"])


async def _sent_at_least(client: SandboxClient, n: int) -> bool:
    return len(await client.sent()) >= n


async def _alert_in(client: SandboxClient) -> bool:
    return any(r["text"] == "🆘" for r in await client.sent())


async def scenario(url: str, tmp: Path, name: str, flood: int, outage: float
                   ) -> dict[str, object]:
    client = SandboxClient(url)
    await client._post("/sandbox/reset", {})
    db = await Database.open(tmp / f"{name}.db")
    bot = Bot(DEFAULT_TOKEN, base_url=f"{url}/bot", request=AiohttpRequest())
    await bot.initialize()
    sender = OutboxSender(db, bot, SystemClock(), pacer=Pacer(30.0))
    result: dict[str, object] = {}
    try:
        if name == "outage":
            chats = list(range(1000, 1300))
            await client._post("/sandbox/users", [{"user_id": c} for c in chats])  # type: ignore[arg-type]
            await enqueue(db, [NewMessage(dedupe_key=f"o{c}", chat_id=c, lane=LANE_BULK,
                                          payload={"text": "o"}) for c in chats])
            sender.start()
            await asyncio.sleep(1.0)
            await client.fault("refuse", seconds=outage)
            ended = time.time() + outage
            await settle(db, len(chats))
            sent = await client.sent()
            after = [r["at"] for r in sent if r["at"] >= ended]
            counts = await db.read(lambda s: s.outbox.status_counts())
            result = {"outage_s": outage, "messages": len(chats),
                      "failed": counts.get("failed", 0), "delivered": counts.get("delivered", 0),
                      "resumed_after_s": round(min(after) - ended, 2) if after else None,
                      "channel_pauses": sender.stats.channel_pauses,
                      "probes": sender.channel.probes}
        elif name == "chat429":
            await client.limits(enabled=True)
            bystanders = list(range(2000, 2020))
            await client._post("/sandbox/users", [{"user_id": c} for c in [1999, *bystanders]])  # type: ignore[arg-type]
            await client.fault("chat429", chat_id=1999, seconds=10.0, retry_after=10)
            await enqueue(db, [NewMessage(dedupe_key="slow", chat_id=1999, lane=LANE_BULK,
                                          payload={"text": "slow"})])
            sender.start()
            await until(lambda: _refused(client))
            queued = time.time()
            await enqueue(db, [NewMessage(dedupe_key=f"b{c}", chat_id=c, lane=LANE_BULK,
                                          payload={"text": "b"}) for c in bystanders])
            sender.wake()
            await settle(db, 21)
            delays = [r["at"] - queued for r in await client.sent() if r["text"] == "b"]
            result = {"bystanders": len(delays), "retry_after_s": 10,
                      "bystander_p50_s": round(statistics.median(delays), 2),
                      "bystander_max_s": round(max(delays), 2)}
        else:
            cw = 3000
            await client._post("/sandbox/users", [{"user_id": cw}])  # type: ignore[arg-type]
            await enqueue(db, [NewMessage(dedupe_key=f"f{i}", chat_id=cw, lane=LANE_REPLY,
                                          payload={"text": f"f{i}"}) for i in range(flood)])
            sender.start()
            await until(lambda: _sent_at_least(client, 3))
            seen = len(await client.sent())
            queued = time.time()
            await enqueue(db, [NewMessage(dedupe_key="sos", chat_id=cw, lane=LANE_ALERT,
                                          payload={"text": "🆘"})])
            sender.wake()
            await until(lambda: _alert_in(client))
            after = (await client.sent())[seen:]
            position = [r["text"] for r in after].index("🆘")
            result = {"flood": flood, "messages_before_alert": position,
                      "alert_delay_s": round(after[position]["at"] - queued, 2)}
    finally:
        await sender.stop()
        await bot.shutdown()
        await db.close()
        await client.close()
    return result


async def main(quick: bool) -> dict[str, object]:
    outage = 10.0 if quick else 240.0
    with SandboxProcess() as sandbox, tempfile.TemporaryDirectory() as tmp:
        results = {}
        for name in ("flood", "chat429", "outage"):
            results[name] = await scenario(sandbox.url, Path(tmp), name, 2000, outage)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 10 s outage instead of 240 s")
    args = parser.parse_args()
    emit({"benchmark": "channel", **asyncio.run(main(args.quick))})
