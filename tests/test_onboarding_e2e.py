"""Onboarding end to end over the sandbox: staff set-up, a family file, invites, joining."""

from __future__ import annotations

import io
import re
from typing import Any

from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person

ADMIN, SUPERVISOR, CASEWORKER, OTHER_CW, GRANDMA, FATHER, STRANGER = (
    9001, 3001, 3002, 3003, 3101, 3102, 3999)
LINK = re.compile(r"https://t\.me/\S+\?start=([A-Z0-9]+)")


def code_in(messages: list[dict[str, Any]]) -> str:
    for m in messages:
        found = LINK.search(m.get("text") or "")
        if found:
            return found.group(1)
    raise AssertionError(f"no invitation link in {messages}")


async def join(person: Person, code: str, *, relation_check: str, time_label: str | None = None,
               day_label: str | None = None, hour: str | None = None) -> str:
    replies = await person.say(f"/start {code}", expect=2)
    assert "亲情桥" in replies[0]["text"]
    who = replies[-1]  # "您是小明的奶奶，对吗？" first (a Chinese phone: no language question)
    assert relation_check in who["text"] and "对吗" in who["text"], who["text"]
    consent = (await person.press(who, "是"))[-1]
    assert "儿童主任" in consent["text"] and "/forget" not in consent["text"]
    replies = await person.press(consent, "是")
    if time_label:
        replies = await person.press(replies[-1], time_label)
    else:
        replies = await person.press(replies[-1], day_label or "")
        replies = await person.press(replies[-1], hour or "")
    return person.texts(replies)


