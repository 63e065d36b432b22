"""One recurring schedule per (person, kind, family), kept equal to what is wanted: the rows
that still match stay (their next run untouched), the others are deactivated, missing ones are
added at the next occurrence in the person's own zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from db.models import Person
from db.store import Store
from flows.core.clock import to_iso
from flows.core.timeplan import next_occurrence, zone_named


def zone_of(person: Person) -> ZoneInfo:
    return zone_named(person.tz)


def keep_in_step(store: Store, person: Person | None, person_id: int, kind: str,
                 wanted: dict[int | None, tuple[str | None, str]], now: datetime) -> int:
    """``wanted`` maps a family (or None) to (ISO weekday digits or None, local "HH:MM").
    Returns how many schedules of the kind are active afterwards."""
    missing = dict(wanted) if person is not None else {}
    kept = 0
    for schedule in store.schedules.for_person(person_id, kind):
        want = missing.get(schedule.ref_id)
        if person is not None and want is not None and (schedule.weekdays, schedule.local_time) \
                == want and schedule.payload.get("tz") == person.tz:
            missing.pop(schedule.ref_id)
            kept += 1
        else:
            store.schedules.deactivate(schedule.id)
    if person is None:
        return 0
    for ref_id, (weekdays, local_time) in sorted(missing.items(), key=lambda kv: kv[0] or 0):
        first = next_occurrence(now, zone_of(person), local_time, weekdays)
        store.schedules.add(person_id=person_id, kind=kind, ref_id=ref_id, weekdays=weekdays,
                            local_time=local_time, next_run_at=to_iso(first), now=to_iso(now),
                            payload={"tz": person.tz})
        kept += 1
    return kept
