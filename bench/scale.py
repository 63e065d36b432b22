"""Scale benchmark: a database with many families and their schedules.

startup_s     process start (python bot.py run) to polling, against the sandbox
rss_mb        the bot process's resident memory once polling and after its first sweep
sweep_p95_ms  one due-work sweep, p95 over a simulated hour around the morning check-in
              window (30-second steps, as the real job runs), plus the max and the rows due

Every family has a guardian with a daily reminder at a morning, noon or evening time spread
over the hour, and a parent with a weekly Sunday-evening reminder. The full run measures
10 000 and 100 000 families so the growth is visible; --quick measures 1 000 and 10 000.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from common import ROOT, SandboxProcess, emit, rss_mb  # type: ignore[import-not-found]

from db.database import Database
from db.store import Store
from flows.core.clock import ManualClock, to_iso
from flows.core.timeplan import next_occurrence
from flows.outbox.due_work import sweep_chunk
from sandbox.server import DEFAULT_TOKEN

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_morning(now: datetime) -> datetime:
    """The next 07:55 in Shanghai: the sweeps are measured across the 08:00 check-in window."""
    local = now.astimezone(SHANGHAI)
    target = local.replace(hour=7, minute=55, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return target.astimezone(UTC)
WINDOWS = ("08", "12", "19")


def seed(store: Store, families: int, now: datetime) -> None:
    rng = random.Random(families)
    stamp = to_iso(now)
    cw = store.people.add(role="caseworker", now=stamp, display_name="cw", tg_user_id=1,
                          tg_chat_id=1)
    for i in range(families):
        family = store.families.add(village=f"村{i % 500}", now=stamp, caseworker_id=cw)
        store.families.add_child(family, name=f"child{i}", now=stamp, birth_month="2016-03")
        grandma = store.people.add(role="guardian", now=stamp, display_name=f"g{i}",
                                   tg_user_id=10_000_000 + i, tg_chat_id=10_000_000 + i)
        parent = store.people.add(role="parent", now=stamp, display_name=f"p{i}",
                                  tg_user_id=20_000_000 + i, tg_chat_id=20_000_000 + i)
        store.families.add_member(family, grandma, "grandmother", now=stamp)
        store.families.add_member(family, parent, "father", now=stamp)
        local = f"{rng.choice(WINDOWS)}:{rng.randrange(60):02d}"
        store.schedules.add(person_id=grandma, kind="call_reminder", ref_id=family,
                            local_time=local, now=stamp,
                            next_run_at=to_iso(next_occurrence(now, SHANGHAI, local)))
        store.schedules.add(person_id=parent, kind="call_reminder", ref_id=family,
                            local_time="20:00", weekdays="7", now=stamp,
                            next_run_at=to_iso(next_occurrence(now, SHANGHAI, "20:00", "7")))


async def measure_sweeps(db: Database, start: datetime) -> dict[str, float]:
    clock = ManualClock(start)
    timings: list[float] = []
    due: list[int] = []
    for _ in range(120):  # one hour in 30-second steps
        clock.advance(timedelta(seconds=30))
        began = time.perf_counter()
        total = 0
        while True:
            result = await db.write(lambda s: sweep_chunk(s, clock.now()))
            total += result.schedules
            if result.schedules < 500:
                break
        timings.append((time.perf_counter() - began) * 1000)
        due.append(total)
    timings.sort()
    return {"sweep_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "sweep_max_ms": round(timings[-1], 2),
            "sweep_median_ms": round(statistics.median(timings), 2),
            "due_per_sweep_max": max(due)}


def measure_process(db_path: Path, api_url: str) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KINBRIDGE_"))}
    env.update({"TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN, "TELEGRAM_API_URL": api_url,
                "KINBRIDGE_DB": str(db_path), "PYTHONUNBUFFERED": "1", "KINBRIDGE_LOG_LEVEL": "INFO"})
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "run"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    startup = None
    for line in process.stdout:
        if "KinBridge is polling" in line:
            startup = time.perf_counter() - began
            break
    threading.Thread(target=process.stdout.read, daemon=True).start()  # keep the pipe drained
    time.sleep(2.5)  # the first sweep runs one second after start
    memory = rss_mb(process.pid)
    process.terminate()
    process.wait(timeout=30)
    if startup is None:
        raise RuntimeError("the bot never started polling")
    return {"startup_s": round(startup, 2), "rss_mb": memory}


async def one_size(families: int, api_url: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scale.db"
        db = await Database.open(path)
        began = time.perf_counter()
        start = next_morning(datetime.now(UTC))
        await db.write(lambda s: seed(s, families, start))
        seed_s = time.perf_counter() - began
        await db.close()
        process = measure_process(path, api_url)  # before the sweeps move the schedules
        db = await Database.open(path)
        sweeps = await measure_sweeps(db, start)
        await db.close()
        return {"families": families, "seed_s": round(seed_s, 1), **process, **sweeps}


async def main(sizes: list[int]) -> dict[str, object]:
    with SandboxProcess() as sandbox:
        results = [await one_size(n, sandbox.url) for n in sizes]
    largest = results[-1]
    return {"benchmark": "scale", "families": largest["families"],
            "startup_s": largest["startup_s"], "rss_mb": largest["rss_mb"],
            "sweep_p95_ms": largest["sweep_p95_ms"], "sizes": results}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10 000 families; under 50 s")
    args = parser.parse_args()
    sizes = [1_000, 10_000] if args.quick else [10_000, args.families]
    emit(asyncio.run(main(sizes)))