async def test_staff_family_invites_and_joining(bot: BotHandle, sandbox: SandboxHandle) -> None:
    admin = Person(sandbox, ADMIN, "管理员")
    supervisor = Person(sandbox, SUPERVISOR, "王督导")
    caseworker = Person(sandbox, CASEWORKER, "李主任")

    # admin -> supervisor
    replies = await admin.say("/invite_staff supervisor 王督导", expect=2)
    assert replies[0].get("photo"), "the invitation comes with a QR code"
    replies = await supervisor.say(f"/start {code_in(replies)}", expect=2)
    assert "督导" in supervisor.texts(replies) and "孩子的情况" not in supervisor.texts(replies)
    replies = await supervisor.press(replies[-1], "是")  # staff: their own short start
    assert "督导" in supervisor.texts(replies)

    # supervisor -> caseworker (assigned to that supervisor)
    replies = await supervisor.say("/invite_staff caseworker 李主任", expect=2)
    replies = await caseworker.say(f"/start {code_in(replies)}", expect=2)
    await caseworker.press(replies[-1], "是")
    cw = await bot.db.read(lambda s: s.people.by_telegram_user(CASEWORKER))
    sv = await bot.db.read(lambda s: s.people.by_telegram_user(SUPERVISOR))
    assert cw is not None and sv is not None and cw.role == "caseworker" and cw.supervisor_id == sv.id

    # a family file with one child, typed answers
    replies = await caseworker.say("/newfamily", expect=2)
    await caseworker.say("青山村")
    await caseworker.say("小明")
    await caseworker.say("2016年3月")
    await caseworker.say("青山小学 三年级")
    replies = await caseworker.say("-")
    replies = await caseworker.press(replies[-1], "否")  # no more children
    replies = await caseworker.press(replies[-1], "是", expect=2)  # consent obtained in person
    assert "#" in replies[0]["text"]
    family = await bot.db.read(lambda s: s.families.get(1))
    assert family is not None and family.caseworker_id == cw.id and family.village == "青山村"
    children = await bot.db.read(lambda s: s.families.children(1))
    assert [(c.name, c.birth_month) for c in children] == [("小明", "2016-03")]

    # invite a grandmother and a father
    replies = await caseworker.press(replies[-1], "奶奶")
    replies = await caseworker.say("王奶奶", expect=3)
    grandma_code = code_in(replies)
    assert any(m.get("photo") for m in replies)
    replies = await caseworker.press(replies[-1], "爸爸")
    replies = await caseworker.say("小明爸爸", expect=3)
    father_code = code_in(replies)
    await caseworker.press(replies[-1], "邀请完了")

    grandma = Person(sandbox, GRANDMA, "奶奶")
    done = await join(grandma, grandma_code, relation_check="小明", time_label="早上")
    assert "谢谢" in done
    father = Person(sandbox, FATHER, "爸爸")  # types every answer instead of pressing
    replies = await father.say(f"/start {father_code}", expect=2)
    replies = await father.say("随便说说")  # not an answer: asked again, kindly
    assert "没看懂" in replies[0]["text"] and replies[0]["reply_markup"]
    assert "您是小明的爸爸，对吗？" in replies[0]["text"]
    replies = await father.say("１")  # full-width digit for "yes"
    replies = await father.say("对")  # the consent
    replies = await father.say("周日")
    replies = await father.say("20")
    assert "每周" in replies[0]["text"]

    g = await bot.db.read(lambda s: s.people.by_telegram_user(GRANDMA))
    f = await bot.db.read(lambda s: s.people.by_telegram_user(FATHER))
    assert g is not None and g.role == "guardian" and g.checkin_time == "08:00" and g.consent_at
    assert f is not None and f.role == "parent" and (f.weekly_day, f.weekly_time) == (7, "20:00")
    members = await bot.db.read(lambda s: s.families.members(1))
    assert {m.relation for m in members} == {"grandmother", "father"}

    # the same code again: used
    other = Person(sandbox, 3555, "someone")
    replies = await other.say(f"/start {grandma_code}")
    assert "已经被使用" in replies[0]["text"]

    # the supervisor sees her caseworker's family file
    await supervisor.client.send(SUPERVISOR, "/family 1")
    assert "小明" in await supervisor.read_until("👧")
    # the caseworker sees the family file; another caseworker cannot
    await caseworker.client.send(CASEWORKER, "/family 1")
    summary = await caseworker.read_until("👧")
    assert "小明" in summary and "王奶奶" in summary
    await bot.db.write(lambda s: s.people.add(role="caseworker", now="x", display_name="别村",
                                               tg_user_id=OTHER_CW, tg_chat_id=OTHER_CW))
    bot.services.forget_cached()
    intruder = Person(sandbox, OTHER_CW, "别村")
    replies = await intruder.say("/family 1")
    assert "小明" not in replies[0]["text"] and "不能" in replies[0]["text"]
    audit = await bot.db.read(lambda s: s.audit.actions())
    assert any(a[1] == "family_view_refused" for a in audit)


async def test_wrong_expired_codes_and_throttling(bot: BotHandle, sandbox: SandboxHandle) -> None:
    from datetime import timedelta

    from flows.account.invites import create_invite

    stranger = Person(sandbox, STRANGER, "陌生人")
    replies = await stranger.say("/start ABCDEFGHJKLM")
    assert "找不到" in replies[0]["text"]
    now = bot.clock.now()
    expired = await bot.db.write(lambda s: create_invite(
        s, now=now - timedelta(days=20), kind="family", role="guardian", created_by=None,
        family_id=None, relation="grandmother"))
    replies = await stranger.say(f"/start {expired}")
    assert "过期" in replies[0]["text"]
    for _ in range(8):
        replies = await stranger.say("/start WRONGWRONG23")
    assert "太多" in replies[0]["text"]  # throttled before the tenth
    # even a valid code is refused while throttled
    fresh = await bot.db.write(lambda s: create_invite(
        s, now=now, kind="staff", role="caseworker", created_by=None))
    replies = await stranger.say(f"/start {fresh}")
    assert "太多" in replies[0]["text"]
    assert await bot.db.read(lambda s: s.people.by_telegram_user(STRANGER)) is None


