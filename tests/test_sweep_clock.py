"""The sweeps keep their rhythm when the wall clock steps back (issue 13, point 10).

APScheduler plans interval jobs on the wall clock: after an NTP step back of an hour it waited
an hour before the next due-work sweep (no escalation, no prompt). The sweeps now run on the
event loop's monotonic clock. The test steps back the wall clock as the scheduler library reads
it, then adds a reminder due now: it must still go out."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import apscheduler.schedulers.base
import pytest

import scheduler.jobs
from bot import build_application, start_application, stop_application
from db.database import Database
from flows.core.clock import SystemClock, to_iso
from tests.support.families import add_family
from tests.support.handles import SandboxHandle, sandbox_settings
from tests.support.waiting import eventually


class SteppedBack(datetime):
    """The wall clock an hour behind (what an NTP step back looks like to a program)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> SteppedBack:  # type: ignore[override]
        real = datetime.now(tz) - timedelta(hours=1)
        return cls.fromtimestamp(real.timestamp(), tz)


async def test_sweeps_go_on_after_the_wall_clock_steps_back(
        sandbox: SandboxHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduler.jobs, "SWEEP_INTERVAL_S", 0.2)
    settings = sandbox_settings(sandbox.url, tmp_path / "clock.db")
    db = await Database.open(settings.db_path)
    ids = await db.write(lambda s: add_family(s))
    application = build_application(settings, db=db, clock=SystemClock())
    await start_application(application, poll_timeout=1)
    try:
        await asyncio.sleep(0.5)  # a few sweeps at the normal rhythm
        monkeypatch.setattr(apscheduler.schedulers.base, "datetime", SteppedBack)
        await asyncio.sleep(0.5)
        now = SystemClock().now()
        await db.write(lambda s: s.schedules.add(
            person_id=ids["parent"], kind="call_reminder", ref_id=ids["family"],
            weekdays="1234567", local_time="20:00", next_run_at=to_iso(now), now=to_iso(now)))

        async def enqueued() -> int:
            return await db.read(lambda s: s.conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE person_id = ?", (ids["parent"],)).fetchone()[0])
        assert await eventually(enqueued, within=5.0), "the due-work sweep kept running"
    finally:
        await stop_application(application)
        await db.close()
