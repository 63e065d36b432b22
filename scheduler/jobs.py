"""Start-up wiring of the time-driven parts: the sweeps on PTB's JobQueue and the sender task.

Jobs are few and periodic; what is due lives in the database (decision 1), so a restart
loses nothing. misfire_grace_time is generous: a late sweep runs instead of being dropped.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from flows.alert_desk import escalate_due
from flows.calls import watch_calls
from flows.checkin_plan import watch_silence
from flows.clock import to_iso
from flows.due_work import sweep_chunk
from flows.services import Services
from scheduler.sender import OutboxSender

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 30.0
JOB_KWARGS = {"misfire_grace_time": 3600, "coalesce": True, "max_instances": 1}
SENDER_KEY = "kinbridge.sender"
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


async def _due_work_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    from handlers.common import services

    await run_due_work(services(context), sender_of(context.application))


async def _flush_log_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    from handlers.common import services

    await services(context).flush_log()


async def start_scheduler(application: Application, svc: Services, sender: OutboxSender) -> None:
    application.bot_data[SENDER_KEY] = sender
    await sender.recover()
    sender.start()
    queue = application.job_queue
    if queue is None:
        raise RuntimeError("PTB was installed without the job-queue extra")
    queue.run_repeating(_due_work_job, interval=SWEEP_INTERVAL_S, first=1.0, name="due-work",
                        job_kwargs=JOB_KWARGS)
    queue.run_repeating(_flush_log_job, interval=LOG_FLUSH_INTERVAL_S, first=LOG_FLUSH_INTERVAL_S,
                        name="log-flush", job_kwargs=JOB_KWARGS)


async def stop_scheduler(application: Application) -> None:
    sender = sender_of(application)
    if sender is not None:
        await sender.stop()
