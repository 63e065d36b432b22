"""Global commands over the sandbox: /stop and /start, /forget, /language, strangers, groups."""

from __future__ import annotations

import re
import sqlite3

import pytest

from db.outbox import LANE_BULK, NewMessage
from flows.core.clock import to_iso
from sandbox.village import seed_demo_village
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person
from tests.support.waiting import eventually

GRANDMA, FATHER, CASEWORKER = 1001, 1002, 2001
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
async def village(bot: BotHandle, sandbox: SandboxHandle) -> int:
    from sandbox.village import DEMO_PEOPLE

    for person in DEMO_PEOPLE:  # they all opened the bot once, as real people would have
        await sandbox.client.user(person.tg_user_id, person.name, "zh-hans")
    now = to_iso(bot.clock.now())
    # default quiet hours: the bot's clock starts at 16:00 whatever the real hour
    family = await bot.db.write(lambda s: seed_demo_village(s, now=now))
    bot.services.forget_cached()
    return family


async def test_stop_silences_and_start_brings_back(bot: BotHandle, sandbox: SandboxHandle,
                                                   village: int) -> None:
    grandma = Person(sandbox, GRANDMA, "奶奶")
    replies = await grandma.say("/stop 太忙了")
    # no command to type: a button brings the messages back (and /start still does)
    assert "/start" not in replies[0]["text"] and "按钮" in replies[0]["text"]
    assert replies[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "m:resume"
    person = await bot.db.read(lambda s: s.people.by_telegram_user(GRANDMA))
    assert person is not None and person.status == "paused"
    reason = await bot.db.read(lambda s: s.conn.execute(
        "SELECT status_reason FROM people WHERE id = ?", (person.id,)).fetchone()[0])
    assert reason == "太忙了"
    await bot.db.write(lambda s: s.outbox.enqueue(NewMessage(
        dedupe_key="bulk-for-grandma", chat_id=GRANDMA, lane=LANE_BULK, person_id=person.id,
        payload={"text": "周报"}, respect_quiet=False), now=to_iso(bot.clock.now())))

    async def cancelled():  # type: ignore[no-untyped-def]
        row = await bot.db.read(lambda s: s.outbox.get("bulk-for-grandma"))
        return row if row and row["status"] == "cancelled" else None

    assert await eventually(cancelled, within=5)
    replies = await grandma.say("/start")
    assert "欢迎回来" in replies[0]["text"]
    person = await bot.db.read(lambda s: s.people.by_telegram_user(GRANDMA))
    assert person is not None and person.status == "active"


async def test_language_switch_to_english(bot: BotHandle, sandbox: SandboxHandle, village: int) -> None:
    father = Person(sandbox, FATHER, "爸爸")
    replies = await father.say("/menu")
    assert CHINESE.search(replies[0]["text"])
    replies = await father.say("/language")
    replies = await father.press(replies[0], "English")
    assert replies[0]["text"] == "Saved. Thank you!"
    replies = await father.say("/menu")
    assert replies[0]["text"] == "What would you like to do?"
    labels = [b["text"] for row in replies[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert "⚙️ Settings" in labels


async def test_settings_time_zone_typed(bot: BotHandle, sandbox: SandboxHandle, village: int) -> None:
    mother = Person(sandbox, 1003, "妈妈")
    replies = await mother.say("/settings")
    replies = await mother.press(replies[0], "时区")
    replies = await mother.say("Europe/Paris")
    assert "已保存" in replies[0]["text"]
    person = await bot.db.read(lambda s: s.people.by_telegram_user(1003))
    assert person is not None and person.tz == "Europe/Paris"


async def test_forget_removes_personal_data_and_keeps_history(
        bot: BotHandle, sandbox: SandboxHandle, village: int) -> None:
    grandma = Person(sandbox, GRANDMA, "奶奶")
    before = await bot.db.read(lambda s: s.people.by_telegram_user(GRANDMA))
    assert before is not None
    await grandma.say("孩子今天发烧了，电话 13912345678", expect=2)
    replies = await grandma.say("/forget")
    replies = await grandma.press(replies[0], "删掉")
    assert "已删除" in replies[0]["text"]

    person_id = before.id
    conn = sqlite3.connect(bot.db.path)
    person = conn.execute("SELECT display_name, tg_user_id, tg_chat_id, status FROM people "
                          "WHERE id = ?", (person_id,)).fetchone()
    assert person == (None, None, None, "opted_out")
    # no table anywhere still holds her words, her name or her chat id
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for row in conn.execute(f"SELECT * FROM {table}").fetchall():
            flat = " ".join(str(v) for v in row)
            assert "13912345678" not in flat and "发烧" not in flat, table
            assert str(GRANDMA) not in re.findall(r"\d+", flat), (table, row)
    # anonymised history stays
    assert conn.execute("SELECT COUNT(*) FROM interactions WHERE person_id = ?",
                        (person_id,)).fetchone()[0] >= 3
    assert conn.execute("SELECT relation FROM memberships WHERE person_id = ?",
                        (person_id,)).fetchone() == ("grandmother",)
    conn.close()
    told = Person(sandbox, CASEWORKER, "李主任")
    text = await told.read_until("退出")
    assert "奶奶" in text and f"#{village}" in text
    # she is a stranger now
    replies = await grandma.say("/menu")
    assert "邀请" in replies[0]["text"]


async def test_strangers_learn_nothing(bot: BotHandle, sandbox: SandboxHandle, village: int) -> None:
    stranger = Person(sandbox, 4444, "陌生人")
    for text in ("你好", "/family 1", "/menu", "/settings", "/forget", "小明在吗", "/newfamily"):
        replies = await stranger.say(text)
        body = " ".join(m.get("text", "") for m in replies)
        for secret in ("小明", "青山村", "李主任", "王督导", "#1"):
            assert secret not in body, (text, body)
    assert await bot.db.read(lambda s: s.people.by_telegram_user(4444)) is None


async def test_stale_and_forged_buttons(bot: BotHandle, sandbox: SandboxHandle, village: int) -> None:
    father = Person(sandbox, FATHER, "爸爸")
    replies = await father.say("/forget")
    await father.press(replies[0], "不删")
    # the same button again (its keyboard is gone in the chat, but a client may still send it)
    await sandbox.client.press(FATHER, replies[0]["message_id"], "x:confirm:y")
    replies = await father.read()
    assert "失效" in replies[0]["text"]
    await sandbox.client.press(FATHER, replies[0]["message_id"], "f:invite:1")  # not staff
    replies = await father.read()
    assert "失效" in replies[0]["text"]
    person = await bot.db.read(lambda s: s.people.by_telegram_user(FATHER))
    assert person is not None and person.status == "active" and person.display_name == "爸爸"


async def test_groups_get_no_family_talk(bot: BotHandle, sandbox: SandboxHandle, village: int) -> None:
    await sandbox.client.send(GRANDMA, "/family 1", chat_id=-500, chat_title="村群")
    replies = await sandbox.client.bot_messages(-500, wait=10)
    assert "私聊" in replies[0]["text"] and "小明" not in replies[0]["text"]
