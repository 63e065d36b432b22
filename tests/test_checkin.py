"""The check-in flow over a real SQLite file and a fast-forwarded clock: scheduling on the family's
cadence, every way of answering, the rules raising one alert per situation, the polite close,
silence, the parents' nudge, and 🆘 from inside the check-in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from db.database import Database
from db.store import Store
from flows import dialogs
from flows.core.answering import run_turn
from flows.core.clock import ManualClock, from_iso, to_iso
from flows.core.ui import FlowContext, Reply
from flows.dialogs import Answer
from flows.guardian import checkin, sos
from flows.guardian.checkin_plan import sync_guardian, watch_silence
from flows.guardian.words import handle_words
from flows.outbox.due_work import sweep_chunk
from tests.support.families import add_family
from tests.support.presses import button_for, met

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)  # Monday 10:00
GRANDMA_TG = 101


class Harness:
    """Drives the flows the way the handlers do: one transaction per answer."""

    def __init__(self, db: Database, clock: ManualClock, ids: dict[str, int]) -> None:
        self.db, self.clock, self.ids = db, clock, ids

    def ctx(self) -> FlowContext:
        return FlowContext(now=self.clock.now(), default_tz="Asia/Shanghai",
                           default_locale="zh_CN", bot_username="KinBridgeBot")

    async def start(self, tg: int = GRANDMA_TG) -> list[Reply]:
        def flow(s: Store) -> list[Reply]:
            person = s.people.by_telegram_user(tg)
            assert person is not None
            return checkin.begin_now(s, self.ctx(), person)
        return await self.db.write(flow)

    async def answer(self, value: str | None = None, text: str | None = None,
                     voice: tuple[int, int] | None = None, tg: int = GRANDMA_TG,
                     message_id: int = 1) -> list[Reply]:
        """A pressed option (``value``) or typed/voiced words, handed to the dialog registry
        the way the router does."""
        def flow(s: Store) -> list[Reply]:
            dialog = s.dialogs.get(tg)
            assert dialog is not None, "no open exchange"
            turn = met(self.ctx(), s, tg)
            if value is None:
                given = Answer(text=text, voice=voice, message=(tg, message_id))
                return run_turn(s, turn, lambda s, t: dialogs.answer(s, t, dialog, given) or [])
            return run_turn(s, turn, lambda s, t: dialogs.answer_button(
                s, t, button_for(dialog, value)))
        return await self.db.write(flow)

    async def step(self, tg: int = GRANDMA_TG) -> str | None:
        dialog = await self.db.read(lambda s: s.dialogs.get(tg))
        return None if dialog is None else f"{dialog.kind}:{dialog.step}"

    async def latest(self) -> Any:
        return await self.db.read(lambda s: s.checkins.for_family(self.ids["family"])[-1])

    async def alerts(self) -> list[tuple[str, str]]:
        return [(a.rule, a.severity) for a in await self.db.read(lambda s: s.alerts.all())]

    async def outbox(self, like: str) -> list[dict[str, Any]]:
        rows = await self.db.read(lambda s: s.conn.execute(
            "SELECT dedupe_key, chat_id, kind, payload, not_before, lane FROM outbox "
            "WHERE dedupe_key LIKE ? ORDER BY id", (like,)).fetchall())
        return [dict(r) | {"payload": json.loads(r["payload"])} for r in rows]

    async def full(self, mood: str = "happy", health: str = "well", school: str = "went",
                   eating: str = "normal", worry: str = "n") -> list[Reply]:
        await self.start()
        for value in (mood, health, school, eating):
            await self.answer(value)
        return await self.answer(worry)


@pytest.fixture
async def harness(db: Database) -> Harness:
    clock = ManualClock(START)
    ids = await db.write(lambda s: add_family(s, guardian_tg=GRANDMA_TG))
    return Harness(db, clock, ids)


# ---- scheduling -------------------------------------------------------------------------
@pytest.mark.parametrize(("cadence", "prompts"), [("daily", 14), ("thrice_weekly", 6),
                                                  ("weekly", 2)])
async def test_prompts_follow_the_family_cadence_at_the_guardians_hour(
        harness: Harness, cadence: str, prompts: int) -> None:
    db, clock, ids = harness.db, harness.clock, harness.ids

    def setup(s: Store) -> int:
        s.families.set_cadence(ids["family"], cadence)
        s.people.set_checkin_time(ids["guardian"], "19:00")
        return sync_guardian(s, ids["guardian"], clock.now())
    assert await db.write(setup) == 1
    for _ in range(14 * 24 * 2):  # two weeks in 30-minute sweeps
        clock.advance(timedelta(minutes=30))
        await db.write(lambda s: sweep_chunk(s, clock.now()))
    sent = await harness.outbox("checkin:%")
    assert len(sent) == prompts
    for row in sent:
        local = from_iso(row["not_before"]).astimezone(SHANGHAI)
        assert local.hour == 19 and local.minute < 30
        buttons = row["payload"]["reply_markup"]["inline_keyboard"]
        assert buttons[0][0]["callback_data"].startswith("c:")
        assert buttons[-1][0]["callback_data"] == "h:start"  # 🆘 on every question
        assert "小明" in row["payload"]["text"]
    # each prompt was closed politely three hours later when nobody answered
    counts = await db.read(lambda s: s.checkins.count("missed"))
    assert counts == prompts
    assert len(await harness.outbox("checkin_close:%")) == prompts


async def test_changing_the_time_or_cadence_moves_the_schedule(harness: Harness) -> None:
    db, clock, ids = harness.db, harness.clock, harness.ids
    await db.write(lambda s: sync_guardian(s, ids["guardian"], clock.now()))
    await db.write(lambda s: s.people.set_checkin_time(ids["guardian"], "08:00"))
    await db.write(lambda s: sync_guardian(s, ids["guardian"], clock.now()))
    schedules = await db.read(lambda s: s.schedules.for_person(ids["guardian"], "checkin"))
    assert [(x.local_time, x.weekdays) for x in schedules] == [("08:00", None)]
    assert from_iso(schedules[0].next_run_at or "").astimezone(SHANGHAI).hour == 8


# ---- answering --------------------------------------------------------------------------
async def test_buttons_all_the_way_store_every_answer_and_thank_warmly(harness: Harness) -> None:
    first = await harness.start()
    assert "小明" in first[0].text and first[0].buttons is not None
    replies = await harness.full()
    assert "谢谢" in replies[-1].text
    row = await harness.latest()
    assert (row.status, row.mood, row.health, row.school, row.eating_sleeping, row.worry) == \
        ("completed", "happy", "well", "went", "normal", False)
    assert await harness.step() is None
    assert await harness.alerts() == []


@pytest.mark.parametrize(("typed", "field", "stored"), [
    ("1", "mood", "happy"), ("３", "mood", "sad"), ("开心", "mood", "happy"),
    ("不开心", "mood", "sad"), ("孩子今天挺开心的", "mood", "happy"), ("他今天不太开心，哭了", "mood", "sad"),
    ("還好", "mood", "neutral"), ("没有不开心", "mood", None), ("不太开心", "mood", "sad"),
    ("一般般吧", "mood", "neutral"), ("sad", "mood", "sad"), ("😢😢", "mood", "sad"),
    ("not happy today", "mood", "sad"),
])
async def test_typed_numbers_words_and_sentences(harness: Harness, typed: str, field: str,
                                                 stored: str | None) -> None:
    await harness.start()
    await harness.answer(text=typed)
    row = await harness.latest()
    assert getattr(row, field) == stored
    assert await harness.step() == ("checkin:health" if stored else "checkin:mood")


async def test_school_and_worry_by_words(harness: Harness) -> None:
    await harness.start()
    await harness.answer(text="😊")
    await harness.answer(text="没事")
    await harness.answer(text="今天没去上学")
    await harness.answer(text="不正常，吃不下饭")
    await harness.answer(text="没有")
    row = await harness.latest()
    assert (row.mood, row.health, row.school, row.eating_sleeping, row.worry) == \
        ("happy", "well", "missed", "not_normal", False)


async def test_noise_is_asked_again_and_words_are_kept_and_passed_on(harness: Harness) -> None:
    await harness.start()
    again = await harness.answer(text="啊")
    assert "按" in again[0].text and await harness.step() == "checkin:mood"
    kept = await harness.answer(text="他昨天跟同学闹别扭了", message_id=7)
    assert await harness.step() == "checkin:mood"  # the question stays
    assert "小明" in kept[0].text and kept[0].buttons
    row = await harness.latest()
    assert row.notes == "他昨天跟同学闹别扭了"
    (forwarded,) = await harness.outbox("fwd:%")
    assert forwarded["chat_id"] == 201 and "闹别扭" in forwarded["payload"]["text"]
    assert "青山村" in forwarded["payload"]["text"]


async def test_a_voice_note_answers_the_question_and_reaches_the_caseworker(harness: Harness) -> None:
    await harness.start()
    replies = await harness.answer(voice=(GRANDMA_TG, 42))
    assert "🎙" in replies[0].text
    assert await harness.step() == "checkin:health"
    row = await harness.latest()
    assert (row.mood, row.voice_notes) == ("voice", 1)
    (copy,) = await harness.outbox("fwd:%")
    assert copy["kind"] == "copy" and copy["chat_id"] == 201
    assert copy["payload"]["from_chat_id"] == GRANDMA_TG and copy["payload"]["message_id"] == 42
    assert "心情" in copy["payload"]["caption"]  # which question it answers


async def test_a_worry_with_a_voice_note_ends_the_check_in(harness: Harness) -> None:
    await harness.start()
    for value in ("happy", "well", "went", "normal", "y"):
        await harness.answer(value)
    assert await harness.step() == "checkin:worry_detail"
    await harness.answer(voice=(GRANDMA_TG, 9))
    assert await harness.step() is None
    assert ("worry", "normal") in await harness.alerts()


async def test_stale_and_foreign_buttons_are_refused(harness: Harness) -> None:
    await harness.start()
    replies = await harness.answer("not-an-option")
    assert "失效" in replies[0].text
    assert (await harness.latest()).mood is None


# ---- the rules, through real answers ------------------------------------------------------
async def test_injured_raises_one_high_alert_the_same_day(harness: Harness) -> None:
    await harness.full(health="injured")
    assert await harness.alerts() == [("injured", "high")]
    await harness.db.write(lambda s: s.checkins.close((s.checkins.for_family(
        harness.ids["family"])[-1]).id, "completed", now="x"))
    (alert_msg,) = await harness.outbox("alert:%")
    assert alert_msg["chat_id"] == 201 and "🟠" in alert_msg["payload"]["text"]
    assert "小明" in alert_msg["payload"]["text"] and "10" in alert_msg["payload"]["text"]  # age


async def test_sad_three_check_ins_running_and_no_duplicate(harness: Harness) -> None:
    for day in range(4):
        await harness.full(mood="sad")
        harness.clock.advance(timedelta(days=1))
        if day == 1:
            assert await harness.alerts() == []
    assert await harness.alerts() == [("sad_streak", "high")]  # day 3 raised it, day 4 did not again


async def test_missed_school_twice_in_a_week(harness: Harness) -> None:
    await harness.full(school="missed")
    harness.clock.advance(timedelta(days=2))
    await harness.full(school="went")
    assert await harness.alerts() == []
    harness.clock.advance(timedelta(days=2))
    await harness.full(school="missed")
    assert await harness.alerts() == [("missed_school", "high")]


async def test_worry_text_raises_a_worry_alert_with_the_words(harness: Harness) -> None:
    await harness.start()
    for value in ("happy", "well", "went", "normal", "y"):
        await harness.answer(value)
    await harness.answer(text="他最近总是一个人发呆")
    assert await harness.alerts() == [("worry", "normal")]
    alert = (await harness.db.read(lambda s: s.alerts.all()))[0]
    assert alert.evidence == "他最近总是一个人发呆"


@pytest.mark.parametrize(("words", "rule", "severity"), [
    ("孩子说 想 死！", "self_harm", "urgent"),
    ("ｈｅ ｗａｎｔｓ ｔｏ ｄｉｅ", "self_harm", "urgent"),
    ("隔壁的人打孩子，打得很重", "violence_abuse", "urgent"),
    ("他昨晚放学没回家!!", "missing", "urgent"),
    ("我住院了，家里没大人", "no_adult", "high"),
    ("在学校被 欺负 了", "bullying", "high"),
])
async def test_risk_words_anywhere_in_the_check_in(harness: Harness, words: str, rule: str,
                                                  severity: str) -> None:
    await harness.start()
    replies = await harness.answer(text=words)
    assert (rule, severity) in await harness.alerts()
    assert "转告负责孩子的工作人员" in replies[0].text
    assert await harness.step() == "checkin:mood"  # the question is still there to answer


async def test_risk_wins_over_a_request_to_stop(harness: Harness) -> None:
    def flow(s: Store) -> list[Reply]:
        person = s.people.by_telegram_user(GRANDMA_TG)
        assert person is not None
        return handle_words(s, harness.ctx(), person, chat_id=GRANDMA_TG, message_id=3,
                            text="别再发了，孩子说活着没意思")
    replies = await harness.db.write(flow)
    assert ("self_harm", "urgent") in await harness.alerts()
    assert "暂停" not in replies[0].text and replies[0].buttons == [[("🆘 紧急求助", "h:start")]]

    def stop_only(s: Store) -> list[Reply]:
        person = s.people.by_telegram_user(GRANDMA_TG)
        assert person is not None
        return handle_words(s, harness.ctx(), person, chat_id=GRANDMA_TG, message_id=4,
                            text="别再发了")
    replies = await harness.db.write(stop_only)
    assert "暂停" in replies[0].text


# ---- closing, silence, nudges --------------------------------------------------------------
async def test_unanswered_check_in_ends_politely_and_partial_answers_are_kept(
        harness: Harness) -> None:
    await harness.start()
    await harness.answer("sad")
    harness.clock.advance(checkin.OPEN_FOR + timedelta(minutes=1))
    await harness.db.write(lambda s: sweep_chunk(s, harness.clock.now()))
    row = await harness.latest()
    assert (row.status, row.mood) == ("partial", "sad")
    assert await harness.step() is None
    (goodbye,) = await harness.outbox("checkin_close:%")
    assert "🆘" in goodbye["payload"]["text"]
    late = await harness.db.write(lambda s: s.dialogs.get(GRANDMA_TG))
    assert late is None


async def test_silence_over_a_fast_forwarded_week(harness: Harness) -> None:
    await harness.full()
    for day in range(1, 9):
        harness.clock.advance(timedelta(days=1))
        raised = await harness.db.write(lambda s: watch_silence(s, harness.clock.now(),
                                                                "Asia/Shanghai"))
        assert raised == (1 if day == 7 else 0), day  # day 7 raises it; later days do not again
    assert await harness.alerts() == [("silence", "high")]
    (msg,) = await harness.outbox("alert:%")
    assert "7" in msg["payload"]["text"]


async def test_a_worrying_day_nudges_the_parents_the_same_evening(harness: Harness) -> None:
    await harness.full(mood="sad", eating="not_normal")
    (nudge,) = await harness.outbox("nudge:%")
    assert nudge["chat_id"] == 102 and "小明" in nudge["payload"]["text"]
    assert "电话" in nudge["payload"]["text"]
    local = from_iso(nudge["not_before"]).astimezone(SHANGHAI)
    assert (local.hour, local.minute) == (19, 0)  # answered at 10:00, sent this evening
    await harness.db.write(lambda s: s.dialogs.end(GRANDMA_TG))


async def test_a_calm_day_does_not_nudge_and_an_urgent_one_goes_to_the_caseworker_only(
        harness: Harness) -> None:
    await harness.full()
    assert await harness.outbox("nudge:%") == []
    harness.clock.advance(timedelta(days=1))
    await harness.start()
    await harness.answer(text="他说想死")
    for value in ("sad", "well", "went", "normal", "n"):
        await harness.answer(value)
    assert ("self_harm", "urgent") in await harness.alerts()
    assert await harness.outbox("nudge:%") == []


# ---- 🆘 ---------------------------------------------------------------------------------
async def test_help_inside_a_check_in_alerts_at_once_then_resumes(harness: Harness) -> None:
    await harness.start()
    await harness.answer("happy")

    def press_sos(s: Store) -> list[Reply]:
        person = s.people.by_telegram_user(GRANDMA_TG)
        assert person is not None
        return sos.begin_help(s, harness.ctx(), person)
    replies = await harness.db.write(press_sos)
    assert await harness.alerts() == [("sos", "urgent")]  # before any question is answered
    (urgent,) = await harness.outbox("alert:%")
    assert urgent["lane"] == 0 and "🔴" in urgent["payload"]["text"]
    assert "危险" in replies[0].text
    await harness.answer("y")
    replies = await harness.answer(text="孩子从树上掉下来了，叫不醒")
    assert await harness.step() == "checkin:health"  # back where we were
    assert "小明" in replies[-1].text and replies[-1].buttons
    more = await harness.outbox("alert:%:more:%")
    assert len(more) == 2 and "叫不醒" in more[-1]["payload"]["text"]
    await harness.db.write(press_sos)  # pressed again: no second alert, but the caseworker hears
    assert await harness.alerts() == [("sos", "urgent")]
    assert len(await harness.outbox("alert:%:more:%")) == 3


async def test_no_check_in_question_interrupts_an_open_sos(harness: Harness) -> None:
    db, clock, ids = harness.db, harness.clock, harness.ids

    def setup(s: Store) -> int:
        s.people.set_checkin_time(ids["guardian"], "11:00")
        person = s.people.by_telegram_user(GRANDMA_TG)
        assert person is not None
        sos.begin_help(s, harness.ctx(), person)
        return sync_guardian(s, ids["guardian"], clock.now())
    assert await db.write(setup) == 1
    for _ in range(4):  # past 11:00 in 30-minute sweeps
        clock.advance(timedelta(minutes=30))
        await db.write(lambda s: sweep_chunk(s, clock.now()))
    assert await harness.outbox("checkin:%") == []
    assert await harness.step() == f"{sos.KIND}:danger"


async def test_the_deployments_escalation_waits_are_passed_to_the_alert(harness: Harness) -> None:
    """KINBRIDGE_ESCALATE_URGENT_MIN=5 reaches the 🆘 alert through the turn (it used to be
    patched into a module global, which leaked from one bot or test to the next)."""
    from dataclasses import replace

    from flows.core.config import Settings

    waits = Settings(token="x", escalation=(("urgent", 5), ("high", 60), ("normal", 600)))

    def press_sos(s: Store, ctx: FlowContext) -> None:
        person = s.people.by_telegram_user(GRANDMA_TG)
        assert person is not None
        sos.begin_help(s, ctx, person)
    await harness.db.write(lambda s: press_sos(
        s, replace(harness.ctx(), escalation=waits.escalation_after)))
    (alert,) = await harness.db.read(lambda s: s.alerts.all())
    assert from_iso(alert.next_escalation_at or "") == harness.clock.now() + timedelta(minutes=5)
    await harness.db.write(lambda s: s.alerts.resolve(
        alert.id, by=harness.ids["caseworker"], at=to_iso(START), outcome="handled", note=None))
    await harness.db.write(lambda s: s.dialogs.end(GRANDMA_TG))
    await harness.db.write(lambda s: press_sos(s, harness.ctx()))  # a turn without: the default
    latest = (await harness.db.read(lambda s: s.alerts.all()))[-1]
    assert latest.id != alert.id
    assert from_iso(latest.next_escalation_at or "") == harness.clock.now() + timedelta(minutes=30)


async def test_two_children_are_asked_about_in_turn(harness: Harness) -> None:
    await harness.db.write(lambda s: s.families.add_child(harness.ids["family"], name="小红",
                                                          now=to_iso(START), birth_month="2021-05"))
    await harness.start()
    for value in ("happy", "well", "went", "normal"):
        await harness.answer(value)
    replies = await harness.answer("n")
    assert "小红" in replies[0].text
    for value in ("sad", "well", "normal", "n"):  # 小红 is 5: no school question yet
        await harness.answer(value)
    rows = await harness.db.read(lambda s: s.checkins.for_family(harness.ids["family"]))
    assert [(r.mood, r.school, r.status) for r in rows] == [("happy", "went", "completed"),
                                                            ("sad", None, "completed")]


async def test_the_caseworkers_cadence_reaches_every_guardian(harness: Harness) -> None:
    from flows.guardian.checkin_plan import sync_family

    db, clock, ids = harness.db, harness.clock, harness.ids
    await db.write(lambda s: sync_guardian(s, ids["guardian"], clock.now()))

    def weekly(s: Store) -> None:
        s.families.set_cadence(ids["family"], "weekly")
        sync_family(s, ids["family"], clock.now())
    await db.write(weekly)
    (schedule,) = await db.read(lambda s: s.schedules.for_person(ids["guardian"], "checkin"))
    assert schedule.weekdays == "6"
    assert from_iso(schedule.next_run_at or "").astimezone(SHANGHAI).isoweekday() == 6


async def test_the_demo_village_grandmother_is_asked_at_seven(db: Database) -> None:
    from sandbox.village import seed_demo_village

    await db.write(lambda s: seed_demo_village(s, now=to_iso(START)))
    grandma = await db.read(lambda s: s.people.by_telegram_user(1001))
    assert grandma is not None
    (schedule,) = await db.read(lambda s: s.schedules.for_person(grandma.id, "checkin"))
    assert schedule.local_time == "19:00" and schedule.weekdays is None


@pytest.mark.parametrize(("field_answers", "stored"), [
    (["今天挺好的", "有点感冒", "今天周六", "饭吃得少", "没什么"],
     ("happy", "unwell", "holiday", "not_normal", False)),
    (["哭了一晚上", "摔了一跤", "上学去了", "吃得好睡得香", "有点担心他的成绩"],
     ("sad", "injured", "went", "normal", True)),
])
async def test_realistic_sentences_from_a_grandmother(harness: Harness, field_answers: list[str],
                                                      stored: tuple[object, ...]) -> None:
    await harness.start()
    for words in field_answers:
        await harness.answer(text=words)
    row = await harness.latest()
    assert (row.mood, row.health, row.school, row.eating_sleeping, row.worry) == stored


async def test_thanks_gets_a_warm_word_not_a_menu(harness: Harness) -> None:
    def flow(s: Store) -> list[Reply]:
        person = s.people.by_telegram_user(GRANDMA_TG)
        assert person is not None
        return handle_words(s, harness.ctx(), person, chat_id=GRANDMA_TG, message_id=5,
                            text="谢谢！")
    replies = await harness.db.write(flow)
    assert "不客气" in replies[0].text and len(replies) == 1
    assert await harness.outbox("fwd:%") == []  # not forwarded to the caseworker either
