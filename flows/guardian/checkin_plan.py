"""When guardians are asked: one "checkin" schedule row per guardian and family, at the
guardian's chosen local time on the family's cadence, kept in step with every change (joining,
settings, the caseworker's cadence, time zone). And the silence watch over all families."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from db.store import Store
from flows.core.recurring import keep_in_step
from flows.core.timeplan import zone_named
from flows.staff.alerts import Waits, raise_alert

# ISO weekday digits per cadence (weekly on Saturday: the parents' weekly message is on Sunday)
CADENCE_WEEKDAYS = {"daily": None, "thrice_weekly": "135", "weekly": "6"}
DEFAULT_CHECKIN_TIME = "19:00"
SILENCE_DAYS = 7


def sync_guardian(store: Store, person_id: int, now: datetime) -> int:
    """Make the guardian's check-in schedules match their families, time and zone; returns the
    number of active check-in schedules."""
    person = store.people.get(person_id)
    if person is None or person.role != "guardian":
        return keep_in_step(store, None, person_id, "checkin", {}, now)
    local_time = person.checkin_time or DEFAULT_CHECKIN_TIME
    wanted: dict[int | None, tuple[str | None, str]] = {}
    for membership in store.families.memberships_of(person_id):
        family = store.families.get(membership.family_id)
        if family is not None:
            wanted[family.id] = (CADENCE_WEEKDAYS.get(family.cadence), local_time)
    return keep_in_step(store, person, person_id, "checkin", wanted, now)


def sync_family(store: Store, family_id: int, now: datetime) -> None:
    """After the caseworker changes the cadence: every guardian of the family follows."""
    for membership in store.families.members(family_id):
        sync_guardian(store, membership.person_id, now)


def watch_silence(store: Store, now: datetime, zone_name: str, waits: Waits = None) -> int:
    """A high alert for each family not heard from in SILENCE_DAYS (one while it stays open)."""
    today = now.astimezone(zone_named(zone_name)).date()
    cutoff = (today - timedelta(days=SILENCE_DAYS - 1)).isoformat()
    raised = 0
    already = store.alerts.open_family_ids("silence")
    for family_id, reference in store.checkins.silent_families(before_day=cutoff):
        if family_id in already:
            continue
        gap = (today - date.fromisoformat(reference)).days
        if raise_alert(store, now=now, family_id=family_id, person_id=None, rule="silence",
                       severity="high", evidence=None, count=gap, waits=waits) is not None:
            raised += 1
    return raised
