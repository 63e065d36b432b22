"""The caseworker's desk end to end over the sandbox: an urgent alert arrives at once with its
buttons, climbs to the supervisor after 30 fast-forwarded minutes, stops when acknowledged by a
click; a forged press from another caseworker is refused and logged; /export sends CSV files."""

from __future__ import annotations

from datetime import timedelta

from db.store import Store
from flows.core.clock import OffsetClock, to_iso
from scheduler.jobs import run_due_work
from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person

GRANDMA, CW, OTHER_CW, SUPERVISOR = 101, 201, 202, 301


async def test_alert_ladder_acknowledge_forgery_and_export(bot: BotHandle,
                                                           sandbox: SandboxHandle) -> None:
    def setup(s: Store) -> dict[str, int]:
        ids = add_family(s, guardian_tg=GRANDMA, caseworker_tg=CW)
        sup = s.people.add(role="supervisor", now=to_iso(bot.clock.now()), display_name="王督导",
                           tg_user_id=SUPERVISOR, tg_chat_id=SUPERVISOR)
        s.people.set_supervisor(ids["caseworker"], sup)
        add_family(s, guardian_tg=111, parent_tg=112, caseworker_tg=OTHER_CW, village="白云村")
        return ids
    await bot.db.write(setup)
    grandma, cw = Person(sandbox, GRANDMA, "奶奶"), Person(sandbox, CW, "李主任")
    other, sup = Person(sandbox, OTHER_CW, "张主任"), Person(sandbox, SUPERVISOR, "王督导")
    for person in (grandma, cw, other, sup):
        await sandbox.client.user(person.user_id, person.name, "zh-hans")

    await grandma.say("/help_now")
    await cw.read_until("🔴")
    alert_msg = (await sandbox.client.bot_messages(CW))[-1]
    labels = [b["text"] for row in alert_msg["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["✅ 确认", "📝 处理", "📜 时间线", "📞 联系监护人"]
    (alert,) = await bot.db.read(lambda s: s.alerts.all())

    # another village's caseworker forges a press on it: refused, logged, nothing changes
    (menu,) = await other.say("/menu")  # a message with buttons in his own chat, data forged
    await sandbox.client.press(OTHER_CW, menu["message_id"], f"a:ack:{alert.id}")
    (refused,) = await other.read()
    assert "不属于您" in refused["text"]

    # 30 fast-forwarded minutes later it climbs to the supervisor
    clock = bot.clock
    assert isinstance(clock, OffsetClock)
    clock.advance(timedelta(minutes=31))
    await run_due_work(bot.services)  # type: ignore[arg-type]
    text = await sup.read_until("⏫")
    assert "督导" in text and "紧急求助" in text

    # the caseworker acknowledges by clicking: the climb stops
    (acked,) = await cw.press(alert_msg, "确认")
    assert "已确认" in acked["text"]
    clock.advance(timedelta(hours=2))
    await run_due_work(bot.services)  # type: ignore[arg-type]
    admin_msgs = await sandbox.client.bot_messages(9001)
    assert not any("⏫" in (m.get("text") or "") for m in admin_msgs)
    state = await bot.db.read(lambda s: s.alerts.get(alert.id))
    assert state is not None and state.status == "acknowledged" and state.level == 1
    audit = await bot.db.read(lambda s: s.conn.execute(
        "SELECT action FROM audit_log WHERE action = 'refused'").fetchall())
    assert len(audit) == 1

    (queue,) = await cw.say("/alerts")
    assert "小明，10 岁" in queue["text"] and "已确认" in queue["text"]
    replies = await cw.say("/export", expect=6)
    names = sorted(m["document"]["file_name"] for m in replies if m.get("document"))
    assert names == sorted(["家庭.csv", "问候.csv", "警报.csv", "消息记录.csv", "响应用时.csv"])
