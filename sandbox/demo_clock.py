"""Sandbox mode only: the bot's clock follows the sandbox's demo clock, so "fast-forward to
Sunday 20:00" in the web chat makes the scheduled parts happen at once, and the demo village
lives through the time it skipped (``village.live_through``). Never used in run mode: against
real Telegram there is no demo clock to follow."""

from __future__ import annotations

import logging
from datetime import timedelta

import aiohttp
from telegram.ext import Application, ContextTypes

from flows.core.clock import OffsetClock
from handlers.common import services_of
from sandbox.village import live_through
from scheduler.jobs import JOB_KWARGS, run_due_work, sender_of

log = logging.getLogger(__name__)
POLL_S = 1.0
SESSION_KEY = "kinbridge.demo_clock_session"


async def follow_once(application: Application) -> bool:
    """Read the sandbox clock; if it moved forward, let the village live through the skipped
    time, move our clock and run the due work now."""
    svc = services_of(application)
    clock = svc.clock
    if not svc.sandbox_mode or not isinstance(clock, OffsetClock):
        return False
    session: aiohttp.ClientSession | None = application.bot_data.get(SESSION_KEY)
    if session is None or session.closed:
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3))
        application.bot_data[SESSION_KEY] = session
    url = f"{svc.settings.api_url.rstrip('/')}/sandbox/clock"
    try:
        async with session.get(url) as resp:
            offset = timedelta(seconds=float((await resp.json())["offset_s"]))
    except (aiohttp.ClientError, TimeoutError, KeyError, ValueError) as exc:
        log.debug("demo clock not readable: %s", type(exc).__name__)
        return False
    if offset <= clock.offset:
        return False
    start = clock.now()
    end = start + (offset - clock.offset)
    lived = await svc.db.write(lambda s: live_through(s, start, end))
    clock.set_offset(offset)
    log.info("demo clock moved forward; %s check-in(s) answered by the village", lived)
    log.info("demo clock moved forward; running the due work now")
    await run_due_work(svc, sender_of(application))
    return True


async def _job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await follow_once(context.application)


def start_demo_clock(application: Application) -> None:
    queue = application.job_queue
    if queue is not None:
        queue.run_repeating(_job, interval=POLL_S, first=POLL_S, name="demo-clock",
                            job_kwargs=JOB_KWARGS)


async def stop_demo_clock(application: Application) -> None:
    session = application.bot_data.pop(SESSION_KEY, None)
    if session is not None:
        await session.close()
