"""Start-up wiring of the time-driven parts: the periodic sweeps and the sender task.

Jobs are few and periodic; what is due lives in the database (decision 1), so a restart
loses nothing. The sweeps are asyncio tasks timed by the event loop's monotonic clock, not
APScheduler interval jobs: those are planned on the wall clock, and after an NTP step back of
an hour they waited an hour (no escalation, no prompt). What is *due* is still decided by the
wall clock (the service clock), as it must be.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram.ext import Application

from flows.core.clock import to_iso
from flows.core.services import Services
from flows.guardian.checkin_plan import watch_silence
from flows.outbox.due_work import sweep_chunk
from flows.parent.calls import watch_calls
from flows.staff.alert_desk import escalate_due
from scheduler.sender import OutboxSender

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 30.0
JOB_KWARGS = {"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1}
SENDER_KEY = "kinbridge.sender"
SWEEPS_KEY = "kinbridge.sweeps"
LOG_FLUSH_INTERVAL_S = 1.0
SILENCE_CHECK_EVERY = timedelta(minutes=10)


async def run_due_work(svc: Services, sender: OutboxSender | None = None) -> int:
    """One due-work sweep: chunks of due schedules, each chunk one transaction."""
    total = skipped = 0
    while True:
        now = svc.clock.now()
        result = await svc.db.write(lambda s, at=now: sweep_chunk(s, at))
        total += result.enqueued
        skipped += result.skipped_stale
        if result.schedules < 500:
            break
    now = svc.clock.now()
    total += await svc.db.write(lambda s: escalate_due(s, now))
    if svc.last_silence_check is None or now - svc.last_silence_check >= SILENCE_CHECK_EVERY:
        svc.last_silence_check = now
        total += await svc.db.write(lambda s: watch_silence(s, now, svc.settings.tz)
                                    + watch_calls(s, now))
        before = to_iso(now - timedelta(days=7))
        await svc.db.write(lambda s: s.inbox.prune(before))
    if skipped:
        log.warning("due-work sweep skipped %s occurrence(s) that were too late to still send "
                    "(the bot was not running at the time)", skipped)
    if total and sender is not None:
        sender.wake()
    return total


def sender_of(application: Application) -> OutboxSender | None:
    return application.bot_data.get(SENDER_KEY)


async def repeat(name: str, work: Callable[[], Awaitable[object]], *, first_s: float,
                 every_s: Callable[[], float]) -> None:
    """Run ``work`` now and then on the monotonic clock (asyncio.sleep), never two at once;
    a failure is logged and the rhythm goes on."""
    await asyncio.sleep(first_s)
    loop = asyncio.get_running_loop()
    while True:
        began = loop.time()
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the %s sweep failed; it runs again at its next turn", name)
        await asyncio.sleep(max(0.0, every_s() - (loop.time() - began)))


async def start_scheduler(application: Application, svc: Services, sender: OutboxSender) -> None:
    application.bot_data[SENDER_KEY] = sender
    await sender.recover()
    sender.start()
    # read at each turn, so a test can shorten the rhythm
    tasks = [
        asyncio.create_task(repeat(
            "due-work", lambda: run_due_work(svc, sender), first_s=1.0,
            every_s=lambda: SWEEP_INTERVAL_S), name="due-work"),
        asyncio.create_task(repeat(
            "log-flush", svc.flush_log, first_s=LOG_FLUSH_INTERVAL_S,
            every_s=lambda: LOG_FLUSH_INTERVAL_S), name="log-flush"),
    ]
    application.bot_data[SWEEPS_KEY] = tasks


async def stop_scheduler(application: Application) -> None:
    tasks: list[asyncio.Task[None]] = application.bot_data.pop(SWEEPS_KEY, [])
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    sender = sender_of(application)
    if sender is not None:
        await sender.stop()
