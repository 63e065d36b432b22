"""Check-ins end to end: the real bot polls the sandbox over HTTP on a real SQLite file.

A grandmother answers by buttons, numbers, words and a voice note; the caseworker receives the
alert and the voice note; 🆘 works from inside the check-in; a restart mid check-in resumes; and
an answer acknowledged to the grandmother survives a kill -9."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot import build_application, start_application, stop_application
from db.database import Database
from db.store import Store
from tests.support.clock import daytime_clock
from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle, sandbox_settings
from tests.support.people import Person
from tests.support.process import BotProcess
from tests.support.waiting import eventually

GRANDMA, FATHER, CASEWORKER = 101, 102, 201


async def family(sandbox: SandboxHandle, db: Database) -> tuple[Person, Person, Person]:
    def setup(s: Store) -> None:
        # default quiet hours: the bot's clock starts at 16:00 whatever the real hour
        add_family(s, guardian_tg=GRANDMA, parent_tg=FATHER, caseworker_tg=CASEWORKER)
    await db.write(setup)
    people = (Person(sandbox, GRANDMA, "奶奶"), Person(sandbox, CASEWORKER, "李主任"),
              Person(sandbox, FATHER, "爸爸"))
    for person in people:
        await sandbox.client.user(person.user_id, person.name, "zh-hans")
    return people


async def test_a_check_in_by_buttons_numbers_and_words(bot: BotHandle,
                                                       sandbox: SandboxHandle) -> None:
    grandma, caseworker, _father = await family(sandbox, bot.db)
    (mood,) = await grandma.say("/checkin")
    assert "小明今天心情怎么样" in mood["text"]
    (health,) = await grandma.press(mood, "不开心")
    assert "身体" in health["text"]
    (school,) = await grandma.say("1")  # typed number
    assert "上学" in school["text"]
    (eating,) = await grandma.say("今天没去上学")  # a sentence
    assert "吃饭" in eating["text"]
    (worry,) = await grandma.say("２")  # full-width digit: not normal
    (detail,) = await grandma.press(worry, "❗")
    assert "语音" in detail["text"]
    (thanks,) = await grandma.say("他晚上老是哭，说想妈妈")
    assert "谢谢" in thanks["text"]

    row = await bot.db.read(lambda s: s.checkins.for_family(1)[-1])
    assert (row.status, row.mood, row.health, row.school, row.eating_sleeping, row.worry) == \
        ("completed", "sad", "well", "missed", "not_normal", True)
    assert row.notes == "他晚上老是哭，说想妈妈"
    # the caseworker gets the worry alert and the guardian's words, with the family's context
    text = await caseworker.read_until("监护人担心孩子")
    assert "青山村" in text and "想妈妈" in text
    # the pressed question lost its buttons: it cannot be answered twice
    messages = await sandbox.client.messages(GRANDMA)
    pressed = next(m for m in messages if m["message_id"] == mood["message_id"])
    assert not pressed.get("reply_markup")


async def test_a_voice_note_is_an_answer_and_reaches_the_caseworker(bot: BotHandle,
                                                                    sandbox: SandboxHandle) -> None:
    grandma, caseworker, _father = await family(sandbox, bot.db)
    await grandma.say("/checkin")
    (health,) = await grandma.voice()
    assert "🎙" in health["text"] and "身体" in health["text"]
    forwarded = await caseworker.read()
    assert forwarded[0].get("voice") is not None
    assert "语音" in forwarded[0]["caption"] and "奶奶" in forwarded[0]["caption"]
    row = await bot.db.read(lambda s: s.checkins.for_family(1)[-1])
    assert (row.mood, row.voice_notes) == ("voice", 1)


async def test_help_from_inside_the_check_in(bot: BotHandle, sandbox: SandboxHandle) -> None:
    grandma, caseworker, _father = await family(sandbox, bot.db)
    (mood,) = await grandma.say("/checkin")
    (danger,) = await grandma.press(mood, "紧急求助")
    urgent = await caseworker.read_until("🔴")  # at once, before any answer
    assert "紧急求助" in urgent and "小明" in urgent
    assert "李主任" in await grandma.read_until("已经收到")  # told once it has arrived
    (more,) = await grandma.press(danger, "现在有危险")
    assert "110" in more["text"]
    replies = await grandma.say("孩子掉到河里了", expect=2)
    assert "心情" in replies[-1]["text"]  # back to the check-in question
    assert "有危险" in await caseworker.read_until("警报")
    alerts = await bot.db.read(lambda s: s.alerts.all())
    assert {(a.rule, a.severity) for a in alerts} >= {("sos", "urgent")}
    (health,) = await grandma.press(replies[-1], "开心")
    assert "身体" in health["text"]


async def test_free_text_and_a_stop_request_with_a_risk_signal(bot: BotHandle,
                                                              sandbox: SandboxHandle) -> None:
    grandma, caseworker, _father = await family(sandbox, bot.db)
    (reply,) = await grandma.say("不要再发了，孩子说不想活了")
    assert "转告负责孩子的工作人员" in reply["text"] and "暂停" not in reply["text"]
    assert "自伤或轻生" in await caseworker.read_until("🔴")
    person = await bot.db.read(lambda s: s.people.by_telegram_user(GRANDMA))
    assert person is not None and person.status == "active"  # not paused by the risk message


async def test_a_restart_mid_check_in_resumes(sandbox: SandboxHandle, tmp_path: Path) -> None:
    settings = sandbox_settings(sandbox.url, tmp_path / "bot.db")
    database = await Database.open(settings.db_path)
    grandma, _cw, _father = await family(sandbox, database)
    clock = daytime_clock()
    app = build_application(settings, db=database, clock=clock)
    await start_application(app, poll_timeout=1)
    (mood,) = await grandma.say("/checkin")
    (health,) = await grandma.press(mood, "开心")
    await stop_application(app)
    await database.close()

    database = await Database.open(settings.db_path)
    app = build_application(settings, db=database, clock=clock)
    await start_application(app, poll_timeout=1)
    try:
        (school,) = await grandma.press(health, "很好")  # the button from before the restart
        assert "上学" in school["text"]
        row = await database.read(lambda s: s.checkins.for_family(1)[-1])
        assert (row.mood, row.health) == ("happy", "well")
        assert app.bot_data.services is not None
    finally:
        await stop_application(app)
        await database.close()


async def test_an_acknowledged_answer_survives_kill_9(sandbox: SandboxHandle, tmp_path: Path) -> None:
    db_path = tmp_path / "kill.db"
    database = await Database.open(db_path)
    grandma, _cw, _father = await family(sandbox, database)
    await database.close()
    process = BotProcess(sandbox.url, db_path, tmp_path / "bot.log")
    await process.start()
    try:
        (mood,) = await grandma.say("/checkin")
        (health,) = await grandma.press(mood, "一般")  # acknowledged: the next question came
        await process.kill()
        conn = sqlite3.connect(db_path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT mood FROM checkins").fetchone()[0] == "neutral"
        conn.close()
        await process.start()
        (school,) = await grandma.press(health, "不舒服")
        assert "上学" in school["text"]
        conn = sqlite3.connect(db_path)

        async def stored() -> bool:
            return conn.execute("SELECT health FROM checkins").fetchone()[0] == "unwell"
        assert await eventually(stored)
        conn.close()
    finally:
        await process.stop()
        await asyncio.sleep(0)


async def test_a_photo_with_a_worrying_caption_raises_the_alert(bot: BotHandle,
                                                               sandbox: SandboxHandle) -> None:
    grandma, caseworker, _father = await family(sandbox, bot.db)
    await sandbox.client.photo(GRANDMA, caption="他的腿摔伤了，流血")
    (reply,) = await grandma.read()
    assert "转告负责孩子的工作人员" in reply["text"]
    assert "受伤" in await caseworker.read_until("🟠")
    alerts = await bot.db.read(lambda s: s.alerts.all())
    assert [(a.rule, a.severity) for a in alerts] == [("injury", "high")]


async def test_the_persistent_help_key_works_inside_a_check_in(bot: BotHandle,
                                                              sandbox: SandboxHandle) -> None:
    grandma, caseworker, _father = await family(sandbox, bot.db)
    (welcome,) = await grandma.say("/start")
    keys = [b["text"] for row in welcome["reply_markup"]["keyboard"] for b in row]
    assert keys == ["🆘 紧急求助", "📝 说说孩子", "📞 找主任"]
    assert welcome["reply_markup"]["is_persistent"] is True
    (mood,) = await grandma.say("📝 现在说说孩子的情况")  # an older keyboard's key still works
    assert "心情" in mood["text"]
    (danger,) = await grandma.say("🆘 紧急求助")  # the keyboard's words, mid check-in
    assert "危险" in danger["text"]
    assert "🔴" in await caseworker.read_until("🔴")
    await grandma.read_until("已经收到")  # told once it has arrived
    (more,) = await grandma.press(danger, "没有")
    replies = await grandma.press(more, "没有要补充", expect=2)
    assert "心情" in replies[-1]["text"]  # the check-in is still there
