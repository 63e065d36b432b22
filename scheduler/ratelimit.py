"""The rate limiter for direct replies: it draws from the same Pacer as the outbox sender, so
replies and outbox traffic together stay under Telegram's overall limit, and it paces each chat
on its own (about one message a second, a short burst allowed). A 429 that answers one chat's
pace makes only that chat wait; only a global one (several chats refused at once) pauses the
shared pacer."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from scheduler.pacer import Pacer
from scheduler.sender import RateLimitWatch, retry_seconds

log = logging.getLogger(__name__)

SENDING_ENDPOINTS = {"sendMessage", "sendPhoto", "sendDocument", "sendVoice", "forwardMessage",
                     "copyMessage", "sendMediaGroup", "sendAudio", "sendVideo", "sendSticker"}


class ChatPacing:
    """Per-chat spacing by reservation (GCRA): ``rate`` a second with ``burst`` at once; callers
    for one chat queue up in order, other chats are never held."""

    def __init__(self, private_per_s: float = 1.0, private_burst: float = 5.0,
                 group_per_s: float = 1 / 3, group_burst: float = 1.0) -> None:
        # a twentieth of a second to spare: Telegram's clock starts when a request arrives
        self.private = (1.05 / private_per_s, (private_burst - 1.0) / private_per_s)
        self.group = (1.05 / group_per_s, (group_burst - 1.0) / group_per_s)
        self._tat: dict[int, float] = {}

    def _shape(self, chat_id: int) -> tuple[float, float]:
        return self.group if chat_id < 0 else self.private

    def reserve(self, chat_id: int, now: float | None = None) -> float:
        """Seconds to wait before sending to ``chat_id`` (the slot is taken at once)."""
        now = time.monotonic() if now is None else now
        interval, tolerance = self._shape(chat_id)
        tat = max(self._tat.get(chat_id, now), now)
        wait = max(0.0, tat - tolerance - now)
        self._tat[chat_id] = tat + interval
        if len(self._tat) > 50_000:  # forget chats that have long been quiet
            self._tat = {c: t for c, t in self._tat.items() if t > now}
        return wait

    async def acquire(self, chat_id: int) -> None:
        wait = self.reserve(chat_id)
        if wait > 0:
            await asyncio.sleep(wait)

    def pause(self, chat_id: int, seconds: float, now: float | None = None) -> None:
        """Telegram asked this chat to wait: its next slot is ``seconds`` from now."""
        now = time.monotonic() if now is None else now
        _, tolerance = self._shape(chat_id)
        self._tat[chat_id] = max(self._tat.get(chat_id, now), now + seconds + tolerance)


def _chat_of(data: dict[str, Any] | None) -> int | None:
    value = (data or {}).get("chat_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None  # an @channel username: only the overall pace applies


class SharedRateLimiter(BaseRateLimiter[int]):
    def __init__(self, pacer: Pacer, max_retries: int = 3,
                 chats: ChatPacing | None = None) -> None:
        self.pacer = pacer
        self.max_retries = max_retries
        self.chats = chats or ChatPacing()
        self.watch = RateLimitWatch()

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        sending = endpoint in SENDING_ENDPOINTS
        chat_id = _chat_of(data) if sending else None
        for attempt in range(self.max_retries + 1):
            if sending:
                if chat_id is not None:
                    await self.chats.acquire(chat_id)
                await self.pacer.acquire()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= self.max_retries:
                    raise
                wait = retry_seconds(exc)
                if chat_id is not None and self.watch.chat_scoped(chat_id):
                    self.chats.pause(chat_id, wait)  # only this chat waits
                    log.info("Telegram asked one chat to wait %ss before %s; retrying", wait,
                             endpoint)
                    continue
                self.pacer.pause(wait)
                log.info("Telegram asked to wait %ss before %s; retrying", wait, endpoint)
                if not sending:
                    await asyncio.sleep(wait)
        raise RuntimeError("unreachable")
