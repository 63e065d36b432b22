"""One bad update must not make the bot deaf (issue 13, point 8), and a full disk is named as
such (point 17).

A message with a lone UTF-16 surrogate ("\\ud800", valid JSON, not encodable as UTF-8) made the
inbox write fail: the batch was never acknowledged, every later update stuck behind it, and the
raw update (name, text) went into the ERROR log."""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

import pytest
from telegram.request import RequestData

from db.database import Database
from flows.core.clock import SystemClock
from sandbox.offline import OfflineBotApi
from scheduler.durable_updates import DurableGetUpdates
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person
from tests.support.waiting import eventually

pytestmark = pytest.mark.reliability

GRANDMA = 4242
SECRET = "王秀英的秘密"


async def test_a_lone_surrogate_does_not_stop_the_updates_after_it(
        bot: BotHandle, sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    stranger = Person(sandbox, GRANDMA, "王秀英")
    await sandbox.client.user(GRANDMA, "王秀英", "zh-hans")
    # the bad one and a good one behind it arrive in the same getUpdates batch
    await sandbox.client.send(GRANDMA, SECRET + "\ud800", first_name="王秀英")
    await sandbox.client.send(GRANDMA, "/start", first_name="王秀英")
    replies = await stranger.read(expect=2)
    assert any("亲情桥" in (m.get("text") or "") for m in replies), replies

    def inbox_settled() -> bool:
        conn = sqlite3.connect(bot.db.path)
        try:
            return conn.execute("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL"
                                ).fetchone()[0] == 0
        finally:
            conn.close()
    assert await eventually(lambda: _async(inbox_settled()))
    conn = sqlite3.connect(bot.db.path)
    raws = [r[0] for r in conn.execute("SELECT raw FROM inbox").fetchall()]
    conn.close()
    assert raws and not [r for r in raws if "王秀英" in r or "秘密" in r], \
        "a handled update keeps no names or words"
    # still serving afterwards
    (later,) = await stranger.say("/help")
    assert later["text"]
    assert SECRET not in caplog.text and "王秀英" not in caplog.text
    assert "\\ud800" not in caplog.text


async def _async(value: bool) -> bool:
    return value


class ScriptedUpdates(OfflineBotApi):
    """Telegram's side of getUpdates, answering with the batches given (then nothing)."""

    def __init__(self, *batches: list[dict[str, Any]]) -> None:
        super().__init__()
        self.batches = list(batches)

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None) -> tuple[int, bytes]:
        if url.endswith("/getUpdates"):
            batch = self.batches.pop(0) if self.batches else []
            return 200, json.dumps({"ok": True, "result": batch}).encode()
        return await super().do_request(url, method, request_data)


def message(update_id: int, text: str) -> dict[str, Any]:
    person = {"id": 77, "is_bot": False, "first_name": "王秀英"}
    return {"update_id": update_id, "message": {
        "message_id": update_id, "from": person, "chat": {"id": 77, "type": "private"},
        "date": 0, "text": text}}


async def get_updates(request: DurableGetUpdates) -> list[dict[str, Any]]:
    code, payload = await request.do_request("http://x/bot1:a/getUpdates", "POST")
    assert code == 200
    return json.loads(payload)["result"]


async def test_each_update_alone_then_repaired_or_quarantined(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    # a store that refuses update 6 whatever it holds (standing in for any unstorable update)
    await db.raw_write(lambda c: c.execute(
        "CREATE TEMP TRIGGER refuse_six BEFORE INSERT ON inbox WHEN NEW.update_id = 6 "
        "AND NEW.quarantined IS NULL BEGIN SELECT RAISE(ABORT, 'refused'); END"))
    request = DurableGetUpdates(ScriptedUpdates(
        [message(5, SECRET + "\ud800"), message(6, SECRET), message(7, "开心")]), db, SystemClock())
    handed_on = await get_updates(request)
    assert [u["update_id"] for u in handed_on] == [5, 6, 7], "every one acknowledged"
    assert handed_on[0]["message"]["text"] == SECRET + "\ufffd"
    assert handed_on[1] == {"update_id": 6}
    assert handed_on[2] == message(7, "开心")
    pending = await db.read(lambda s: s.inbox.pending())
    assert [u["update_id"] for u in pending] == [5, 7]
    assert await db.read(lambda s: s.inbox.quarantined()) == [(6, "IntegrityError")]
    raw6 = await db.read(lambda s: s.conn.execute(
        "SELECT raw FROM inbox WHERE update_id = 6").fetchone()[0])
    assert SECRET not in raw6
    assert SECRET not in caplog.text and "王秀英" not in caplog.text


async def test_a_full_disk_is_named_and_acknowledges_nothing(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    # no free pages left for the big update to reuse (a migration that drops a table leaves some)
    await db.raw_write(lambda c: c.execute("VACUUM"))
    pages = await db.raw_write(lambda c: c.execute("PRAGMA page_count").fetchone()[0])
    await db.raw_write(lambda c: c.execute(f"PRAGMA max_page_count = {pages}"))
    big = [message(9, "很长的话" * 1000)]  # needs new pages: the database is "full"
    request = DurableGetUpdates(ScriptedUpdates(big, big), db, SystemClock(),
                                store_pause_s=0.01)
    assert await get_updates(request) == [], "nothing acknowledged: Telegram keeps it"
    assert "disk is full" in caplog.text
    assert "NetworkError" not in caplog.text and "很长的话" not in caplog.text
    await db.raw_write(lambda c: c.execute(f"PRAGMA max_page_count = {pages * 100}"))
    assert [u["update_id"] for u in await get_updates(request)] == [9]
    assert [u["update_id"] for u in await db.read(lambda s: s.inbox.pending())] == [9]
    assert "takes writes again" in caplog.text


async def test_a_locked_database_quarantines_nothing_and_acknowledges_nothing(
        db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The store's trouble is not the update's: nothing is set aside or skipped (an update
    skipped before one that is stored would be acknowledged with it, and lost)."""
    from db import database as database_module

    monkeypatch.setattr(database_module, "LOCKED_RETRY_SECONDS", 0.1)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    batch = [message(11, "开心")]
    request = DurableGetUpdates(ScriptedUpdates(batch, batch), db, SystemClock(),
                                store_pause_s=0.01)
    try:
        assert await get_updates(request) == []
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert await db.read(lambda s: s.inbox.quarantined()) == []
    assert "could not be stored" not in caplog.text, "the update is not to blame"
    assert "database refused" in caplog.text
    assert [u["update_id"] for u in await get_updates(request)] == [11]
