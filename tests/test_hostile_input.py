"""Odd and hostile input through the real bot: nothing crashes, every reply is kind and valid,
and nobody learns about a family they do not belong to."""

from __future__ import annotations

import asyncio
import logging

import pytest

from db.store import Store
from flows.core.clock import to_iso
from sandbox.client import SandboxClient
from sandbox.village import DEMO_PEOPLE, seed_demo_village
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.waiting import eventually

pytestmark = pytest.mark.reliability

CORPUS = [
    "😊😢😐🆘" * 10,
    "مرحبا بالعالم",  # RTL
    "a\u200b\u200c\u200d\u2060b",  # zero-width
    "'; DROP TABLE people; --",
    "<b>bold</b><script>alert(1)</script>",
    "*_[link](http://x)`code`_*",
    "字" * 4096,
    "/unknown_command with args",
    "/family ../../etc/passwd",
    "/family 99999999999999999999",
    "/assign x y",
    "/invite_staff admin 'haha'",
    "/start " + "A" * 64,
    "/start 😊",
    "\x00\x01\x02",
    "1",
    "１２３",
]


async def _settled(bot: BotHandle, client: SandboxClient) -> bool:
    now = to_iso(bot.clock.now())

    def busy(s: Store) -> bool:  # an update not yet handled, or a message due and not sent
        total, done = s.inbox.counts()
        due = s.conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sending' OR "
                             "(status = 'pending' AND not_before <= ?)", (now,)).fetchone()[0]
        return total != done or due > 0
    if await bot.db.read(busy):
        return False
    before = len(await client.sent())
    await asyncio.sleep(0.3)  # a reply is sent just after its commit: let the last one land
    return len(await client.sent()) == before and not await bot.db.read(busy)


@pytest.fixture
async def seeded(bot: BotHandle, sandbox: SandboxHandle) -> None:
    for person in DEMO_PEOPLE:
        await sandbox.client.user(person.tg_user_id, person.name, "zh-hans")
    now = to_iso(bot.clock.now())
    await bot.db.write(lambda s: seed_demo_village(s, now=now))
    bot.services.forget_cached()


async def test_corpus_from_every_kind_of_person(bot: BotHandle, sandbox: SandboxHandle, seeded: None,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    client = sandbox.client
    await client.limits(private_per_s=50, private_burst=50)  # this test is not about limits
    throttle = bot.application.update_processor.throttle  # type: ignore[attr-defined]
    throttle.burst = 1000.0  # nor about the bot's flood guard: every message gets its answer
    people = [1001, 1002, 2001, 9001, 7777]  # guardian, parent, caseworker, admin, stranger
    for user_id in people:
        for text in CORPUS:
            await client.send(user_id, text)
        await client.voice(user_id)
        await client.photo(user_id, caption="看看")
        await client.sticker(user_id)
        sent = await client.send(user_id, "/menu")
        await client.edit(user_id, sent["message"]["message_id"], "/forget")
        await client.press(user_id, sent["message"]["message_id"], "x:confirm:y")  # forged
        await client.press(user_id, sent["message"]["message_id"], "m:nonsense")
        await client.press(user_id, sent["message"]["message_id"], "f:edit:1:village")
        await client.send(user_id, "/family 1", chat_id=-900, chat_title="群")
    # Wait for every message the check is about, not for a count: a flood is throttled (a
    # burst of 10 answered), and the guardian's voice note, photo and 🆘 reach the caseworker
    # as outbox copies, so a count came too early or never and the check ran on whatever had
    # arrived by then. Wait until every update is handled, nothing due waits in the outbox,
    # and the bot has stopped sending.
    assert await eventually(lambda: _settled(bot, client), within=60.0), \
        "the bot did not finish answering"

    for user_id in people:
        for message in await client.bot_messages(user_id):
            if message.get("photo") and not message.get("caption"):
                continue  # an invitation's QR code
            # a copied voice note or photo carries its words as a caption, not as text
            text = message.get("text") or message.get("caption") or ""
            assert 0 < len(text) <= 4096, message
            assert "出了点问题" not in text, text  # the error handler's apology never appeared
            if user_id == 7777:
                for secret in ("小明", "青山村", "李主任"):
                    assert secret not in text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.records
    # nobody was forgotten or changed by forged presses
    for user_id in (1001, 1002, 2001):
        person = await bot.db.read(lambda s, u=user_id: s.people.by_telegram_user(u))
        assert person is not None and person.status == "active"
    family = await bot.db.read(lambda s: s.families.get(1))
    assert family is not None and family.village == "青山村"
    group = await client.bot_messages(-900, wait=10, min_bot=len(people))
    assert group and all("小明" not in m["text"] for m in group)
