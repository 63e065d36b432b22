"""The rate limiter for direct replies: it draws from the same Pacer as the outbox sender, so
replies and outbox traffic together stay under Telegram's overall limit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from scheduler.pacer import Pacer
from scheduler.sender import retry_seconds

log = logging.getLogger(__name__)

SENDING_ENDPOINTS = {"sendMessage", "sendPhoto", "sendDocument", "sendVoice", "forwardMessage",
                     "copyMessage", "sendMediaGroup", "sendAudio", "sendVideo", "sendSticker"}


class SharedRateLimiter(BaseRateLimiter[int]):
    def __init__(self, pacer: Pacer, max_retries: int = 3) -> None:
        self.pacer = pacer
        self.max_retries = max_retries

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
        for attempt in range(self.max_retries + 1):
            if endpoint in SENDING_ENDPOINTS:
                await self.pacer.acquire()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= self.max_retries:
                    raise
                wait = retry_seconds(exc)
                self.pacer.pause(wait)
                log.info("Telegram asked to wait %ss before %s; retrying", wait, endpoint)
                await asyncio.sleep(wait)
        raise RuntimeError("unreachable")
