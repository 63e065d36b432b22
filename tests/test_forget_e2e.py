"""/forget leaves nothing of her anywhere (issue 13, point 3). A grandmother with a name of her
own writes worrying words with her phone number, presses 🆘 and adds a few words; the alert
climbs to the supervisor; the caseworker opens "who to call", the case timeline, writes a note
and resolves an alert naming her. After /forget every column of every table is searched for her
name, Telegram name, user id, chat id, phone number and every phrase she wrote."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

from db.store import Store
from flows.account.invites import create_invite
from flows.core.clock import OffsetClock, to_iso
from scheduler.jobs import run_due_work
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person
from tests.support.waiting import eventually
from tests.test_onboarding_e2e import join

GRANDMA, CW, SUPERVISOR = 73519, 201, 301
NAME, TG_NAME, PHONE = "张桂兰", "桂兰阿婆", "13912345678"
PHRASES = ("孩子被隔壁的人打了", "他躲在河边哭", "桥头等我", "孙子这几天晚上总是做噩梦睡不好觉")


async def test_forget_leaves_no_trace_in_any_row(bot: BotHandle, sandbox: SandboxHandle) -> None:
    def setup(s: Store) -> dict[str, object]:
        now = to_iso(bot.clock.now())
        sup = s.people.add(role="supervisor", now=now, display_name="王督导",
                           tg_user_id=SUPERVISOR, tg_chat_id=SUPERVISOR)
        cw = s.people.add(role="caseworker", now=now, display_name="李主任", tg_user_id=CW,
                          tg_chat_id=CW, supervisor_id=sup)
        family = s.families.add(village="青山村", now=now, caseworker_id=cw, supervisor_id=sup)
        s.families.add_child(family, name="小明", now=now, birth_month="2016-03")
        code = create_invite(s, now=bot.clock.now(), kind="family", role="guardian",
                             created_by=cw, family_id=family, relation="grandmother",
                             invitee_name=NAME)
        return {"family": family, "cw": cw, "code": code}
    ids = await bot.db.write(setup)
    for uid, name in ((GRANDMA, TG_NAME), (CW, "李主任"), (SUPERVISOR, "王督导")):
        await sandbox.client.user(uid, name, "zh-hans")
    grandma, cw = Person(sandbox, GRANDMA, TG_NAME), Person(sandbox, CW, "李主任")
    supervisor = Person(sandbox, SUPERVISOR, "王督导")
    # she joins with the invitation her caseworker made out in her name
    assert "谢谢" in await join(grandma, str(ids["code"]), relation_check="小明", time_label="早上")
    # a few words of her own, and a voice note: both passed on to the caseworker
    await grandma.say(PHRASES[3])
    await cw.read_until(PHRASES[3])
    await grandma.voice()
    await cw.read_until("语音")

    await grandma.say(f"{PHRASES[0]}，我的电话{PHONE}")
    await cw.read_until(PHRASES[0])  # the alert and the forwarded words reach her
    await cw.read_until(PHRASES[0])  # (both: so no late one is taken for a later reply)
    await grandma.say("/help_now")
    await grandma.say(PHRASES[1], expect=2)  # thanks, and the danger question again
    await cw.read_until(PHRASES[1])
    clock = bot.clock
    assert isinstance(clock, OffsetClock)
    clock.advance(timedelta(minutes=31))
    await run_due_work(bot.services)  # type: ignore[arg-type]
    await supervisor.read_until("⏫")  # the escalation copy quotes her words

    alert_msg = next(m for m in await sandbox.client.bot_messages(CW)
                     if m.get("reply_markup") and "a:call" in str(m["reply_markup"]))
    assert NAME in Person.texts(await cw.press(alert_msg, "联系监护人"))
    assert NAME in Person.texts(await cw.say(f"/case {ids['family']}"))
    await cw.say(f"/note {ids['family']} {NAME}说{PHRASES[2]}，电话{PHONE}")
    (resolve,) = await cw.press(alert_msg, "处理")
    await cw.press(resolve, "已电话联系")
    await cw.say(f"给{NAME}打了电话，{PHRASES[2]}")

    await grandma.say("/forget")

    async def forget_question() -> dict[str, object] | None:
        return next((m for m in reversed(await sandbox.client.bot_messages(GRANDMA))
                     if "x:confirm" in str(m.get("reply_markup"))), None)
    question = await eventually(forget_question)
    assert question is not None
    await sandbox.client.press(GRANDMA, int(question["message_id"]), "x:confirm:y")  # type: ignore[call-overload]
    await grandma.read_until("已删除")

    async def settled() -> bool:
        sender = bot.application.bot_data.sender
        if sender is not None:
            await sender.wait_idle()
        await bot.services.flush_log()
        return True
    await eventually(settled)
    conn = sqlite3.connect(bot.db.path)
    found = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
        for row in conn.execute(f"SELECT * FROM {table}"):
            for column, value in zip(columns, row, strict=True):
                flat = str(value)
                for needle in (NAME, TG_NAME, PHONE, *PHRASES):
                    if needle in flat:
                        found.append((table, column, needle, flat[:80]))
                if str(GRANDMA) in re.findall(r"\d+", flat):
                    found.append((table, column, "tg id", flat[:80]))
    conn.close()
    assert found == []
    # the anonymised history adds up: she is still a grandmother of the family, alerts remain
    family_id = int(ids["family"])  # type: ignore[call-overload]
    kept = await bot.db.read(lambda s: (s.families.members(family_id), s.alerts.all()))
    assert [m.relation for m in kept[0]] == ["grandmother"] and len(kept[1]) >= 2
