"""The time-driven parts: the periodic sweeps, each with its own rhythm, declared in ``SWEEPS``.

Jobs are few and periodic; what is due lives in the database (decision 1), so a restart
loses nothing. The sweeps are asyncio tasks timed by the event loop's monotonic clock, not
APScheduler interval jobs on PTB's JobQueue: those are planned on the wall clock, and after an
NTP step back of an hour they waited an hour (no escalation, no prompt; issue 13 point 10). What
is *due* is still decided by the wall clock (the service clock), as it must be.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from flows.core.clock import to_iso
from flows.core.services import Services
from flows.guardian.checkin_plan import watch_silence
from flows.outbox.due_work import sweep_chunk
from flows.outbox.spread import SLOT_CHUNK, assign_slots
from flows.parent.calls import watch_calls
from flows.staff.alert_desk import escalate_due
from scheduler.sender import OutboxSender

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 30.0  # due schedules (check-ins, weekly messages, reminders)
ESCALATION_INTERVAL_S = 30.0  # unacknowledged alerts climb the ladder
SILENCE_INTERVAL_S = 600.0  # a family gone quiet, calls not made
INBOX_PRUNE_INTERVAL_S = 3600.0  # handled updates older than a week
LOG_FLUSH_INTERVAL_S = 1.0  # interaction-log entries that rode no other write
INBOX_KEEP = timedelta(days=7)


async def sweep_due_work(svc: Services) -> int:
    """Chunks of due schedules, each chunk one transaction."""
    total = skipped = 0
    while True:
        now = svc.clock.now()
        result = await svc.db.write(lambda s, at=now: sweep_chunk(s, at))
        total += result.enqueued
        skipped += result.skipped_stale
        if result.schedules < 500:
            break
    await book_send_slots(svc)
    if skipped:
        log.warning("due-work sweep skipped %s occurrence(s) that were too late to still send "
                    "(the bot was not running at the time)", skipped)
    return total


async def book_send_slots(svc: Services) -> int:
    """Once the whole tick is enqueued (so the order is fair across all of it, not chunk by
    chunk), the prompts get their send slots; also those a crash left waiting."""
    booked = expired = 0
    while True:
        now = svc.clock.now()
        slots = await svc.db.write(lambda s, at=now: assign_slots(s, at))
        booked, expired = booked + slots.booked, expired + slots.expired
        if slots.booked + slots.expired < SLOT_CHUNK:
            break
    if expired:
        log.warning("%s prompt(s) due together found no send slot before their moment passed "
                    "(dropped and counted, not alerts)", expired)
    return booked


async def sweep_escalations(svc: Services) -> int:
    now = svc.clock.now()
    waits = svc.settings.escalation_after
    return await svc.db.write(lambda s: escalate_due(s, now, waits))


async def sweep_silence(svc: Services) -> int:
    now = svc.clock.now()
    waits = svc.settings.escalation_after
    return await svc.db.write(lambda s: watch_silence(s, now, svc.settings.tz, waits)
                              + watch_calls(s, now, waits))


async def prune_inbox(svc: Services) -> int:
    before = to_iso(svc.clock.now() - INBOX_KEEP)
    await svc.db.write(lambda s: s.inbox.prune(before))
    return 0


async def flush_log(svc: Services) -> int:
    await svc.flush_log()
    return 0


@dataclass(frozen=True)
class Sweep:
    """A periodic piece of work: its name (in the log), its rhythm, and what it does. ``work``
    returns how many messages it queued (the outbox sender is woken for them)."""

    name: str
    every_s: Callable[[], float]  # read at each turn, so a test can shorten the rhythm
    work: Callable[[Services], Awaitable[int]]
    first_s: float = 1.0


# Every sweep, in one place.
SWEEPS: tuple[Sweep, ...] = (
    Sweep("due-work", lambda: SWEEP_INTERVAL_S, sweep_due_work),
    Sweep("escalation", lambda: ESCALATION_INTERVAL_S, sweep_escalations),
    Sweep("silence", lambda: SILENCE_INTERVAL_S, sweep_silence),
    Sweep("inbox-prune", lambda: INBOX_PRUNE_INTERVAL_S, prune_inbox),
    Sweep("log-flush", lambda: LOG_FLUSH_INTERVAL_S, flush_log, first_s=LOG_FLUSH_INTERVAL_S),
)


async def run_sweep(svc: Services, sweep: Sweep) -> int:
    queued = await sweep.work(svc)
    if queued:
        svc.wake_outbox()
    return queued


async def run_due_work(svc: Services) -> int:
    """Every sweep once, now: after the demo clock jumped, and in tests that move the clock."""
    total = 0
    for sweep in SWEEPS:
        total += await run_sweep(svc, sweep)
    return total


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


class Scheduler:
    """The sender task and one task per sweep, started and stopped together."""

    def __init__(self, svc: Services, sender: OutboxSender | None,
                 sweeps: Sequence[Sweep] = SWEEPS) -> None:
        self.svc, self.sender, self.sweeps = svc, sender, tuple(sweeps)
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self, extra: Sequence[Sweep] = ()) -> None:
        if self.sender is not None:
            await self.sender.recover()
            self.sender.start()
        for sweep in (*self.sweeps, *extra):
            self.tasks.append(asyncio.create_task(repeat(
                sweep.name, lambda s=sweep: run_sweep(self.svc, s), first_s=sweep.first_s,
                every_s=sweep.every_s), name=sweep.name))

    async def stop(self) -> None:
        tasks, self.tasks = self.tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.sender is not None:
            await self.sender.stop()
