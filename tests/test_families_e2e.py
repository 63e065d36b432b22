"""Issue 17 end to end, the real bot polling the sandbox over HTTP on a real SQLite file:
🆘 pressed by mistake (the alert stays, the caseworker is told at once, one clear reply), the
role keyboards and their keys, and joining in plain words."""

from __future__ import annotations

import re

from db.database import Database
from db.store import Store
from flows.account.invites import create_invite
from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person

GRANDMA, FATHER, CASEWORKER, NEWCOMER = 101, 102, 201, 301
COMMAND = re.compile(r"(?<![\w/.:])/[a-z][a-z_]*")


async def family(sandbox: SandboxHandle, db: Database) -> tuple[Person, Person, Person]:
    await db.write(lambda s: add_family(s, guardian_tg=GRANDMA, parent_tg=FATHER,
                                        caseworker_tg=CASEWORKER))
    people = (Person(sandbox, GRANDMA, "奶奶"), Person(sandbox, CASEWORKER, "李主任"),
              Person(sandbox, FATHER, "爸爸"))
    for person in people:
        await sandbox.client.user(person.user_id, person.name, "zh-hans")
    return people


def sentences(texts: list[str]) -> list[str]:
    return [s for text in texts for s in re.split(r"[。！？\n]", text) if len(s.strip()) > 3]


