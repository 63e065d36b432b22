"""The parents' weekly message as a short story first (issue 17.7), from seeded weeks over a
real SQLite file: a quiet good week, a week with an injury the caseworker resolved, and a week
with an abuse-class alert (never told to parents automatically)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from db.database import Database
from db.store import Store
from flows.core.clock import ManualClock, to_iso
from flows.core.ui import FlowContext
from flows.guardian import checkin
from flows.guardian.words import handle_words
from flows.parent.weekly import weekly_text
from tests.support.families import add_family

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 19, 0, tzinfo=SHANGHAI).astimezone(UTC)
SUNDAY_EVENING = datetime(2026, 11, 29, 20, 0, tzinfo=SHANGHAI).astimezone(UTC)
GRANDMA, FATHER = 101, 102
CALM = ("happy", "well", "went", "normal", "n")


class Week:
    def __init__(self, db: Database, ids: dict[str, int]) -> None:
        self.db, self.ids, self.clock = db, ids, ManualClock(MONDAY)

    def ctx(self) -> FlowContext:
        return FlowContext(now=self.clock.now(), default_tz="Asia/Shanghai",
                           default_locale="zh_CN", bot_username="KinBridgeBot")

    async def day(self, answers: tuple[str, ...] = CALM) -> None:
        """One evening's check-in pressed through the real flow, then on to the next day."""
        def flow(s: Store) -> None:
            person = s.people.by_telegram_user(GRANDMA)
            assert person is not None
            checkin.begin_now(s, self.ctx(), person)
            for value in answers:
                dialog = s.dialogs.get(GRANDMA)
                if dialog is None:
                    break
                checkin.answer(s, self.ctx(), person, dialog, value=value, text=None)
        await self.db.write(flow)
        self.clock.advance(timedelta(days=1))

    async def text(self, locale: str = "zh_CN") -> str:
        def flow(s: Store) -> str:
            if locale != "zh_CN":
                s.people.set_locale(self.ids["parent"], locale)
            father = s.people.by_telegram_user(FATHER)
            assert father is not None
            return weekly_text(s, father, self.ids["family"], SUNDAY_EVENING)
        return await self.db.write(flow)


@pytest.fixture
async def week(db: Database) -> Week:
    return Week(db, await db.write(lambda s: add_family(s, guardian_tg=GRANDMA, parent_tg=FATHER)))


async def test_a_quiet_good_week_is_a_short_happy_story_with_no_zeros(week: Week) -> None:
    for _ in range(7):
        await week.day()
    text = await week.text()
    assert text.splitlines()[1] == "小明这周：天天都挺开心。", text
    assert "奶奶把小明照顾得很用心。" in text
    assert " 0 天" not in text and "没去" not in text and "提醒" not in text, text
    assert "今晚给小明打电话时" in text
    english = await week.text("en")
    assert "Xiaoming" not in english and "小明's week: happy every day." in english, english


async def test_an_injury_the_caseworker_resolved_comes_first_with_its_outcome(week: Week) -> None:
    for answers in (CALM, CALM, CALM, ("happy", "injured", "went", "normal", "n"), CALM):
        await week.day(answers)  # Monday to Friday: hurt on Thursday

    def resolve(s: Store) -> None:
        (alert,) = [a for a in s.alerts.all() if a.rule == "injured"]
        s.alerts.resolve(alert.id, by=week.ids["caseworker"], at=to_iso(week.clock.now()),
                         outcome="visited", note="没骨折")
    await week.db.write(resolve)
    text = await week.text()
    story = text.splitlines()[1]
    assert story.startswith("小明这周：周四受了伤，李主任上门看过；"), story
    assert story.index("受了伤") < story.index("挺开心")  # what went wrong first
    assert "周四受了点伤" not in text  # the day is not told twice
    assert "没骨折" not in text  # the caseworker's own note is hers, not read out to parents


async def test_an_injury_not_yet_handled_says_who_knows(week: Week) -> None:
    await week.day(("happy", "injured", "went", "normal", "n"))
    text = await week.text()
    assert "周一受了伤，已经告诉了儿童主任" in text, text


async def test_an_abuse_class_alert_is_never_told_to_parents(week: Week) -> None:
    for _ in range(3):
        await week.day()

    def tell(s: Store) -> None:  # Thursday: her words, and then the check-in says "hurt"
        person = s.people.by_telegram_user(GRANDMA)
        assert person is not None
        handle_words(s, week.ctx(), person, chat_id=GRANDMA, message_id=5,
                     text="孩子被隔壁的人打了，身上都是伤")
    await week.db.write(tell)
    await week.day(("happy", "injured", "went", "normal", "n"))
    alerts = await week.db.read(lambda s: [a.rule for a in s.alerts.all()])
    assert any("violence" in rule or "abuse" in rule for rule in alerts), alerts
    text = await week.text()
    for unsaid in ("打了", "伤", "暴力", "虐待", "警报", "提醒", "跟进", "隔壁", "儿童主任"):
        assert unsaid not in text, (unsaid, text)
    assert "小明这周：周一、周二、周三挺开心。" in text  # the week is still told, without Thursday
