"""Keep a person's recurring schedules in step with their families, times and time zone: the
check-ins for guardians, the weekly message for parents, the digest for caseworkers and
supervisors. Call after any change to those."""

from __future__ import annotations

from datetime import datetime

from db.store import Store
from flows.guardian.checkin_plan import sync_guardian
from flows.parent.weekly import sync_parent
from flows.staff.digest import sync_staff


def sync_person(store: Store, person_id: int, now: datetime) -> None:
    sync_guardian(store, person_id, now)
    sync_parent(store, person_id, now)
    sync_staff(store, person_id, now)
