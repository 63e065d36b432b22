"""The outbox sender: drains due rows within Telegram's limits, alerts first, exactly once.

- overall pace from a shared Pacer (default 30 msg/s), RetryAfter pauses everyone;
- at most one message a second per private chat, one per 3 s per group (20/min);
- network errors and 5xx: capped exponential back-off with jitter, then 'failed' with a reason;
- 403: the person becomes unreachable, their pending messages are cancelled, the caseworker told;
- a row is 'sending' only while its request is in flight; deliveries are recorded in small group
  commits. A crash in between leaves rows 'sending': at start-up they are sent again and counted
  as in doubt (Telegram may have accepted them already; nothing else can be duplicated).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, MessageId
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from db.database import Database
from db.models import OutboxItem
from flows.clock import Clock, to_iso
from flows.delivery import (
    Delivered,
    claim_due,
    handle_failed,
    handle_unreachable,
    record_deliveries,
    spacing_for,
)
from scheduler.pacer import Pacer

log = logging.getLogger(__name__)


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass
class SenderStats:
    delivered: int = 0
    retried: int = 0
    throttled: int = 0
    failed: int = 0
    unreachable: int = 0
    recovered_in_doubt: int = 0
    errors: dict[str, int] = field(default_factory=dict)


class OutboxSender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        *,
        pacer: Pacer | None = None,
        max_in_flight: int = 64,
        max_attempts: int = 8,
        backoff_base_s: float = 1.0,
        backoff_cap_s: float = 300.0,
        idle_poll_s: float = 1.0,
    ) -> None:
        self.db = db
        self.bot = bot
        self.clock = clock
        self.pacer = pacer or Pacer()
        self.max_in_flight = max_in_flight
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.idle_poll_s = idle_poll_s
        self.stats = SenderStats()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._chat_ready_at: dict[int, datetime] = {}
        self._pending_deliveries: list[Delivered] = []
        self._flush_wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._stopping = False

    # ---- life cycle --------------------------------------------------------------------
    async def recover(self) -> int:
        """Rows left 'sending' by a crash go back to the queue, flagged in doubt."""
        count = await self.db.write(lambda s: s.outbox.recover_in_flight())
        if count:
            log.warning("%s message(s) were in flight when the bot stopped; sending them again "
                        "(Telegram may already have delivered them: counted as in doubt)", count)
        self.stats.recovered_in_doubt += count
        return count

    def start(self) -> None:
        self._stopping = False
        self._runner = asyncio.create_task(self._run(), name="outbox-sender")
        self._flusher = asyncio.create_task(self._flush_loop(), name="outbox-flusher")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._flush_wake.set()
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        await self._flush()
        if not self._pending_deliveries:
            # every started send is over and recorded: what is still 'sending' was claimed
            # but never sent (the runner stopped between claim and send): back to pending, so
            # a restart neither re-sends it as "in doubt" nor counts it as such
            await self.db.write(lambda s: s.outbox.release_unsent())

    def wake(self) -> None:
        """Something was enqueued: look now rather than at the next idle poll."""
        self._wake.set()

    # ---- the loop ------------------------------------------------------------------------
    def _batch_size(self) -> int:
        rate = self.pacer.rate_per_s
        # Small batches at a low rate: a new alert never waits behind many bulk messages, and
        # few rows sit 'sending' before their request starts (fewer in doubt after a crash).
        if rate is None:
            return 200
        return max(1, min(200, int(rate / 10)))

    async def _run(self) -> None:
        while not self._stopping:
            try:
                sent = await self.drain_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep draining whatever happened; never die silently
                log.exception("outbox sender loop failed; retrying in a second")
                await asyncio.sleep(1.0)
                continue
            if sent == 0:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self.idle_poll_s)
                except TimeoutError:
                    pass

    async def drain_once(self) -> int:
        """Claim one batch and start sending it; returns how many were started."""
        now = self.clock.now()
        self._chat_ready_at = {c: t for c, t in self._chat_ready_at.items() if t > now}
        ready = dict(self._chat_ready_at)
        limit = self._batch_size()
        claim = await self.db.write(lambda s: claim_due(s, now, limit, ready))
        for item in claim.items:
            self._chat_ready_at[item.chat_id] = now + spacing_for(item.chat_id)
            await self.pacer.acquire()
            await self._slots.acquire()
            task = asyncio.create_task(self._send_one(item))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(claim.items)

    async def wait_idle(self) -> None:
        """Until every started send has finished and its result is recorded (tests, bench)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._flush()

    # ---- one message ---------------------------------------------------------------------
    async def _send_one(self, item: OutboxItem) -> None:
        payload: dict[str, Any] = json.loads(item.payload)
        try:
            message = await self._deliver(item, payload)
        except RetryAfter as exc:
            wait = retry_seconds(exc)
            self.pacer.pause(wait)
            self.stats.throttled += 1
            until = to_iso(self.clock.now() + timedelta(seconds=wait))
            await self.db.write(lambda s: s.outbox.release(item.id, not_before=until,
                                                           error=f"429 retry after {wait:g}s"))
        except Forbidden as exc:
            self.stats.unreachable += 1
            error = f"403 {exc.message}"[:200]
            await self.db.write(lambda s: handle_unreachable(s, self.clock.now(), item, error))
        except (BadRequest, InvalidToken) as exc:
            self._count_error(type(exc).__name__)
            self.stats.failed += 1
            error = f"{type(exc).__name__}: {exc.message}"[:200]
            log.error("outbox message %s refused permanently: %s", item.id, type(exc).__name__)
            await self.db.write(lambda s: handle_failed(s, self.clock.now(), item, error))
        except (NetworkError, TimedOut, OSError) as exc:
            self._count_error(type(exc).__name__)
            await self._retry_or_fail(item, f"{type(exc).__name__}: {exc}"[:200])
        else:
            self.stats.delivered += 1
            self._pending_deliveries.append(Delivered(
                outbox_id=item.id, message_id=message.message_id if message else None,
                person_id=item.person_id, family_id=_int_or_none(payload.get("family_id")),
                chat_id=item.chat_id, kind=item.kind,
                summary=payload.get("text") or payload.get("caption") or item.kind))
            self._flush_wake.set()
        finally:
            self._slots.release()

    async def _retry_or_fail(self, item: OutboxItem, error: str) -> None:
        attempts = item.attempts + 1
        if attempts >= self.max_attempts:
            self.stats.failed += 1
            log.error("outbox message %s failed after %s attempts", item.id, attempts)
            await self.db.write(lambda s: handle_failed(s, self.clock.now(), item, error))
            return
        self.stats.retried += 1
        delay = min(self.backoff_cap_s, self.backoff_base_s * 2 ** (attempts - 1))
        delay *= random.uniform(0.5, 1.5)
        until = to_iso(self.clock.now() + timedelta(seconds=delay))
        await self.db.write(lambda s: s.outbox.retry_later(item.id, error=error, not_before=until))

    async def _deliver(self, item: OutboxItem, payload: dict[str, Any]) -> Message | MessageId | None:
        markup = payload.get("reply_markup")
        keyboard = InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None
        if item.kind == "text":
            return await self.bot.send_message(item.chat_id, str(payload["text"]),
                                               reply_markup=keyboard,
                                               parse_mode=payload.get("parse_mode"))
        if item.kind == "copy":  # a guardian's voice note, passed on to the caseworker
            return await self.bot.copy_message(item.chat_id, int(payload["from_chat_id"]),
                                               int(payload["message_id"]),
                                               caption=payload.get("caption"))
        data = base64.b64decode(str(payload["file_b64"]))
        if item.kind == "photo":
            return await self.bot.send_photo(item.chat_id, photo=data,
                                             caption=payload.get("caption"), reply_markup=keyboard)
        if item.kind == "document":
            return await self.bot.send_document(item.chat_id, document=data,
                                                filename=str(payload.get("filename", "file")),
                                                caption=payload.get("caption"))
        raise BadRequest(f"unknown outbox kind {item.kind}")

    # ---- group commit of deliveries --------------------------------------------------------
    async def _flush_loop(self) -> None:
        while True:
            await self._flush_wake.wait()
            self._flush_wake.clear()
            await self._flush()

    async def _flush(self) -> None:
        if not self._pending_deliveries:
            return
        batch, self._pending_deliveries = self._pending_deliveries, []
        now = self.clock.now()
        try:
            await self.db.write(lambda s: record_deliveries(s, now, batch))
        except Exception:
            log.exception("could not record %s deliveries; will retry", len(batch))
            self._pending_deliveries[:0] = batch
            await asyncio.sleep(0.5)
            self._flush_wake.set()

    def _count_error(self, name: str) -> None:
        self.stats.errors[name] = self.stats.errors.get(name, 0) + 1


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) else None
