"""Process robustness figures: the real ``bot.py run`` against the sandbox in its own process.

second_instance   a second ``run`` on the same database: seconds until it exits, its status,
                  and the first instance's broadcast afterwards (duplicates, in doubt)
sigterm           SIGTERM mid-broadcast (every send 0.1 s slow): rows left 'sending' and in doubt
                  after the stop, then a restart: delivered, duplicates
conflict          409 Conflict on every getUpdates: seconds until the bot stops, its status,
                  tracebacks in its log
reply_outage      a guardian answers while every sendMessage to her chat fails with 500 for
                  OUTAGE_S seconds: the next question arrives how long after the channel is back
quick_check       PRAGMA quick_check at start-up on a database of N families (ms)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from common import ROOT, SandboxProcess, emit  # type: ignore[import-not-found]
from scale import next_morning, seed  # type: ignore[import-not-found]

from db.database import Database
from db.outbox import LANE_BULK, NewMessage
from flows.core.clock import SystemClock, to_iso
from sandbox.client import SandboxClient
from sandbox.server import DEFAULT_TOKEN
from tests.support.families import add_family


async def spawn(api_url: str, db_path: Path, log: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KINBRIDGE_"))}
    env.update({"TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN, "TELEGRAM_API_URL": api_url,
                "KINBRIDGE_DB": str(db_path), "PYTHONUNBUFFERED": "1"})
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bot.py"), "run", env=env, cwd=db_path.parent,
            stdout=out, stderr=asyncio.subprocess.STDOUT)


def read_log(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


async def polling(log: Path, times: int = 1) -> None:
    for _ in range(1200):
        if read_log(log).count("KinBridge is polling") >= times:
            return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"the bot did not start: {read_log(log)[-2000:]}")


async def stop(process: asyncio.subprocess.Process) -> int:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
    return process.returncode or 0


async def broadcast(client: SandboxClient, db_path: Path, n: int, base: int) -> None:
    db = await Database.open(db_path)
    now = to_iso(SystemClock().now())
    chats = list(range(base, base + n))
    await client._post("/sandbox/users", [{"user_id": c, "first_name": f"u{c}"}  # type: ignore[arg-type]
                                          for c in chats])
    await db.write(lambda s: [s.outbox.enqueue(NewMessage(
        dedupe_key=f"bc:{c}", chat_id=c, lane=LANE_BULK, payload={"text": f"bc:{c}"}), now=now)
        for c in chats])
    await db.close()


async def sent(client: SandboxClient, prefix: str) -> Counter[str]:
    return Counter(r["text"] for r in await client.sent() if r["text"].startswith(prefix))


def outbox(db_path: Path) -> tuple[dict[str, int], int]:
    conn = sqlite3.connect(db_path)
    try:
        statuses = dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status"))
        in_doubt = conn.execute("SELECT COUNT(*) FROM outbox WHERE in_doubt = 1").fetchone()[0]
        return statuses, int(in_doubt)
    finally:
        conn.close()


async def wait_sent(client: SandboxClient, prefix: str, at_least: int, distinct: bool) -> None:
    for _ in range(2400):
        counts = await sent(client, prefix)
        if (len(counts) if distinct else sum(counts.values())) >= at_least:
            return
        await asyncio.sleep(0.05)


async def second_instance(client: SandboxClient, url: str, tmp: Path, n: int) -> dict[str, object]:
    db_path = tmp / "two.db"
    await broadcast(client, db_path, n, 100_000)
    await client.fault("slow", method="sendMessage", delay=0.1, count=n)
    first = await spawn(url, db_path, tmp / "first.log")
    await polling(tmp / "first.log")
    await wait_sent(client, "bc:1", 10, distinct=False)
    began = time.perf_counter()
    second = await spawn(url, db_path, tmp / "second.log")
    status = await asyncio.wait_for(second.wait(), 60)
    exit_s = time.perf_counter() - began
    await wait_sent(client, "bc:1", n, distinct=True)
    await stop(first)
    counts = await sent(client, "bc:1")
    _statuses, in_doubt = outbox(db_path)
    await client.clear_faults()
    return {"exit_s": round(exit_s, 2), "status": status, "delivered": len(counts),
            "duplicates": sum(c - 1 for c in counts.values()), "in_doubt": in_doubt}


async def sigterm(client: SandboxClient, url: str, tmp: Path, n: int) -> dict[str, object]:
    db_path = tmp / "term.db"
    await broadcast(client, db_path, n, 200_000)
    await client.fault("slow", method="sendMessage", delay=0.1, count=n)
    log = tmp / "term.log"
    bot = await spawn(url, db_path, log)
    await polling(log)
    await wait_sent(client, "bc:2", n // 4, distinct=False)
    began = time.perf_counter()
    status = await stop(bot)
    stop_s = time.perf_counter() - began
    statuses, in_doubt = outbox(db_path)
    bot = await spawn(url, db_path, log)
    await polling(log, 2)
    await wait_sent(client, "bc:2", n, distinct=True)
    await asyncio.sleep(0.5)
    await stop(bot)
    counts = await sent(client, "bc:2")
    await client.clear_faults()
    return {"stop_s": round(stop_s, 2), "status": status,
            "sending_after_stop": statuses.get("sending", 0), "in_doubt_after_stop": in_doubt,
            "delivered": len(counts), "duplicates": sum(c - 1 for c in counts.values())}


async def conflict(client: SandboxClient, url: str, tmp: Path) -> dict[str, object]:
    db_path = tmp / "conflict.db"
    await (await Database.open(db_path)).close()
    log = tmp / "conflict.log"
    bot = await spawn(url, db_path, log)
    await polling(log)
    await client.fault("http409", method="getUpdates", count=100_000)
    began = time.perf_counter()
    status = await asyncio.wait_for(bot.wait(), 120)
    text = read_log(log)
    await client.clear_faults()
    return {"stop_s": round(time.perf_counter() - began, 2), "status": status,
            "tracebacks": text.count("Traceback"), "lines_about_409": text.count("409")}


async def reply_outage(client: SandboxClient, url: str, tmp: Path,
                       outage_s: float) -> dict[str, object]:
    db_path = tmp / "reply.db"
    db = await Database.open(db_path)
    await db.write(lambda s: add_family(s, guardian_tg=300_001, caseworker_tg=300_002))
    await db.close()
    await client.user(300_001, "奶奶", "zh-hans")
    log = tmp / "reply.log"
    bot = await spawn(url, db_path, log)
    await polling(log)
    sent_msg = await client.send(300_001, "/checkin", first_name="奶奶")
    mood = await client.wait_reply(300_001, after=sent_msg["message"]["message_id"], wait=20)
    data = next(b["callback_data"] for row in mood["reply_markup"]["inline_keyboard"]
                for b in row if b["callback_data"].endswith(":mood:happy"))
    await client.fault("http500", method="sendMessage", chat_id=300_001, count=100_000)
    await client.press(300_001, mood["message_id"], data)
    await asyncio.sleep(outage_s)
    await client.clear_faults()
    back = time.perf_counter()
    question = await client.wait_reply(300_001, after=mood["message_id"], wait=600)
    delay = time.perf_counter() - back
    await stop(bot)
    return {"outage_s": outage_s, "question_after_channel_back_s": round(delay, 2),
            "question_arrived": "身体" in (question.get("text") or "")}


async def quick_check(tmp: Path, families: int) -> dict[str, object]:
    path = tmp / "check.db"
    db = await Database.open(path)
    await db.write(lambda s: seed(s, families, next_morning(datetime.now(UTC))))
    await db.close()
    began = time.perf_counter()
    db = await Database.open(path, create=False, check=True)
    with_check = time.perf_counter() - began
    await db.close()
    began = time.perf_counter()
    db = await Database.open(path, create=False)
    without = time.perf_counter() - began
    await db.close()
    return {"families": families, "open_with_check_ms": round(with_check * 1000, 1),
            "open_without_ms": round(without * 1000, 1),
            "db_mb": round(path.stat().st_size / 2**20, 1)}


async def main(n: int, families: int, outage_s: float) -> dict[str, object]:
    with SandboxProcess() as sandbox, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        async with SandboxClient(sandbox.url) as client:
            await client.limits(enabled=False)
            return {"benchmark": "process",
                    "second_instance": await second_instance(client, sandbox.url, tmp, n),
                    "sigterm": await sigterm(client, sandbox.url, tmp, n),
                    "conflict": await conflict(client, sandbox.url, tmp),
                    "reply_outage": await reply_outage(client, sandbox.url, tmp, outage_s),
                    "quick_check": await quick_check(tmp, families)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes; under 50 s")
    args = parser.parse_args()
    if args.quick:
        emit(asyncio.run(main(n=100, families=2_000, outage_s=5.0)))
    else:
        emit(asyncio.run(main(n=300, families=100_000, outage_s=20.0)))
