"""Parents over a fast-forwarded clock and a real SQLite file: one weekly message a week at each
parent's own hour with the right counts, reminders and their snooze, visits and their reminders,
three weeks without a call, and tips that do not repeat."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from db.database import Database
from db.store import Store
from flows.core.answering import run_turn
from flows.core.buttons import parse
from flows.core.clock import ManualClock, from_iso, to_iso
from flows.core.person_plans import sync_person
from flows.core.ui import FlowContext, Reply
from flows.guardian import checkin
from flows.outbox.due_work import sweep_chunk
from flows.parent import tips
from flows.parent.calls import watch_calls
from flows.parent.parent_actions import handle
from tests.support.families import add_family
from tests.support.presses import met

SHANGHAI, DUBAI = ZoneInfo("Asia/Shanghai"), ZoneInfo("Asia/Dubai")
START = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI).astimezone(UTC)  # Monday 09:00 Shanghai
GRANDMA, FATHER, MOTHER = 101, 102, 103


class Family:
    def __init__(self, db: Database, clock: ManualClock, ids: dict[str, int]) -> None:
        self.db, self.clock, self.ids = db, clock, ids

    def ctx(self) -> FlowContext:
        return FlowContext(now=self.clock.now(), default_tz="Asia/Shanghai",
                           default_locale="zh_CN", bot_username="KinBridgeBot")

    async def press(self, tg: int, data: str) -> list[Reply]:
        """A press as the turn middleware runs it: data unpacked, the presser met in the turn."""
        def flow(s: Store) -> list[Reply]:
            turn = met(self.ctx(), s, tg)
            return run_turn(s, turn, lambda s, t: handle(s, t, parse(data)))
        return await self.db.write(flow)

    async def sweep(self) -> None:
        await self.db.write(lambda s: sweep_chunk(s, self.clock.now()))

    async def run(self, hours: float, step_minutes: int = 30) -> None:
        for _ in range(int(hours * 60 / step_minutes)):
            self.clock.advance(timedelta(minutes=step_minutes))
            await self.sweep()

    async def outbox(self, like: str) -> list[dict[str, Any]]:
        rows = await self.db.read(lambda s: s.conn.execute(
            "SELECT dedupe_key, chat_id, payload, not_before FROM outbox WHERE dedupe_key LIKE ? "
            "ORDER BY id", (like,)).fetchall())
        return [dict(r) | {"payload": json.loads(r["payload"])} for r in rows]

    async def checkin(self, mood: str, school: str = "went", health: str = "well") -> None:
        def flow(s: Store) -> None:
            person = s.people.by_telegram_user(GRANDMA)
            assert person is not None
            checkin.begin_now(s, self.ctx(), person)
            for value in (mood, health, school, "normal", "n"):
                dialog = s.dialogs.get(GRANDMA)
                assert dialog is not None
                checkin.answer(s, self.ctx(), person, dialog, value=value, text=None)
        await self.db.write(flow)


@pytest.fixture
async def family(db: Database) -> Family:
    clock = ManualClock(START)

    def setup(s: Store) -> dict[str, int]:
        ids = add_family(s, guardian_tg=GRANDMA, parent_tg=FATHER)
        mother = s.people.add(role="parent", now=to_iso(START), display_name="妈妈",
                              tg_user_id=MOTHER, tg_chat_id=MOTHER, tz="Asia/Dubai")
        s.families.add_member(ids["family"], mother, "mother", now=to_iso(START))
        s.people.set_weekly(ids["parent"], 7, "20:00")
        s.people.set_weekly(mother, 7, "20:00")
        for person in (ids["guardian"], ids["parent"], mother):
            sync_person(s, person, clock.now())
        return ids | {"mother": mother}
    return Family(db, clock, await db.write(setup))


async def test_one_weekly_message_a_week_at_each_parents_own_hour(family: Family) -> None:
    # a week of check-ins: happy, happy, sad, sad, so-so; school missed once
    for i, (mood, school) in enumerate([("happy", "went"), ("happy", "went"), ("sad", "missed"),
                                        ("sad", "went"), ("neutral", "holiday")]):
        await family.checkin(mood, school)
        family.clock.advance(timedelta(days=1))
        assert i < 5
    family.clock.set(START)
    await family.run(hours=24 * 14)  # two weeks in 30-minute sweeps
    sent = await family.outbox("weekly:%")
    by_chat: dict[int, list[dict[str, Any]]] = {}
    for row in sent:
        by_chat.setdefault(row["chat_id"], []).append(row)
    assert sorted(by_chat) == [FATHER, MOTHER] and all(len(v) == 2 for v in by_chat.values())
    for chat, zone in ((FATHER, SHANGHAI), (MOTHER, DUBAI)):
        for row in by_chat[chat]:
            local = from_iso(row["not_before"]).astimezone(zone)
            assert (local.isoweekday(), local.hour) == (7, 20), (chat, local)
    first = by_chat[FATHER][0]["payload"]["text"]
    # the story first (what went wrong, then the good days), the counts after
    assert "小明这周：周三没去上学；周三、周四不太开心；周一、周二挺开心。" in first, first
    assert "开心 2 天" in first and "一般 1 天" in first and "不开心 2 天" in first, first
    assert "上学 3 天" in first and "没去上学 1 天" in first
    assert "💡 今晚给小明打电话时" in first
    second = by_chat[FATHER][1]["payload"]["text"]
    assert "没有收到关于小明的问候回复" in second and "奶奶" in second  # a silent week, said plainly
    buttons = [b["callback_data"] for row in by_chat[FATHER][0]["payload"]["reply_markup"]
               ["inline_keyboard"] for b in row]
    family_id = family.ids["family"]
    assert buttons == [f"p:called:{family_id}", f"p:remind:{family_id}", f"p:visit:{family_id}",
                       f"p:tip:{family_id}"]


async def test_a_call_is_logged_with_details_and_the_streak_counts_weeks(family: Family) -> None:
    fid = family.ids["family"]
    replies = await family.press(FATHER, f"p:called:{fid}")
    minutes = replies[0].buttons
    assert minutes is not None and "多久" in replies[0].text
    replies = await family.press(FATHER, minutes[0][1][1])  # 15 min
    await family.press(FATHER, replies[0].buttons[0][2][1])  # type: ignore[index]  # 😢
    calls = await family.db.read(lambda s: s.calls.for_parent(family.ids["parent"], fid))
    assert [(c.minutes, c.child_mood) for c in calls] == [(15, "sad")]
    family.clock.advance(timedelta(days=7))
    replies = await family.press(FATHER, f"p:called:{fid}")
    assert "连续 2 周" in replies[0].text
    # somebody else's call buttons do nothing
    other = await family.press(MOTHER, f"p:mins:{calls[0].id}:30")
    assert "失效" in other[0].text


async def test_a_reminder_fires_at_its_time_and_snooze_works(family: Family) -> None:
    fid = family.ids["family"]
    days = await family.press(FATHER, f"p:remind:{fid}")
    assert days[0].buttons is not None
    times = await family.press(FATHER, f"p:rday:{fid}:today")
    assert [label for label, _ in times[0].buttons[0]] == ["12:00", "18:00", "20:00", "21:00"]  # type: ignore[index]
    await family.press(FATHER, f"p:rtime:{fid}:today:2000")
    await family.run(hours=10.5, step_minutes=15)  # to 19:30
    assert await family.outbox("callrem:%") == []
    await family.run(hours=0.5, step_minutes=15)  # 20:00
    (reminder,) = await family.outbox("callrem:%")
    assert from_iso(reminder["not_before"]).astimezone(SHANGHAI).hour == 20
    keyboard = reminder["payload"]["reply_markup"]["inline_keyboard"]
    snooze = keyboard[1][0]["callback_data"]
    assert "一小时" in (await family.press(FATHER, snooze))[0].text
    await family.press(FATHER, snooze)  # pressed twice: still one snoozed reminder
    await family.run(hours=0.75, step_minutes=15)
    assert len(await family.outbox("callrem:%")) == 1
    await family.run(hours=0.5, step_minutes=15)
    again = await family.outbox("callrem:%")
    assert len(again) == 2
    assert from_iso(again[1]["not_before"]).astimezone(SHANGHAI).strftime("%H:%M") >= "21:00"
    # "tomorrow" sets one for tomorrow at 20:00; "done" logs a call
    await family.press(FATHER, keyboard[1][1]["callback_data"])
    await family.run(hours=24, step_minutes=30)
    tomorrow = (await family.outbox("callrem:%"))[-1]
    local = from_iso(tomorrow["not_before"]).astimezone(SHANGHAI)
    assert (local.date(), local.hour) == (date(2026, 11, 24), 20)
    await family.press(FATHER, keyboard[0][0]["callback_data"])
    assert len(await family.db.read(lambda s: s.calls.for_parent(family.ids["parent"], fid))) == 1


async def test_a_visit_creates_reminders_tells_the_family_and_moving_it_moves_them(
        family: Family) -> None:
    fid = family.ids["family"]
    months = await family.press(FATHER, f"p:visit:{fid}")
    december = months[0].buttons[0][1][1]  # type: ignore[index]
    assert december == f"p:vm:{fid}:202612:0"
    days = await family.press(FATHER, december)
    day_20 = next(d for row in days[0].buttons or [] for label, d in row if label == "20")
    done = await family.press(FATHER, day_20)
    assert "12月20日" in done[0].text

    async def reminder_days() -> list[tuple[str, int]]:
        rows = await family.db.read(lambda s: s.conn.execute(
            "SELECT kind, next_run_at FROM schedules WHERE kind LIKE 'visit_%' AND active = 1 "
            "ORDER BY next_run_at").fetchall())
        return [(r[0], from_iso(r[1]).astimezone(SHANGHAI).day) for r in rows]
    assert await reminder_days() == [("visit_reminder", 13), ("visit_reminder", 19),
                                     ("visit_followup", 21)]
    (told,) = await family.outbox("visit:%")
    assert told["chat_id"] == GRANDMA and "12月20日" in told["payload"]["text"]

    visit = (await family.db.read(lambda s: s.visits.planned_for(family.ids["parent"])))[0]
    again = await family.press(FATHER, f"p:visit:{fid}")
    assert "12月20日" in again[0].text
    await family.press(FATHER, f"p:vmove:{visit.id}")
    await family.press(FATHER, f"p:vd:{fid}:20270110:{visit.id}")
    assert await reminder_days() == [("visit_reminder", 3), ("visit_reminder", 9),
                                     ("visit_followup", 11)]
    moved = await family.outbox("visit:%")
    assert len(moved) == 2 and "1月10日" in moved[-1]["payload"]["text"]
    # the other parent cannot move or cancel it
    refused = await family.press(MOTHER, f"p:vcancel:{visit.id}")
    assert "失效" in refused[0].text
    # a fast-forward to the reminders, then "did it happen?"
    family.clock.set(datetime(2027, 1, 3, 12, 30, tzinfo=UTC))  # 20:30 in Shanghai
    await family.sweep()
    family.clock.set(datetime(2027, 1, 11, 13, 0, tzinfo=UTC))
    await family.sweep()
    kinds = [r["dedupe_key"].split(":")[0] for r in await family.outbox("visit%")]
    assert [k for k in kinds if k != "visit"] == ["visit_reminder", "visit_followup"]
    await family.press(FATHER, f"p:vdone:{visit.id}:y")
    status = await family.db.read(lambda s: s.visits.get(visit.id))
    assert status is not None and status.status == "happened"


async def test_cancelling_a_visit_removes_its_reminders(family: Family) -> None:
    fid = family.ids["family"]
    await family.press(FATHER, f"p:vd:{fid}:20261215:0")
    visit = (await family.db.read(lambda s: s.visits.planned_for(family.ids["parent"])))[0]
    await family.press(FATHER, f"p:vcancel:{visit.id}")
    active = await family.db.read(lambda s: s.schedules.for_ref("visit_reminder", visit.id))
    assert active == []
    assert "回不了家" in (await family.outbox("visit:%"))[-1]["payload"]["text"]


async def test_three_weeks_without_a_call_raises_one_alert(family: Family) -> None:
    fid = family.ids["family"]
    await family.press(MOTHER, f"p:called:{fid}")
    for day in range(1, 30):
        family.clock.advance(timedelta(days=1))
        if day == 15:
            await family.press(MOTHER, f"p:called:{fid}")  # the mother keeps calling
        raised = await family.db.write(lambda s: watch_calls(s, family.clock.now()))
        assert raised == (1 if day == 21 else 0), day  # the father joined 21 days ago today
    alerts = await family.db.read(lambda s: s.alerts.all())
    assert [(a.rule, a.severity, a.person_id) for a in alerts] == \
        [("no_call", "normal", family.ids["parent"])]
    (msg,) = await family.outbox("alert:%")
    assert "爸爸" in msg["payload"]["text"] and "三周" in msg["payload"]["text"]


async def test_tips_do_not_repeat_until_the_band_is_used_up(family: Family) -> None:
    fid = family.ids["family"]
    seen: list[str] = []
    band = [t.text for t in tips.library("zh_CN").values() if t.band == "6-11"]
    for _ in range(len(band)):
        reply = (await family.press(FATHER, f"p:tip:{fid}"))[0]
        seen.append(re.sub(r"^💡 给小明的小建议：", "", reply.text))
    assert sorted(seen) == sorted(band)  # every tip of the band once, none twice
    again = (await family.press(FATHER, f"p:tip:{fid}"))[0]
    assert re.sub(r"^💡 给小明的小建议：", "", again.text) in band  # then round again


async def _tip_areas(family: Family, count: int) -> list[str]:
    areas = []
    for _ in range(count):
        reply = (await family.press(FATHER, f"p:tip:{family.ids['family']}"))[0]
        text = re.sub(r"^💡 给小明的小建议：", "", reply.text)
        areas.append(next(t.area for t in tips.library("zh_CN").values() if t.text == text))
    return areas


async def test_a_sad_week_favours_emotional_care(family: Family) -> None:
    """Every emotional-care tip of the band comes before any other while the child is sad. (The
    first tip alone proves nothing: the calm rotation starts with the emotional area too.)"""
    for _ in range(3):
        await family.checkin("sad")
        family.clock.advance(timedelta(days=1))
    band = [t for t in tips.library("zh_CN").values() if t.band == "6-11"]
    care = sum(1 for t in band if t.area in ("emotional", "mental_health"))
    assert care >= 4
    assert set(await _tip_areas(family, care)) <= {"emotional", "mental_health"}


async def test_a_calm_week_goes_round_the_areas(family: Family) -> None:
    """The counterpart: without a sad signal the second tip is already from another area."""
    for _ in range(3):
        await family.checkin("happy")
        family.clock.advance(timedelta(days=1))
    areas = await _tip_areas(family, 3)
    assert len(set(areas)) == 3


def test_the_tips_library_is_complete_in_both_languages() -> None:
    zh, en = tips.library("zh_CN"), tips.library("en")
    assert set(zh) == set(en) and len(zh) >= 84
    for area in tips.AREAS:
        for band in tips.BANDS:
            assert sum(1 for t in zh.values() if (t.area, t.band) == (area, band)) >= 4
    for tip_id, tip in zh.items():
        assert (tip.area, tip.band) == (en[tip_id].area, en[tip_id].band)
        assert re.search(r"[\u4e00-\u9fff]", tip.text) and not re.search(r"[\u4e00-\u9fff]",
                                                                          en[tip_id].text)
        assert 0 < len(en[tip_id].text) <= 300


async def test_forged_parent_buttons_are_refused(family: Family) -> None:
    for data in ("p:called:999", "p:visit:abc", "p:rtime:1:today:9999", "p:vd:1:20260230:0",
                 "p:nonsense:1", "p:", "p:called:" + "9" * 40):
        replies = await family.press(FATHER, data)
        assert "失效" in replies[0].text or "请选" in replies[0].text, data
    assert "失效" in (await family.press(GRANDMA, f"p:called:{family.ids['family']}"))[0].text


async def test_two_children_in_one_message_each_with_a_tip_for_their_age(family: Family) -> None:
    from flows.parent.weekly import weekly_text

    fid = family.ids["family"]
    await family.db.write(lambda s: s.families.add_child(fid, name="小红", now=to_iso(START),
                                                         birth_month="2023-02"))
    await family.checkin("happy")

    def text(s: Store) -> str:
        father = s.people.by_telegram_user(FATHER)
        assert father is not None
        return weekly_text(s, father, fid, family.clock.now())
    message = await family.db.write(text)
    assert "小明、小红这一周" in message
    assert "👧 小明" in message and "👧 小红" in message
    tip_lines = [line for line in message.splitlines() if line.startswith("💡")]
    assert len(tip_lines) == 2
    little = next(line for line in tip_lines if "小红" in line).split("：", 1)[1]
    assert next(t for t in tips.library("zh_CN").values() if t.text == little).band == "0-5"


async def test_the_weekly_message_names_the_guardian_by_relation_not_by_her_name(
        family: Family) -> None:
    """A week without check-ins suggests calling the guardian: as 奶奶, never by her own name,
    so nothing of her stays in the parents' messages after her /forget."""
    from flows.parent.weekly import weekly_text

    fid = family.ids["family"]
    await family.db.write(lambda s: s.conn.execute(
        "UPDATE people SET display_name = '张桂兰' WHERE id = ?", (family.ids["guardian"],)))

    def text(s: Store) -> str:
        father = s.people.by_telegram_user(FATHER)
        assert father is not None
        return weekly_text(s, father, fid, family.clock.now())
    message = await family.db.write(text)
    assert "奶奶" in message and "张桂兰" not in message
