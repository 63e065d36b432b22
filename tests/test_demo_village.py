"""The demo village on a real SQLite file: six families with their stories, the village living
through a clock jump without inventing neglect, and the clock's named jumps landing on each
person's own schedule (in their own zone)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from db.database import Database
from flows.guardian.checkin_plan import watch_silence
from flows.parent.calls import watch_calls
from sandbox.demo import named_jumps
from sandbox.village import live_through, seed_full_village

SHANGHAI = ZoneInfo("Asia/Shanghai")
# a Wednesday morning in the village
START = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)


async def seeded(db: Database, at: datetime = START) -> dict[str, int]:
    return await db.write(lambda s: seed_full_village(s, now=at))


async def watch(db: Database, at: datetime) -> None:
    await db.write(lambda s: watch_silence(s, at, "Asia/Shanghai") + watch_calls(s, at))


async def open_alerts(db: Database) -> set[tuple[str, int | None]]:
    return await db.read(lambda s: {(a.rule, a.family_id) for a in s.alerts.all()
                                    if a.status != "resolved"})


async def test_six_families_each_with_its_story(db: Database) -> None:
    families = await seeded(db)
    assert len(families) == 6 == await db.read(lambda s: s.families.count())
    await watch(db, START)
    assert await open_alerts(db) == {
        ("sad_streak", families["sad"]), ("keyword_violence_abuse", families["urgent"]),
        ("silence", families["silent"]), ("no_call", families["nocall"])}
    alerts = await db.read(lambda s: {a.rule: a for a in s.alerts.all()})
    assert alerts["sad_streak"].status == "acknowledged"
    assert (alerts["keyword_violence_abuse"].status, alerts["keyword_violence_abuse"].severity) \
        == ("open", "urgent")
    for key, family_id in families.items():  # two weeks of history for everyone
        days = await db.read(lambda s, f=family_id: s.checkins.for_family(f))
        assert len(days) >= 14 - (1 if key == "silent" else 0), key
    sad = await db.read(lambda s: s.checkins.for_family(families["sad"]))
    assert [c.mood for c in sad[-3:]] == ["sad", "sad", "sad"]
    silent = await db.read(lambda s: s.checkins.for_family(families["silent"]))
    assert {c.status for c in silent[-7:]} == {"missed"}


async def test_seeding_twice_keeps_one_persona_family(db: Database) -> None:
    from sandbox.village import seed_demo_village

    families = await seeded(db)
    again = await db.write(lambda s: seed_demo_village(s, now="2026-12-02T01:00:00.000000Z"))
    assert again == families["persona"]


async def test_a_week_jump_lets_the_village_live_and_invents_no_neglect(db: Database) -> None:
    """Before the village lived through jumps, a week's jump left every family unanswered and
    the silence watch raised "no check-in for 8 days" for all of them."""
    families = await seeded(db)
    await watch(db, START)
    before = await open_alerts(db)
    end = START + timedelta(days=7)
    recorded = await db.write(lambda s: live_through(s, START, end))
    assert recorded == 4 * 7 + 7  # four living families every evening, 奶奶's calm evenings
    await watch(db, end)
    assert await open_alerts(db) == before  # nothing new: no silence, no missing calls
    for key in ("well", "sad", "nocall", "urgent", "persona"):
        days = await db.read(lambda s, k=key: s.checkins.for_family(families[k]))
        week = [c for c in days if c.local_day >= START.date().isoformat()]
        assert len(week) == 7 and {c.status for c in week} == {"completed"}, key
    silent = await db.read(lambda s: s.checkins.for_family(families["silent"]))
    assert all(c.local_day < START.date().isoformat() for c in silent)  # still silent


async def test_the_persona_evening_the_bot_still_asks_is_left_to_the_player(db: Database) -> None:
    families = await seeded(db)
    end = START.replace(hour=19, minute=0, second=5)  # "next check-in" lands here
    await db.write(lambda s: live_through(s, START, end))
    persona = await db.read(lambda s: s.checkins.for_family(families["persona"]))
    assert START.date().isoformat() not in {c.local_day for c in persona}
    well = await db.read(lambda s: s.checkins.for_family(families["well"]))
    assert well[-1].local_day == START.date().isoformat()  # the neighbours answered theirs


async def test_named_jumps_land_on_each_persons_own_schedule(db: Database) -> None:
    await seeded(db)

    at_1859 = await db.read(lambda s: named_jumps(s, START.replace(hour=18, minute=59)))
    at_1959 = await db.read(lambda s: named_jumps(s, START.replace(hour=19, minute=59)))
    landing = {j["id"]: datetime.fromisoformat(j["target"]).astimezone(ZoneInfo(j["zone"]))
               for j in at_1859}
    assert landing["checkin"] == START.replace(hour=19, minute=0)  # this evening, 19:00
    later = {j["id"]: datetime.fromisoformat(j["target"]) for j in at_1959}
    assert later["checkin"] == START.replace(hour=19) + timedelta(days=1)  # 19:59: tomorrow
    assert (landing["weekly-father"].isoweekday(), f"{landing['weekly-father']:%H:%M}") == (7, "20:00")
    mother = landing["weekly-mother"]
    assert (str(mother.tzinfo), mother.isoweekday(), f"{mother:%H:%M}") == ("Asia/Dubai", 7, "20:00")
    assert mother.astimezone(SHANGHAI) > landing["weekly-father"]  # Dubai is four hours behind
    digest = landing["digest"]
    assert (digest.isoweekday(), f"{digest:%H:%M}") == (1, "08:00")
