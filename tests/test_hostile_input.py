"""Odd and hostile input through the real bot: nothing crashes, every reply is kind and valid,
and nobody learns about a family they do not belong to."""

from __future__ import annotations

import logging

import pytest

from flows.core.clock import to_iso
from sandbox.village import DEMO_PEOPLE, seed_demo_village
from tests.conftest import BotHandle, SandboxHandle

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
    expected_per_person = len(CORPUS) + 3 + 1 + 3  # texts, voice/photo/sticker, /menu, presses

    for user_id in people:
        async def enough(uid: int = user_id) -> bool:
            found = await client.bot_messages(uid, wait=0)
            return len(found) >= expected_per_person
        for _ in range(300):
            if await enough():
                break
            import asyncio
            await asyncio.sleep(0.1)

    for user_id in people:
        for message in await client.bot_messages(user_id):
            if message.get("photo"):
                continue  # an invitation's QR code
            text = message.get("text") or ""
            assert 0 < len(text) <= 4096
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
