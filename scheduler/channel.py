"""The Bot API channel as one thing that is up or paused (DESIGN decision 10).

When a send fails for a reason that may be the channel's (no connection, 5xx, 404), the sender
reports it here. One probe loop runs at a time: it calls ``getMe`` at once, then with capped
exponential back-off, until the Bot API answers; meanwhile the sender claims nothing. The probe
reads the HTTP status itself, because PTB raises the same InvalidToken for 401 (a revoked
token) and 404 (a proxy's lost route): only a 401 to ``getMe`` means the token is dead.
"""

from __future__ import annotations

import asyncio
import logging
import random
from enum import StrEnum

from telegram import Bot
from telegram.error import TelegramError

log = logging.getLogger(__name__)


class ProbeResult(StrEnum):
    UP = "up"
    DOWN = "down"
    UNAUTHORIZED = "unauthorized"


class Channel:
    def __init__(self, bot: Bot, *, probe_base_s: float = 1.0, probe_cap_s: float = 5.0,
                 probe_timeout_s: float = 10.0) -> None:
        self.bot = bot
        self.probe_base_s = probe_base_s
        self.probe_cap_s = probe_cap_s
        self.probe_timeout_s = probe_timeout_s
        self.pauses = 0
        self.probes = 0
        self._up = asyncio.Event()
        self._up.set()
        self._first: asyncio.Future[ProbeResult] | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self.revoked = False

    @property
    def is_up(self) -> bool:
        return self._up.is_set()

    async def wait_up(self) -> None:
        await self._up.wait()

    async def report_failure(self) -> ProbeResult:
        """A send failed in a way that may be the channel's. Returns what the first probe after
        it found: UP (the channel answers: the error may be the message's own), DOWN (paused
        until a probe answers) or UNAUTHORIZED (the token was revoked)."""
        if self.revoked:
            return ProbeResult.UNAUTHORIZED
        if self._loop_task is None or self._loop_task.done():
            self._first = asyncio.get_running_loop().create_future()
            self._loop_task = asyncio.create_task(self._probe_loop(self._first),
                                                  name="bot-api-probe")
        assert self._first is not None
        return await asyncio.shield(self._first)

    async def close(self) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
        self._up.set()

    async def probe(self) -> ProbeResult:
        self.probes += 1
        try:
            status, _ = await asyncio.wait_for(
                self.bot.request.do_request(url=f"{self.bot.base_url}/getMe", method="POST"),
                self.probe_timeout_s)
        except (TelegramError, OSError, TimeoutError):
            return ProbeResult.DOWN
        if 200 <= status <= 299:
            return ProbeResult.UP
        if status == 401:
            return ProbeResult.UNAUTHORIZED
        return ProbeResult.DOWN

    async def _probe_loop(self, first: asyncio.Future[ProbeResult]) -> None:
        attempt = 0
        try:
            while True:
                result = await self.probe()
                if not first.done():
                    first.set_result(result)
                    if result is ProbeResult.DOWN:
                        self._pause()
                if result is ProbeResult.UP:
                    if not self._up.is_set():
                        log.warning("the Bot API answers again after %s probe(s); sending resumes",
                                    attempt + 1)
                    self._up.set()
                    return
                if result is ProbeResult.UNAUTHORIZED:
                    self.revoked = True
                    self._up.clear()
                    return  # stays paused: nothing can be sent with a revoked token
                delay = min(self.probe_cap_s, self.probe_base_s * 2 ** attempt)
                attempt += 1
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))
        finally:
            if not first.done():
                first.set_result(ProbeResult.DOWN)

    def _pause(self) -> None:
        if self._up.is_set():
            self.pauses += 1
            log.warning("the Bot API does not answer; sending is paused until a probe succeeds "
                        "(no message fails meanwhile)")
        self._up.clear()
