"""Even spacing of sends to stay under Telegram's overall limit, shared by every sender."""

from __future__ import annotations

import asyncio
import time


class Pacer:
    """Hands out send slots ``1/rate`` seconds apart; ``pause`` honours a RetryAfter for all."""

    def __init__(self, rate_per_s: float | None = 30.0) -> None:
        self.rate_per_s = rate_per_s
        self._next_slot = 0.0
        self._paused_until = 0.0

    async def acquire(self) -> None:
        now = time.monotonic()
        start = max(now, self._paused_until)
        if self.rate_per_s is None:
            if start > now:
                await asyncio.sleep(start - now)
            return
        slot = max(start, self._next_slot)
        self._next_slot = slot + 1.0 / self.rate_per_s
        if slot > now:
            await asyncio.sleep(slot - now)

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - time.monotonic())