async def test_sos_pressed_by_mistake_keeps_the_alert_and_tells_the_caseworker(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    grandma, caseworker, _father = await family(sandbox, bot.db)
    (danger,) = await grandma.say("🆘 紧急求助")
    labels = [b["text"] for row in danger["reply_markup"]["inline_keyboard"] for b in row]
    assert any("按错了" in label for label in labels), labels
    assert "🔴" in await caseworker.read_until("🔴")  # the urgent alert went out at once
    await grandma.read_until("已经收到")  # told once it arrived (before her next press)
    (said,) = await grandma.press(danger, "按错了")
    assert "按错" in said["text"] and "李主任" in said["text"]
    assert "reply_markup" not in said or "inline_keyboard" not in said["reply_markup"]
    follow_up = await caseworker.read_until("按错")
    assert "警报仍然有效" in follow_up
    alerts = await bot.db.read(lambda s: s.alerts.all())
    assert [(a.rule, a.status) for a in alerts] == [("sos", "open")]  # it stays out
    row = await bot.db.read(lambda s: s.conn.execute(
        "SELECT lane FROM outbox WHERE dedupe_key LIKE 'alert:%:more:%'").fetchone())
    assert row["lane"] == 0  # the alert lane: told at once, whatever the hour
    assert await bot.db.read(lambda s: s.dialogs.get(GRANDMA)) is None


async def test_after_sos_no_sentence_is_said_twice(bot: BotHandle, sandbox: SandboxHandle) -> None:
    grandma, caseworker, _father = await family(sandbox, bot.db)
    (danger,) = await grandma.say("🆘 紧急求助")
    await caseworker.read_until("🔴")
    texts = [danger["text"], await grandma.read_until("已经收到")]
    (more,) = await grandma.press(danger, "没有")
    texts.append(more["text"])
    texts += [m["text"] for m in await grandma.press(more, "没有要补充")]
    said = sentences(texts)
    assert len(said) == len(set(said)), texts
    assert not any(COMMAND.search(t) for t in texts), texts


async def test_the_guardians_keyboard_and_its_keys(bot: BotHandle, sandbox: SandboxHandle) -> None:
    grandma, _caseworker, _father = await family(sandbox, bot.db)
    (welcome,) = await grandma.say("/start")  # restored after /start
    keys = [b["text"] for row in welcome["reply_markup"]["keyboard"] for b in row]
    assert keys == ["🆘 紧急求助", "📝 说说孩子", "📞 找主任"]
    (contact,) = await grandma.say("📞 找主任")
    assert "李主任" in contact["text"]
    (asked,) = await grandma.press(contact, "请给我打电话")
    assert "李主任" in asked["text"]
    (mood,) = await grandma.say("📝 说说孩子")
    assert "心情" in mood["text"]
    (short,) = await grandma.say("还行")  # a check-in answer, understood: not a menu
    assert "身体" in short["text"]


async def test_the_parents_keyboard_reuses_the_weekly_actions_any_number_of_times(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    _grandma, _caseworker, father = await family(sandbox, bot.db)
    (welcome,) = await father.say("/start")
    keys = [b["text"] for row in welcome["reply_markup"]["keyboard"] for b in row]
    assert keys[:4] == ["📞 打过电话", "⏰ 提醒我", "🏠 回家探亲", "💡 建议"]
    for _ in range(2):  # not one-shot
        (called,) = await father.say("📞 打过电话")
        assert "谢谢" in called["text"] and "多久" in called["text"]
    calls = await bot.db.read(lambda s: s.conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0])
    assert calls == 2
    (tip,) = await father.say("💡 建议")
    assert tip["text"].startswith("💡")
    (remind,) = await father.say("⏰ 提醒我")
    assert remind["reply_markup"]["inline_keyboard"]
    (visit,) = await father.say("🏠 回家探亲")
    assert visit["reply_markup"]["inline_keyboard"]


async def _invite(db: Database, bot: BotHandle, *, staff: bool = False) -> str:
    def setup(s: Store) -> str:
        cw = s.people.by_telegram_user(CASEWORKER)
        assert cw is not None
        if staff:
            return create_invite(s, now=bot.clock.now(), kind="staff", role="caseworker",
                                 created_by=None, invitee_name="新主任")
        return create_invite(s, now=bot.clock.now(), kind="family", role="guardian",
                             created_by=cw.id, family_id=1, relation="grandfather",
                             invitee_name="王爷爷")
    return await db.write(setup)


async def test_joining_in_plain_words_with_the_keyboard_at_the_end(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    await family(sandbox, bot.db)
    code = await _invite(bot.db, bot)
    grandpa = Person(sandbox, NEWCOMER, "爷爷", language_code=None)  # an old phone: no language
    (hello, who) = await grandpa.say(f"/start {code}", expect=2)
    assert who["text"] == "您是小明的爷爷，对吗？"
    (consent,) = await grandpa.press(who, "是")
    assert len(sentences([consent["text"]])) <= 3 and "可以吗" in consent["text"]
    assert not COMMAND.search(hello["text"] + consent["text"])
    (when,) = await grandpa.press(consent, "是")  # no language question: straight on
    assert "时间" in when["text"]
    (done,) = await grandpa.press(when, "晚上")
    keys = [b["text"] for row in done["reply_markup"]["keyboard"] for b in row]
    assert keys == ["🆘 紧急求助", "📝 说说孩子", "📞 找主任"]  # shown right after joining
    assert not COMMAND.search(done["text"])


async def test_the_language_is_asked_only_of_who_does_not_use_chinese(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    await family(sandbox, bot.db)
    code = await _invite(bot.db, bot)
    newcomer = Person(sandbox, NEWCOMER, "Grandpa", language_code="en")
    (_hello, language) = await newcomer.say(f"/start {code}", expect=2)
    labels = [b["text"] for row in language["reply_markup"]["inline_keyboard"] for b in row]
    assert any("English" in label for label in labels) and any("中文" in label for label in labels)
    (who,) = await newcomer.press(language, "English")
    assert who["text"] == "Are you 小明's grandfather?"


async def test_staff_get_their_own_short_start_not_the_families_consent(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    await family(sandbox, bot.db)
    code = await _invite(bot.db, bot, staff=True)
    newcomer = Person(sandbox, NEWCOMER, "新主任")
    (hello, ask) = await newcomer.say(f"/start {code}", expect=2)
    said = hello["text"] + ask["text"]
    assert "儿童主任" in said and "孩子的情况" not in said, said
    (done,) = await newcomer.press(ask, "是")
    assert "儿童主任" in done["text"]
    joined = await bot.db.read(lambda s: s.people.by_telegram_user(NEWCOMER))
    assert joined is not None and joined.role == "caseworker" and joined.consent_at


async def test_forget_confirm_puts_keeping_first_and_deletes_plainly(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    grandma, _caseworker, _father = await family(sandbox, bot.db)
    (confirm,) = await grandma.say("/forget")
    rows = confirm["reply_markup"]["inline_keyboard"]
    assert [b["text"] for row in rows for b in row] == ["不删，返回", "🗑 删掉"]
    assert "✅" not in str(rows)
    (kept,) = await grandma.say("1")  # a slip of "1" keeps everything
    assert "没有删除" in kept["text"] or "没有" in kept["text"]
    person = await bot.db.read(lambda s: s.people.by_telegram_user(GRANDMA))
    assert person is not None and person.status == "active"
