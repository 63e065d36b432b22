"""The alert ladder end to end over the sandbox (issue 13, point 2): 🆘 goes at once to the first
*reachable* person (caseworker -> supervisor -> admins), moves on when a recipient turns out to
have blocked the bot, waits for whoever comes back when nobody can be reached, and the family is
only ever told what is true. A caseworker who leaves raises an alert and her families show as
unassigned until a supervisor reassigns them."""

from __future__ import annotations

from datetime import timedelta

from db.store import Store
from flows.core.clock import OffsetClock, to_iso
from scheduler.jobs import run_due_work
from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person
from tests.support.waiting import eventually

GRANDMA, FATHER, CW, SUPERVISOR, ADMIN, NEW_CW = 101, 102, 201, 301, 9001, 202
# what the grandmother must never read unless her caseworker really has the alert
FALSE_CLAIMS = ("已经告诉儿童主任", "已经通知了儿童主任", "儿童主任已经收到", "李主任已经收到",
                "已通知儿童主任", "已经马上通知")


async def _setup(bot: BotHandle, sandbox: SandboxHandle) -> dict[str, int]:
    def setup(s: Store) -> dict[str, int]:
        now = to_iso(bot.clock.now())
        ids = add_family(s, guardian_tg=GRANDMA, parent_tg=FATHER, caseworker_tg=CW)
        sup = s.people.add(role="supervisor", now=now, display_name="王督导",
                           tg_user_id=SUPERVISOR, tg_chat_id=SUPERVISOR)
        s.people.set_supervisor(ids["caseworker"], sup)
        s.families.set_supervisor_of_caseworker(ids["caseworker"], sup)
        new_cw = s.people.add(role="caseworker", now=now, display_name="赵主任",
                              tg_user_id=NEW_CW, tg_chat_id=NEW_CW, supervisor_id=sup)
        return ids | {"supervisor": sup, "new_cw": new_cw}
    ids = await bot.db.write(setup)
    bot.services.forget_cached()
    for uid, name in ((GRANDMA, "奶奶"), (FATHER, "爸爸"), (CW, "李主任"),
                      (SUPERVISOR, "王督导"), (ADMIN, "管理员"), (NEW_CW, "赵主任")):
        await sandbox.client.user(uid, name, "zh-hans")
    return ids


def _said(messages: list[dict[str, object]]) -> str:
    return Person.texts(messages)  # type: ignore[arg-type]


async def _alerts_in(sandbox: SandboxHandle, chat: int) -> list[str]:
    return [str(m.get("text") or "") for m in await sandbox.client.bot_messages(chat)
            if "🔴" in str(m.get("text") or "")]


async def test_sos_skips_a_caseworker_known_to_be_unreachable(bot: BotHandle,
                                                              sandbox: SandboxHandle) -> None:
    ids = await _setup(bot, sandbox)
    await bot.db.write(lambda s: s.people.set_status(ids["caseworker"], "unreachable",
                                                     "telegram 403"))
    await sandbox.client.block(CW)
    grandma = Person(sandbox, GRANDMA, "奶奶")
    first = _said(await grandma.say("/help_now"))
    assert not any(claim in first for claim in FALSE_CLAIMS), first
    assert "王督导" in first  # she is told who it is going to
    # the supervisor has it at once, not after the 30-minute climb
    supervisor = Person(sandbox, SUPERVISOR, "王督导")
    assert "紧急" in await supervisor.read_until("🔴")
    # and the grandmother hears it arrived, naming who really has it
    confirmation = await grandma.read_until("收到")
    assert "王督导" in confirmation and "李主任" not in confirmation
    assert await _alerts_in(sandbox, CW) == []


