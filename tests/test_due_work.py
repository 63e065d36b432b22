"""Schedules as rows: a fast-forwarded week produces each item once, at the person's local hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from db.database import Database
from flows.core.clock import ManualClock, from_iso, to_iso
from flows.core.timeplan import next_occurrence
from flows.outbox.due_work import SEND_EXPIRY, sweep_chunk
from tests.support.families import add_family

START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai


async def add_weekly_reminder(db: Database, person_id: int, tz: str, clock: ManualClock,
                              family_id: int) -> int:
    """A parent's weekly call reminder (Sunday 20:00 in their own zone)."""
    first = next_occurrence(clock.now(), ZoneInfo(tz), "20:00", "7")
    return await db.write(lambda s: s.schedules.add(
        person_id=person_id, kind="call_reminder", ref_id=family_id, weekdays="7",
        local_time="20:00", next_run_at=to_iso(first), now=to_iso(clock.now())))


async def test_a_fast_forwarded_week_produces_each_weekly_item_once(db: Database) -> None:
    clock = ManualClock(START)
    ids = await db.write(lambda s: add_family(s, parent_tz="Asia/Shanghai"))
    far = await db.write(lambda s: s.people.add(role="parent", now="x", display_name="妈妈",
                                                 tg_user_id=103, tg_chat_id=103, tz="Europe/London"))
    await add_weekly_reminder(db, ids["parent"], "Asia/Shanghai", clock, ids["family"])
    await add_weekly_reminder(db, far, "Europe/London", clock, ids["family"])

    for _ in range(2 * 24 * 15):  # 15 days in 30-minute sweeps
        clock.advance(timedelta(minutes=30))
        await db.write(lambda s: sweep_chunk(s, clock.now()))
        await db.write(lambda s: sweep_chunk(s, clock.now()))  # a repeated sweep adds nothing

    rows = await db.read(lambda s: s.conn.execute(
        "SELECT person_id, not_before, payload FROM outbox ORDER BY person_id, not_before").fetchall())
    by_person: dict[int, list[datetime]] = {}
    for row in rows:
        by_person.setdefault(row["person_id"], []).append(from_iso(row["not_before"]))
    assert len(by_person[ids["parent"]]) == 2 and len(by_person[far]) == 2  # two Sundays
    for moment in by_person[ids["parent"]]:
        local = moment.astimezone(ZoneInfo("Asia/Shanghai"))
        assert (local.isoweekday(), local.hour) == (7, 20)
    for moment in by_person[far]:
        local = moment.astimezone(ZoneInfo("Europe/London"))
        # enqueued by the first sweep at or after 20:00 London time, at most 30 minutes late
        assert local.isoweekday() == 7 and local.hour == 20
    assert "小明" in rows[0]["payload"]


async def test_a_long_outage_skips_stale_occurrences_but_keeps_the_schedule(db: Database) -> None:
    clock = ManualClock(START)
    ids = await db.write(add_family)
    schedule_id = await add_weekly_reminder(db, ids["parent"], "Asia/Shanghai", clock,
                                            ids["family"])
    clock.advance(timedelta(days=8))  # the process was down over Sunday evening
    result = await db.write(lambda s: sweep_chunk(s, clock.now()))
    assert (result.schedules, result.enqueued, result.skipped_stale) == (1, 0, 1)
    (schedule,) = await db.read(lambda s: s.schedules.for_person(ids["parent"], "call_reminder"))
    assert schedule.id == schedule_id and schedule.next_run_at is not None
    assert from_iso(schedule.next_run_at) > clock.now()


async def test_a_late_sweep_catches_up(db: Database) -> None:
    clock = ManualClock(START)
    ids = await db.write(add_family)
    await add_weekly_reminder(db, ids["parent"], "Asia/Shanghai", clock, ids["family"])
    clock.set(datetime(2026, 11, 29, 13, 0, tzinfo=UTC))  # Sunday 21:00: an hour late
    result = await db.write(lambda s: sweep_chunk(s, clock.now()))
    assert result.enqueued == 1


async def test_one_off_schedule_ends(db: Database) -> None:
    clock = ManualClock(START)
    ids = await db.write(add_family)
    await db.write(lambda s: s.schedules.add(
        person_id=ids["parent"], kind="call_reminder", ref_id=ids["family"],
        once_at=to_iso(START + timedelta(hours=1)),
        next_run_at=to_iso(START + timedelta(hours=1)), now=to_iso(START)))
    clock.advance(timedelta(hours=2))
    assert (await db.write(lambda s: sweep_chunk(s, clock.now()))).enqueued == 1
    clock.advance(timedelta(days=7))
    assert (await db.write(lambda s: sweep_chunk(s, clock.now()))).schedules == 0


async def test_each_produced_message_carries_the_moment_it_becomes_pointless(db: Database) -> None:
    """Issue 13.1/13.14: a check-in question reaching the guardian hours late is pointless; the
    sender drops such a row at send time (quietly, counted), so the sweep stamps each message
    with its kind's expiry counted from the occurrence, not from when it was enqueued."""
    from flows.core.person_plans import sync_person

    clock = ManualClock(START)
    ids = await db.write(add_family)
    await db.write(lambda s: s.people.set_checkin_time(ids["guardian"], "19:00"))
    await db.write(lambda s: sync_person(s, ids["guardian"], clock.now()))
    clock.set(datetime(2026, 11, 23, 11, 20, tzinfo=UTC))  # 19:20 Shanghai: 20 minutes late
    assert (await db.write(lambda s: sweep_chunk(s, clock.now()))).enqueued == 1
    rows = await db.read(lambda s: s.conn.execute(
        "SELECT dedupe_key, expires_at FROM outbox").fetchall())
    assert [r[0].split(":")[0] for r in rows] == ["checkin"]
    occurrence = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    assert rows[0][1] == to_iso(occurrence + SEND_EXPIRY["checkin"])
    # issue 13.14: the question follows the check-in's own window and still leaves an hour to
    # answer before the polite close (it is answerable 90 minutes late on a busy evening)
    from flows.guardian.checkin import OPEN_FOR
    assert timedelta(minutes=90) < SEND_EXPIRY["checkin"] <= OPEN_FOR - timedelta(hours=1)
