"""Updates from different people are handled concurrently; one person's updates strictly in order.

Concurrency lets the database group-commit the answers of several people in one transaction
(see db.database) instead of one commit and one thread hop per update. Each person's updates
still run one at a time and in arrival order: the per-person lock is taken before a slot, and
asyncio locks are first-come first-served.

A person who floods the bot (issue 13.6) is throttled: beyond a burst, her updates skip the queue,
are marked handled without an answer, and she gets one kind word. A 🆘, /help_now, a help button
or urgent risk words are never throttled and never wait behind her earlier updates.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    TypeHandler,
)

from flows.guardian.risk import match_terms
from flows.guardian.words import is_help_call
from handlers.common import send, translator_for_update
from handlers.context import KinContext

DEFAULT_CONCURRENCY = 12
THROTTLE_GROUP = -1000  # before every other handler

log = logging.getLogger(__name__)


class InboundThrottle:
    """Per person: ``burst`` updates at once, then ``rate_per_s``; one kind word per episode."""

    def __init__(self, rate_per_s: float = 0.5, burst: float = 10.0,
                 warn_every_s: float = 600.0) -> None:
        self.rate_per_s = rate_per_s
        self.burst = burst
        self.warn_every_s = warn_every_s
        self.throttled = 0
        self._buckets: dict[int, tuple[float, float]] = {}
        self._warned: dict[int, float] = {}

    def admit(self, key: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, stamp = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + max(0.0, now - stamp) * self.rate_per_s)
        if len(self._buckets) > 50_000:
            self._buckets.clear()  # rare; everyone simply starts with a full burst again
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return True
        self._buckets[key] = (tokens, now)
        self.throttled += 1
        return False

    def should_warn(self, key: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        last = self._warned.get(key)
        if last is not None and now - last < self.warn_every_s:
            return False
        self._warned[key] = now
        return True


def is_urgent(update: object) -> bool:
    """🆘 in any form is never throttled: the key, /help_now, a help button, urgent words."""
    if not isinstance(update, Update):
        return False
    if update.callback_query is not None:
        return (update.callback_query.data or "").startswith("h:")
    message = update.effective_message
    text = (message.text or message.caption or "") if message is not None else ""
    if not text:
        return False
    if text.startswith("/help_now") or is_help_call(text):
        return True
    return any(f.severity == "urgent" for f in match_terms(text))


def _key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    __slots__ = ("_locks", "_throttled_ids", "_waiting", "throttle")

    def __init__(self, max_concurrent_updates: int = DEFAULT_CONCURRENCY,
                 throttle: InboundThrottle | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[tuple[int, bool], asyncio.Lock] = {}
        self._waiting: dict[tuple[int, bool], int] = {}
        self.throttle = throttle or InboundThrottle()
        self._throttled_ids: set[int] = set()

    def was_throttled(self, update: Update) -> bool:
        if update.update_id in self._throttled_ids:
            self._throttled_ids.discard(update.update_id)
            return True
        return False

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        urgent = is_urgent(update)
        throttled = bool(key) and not self.throttle.admit(key) and not urgent
        if throttled and isinstance(update, Update):
            self._throttled_ids.add(update.update_id)  # the throttle handler answers it at once
        if throttled:
            async with self._semaphore:  # only acknowledged: never queued behind the flood
                await self.do_process_update(update, coroutine)
            return
        # 🆘 has its own queue per person: in order among themselves, never behind her chatter
        lane = (key, urgent)
        lock = self._locks.setdefault(lane, asyncio.Lock())
        self._waiting[lane] = self._waiting.get(lane, 0) + 1
        try:
            async with lock:
                async with self._semaphore:
                    await self.do_process_update(update, coroutine)
        finally:
            self._waiting[lane] -= 1
            if self._waiting[lane] == 0:  # nobody else queued for this person: forget the lock
                del self._waiting[lane]
                del self._locks[lane]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


async def _throttled(update: Update, context: KinContext) -> None:
    """First handler of all: a throttled update is marked handled, and its sender gets one kind
    word per episode; nothing else runs for it."""
    processor = context.application.update_processor
    if not isinstance(processor, PerPersonUpdateProcessor) or not processor.was_throttled(update):
        return
    svc = context.services
    now = svc.now_iso()
    await svc.write(lambda s: s.inbox.mark_done(update.update_id, now=now))
    key = _key(update)
    chat = update.effective_chat
    if chat is not None and chat.type == "private" and processor.throttle.should_warn(key):
        _ = await translator_for_update(update, context)
        log.info("a person is sending faster than the bot reads; throttled with one kind word")
        await send(context, chat.id, _(
            "You are sending messages very fast, and I could not read them all. 🌷 Please wait a "
            "moment, then write again. If something is urgent, press 🆘."), anonymous=True)
    raise ApplicationHandlerStop


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, _throttled), group=THROTTLE_GROUP)
