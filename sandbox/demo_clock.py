"""Sandbox mode only: the bot's clock follows the sandbox's demo clock, so "fast-forward to
Sunday 20:00" in the web chat makes the scheduled parts happen at once, and the demo village
lives through the time it skipped (``village.live_through``). Never used in run mode: against
real Telegram there is no demo clock to follow."""

from __future__ import annotations

import logging
from datetime import timedelta

import aiohttp

from flows.core.clock import OffsetClock
from flows.core.services import Services
from sandbox.village import live_through
from scheduler.jobs import Sweep, run_due_work

log = logging.getLogger(__name__)
POLL_S = 1.0


class DemoClock:
    """Follows the sandbox's clock (``/sandbox/clock``) with the bot's OffsetClock."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.session: aiohttp.ClientSession | None = None

    async def follow_once(self) -> bool:
        """Read the sandbox clock; if it moved forward, let the village live through the
        skipped time, move our clock and run the due work now."""
        svc = self.svc
        clock = svc.clock
        if not isinstance(clock, OffsetClock):
            return False
        if self.session is None or self.session.closed:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3))
        url = f"{svc.settings.api_url.rstrip('/')}/sandbox/clock"
        try:
            async with self.session.get(url) as resp:
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
        await run_due_work(svc)
        return True

    async def _turn(self, _svc: Services) -> int:
        await self.follow_once()
        return 0  # run_due_work woke the sender already

    def sweep(self) -> Sweep:
        """One more sweep for the scheduler, in sandbox mode only."""
        return Sweep("demo-clock", lambda: POLL_S, self._turn, first_s=POLL_S)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None
