"""The outbox in the store: idempotent enqueue, lanes, spacing, quiet hours, crash recovery."""

from datetime import UTC, datetime, timedelta

from db.database import Database
from db.outbox import LANE_ALERT, LANE_BULK, LANE_REMINDER, LANE_REPLY, NewMessage
from flows.core.clock import to_iso
from flows.outbox.delivery import claim_due, spacing_for
from tests.support.families import add_family

DAY = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai: not quiet
NIGHT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai


def msg(key: str, chat: int, lane: int, person: int | None = None, quiet: bool = True) -> NewMessage:
    return NewMessage(dedupe_key=key, chat_id=chat, lane=lane, payload={"text": key},
                      person_id=person, respect_quiet=quiet)


async def test_enqueue_is_idempotent(db: Database) -> None:
    now = to_iso(DAY)
    first = await db.write(lambda s: s.outbox.enqueue(msg("weekly:1:2026-W48", 1, LANE_BULK), now=now))
    again = await db.write(lambda s: s.outbox.enqueue(msg("weekly:1:2026-W48", 1, LANE_BULK), now=now))
    assert (first, again) == (True, False)
    assert await db.read(lambda s: s.outbox.status_counts()) == {"pending": 1}


async def test_enqueue_and_cause_commit_together(db: Database) -> None:
    import pytest

    def work(s):  # type: ignore[no-untyped-def]
        s.outbox.enqueue(msg("k", 1, LANE_BULK), now=to_iso(DAY))
        s.people.add(role="nobody", now="x")  # violates the CHECK: the whole unit rolls back

    with pytest.raises(Exception, match="CHECK"):
        await db.write(work)
    assert await db.read(lambda s: s.outbox.status_counts()) == {}


async def test_priority_lanes_then_age(db: Database) -> None:
    now = to_iso(DAY)

    def seed(s):  # type: ignore[no-untyped-def]
        s.outbox.enqueue(msg("bulk", 11, LANE_BULK), now=now)
        s.outbox.enqueue(msg("reminder", 12, LANE_REMINDER), now=now)
        s.outbox.enqueue(msg("reply", 13, LANE_REPLY), now=now)
        s.outbox.enqueue(msg("alert", 14, LANE_ALERT), now=now)

    await db.write(seed)
    claim = await db.write(lambda s: claim_due(s, DAY, 10, {}))
    assert [i.dedupe_key for i in claim.items] == ["alert", "reply", "reminder", "bulk"]
    assert await db.read(lambda s: s.outbox.status_counts()) == {"sending": 4}


async def test_one_message_per_chat_per_second(db: Database) -> None:
    now = to_iso(DAY)
    await db.write(lambda s: [s.outbox.enqueue(msg(f"m{i}", 5, LANE_BULK), now=now) for i in range(3)])
    claim = await db.write(lambda s: claim_due(s, DAY, 10, {}))
    assert [i.dedupe_key for i in claim.items] == ["m0"] and claim.deferred == 0
    # the chat is busy for one second: nothing more now, the next one a second later
    busy = {5: DAY + timedelta(seconds=1)}
    assert (await db.write(lambda s: claim_due(s, DAY, 10, busy))).items == []
    later = DAY + timedelta(seconds=1)
    claim = await db.write(lambda s: claim_due(s, later, 10, {}))
    assert [i.dedupe_key for i in claim.items] == ["m1"]


async def test_group_chats_get_three_seconds(db: Database) -> None:
    now = to_iso(DAY)
    await db.write(lambda s: [s.outbox.enqueue(msg(f"g{i}", -100, LANE_BULK), now=now) for i in range(2)])
    await db.write(lambda s: claim_due(s, DAY, 10, {}))
    assert spacing_for(-100) == timedelta(seconds=3)
    busy = {-100: DAY + spacing_for(-100)}
    two = DAY + timedelta(seconds=2)
    assert (await db.write(lambda s: claim_due(s, two, 10, busy))).items == []
    three = DAY + timedelta(seconds=3)
    claim = await db.write(lambda s: claim_due(s, three, 10, busy))
    assert [i.dedupe_key for i in claim.items] == ["g1"]


async def test_quiet_hours_hold_bulk_but_not_urgent_alerts(db: Database) -> None:
    ids = await db.write(add_family)
    now = to_iso(NIGHT)

    def seed(s):  # type: ignore[no-untyped-def]
        s.outbox.enqueue(msg("bulk", 101, LANE_BULK, ids["guardian"]), now=now)
        s.outbox.enqueue(msg("reminder", 102, LANE_REMINDER, ids["parent"]), now=now)
        s.outbox.enqueue(msg("urgent", 201, LANE_ALERT, ids["caseworker"], quiet=False), now=now)

    await db.write(seed)
    claim = await db.write(lambda s: claim_due(s, NIGHT, 10, {}))
    assert [i.dedupe_key for i in claim.items] == ["urgent"]
    held = await db.read(lambda s: s.outbox.get("bulk"))
    assert held is not None and held["not_before"] == "2026-11-23T23:30:00.000000Z"  # 07:30 local
    morning = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    claim = await db.write(lambda s: claim_due(s, morning, 10, {}))
    assert sorted(i.dedupe_key for i in claim.items) == ["bulk", "reminder"]


