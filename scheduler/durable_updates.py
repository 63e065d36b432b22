"""No update lost between Telegram and the store.

With long polling, Telegram forgets an update once the next getUpdates asks for a higher offset,
and PTB asks again at once, before the update is handled: a crash in that window would lose it.
So the getUpdates request goes through ``DurableGetUpdates``, which stores the raw updates in the
inbox table (one transaction) *before* handing them to PTB. Each handler's transaction marks its
update done (handlers/flowrun.py); at start-up, updates stored but not done are handled first.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from db.database import Database
from flows.clock import Clock, to_iso

log = logging.getLogger(__name__)


class DurableGetUpdates(BaseRequest):
    """Wraps the real request; getUpdates results are committed to the inbox before returning."""

    def __init__(self, inner: BaseRequest, db: Database, clock: Clock) -> None:
        self.inner = inner
        self.db = db
        self.clock = clock

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
        code, payload = await self.inner.do_request(
            url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout)
        if code == 200 and url.rsplit("/", 1)[-1] == "getUpdates":
            try:
                result = json.loads(payload).get("result")
            except (ValueError, AttributeError):
                result = None
            if isinstance(result, list) and result:
                now = to_iso(self.clock.now())
                await self.db.write(lambda s: s.inbox.add_many(result, now=now))
        return code, payload


async def replay_pending(application: Application, db: Database) -> int:
    """Handle updates that were stored but not finished before a stop or a crash."""
    pending = await db.read(lambda s: s.inbox.pending())
    for raw in pending:
        update = Update.de_json(raw, application.bot)
        await application.process_update(update)
    if pending:
        log.info("handled %s update(s) received before the last stop", len(pending))
    return len(pending)
