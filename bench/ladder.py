"""The alert ladder under a blocked caseworker: how long from 🆘 to a reachable person.

Each round is a family whose caseworker has blocked the bot without the bot knowing yet. The
grandmother sends /help_now through the sandbox (in its own process, real HTTP); the first copy
goes to the caseworker and comes back 403; the bot must pass the alert on to the supervisor at
once and then tell the grandmother who has it. The real application runs on a real SQLite file.

Prints one JSON line last: rounds, to_supervisor_p50_ms / max_ms (🆘 sent -> the supervisor's
chat holds the alert), receipt_p50_ms / max_ms (-> the grandmother's "已经收到"), and how many
grandmothers were ever told the caseworker had it (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import SandboxProcess, emit  # type: ignore[import-not-found]

from bot import build_application, start_application, stop_application
from db.database import Database
from db.store import Store
from flows.core.clock import OffsetClock, to_iso
from flows.core.config import Settings
from sandbox.client import SandboxClient
from sandbox.server import DEFAULT_TOKEN

FALSE_CLAIM = "李主任已经收到"


async def _wait_for(client: SandboxClient, chat: int, needle: str, started: float,
                    within: float = 20.0) -> float | None:
    while time.perf_counter() - started < within:
        for message in await client.bot_messages(chat):
            if needle in str(message.get("text") or ""):
                return (time.perf_counter() - started) * 1000
        await asyncio.sleep(0.005)
    return None


async def run(rounds: int) -> dict[str, object]:
    with SandboxProcess() as sandbox, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(token=DEFAULT_TOKEN, api_url=sandbox.url, db_path=Path(tmp) / "b.db",
                            admins=(9001,), tz="Asia/Shanghai", locale="zh_CN")
        db = await Database.open(settings.db_path)
        clock = OffsetClock()
        app = build_application(settings, db=db, clock=clock)
        await start_application(app, poll_timeout=1)
        client = SandboxClient(sandbox.url)
        to_supervisor: list[float] = []
        receipts: list[float] = []
        false_claims = 0
        try:
            for n in range(rounds):
                grandma, cw, sup = 10_000 + n, 20_000 + n, 30_000 + n

                def setup(s: Store, grandma: int = grandma, cw: int = cw, sup: int = sup) -> None:
                    now = to_iso(clock.now())
                    sup_id = s.people.add(role="supervisor", now=now, display_name="王督导",
                                          tg_user_id=sup, tg_chat_id=sup)
                    cw_id = s.people.add(role="caseworker", now=now, display_name="李主任",
                                         tg_user_id=cw, tg_chat_id=cw, supervisor_id=sup_id)
                    g_id = s.people.add(role="guardian", now=now, display_name="奶奶",
                                        tg_user_id=grandma, tg_chat_id=grandma, consent_at=now)
                    family = s.families.add(village="青山村", now=now, caseworker_id=cw_id,
                                            supervisor_id=sup_id)
                    s.families.add_child(family, name="小明", now=now, birth_month="2016-03")
                    s.families.add_member(family, g_id, "grandmother", now=now)
                await db.write(setup)
                for uid, name in ((grandma, "奶奶"), (cw, "李主任"), (sup, "王督导")):
                    await client.user(uid, name, "zh-hans")
                await client.block(cw)
                started = time.perf_counter()
                await client.send(grandma, "/help_now", first_name="奶奶", language_code="zh-hans")
                reached = await _wait_for(client, sup, "🔴", started)
                told = await _wait_for(client, grandma, "已经收到", started)
                if reached is not None:
                    to_supervisor.append(reached)
                if told is not None:
                    receipts.append(told)
                said = " ".join(str(m.get("text") or "")
                                for m in await client.bot_messages(grandma))
                false_claims += FALSE_CLAIM in said
        finally:
            await client.close()
            await stop_application(app)
            await db.close()
    return {
        "rounds": rounds,
        "reached_supervisor": len(to_supervisor),
        "to_supervisor_p50_ms": round(statistics.median(to_supervisor), 1) if to_supervisor else None,
        "to_supervisor_max_ms": round(max(to_supervisor), 1) if to_supervisor else None,
        "receipt_p50_ms": round(statistics.median(receipts), 1) if receipts else None,
        "receipt_max_ms": round(max(receipts), 1) if receipts else None,
        "false_claims": false_claims,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds instead of 30")
    args = parser.parse_args()
    result = asyncio.run(run(5 if args.quick else 30))
    emit(result)
    sys.exit(0 if result["false_claims"] == 0 else 1)


if __name__ == "__main__":
    main()