async def test_qr_code_decodes_to_the_deep_link() -> None:
    import zxingcpp
    from PIL import Image

    from flows.account.invites import deep_link, new_code, qr_png

    link = deep_link("KinBridgeSandboxBot", new_code())
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(link))))
    assert [d.text for d in decoded] == [link]


async def test_family_file_is_editable(bot: BotHandle, sandbox: SandboxHandle) -> None:
    from sandbox.village import seed_demo_village

    now = bot.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    family_id = await bot.db.write(lambda s: seed_demo_village(s, now=now))
    bot.services.forget_cached()
    caseworker = Person(sandbox, 2001, "李主任")
    await caseworker.client.send(2001, f"/family {family_id}")
    await caseworker.read_until("👧")
    summary = (await caseworker.client.bot_messages(2001))[-1]
    replies = await caseworker.press(summary, "询问频率")
    replies = await caseworker.press(replies[-1], "每周三次")
    assert "每周三次" in replies[-1]["text"]
    replies = await caseworker.press(replies[-1], "添加孩子")
    await caseworker.say("小红")
    await caseworker.say("2019-07")
    await caseworker.say("-")
    replies = await caseworker.say("-")
    assert "小红" in replies[-1]["text"]
    replies = await caseworker.press(replies[-1], "修改村名")
    replies = await caseworker.say("绿水村")
    assert "绿水村" in replies[-1]["text"]
    family = await bot.db.read(lambda s: s.families.get(family_id))
    assert family is not None and (family.village, family.cadence) == ("绿水村", "thrice_weekly")
    assert [c.name for c in await bot.db.read(lambda s: s.families.children(family_id))] == ["小明", "小红"]
    # a parent pressing the same edit button is refused
    father = Person(sandbox, 1002, "爸爸")
    await sandbox.client.user(1002, "爸爸")
    await sandbox.client.press(1002, summary["message_id"], f"f:edit:{family_id}:village", chat_id=2001)
    replies = await father.read()
    assert "失效" in replies[0]["text"]


async def test_one_grandmother_two_families_and_assign(bot: BotHandle, sandbox: SandboxHandle) -> None:
    from flows.account.invites import create_invite
    from flows.core.ui import FlowContext
    from flows.staff.staff import assign_supervisor
    from tests.support.families import add_family

    ids = await bot.db.write(add_family)
    second = await bot.db.write(lambda s: s.families.add(village="青山村", now="x",
                                                          caseworker_id=ids["caseworker"]))
    await bot.db.write(lambda s: s.families.add_child(second, name="小芳", now="x"))
    now = bot.clock.now()
    code = await bot.db.write(lambda s: create_invite(
        s, now=now, kind="family", role="guardian", created_by=ids["caseworker"],
        family_id=second, relation="grandmother"))
    grandma = Person(sandbox, 101, "奶奶")  # already in the first family
    done = await join(grandma, code, relation_check="小芳", time_label="晚上")
    assert "谢谢" in done
    memberships = await bot.db.read(lambda s: s.families.memberships_of(ids["guardian"]))
    assert sorted(m.family_id for m in memberships) == [ids["family"], second]
    # an admin assigns the caseworker to a supervisor; a non-admin may not
    sv = await bot.db.write(lambda s: s.people.add(role="supervisor", now="x", display_name="王督导"))
    ctx = FlowContext(now=now, default_tz="Asia/Shanghai", default_locale="zh_CN", bot_username="b")
    caseworker = await bot.db.read(lambda s: s.people.get(ids["caseworker"]))
    refused = await bot.db.write(lambda s: assign_supervisor(s, ctx, caseworker, ids["caseworker"], sv))
    assert "管理员" in refused[0].text
    admin = await bot.db.read(lambda s: s.people.by_telegram_user(9001))
    await bot.db.write(lambda s: assign_supervisor(s, ctx, admin, ids["caseworker"], sv))
    family = await bot.db.read(lambda s: s.families.get(ids["family"]))
    assert family is not None and family.supervisor_id == sv
