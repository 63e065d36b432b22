"""The outbox sender: drains due rows within Telegram's limits, alerts first, exactly once.

- overall pace from a shared Pacer (default 30 msg/s);
- at most one message a second per private chat, one per 3 s per group (20/min); when a chat's
  slot frees, its highest lane goes first (an alert never waits behind its chat's chatter);
- every failure goes to the pure retry policy (flows.outbox.retry_policy.decide) and its decision is
  recorded in one write. An outage is the channel's state: network errors, 5xx and 404 pause the
  whole sender while scheduler.channel probes getMe with capped back-off; no message fails for
  it. A 429 pauses only its chat, unless several chats are refused at once (a global limit);
- 403: the person becomes unreachable, their pending messages are cancelled, the caseworker told;
- a revoked token (401 to the probe) stops the sender with one sentence;
- a message whose moment passed (expires_at; never an alert) is dropped quietly and counted;
- a row is 'sending' only while its request is in flight; deliveries are recorded in small group
  commits. A crash in between leaves rows 'sending': at start-up they are sent again and counted
  as in doubt (Telegram may have accepted them already; nothing else can be duplicated).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, MessageId
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from db.database import Database
from db.models import OutboxItem
from db.outbox import LANE_ALERT
from flows.core.clock import Clock, from_iso
from flows.outbox.delivery import (
    Delivered,
    claim_due,
    record_decision,
    record_deliveries,
    spacing_for,
)
from flows.outbox.retry_policy import CHANNEL_KINDS, Action, ErrorKind, Policy, SendFailure, decide
from flows.staff.digest import CHART, chart_from_rows
from scheduler.channel import Channel, ProbeResult
from scheduler.pacer import Pacer

log = logging.getLogger(__name__)


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


REVOKED_SENTENCE = ("The Bot API refuses the bot's token (401 Unauthorized): it was revoked or "
                    "replaced in @BotFather; set TELEGRAM_BOT_TOKEN to the new token and start "
                    "KinBridge again. Nothing was sent meanwhile and nothing is lost.")


def classify(exc: BaseException) -> SendFailure:
    """A Bot API error as a neutral failure for the retry policy (no Telegram in flows/)."""
    detail = f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}"[:180]
    if isinstance(exc, RetryAfter):
        return SendFailure(ErrorKind.RATE_LIMITED, detail, retry_after_s=retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return SendFailure(ErrorKind.FORBIDDEN, detail)
    if isinstance(exc, InvalidToken):  # 401 or 404: the probe tells them apart
        return SendFailure(ErrorKind.NOT_FOUND, detail)
    if isinstance(exc, BadRequest | ChatMigrated):
        return SendFailure(ErrorKind.BAD_REQUEST, detail)
    if isinstance(exc, NetworkError | OSError):  # PTB raises NetworkError for 5xx too
        return SendFailure(ErrorKind.NETWORK, detail)
    return SendFailure(ErrorKind.SERVER, detail)


class RateLimitWatch:
    """Tells a chat's 429 from a global one: several different chats refused within a moment
    is the overall limit; one chat refused while others pass is that chat's."""

    def __init__(self, window_s: float = 1.0, chats_for_global: int = 3) -> None:
        self.window_s = window_s
        self.chats_for_global = chats_for_global
        self._recent: deque[tuple[float, int]] = deque()

    def chat_scoped(self, chat_id: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self._recent.append((now, chat_id))
        while self._recent and now - self._recent[0][0] > self.window_s:
            self._recent.popleft()
        return len({c for _, c in self._recent}) < self.chats_for_global


@dataclass
class SenderStats:
    delivered: int = 0
    retried: int = 0
    throttled: int = 0
    global_pauses: int = 0
    failed: int = 0
    unreachable: int = 0
    expired: int = 0
    recovered_in_doubt: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def channel_pauses(self) -> int:
        return self._channel.pauses if self._channel is not None else 0

    _channel: Channel | None = None


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
        probe_base_s: float = 1.0,
        probe_cap_s: float = 5.0,
        on_fatal: Callable[[str], object] | None = None,
        escalation: Mapping[str, timedelta] | None = None,
    ) -> None:
        self.db = db
        self.bot = bot
        self.clock = clock
        self.pacer = pacer or Pacer()
        self.max_in_flight = max_in_flight
        self.policy = Policy(max_attempts=max_attempts, backoff_base_s=backoff_base_s,
                             backoff_cap_s=backoff_cap_s)
        self.idle_poll_s = idle_poll_s
        self.channel = Channel(bot, probe_base_s=probe_base_s, probe_cap_s=probe_cap_s)
        self.rate_watch = RateLimitWatch()
        self.on_fatal = on_fatal
        self.escalation = escalation  # the deployment's waits, for alerts raised on a failure
        self.fatal: str | None = None
        self.stats = SenderStats(_channel=self.channel)
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
        await self.channel.close()
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
        while not self._stopping and self.fatal is None:
            try:
                await self.channel.wait_up()  # an outage: claim nothing until a probe answers
                if self.fatal is not None:
                    break
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
                    await asyncio.wait_for(self._wake.wait(), self._idle_wait())
                except TimeoutError:
                    pass

    def _idle_wait(self) -> float:
        """Until the next chat's slot frees (a flooded chat's alert goes then), at most the
        idle poll."""
        if not self._chat_ready_at:
            return self.idle_poll_s
        soonest = min(self._chat_ready_at.values()) - self.clock.now()
        return max(0.01, min(self.idle_poll_s, soonest.total_seconds()))

    async def drain_once(self) -> int:
        """Claim one batch and start sending it; returns how many were started."""
        now = self.clock.now()
        self._chat_ready_at = {c: t for c, t in self._chat_ready_at.items() if t > now}
        ready = dict(self._chat_ready_at)
        limit = self._batch_size()
        claim = await self.db.write(lambda s: claim_due(s, now, limit, ready))
        if claim.expired:
            self.stats.expired += claim.expired
            log.info("%s message(s) expired before they could be sent (dropped, not alerts)",
                     claim.expired)
        for item in claim.items:
            self._chat_ready_at[item.chat_id] = now + spacing_for(item.chat_id)
            await self.pacer.acquire()
            await self._slots.acquire()
            # the chat's spacing counts from when the send really starts, not from the claim: a
            # send held up by the pace or the slots must not bring the next one closer to it
            self._chat_ready_at[item.chat_id] = self.clock.now() + spacing_for(item.chat_id)
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
        except (TelegramError, OSError) as exc:
            await self._failed(item, exc)
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

    async def _failed(self, item: OutboxItem, exc: BaseException) -> None:
        """Ask the retry policy, act on the channel or the chat, record with one write."""
        failure = classify(exc)
        self._count_error(type(exc).__name__)
        channel_up = True
        if failure.kind in CHANNEL_KINDS:
            probe = await self.channel.report_failure()
            if probe is ProbeResult.UNAUTHORIZED:
                failure = SendFailure(ErrorKind.UNAUTHORIZED, failure.detail)
            channel_up = probe is ProbeResult.UP
        elif failure.kind is ErrorKind.RATE_LIMITED:
            failure = SendFailure(failure.kind, failure.detail, failure.retry_after_s,
                                  chat_scoped=self.rate_watch.chat_scoped(item.chat_id))
        now = self.clock.now()
        decision = decide(failure, item.attempts + 1, now=now, channel_up=channel_up,
                          is_alert=item.lane == LANE_ALERT,
                          expires_at=from_iso(item.expires_at) if item.expires_at else None,
                          policy=self.policy)
        action = decision.action
        if action is Action.PAUSE_CHAT and decision.at is not None:
            self.stats.throttled += 1
            self._chat_ready_at[item.chat_id] = max(decision.at,
                                                    self._chat_ready_at.get(item.chat_id, now))
        elif action is Action.PAUSE_ALL and decision.at is not None:
            self.stats.throttled += 1
            self.stats.global_pauses += 1
            self.pacer.pause((decision.at - now).total_seconds())
        elif action is Action.RETRY_AT:
            self.stats.retried += 1
        elif action is Action.FAIL:
            self.stats.failed += 1
            log.error("outbox message %s refused permanently: %s", item.id, failure.kind)
        elif action is Action.UNREACHABLE:
            self.stats.unreachable += 1
        elif action is Action.DROP_EXPIRED:
            self.stats.expired += 1
        await self.db.write(lambda s: record_decision(s, now, item, decision, self.escalation))
        if action is Action.STOP:
            self.stop_for_good(REVOKED_SENTENCE)

    def stop_for_good(self, sentence: str) -> None:
        if self.fatal is not None:
            return
        self.fatal = sentence
        self._stopping = True
        self._wake.set()
        log.critical(sentence)
        if self.on_fatal is not None:
            self.on_fatal(sentence)

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
        if CHART in payload:  # the digest's chart: drawn here, off the writer and the loop
            data = await asyncio.to_thread(chart_from_rows, payload[CHART])
        else:
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