async def test_each_person_has_their_own_quiet_window(db: Database) -> None:
    ids = await db.write(add_family)
    await db.write(lambda s: s.people.set_quiet_hours(ids["guardian"], "20:00", "06:00"))
    evening = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)  # 20:30 Shanghai
    now = to_iso(evening)
    await db.write(lambda s: s.outbox.enqueue(msg("g", 101, LANE_BULK, ids["guardian"]), now=now))
    await db.write(lambda s: s.outbox.enqueue(msg("p", 102, LANE_BULK, ids["parent"]), now=now))
    claim = await db.write(lambda s: claim_due(s, evening, 10, {}))
    assert [i.dedupe_key for i in claim.items] == ["p"]


async def test_quiet_hours_are_kept_in_the_persons_own_zone_far_from_shanghai(
        db: Database) -> None:
    """Parents working far away: at Shanghai's 23:00 (15:00 in London) the father in London
    gets his message; at Shanghai's noon (04:00 in London, 23:00 in New York) both wait for
    their own 07:30."""
    london = await db.write(lambda s: add_family(s, parent_tz="Europe/London"))
    new_york = await db.write(lambda s: add_family(s, guardian_tg=111, parent_tg=112,
                                                    caseworker_tg=211,
                                                    parent_tz="America/New_York"))
    await db.write(lambda s: s.outbox.enqueue(msg("london", 102, LANE_BULK, london["parent"]),
                                              now=to_iso(NIGHT)))
    claim = await db.write(lambda s: claim_due(s, NIGHT, 10, {}))
    assert [i.dedupe_key for i in claim.items] == ["london"]

    def seed(s):  # type: ignore[no-untyped-def]
        s.outbox.enqueue(msg("london noon", 102, LANE_BULK, london["parent"]), now=to_iso(DAY))
        s.outbox.enqueue(msg("new york", 112, LANE_BULK, new_york["parent"]), now=to_iso(DAY))
    await db.write(seed)
    claim = await db.write(lambda s: claim_due(s, DAY, 10, {}))
    assert claim.items == []
    held = await db.read(lambda s: (s.outbox.get("london noon"), s.outbox.get("new york")))
    assert [h["not_before"] for h in held if h] == ["2026-11-23T07:30:00.000000Z",
                                                   "2026-11-23T12:30:00.000000Z"]


async def test_paused_people_get_no_bulk(db: Database) -> None:
    ids = await db.write(add_family)
    await db.write(lambda s: s.people.set_status(ids["guardian"], "paused", "/stop"))
    await db.write(lambda s: s.outbox.enqueue(msg("b", 101, LANE_BULK, ids["guardian"]), now=to_iso(DAY)))
    claim = await db.write(lambda s: claim_due(s, DAY, 10, {}))
    assert claim.items == [] and claim.cancelled == 1


async def test_crash_recovery_flags_in_flight_rows(db: Database) -> None:
    await db.write(lambda s: [s.outbox.enqueue(msg(f"m{i}", 300 + i, LANE_BULK), now=to_iso(DAY))
                              for i in range(3)])
    claim = await db.write(lambda s: claim_due(s, DAY, 2, {}))
    assert len(claim.items) == 2
    recovered = await db.write(lambda s: s.outbox.recover_in_flight())
    assert recovered == 2
    assert await db.read(lambda s: s.outbox.in_doubt_count()) == 2
    assert await db.read(lambda s: s.outbox.status_counts()) == {"pending": 3}


async def test_delivery_recorded_once(db: Database) -> None:
    from flows.outbox.delivery import Delivered, record_deliveries

    await db.write(lambda s: s.outbox.enqueue(msg("once", 9, LANE_BULK), now=to_iso(DAY)))
    claim = await db.write(lambda s: claim_due(s, DAY, 1, {}))
    item = claim.items[0]
    d = Delivered(item.id, 77, None, None, 9, "text", "once")
    assert await db.write(lambda s: record_deliveries(s, DAY, [d])) == 1
    assert await db.write(lambda s: record_deliveries(s, DAY, [d])) == 0
    row = await db.read(lambda s: s.outbox.get("once"))
    assert row is not None and row["status"] == "delivered" and row["tg_message_id"] == 77


async def test_when_a_chats_slot_frees_its_highest_lane_goes_first(db: Database) -> None:
    """Issue 13.5: spacing used to push the alert's not_before back while older bulk rows of the
    same chat kept earlier times and took every free slot."""
    now = to_iso(DAY)
    await db.write(lambda s: [s.outbox.enqueue(msg(f"m{i}", 5, LANE_BULK), now=now) for i in range(3)])
    claim = await db.write(lambda s: claim_due(s, DAY, 10, {}))
    assert [i.dedupe_key for i in claim.items] == ["m0"]
    half = DAY + timedelta(seconds=0.5)
    await db.write(lambda s: s.outbox.enqueue(msg("sos", 5, LANE_ALERT), now=to_iso(half)))
    busy = {5: DAY + timedelta(seconds=1)}
    assert (await db.write(lambda s: claim_due(s, half, 10, busy))).items == []
    later = DAY + timedelta(seconds=1)
    claim = await db.write(lambda s: claim_due(s, later, 10, {}))
    assert [i.dedupe_key for i in claim.items] == ["sos"]