async def test_sos_moves_on_when_the_caseworker_blocked_the_bot_unnoticed(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    ids = await _setup(bot, sandbox)
    await sandbox.client.block(CW)  # the bot does not know yet: it learns it from the 403
    grandma = Person(sandbox, GRANDMA, "奶奶")
    first = _said(await grandma.say("/help_now"))
    assert not any(claim in first for claim in FALSE_CLAIMS), first
    supervisor = Person(sandbox, SUPERVISOR, "王督导")
    text = await supervisor.read_until("🆘")  # the 403 sends it on at once
    assert "紧急" in text
    confirmation = await grandma.read_until("收到")
    assert "王督导" in confirmation and "李主任" not in confirmation
    # the danger answer and her words follow the alert to whoever holds it now
    (question,) = [m for m in await sandbox.client.bot_messages(GRANDMA)
                   if "危险" in str(m.get("text") or "") and m.get("reply_markup")][:1]
    after = _said(await grandma.press(question, "有危险"))
    assert not any(claim in after for claim in FALSE_CLAIMS), after
    await supervisor.read_until("有危险")
    # her caseworker unreachable: the supervisor is told, the family shows as unassigned

    async def told_unreachable() -> bool:
        return any("联系不上" in str(m.get("text") or "")
                   for m in await sandbox.client.bot_messages(SUPERVISOR))
    assert await eventually(told_unreachable)
    family = await bot.db.read(lambda s: s.families.get(ids["family"]))
    assert family is not None and family.caseworker_id is None


async def test_nobody_reachable_the_truth_and_the_alert_waits(bot: BotHandle,
                                                              sandbox: SandboxHandle) -> None:
    ids = await _setup(bot, sandbox)

    def nobody(s: Store) -> None:
        s.people.set_status(ids["caseworker"], "paused")
        s.people.forget(ids["supervisor"], now=to_iso(bot.clock.now()))
        for admin in s.people.with_role("admin"):
            s.people.set_status(admin.id, "unreachable", "telegram 403")
    await bot.db.write(nobody)
    bot.services.forget_cached()
    grandma = Person(sandbox, GRANDMA, "奶奶")
    first = _said(await grandma.say("/help_now"))
    assert not any(claim in first for claim in FALSE_CLAIMS), first
    assert "110" in first and "120" in first  # what she can do herself, now
    kept = _said(await grandma.say("他在河边", expect=2))  # added while nobody can be reached
    assert "记下了" in kept and "转告给" not in kept, kept
    (alert,) = await bot.db.read(lambda s: s.alerts.all())
    assert alert.status == "open" and alert.holder_id is None
    # worrying words while nobody can be reached: no "passed on" either
    await grandma.say("/cancel")
    said = _said(await grandma.say("孩子被人打了"))
    assert "已经马上转告" not in said and "110" in said, said
    # the caseworker comes back: the waiting alert reaches her at once
    cw = Person(sandbox, CW, "李主任")
    await cw.say("/start")
    await cw.read_until("🔴")
    await cw.read_until("他在河边")  # with what the grandmother added while it waited
    confirmation = await grandma.read_until("收到")
    assert "李主任" in confirmation


async def test_a_caseworker_who_leaves_raises_an_alert_and_families_are_reassigned(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    ids = await _setup(bot, sandbox)
    cw = Person(sandbox, CW, "李主任")
    replies = await cw.say("/forget")
    await cw.press(replies[0], "删掉")
    supervisor = Person(sandbox, SUPERVISOR, "王督导")
    notice = await supervisor.read_until("🟠")
    assert f"#{ids['family']}" in notice and "/reassign" in notice
    overview = _said(await supervisor.say("/families"))
    assert f"#{ids['family']}" in overview and "无人负责" in overview
    card = _said(await supervisor.say(f"/family {ids['family']}"))
    assert "无人负责" in card
    # while unassigned, 🆘 reaches the supervisor at once
    grandma = Person(sandbox, GRANDMA, "奶奶")
    await grandma.say("/help_now")
    await supervisor.read_until("🆘")
    # a caseworker of another supervisor cannot be given the family; his own can
    done = _said(await supervisor.say(f"/reassign {ids['family']} {ids['new_cw']}"))
    assert "赵主任" in done or f"#{ids['new_cw']}" in done
    family = await bot.db.read(lambda s: s.families.get(ids["family"]))
    assert family is not None and family.caseworker_id == ids["new_cw"]
    overview = _said(await supervisor.say("/families"))
    assert "无人负责" not in overview
    new_cw = Person(sandbox, NEW_CW, "赵主任")
    assert f"#{ids['family']}" in _said(await new_cw.say("/families"))
    # the guardian's next 🆘 goes to the new caseworker
    await bot.db.write(lambda s: [s.alerts.resolve(a.id, by=ids["supervisor"],
                                                   at=to_iso(bot.clock.now()), outcome="none",
                                                   note=None) for a in s.alerts.all()])
    await grandma.say("/help_now")
    await new_cw.read_until("🆘")


async def test_reassign_is_refused_to_caseworkers_and_for_other_supervisors_staff(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    ids = await _setup(bot, sandbox)

    def other(s: Store) -> int:
        now = to_iso(bot.clock.now())
        sup2 = s.people.add(role="supervisor", now=now, display_name="钱督导", tg_user_id=302,
                            tg_chat_id=302)
        return s.people.add(role="caseworker", now=now, display_name="孙主任", tg_user_id=203,
                            tg_chat_id=203, supervisor_id=sup2)
    foreign = await bot.db.write(other)
    await sandbox.client.user(203, "孙主任", "zh-hans")
    cw = Person(sandbox, CW, "李主任")
    refused = _said(await cw.say(f"/reassign {ids['family']} {ids['new_cw']}"))
    assert "督导" in refused or "管理员" in refused
    supervisor = Person(sandbox, SUPERVISOR, "王督导")
    refused = _said(await supervisor.say(f"/reassign {ids['family']} {foreign}"))
    family = await bot.db.read(lambda s: s.families.get(ids["family"]))
    assert family is not None and family.caseworker_id == ids["caseworker"], refused
    admin = Person(sandbox, ADMIN, "管理员")
    await admin.say(f"/reassign {ids['family']} {foreign}")
    family = await bot.db.read(lambda s: s.families.get(ids["family"]))
    assert family is not None and family.caseworker_id == foreign


async def test_escalation_skips_an_unreachable_supervisor(bot: BotHandle,
                                                          sandbox: SandboxHandle) -> None:
    ids = await _setup(bot, sandbox)
    await bot.db.write(lambda s: s.people.set_status(ids["supervisor"], "paused"))
    grandma = Person(sandbox, GRANDMA, "奶奶")
    await grandma.say("/help_now")
    await Person(sandbox, CW, "李主任").read_until("🔴")
    clock = bot.clock
    assert isinstance(clock, OffsetClock)
    clock.advance(timedelta(minutes=31))
    await run_due_work(bot.services)  # type: ignore[arg-type]
    admin = Person(sandbox, ADMIN, "管理员")
    await admin.read_until("⏫")

    async def supervisor_untouched() -> bool:
        return not await sandbox.client.bot_messages(SUPERVISOR)
    assert await eventually(supervisor_untouched)
