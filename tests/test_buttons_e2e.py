"""Stale and forged buttons over the sandbox: the real bot, real HTTP, a real SQLite file. Each
press gets the one kind reply, nothing is recorded, and the exchange goes on."""

from __future__ import annotations

from db.store import Store
from flows.core.buttons import STALE_BUTTON
from flows.core.i18n import translator
from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person

GRANDMA, FATHER, CASEWORKER = 101, 102, 201
STALE = translator("zh_CN")(STALE_BUTTON)  # the one kind reply, as the catalog says it


async def test_stale_and_forged_presses_get_the_one_kind_reply(bot: BotHandle,
                                                                sandbox: SandboxHandle) -> None:
    def setup(s: Store) -> None:
        add_family(s, guardian_tg=GRANDMA, parent_tg=FATHER, caseworker_tg=CASEWORKER)
    await bot.db.write(setup)
    await sandbox.client.user(GRANDMA, "奶奶", "zh-hans")
    grandma = Person(sandbox, GRANDMA, "奶奶")
    (mood,) = await grandma.say("/checkin")
    data = mood["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    (health,) = await grandma.press(mood, "开心")
    assert "身体" in health["text"]
    for forged in (data,  # stale: the mood question was answered already
                   "zz:1",  # of no button family
                   "c:abc:health:well",  # a check-in answer with a forged check-in number
                   "c:999:health:well"):  # another check-in's
        await sandbox.client.press(GRANDMA, mood["message_id"], forged)
        (reply,) = await grandma.read()
        assert reply["text"] == STALE, forged
    checkin = await bot.db.read(lambda s: s.checkins.for_family(1)[-1])
    assert (checkin.mood, checkin.health) == ("happy", None)
    # the exchange goes on where it was
    (school,) = await grandma.press(health, "好")
    assert "上学" in school["text"]
