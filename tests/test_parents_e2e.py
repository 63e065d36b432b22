"""The father's week end to end over the sandbox: the weekly message arrives at Sunday 20:00 on a
fast-forwarded clock, and its buttons log a call and plan a visit the grandmother hears about."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from db.store import Store
from flows.core.clock import OffsetClock
from flows.core.person_plans import sync_person
from scheduler.jobs import run_due_work
from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person

GRANDMA, FATHER, CASEWORKER = 101, 102, 201


async def test_weekly_message_and_its_buttons(bot: BotHandle, sandbox: SandboxHandle) -> None:
    def setup(s: Store) -> dict[str, int]:
        ids = add_family(s, guardian_tg=GRANDMA, parent_tg=FATHER, caseworker_tg=CASEWORKER)
        s.people.set_weekly(ids["parent"], 7, "20:00")
        sync_person(s, ids["parent"], bot.clock.now())
        return ids
    ids = await bot.db.write(setup)
    grandma, father = Person(sandbox, GRANDMA, "奶奶"), Person(sandbox, FATHER, "爸爸")
    for person in (grandma, father):
        await sandbox.client.user(person.user_id, person.name, "zh-hans")
    (mood,) = await grandma.say("/checkin")
    await grandma.press(mood, "不开心")

    # fast-forward to the coming Sunday 20:05 in Shanghai and let the due-work sweep run
    clock = bot.clock
    assert isinstance(clock, OffsetClock)
    local = clock.now().astimezone(ZoneInfo("Asia/Shanghai"))
    sunday = (local + timedelta(days=(7 - local.isoweekday()) % 7)).replace(
        hour=20, minute=5, second=0, microsecond=0)
    if sunday <= local:
        sunday += timedelta(days=7)
    clock.advance(sunday.astimezone(UTC) - clock.now())
    await run_due_work(bot.services)  # type: ignore[arg-type]
    text = await father.read_until("这一周")
    assert "不开心 1 天" in text and "💡 今晚给小明打电话时" in text
    weekly = (await sandbox.client.bot_messages(FATHER))[-1]
    assert "这一周" in weekly["text"]

    (how_long,) = await father.press(weekly, "今天打过电话了")
    assert "多久" in how_long["text"]
    (seemed,) = await father.press(how_long, "15")
    (thanks,) = await father.press(seemed, "😊")
    assert "谢谢" in thanks["text"]
    calls = await bot.db.read(lambda s: s.calls.for_parent(ids["parent"], ids["family"]))
    assert [(c.minutes, c.child_mood) for c in calls] == [(15, "happy")]

    (months,) = await father.press(weekly, "回家探亲")
    label = months["reply_markup"]["inline_keyboard"][0][1]["text"]  # next month
    (days,) = await father.press(months, label)
    (planned,) = await father.press(days, "15")
    assert "太好了" in planned["text"]
    told = await grandma.read_until("回家")
    assert "爸爸" in told and "15日" in told
