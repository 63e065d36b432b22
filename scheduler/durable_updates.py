"""No update lost between Telegram and the store.

With long polling, Telegram forgets an update once the next getUpdates asks for a higher offset,
and PTB asks again at once, before the update is handled: a crash in that window would lose it.
So the getUpdates request goes through ``DurableGetUpdates``, which stores the raw updates in the
inbox table (one transaction) *before* handing them to PTB. Each handler's transaction marks its
update done (handlers/flowrun.py); at start-up, updates stored but not done are handled first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from db.database import Database, is_disk_full
from flows.core.clock import Clock, to_iso
from scheduler.sender import REVOKED_SENTENCE

log = logging.getLogger(__name__)
CONFLICT_LIMIT = 3


class DurableGetUpdates(BaseRequest):
    """Wraps the real request; getUpdates results are committed to the inbox before returning."""

    def __init__(self, inner: BaseRequest, db: Database, clock: Clock, *,
                 store_pause_s: float = 5.0) -> None:
        self.inner = inner
        self.db = db
        self.clock = clock
        self.store_down = False  # the store refuses writes (full, locked, I/O): said once
        self.store_pause_s = store_pause_s
        self.conflicts = 0  # 409 answers to getUpdates in a row
        # called once when they reach CONFLICT_LIMIT (the bot stops: another instance polls)
        self.on_conflict: Callable[[str], None] | None = None
        # called once on a 401 to getUpdates (the bot stops: the token was revoked)
        self.on_unauthorized: Callable[[str], None] | None = None
        self.not_found = 0  # 404 answers to getUpdates in a row (a proxy's lost route)

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        is_get_updates = url.rsplit("/", 1)[-1] == "getUpdates"
        if is_get_updates and self.conflicts >= CONFLICT_LIMIT:
            # stopping because another instance polls: do not ask again (PTB's last call at
            # shutdown would only log the same conflict; the inbox needs no acknowledgement)
            return 200, b'{"ok": true, "result": []}'
        code, payload = await self.inner.do_request(
            url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout)
        if is_get_updates:
            self._count_conflict(code)
            code, payload = self._channel_state(code, payload)
        if code == 200 and is_get_updates:
            try:
                result = json.loads(payload).get("result")
            except (ValueError, AttributeError):
                result = None
            if isinstance(result, list) and result:
                kept = await self._store(result)
                if kept is not result:  # what PTB sees is what the inbox holds
                    payload = json.dumps({"ok": True, "result": kept}).encode()
        return code, payload

    def _channel_state(self, code: int, payload: bytes) -> tuple[int, bytes]:
        """PTB raises InvalidToken for 401 *and* 404 and then stops polling for good. A 404 is a
        proxy's or a path's problem, not the token's: hand PTB a 502 so it keeps retrying
        with back-off until the route is back. A 401 is a revoked token: stop in one sentence
        (and give PTB an empty answer, so it logs no traceback while the bot stops)."""
        if code == 404:
            self.not_found += 1
            if self.not_found == 1:
                log.warning("the Bot API answered 404 to getUpdates (a proxy or a wrong "
                            "TELEGRAM_API_URL?); polling goes on retrying")
            return 502, b'{"ok": false, "error_code": 502, "description": "Bad Gateway (404)"}'
        self.not_found = 0
        if code == 401:
            if self.on_unauthorized is not None:
                self.on_unauthorized(REVOKED_SENTENCE)
                self.on_unauthorized = None
            return 200, b'{"ok": true, "result": []}'
        return code, payload

    def _count_conflict(self, code: int) -> None:
        if code != 409:
            self.conflicts = 0
            return
        self.conflicts += 1
        if self.conflicts == 1:
            log.warning("Telegram says another bot polls with this token; waiting to see if "
                        "it goes away")
        if self.conflicts == CONFLICT_LIMIT and self.on_conflict is not None:
            self.on_conflict(
                f"another instance is polling Telegram with this bot's token (409 Conflict "
                f"{CONFLICT_LIMIT} times in a row); only one may run, so this one stops")

    async def _store(self, updates: list[Any]) -> list[Any]:
        """Commit the batch to the inbox; returns the updates to hand to PTB.

        If the batch cannot be stored, each update is stored alone: one that cannot be stored
        as it came (a lone UTF-16 surrogate is valid JSON but not UTF-8) is stored with the bad
        characters replaced; one that still cannot be stored is quarantined (its id and the
        reason, never its content) and handed on as an empty update, so it is acknowledged and
        the updates behind it are served. When the store itself fails (a full disk, a lock
        held too long, an I/O error), nothing more is acknowledged: the updates stay with
        Telegram until the store takes them."""
        now = to_iso(self.clock.now())
        try:
            await self.db.write(lambda s: s.inbox.add_many(updates, now=now))
        except Exception as exc:
            if is_store_fault(exc):
                await self._store_unavailable(exc)
                return []
            log.warning("a batch of %s update(s) could not be stored (%s); storing them one "
                        "by one", len(updates), type(exc).__name__)
        else:
            self._note_store_ok()
            return updates
        kept: list[Any] = []
        for update in updates:
            try:
                one = await self._store_one(update, now)
            except StoreUnavailable as exc:
                await self._store_unavailable(exc.__cause__ or exc)
                return kept  # this one and the rest stay with Telegram
            if one is not None:
                kept.append(one)
        return kept

    async def _store_one(self, update: Any, now: str) -> Any | None:
        first_error: Exception | None = None
        for candidate in (update, without_lone_surrogates(update)):
            try:
                await self.db.write(lambda s, u=candidate: s.inbox.add(u, now=now))
            except Exception as exc:
                if is_store_fault(exc):
                    raise StoreUnavailable from exc
                first_error = first_error or exc
                continue
            if candidate is not update:
                log.warning("update %s had characters that cannot be stored (%s); stored with "
                            "them replaced", _update_id(update), type(first_error).__name__)
            return candidate
        update_id = _update_id(update)
        reason = type(first_error).__name__
        if update_id is not None:
            try:
                await self.db.write(lambda s: s.inbox.quarantine(update_id, reason=reason,
                                                                 now=now))
            except Exception as exc:
                if is_store_fault(exc):
                    raise StoreUnavailable from exc
                update_id = None
        if update_id is None:  # Telegram always sends one; nothing to acknowledge it by
            log.error("an update without a usable id could not be stored (%s); skipped", reason)
            return None
        log.error("update %s could not be stored (%s); set aside in the inbox as quarantined",
                  update_id, reason)
        return {"update_id": update_id}

    async def _store_unavailable(self, exc: BaseException) -> None:
        if not self.store_down:
            if is_disk_full(exc):
                log.error("the database disk is full (SQLite: database or disk is full): new "
                          "messages stay with Telegram, unacknowledged, until there is room")
            else:
                log.error("the database refused the write (%s); new messages stay with "
                          "Telegram, unacknowledged, until it takes them", type(exc).__name__)
        self.store_down = True
        await asyncio.sleep(self.store_pause_s)

    def _note_store_ok(self) -> None:
        if self.store_down:
            log.warning("the database takes writes again; receiving messages")
        self.store_down = False


class StoreUnavailable(Exception):
    """The store refused a write for its own reasons (space, lock, I/O), not the update's."""


def is_store_fault(exc: BaseException) -> bool:
    """SQLite's operational errors (full, locked, I/O, read-only) and the OS's: about the
    database, whatever the update holds. Encoding, integrity and value errors are the update's."""
    return isinstance(exc, sqlite3.OperationalError | OSError) or is_disk_full(exc)


def without_lone_surrogates(value: Any) -> Any:
    """The same JSON value with every unpaired UTF-16 surrogate replaced by U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {without_lone_surrogates(k): without_lone_surrogates(v) for k, v in value.items()}
    return value


def _update_id(update: Any) -> int | None:
    value = update.get("update_id") if isinstance(update, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** 63:
        return value
    return None


async def replay_pending(application: Application, db: Database) -> int:
    """Handle updates that were stored but not finished before a stop or a crash."""
    pending = await db.read(lambda s: s.inbox.pending())
    for raw in pending:
        update = Update.de_json(raw, application.bot)
        await application.process_update(update)
    if pending:
        log.info("handled %s update(s) received before the last stop", len(pending))
    return len(pending)
