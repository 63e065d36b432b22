"""A seeded database for the black-box runs, built the way the suite's subprocess tests build
theirs (real rows through the repositories and flows, then the bot process is started on it).

Every person has a private chat with the stand-in; quiet hours are off so the checks do not
depend on the hour the suite runs at; every family's village is unique, so an alert's text
(which names the village) can be told apart by content alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from db.database import Database
from db.store import Store
from flows.core.clock import SystemClock, to_iso
from flows.staff.alerts import raise_alert
from tests.blackbox.standin import StandIn


@dataclass
class Family:
    index: int
    family_id: int
    village: str
    guardian_tg: int
    parent_tg: int
    caseworker_tg: int
    guardian_id: int
    caseworker_id: int


@dataclass
class Village:
    base: int
    supervisor_tg: int
    supervisor_id: int
    families: list[Family] = field(default_factory=list)

    @property
    def guardians(self) -> list[int]:
        return [f.guardian_tg for f in self.families]

    @property
    def caseworkers(self) -> list[int]:
        return [f.caseworker_tg for f in self.families]


def build_village(store: Store, now: datetime, *, base: int, families: int) -> Village:
    """``families`` families, each with a grandmother, a father and its own 儿童主任; one 督导员
    supervises every caseworker."""
    at = to_iso(now)
    supervisor_tg = base + 999
    supervisor = store.people.add(role="supervisor", now=at, display_name="王督导",
                                  tg_user_id=supervisor_tg, tg_chat_id=supervisor_tg)
    store.people.set_quiet_hours(supervisor, "00:00", "00:00")
    village = Village(base=base, supervisor_tg=supervisor_tg, supervisor_id=supervisor)
    for i in range(families):
        tg = base + 10 * i
        caseworker = store.people.add(role="caseworker", now=at, display_name=f"李主任{i}",
                                      tg_user_id=tg + 3, tg_chat_id=tg + 3)
        store.people.set_supervisor(caseworker, supervisor)
        grandma = store.people.add(role="guardian", now=at, display_name=f"奶奶{i}",
                                   tg_user_id=tg + 1, tg_chat_id=tg + 1, consent_at=at)
        father = store.people.add(role="parent", now=at, display_name=f"爸爸{i}",
                                  tg_user_id=tg + 2, tg_chat_id=tg + 2, consent_at=at)
        for person in (caseworker, grandma, father):
            store.people.set_quiet_hours(person, "00:00", "00:00")
        name = f"黑盒{base}村{i}"
        family = store.families.add(village=name, now=at, caseworker_id=caseworker,
                                    consent_confirmed_at=at)
        store.families.add_child(family, name=f"小明{i}", now=at, birth_month="2016-03")
        store.families.add_member(family, grandma, "grandmother", now=at)
        store.families.add_member(family, father, "father", now=at)
        village.families.append(Family(i, family, name, tg + 1, tg + 2, tg + 3, grandma,
                                       caseworker))
    return village


def checkin_due(store: Store, family: Family, when: datetime) -> int:
    """The grandmother's daily check-in schedule, next due at ``when``."""
    return store.schedules.add(person_id=family.guardian_id, kind="checkin",
                               ref_id=family.family_id, local_time="19:00",
                               next_run_at=to_iso(when), now=to_iso(when))


def urgent_alert(store: Store, family: Family, raised_at: datetime) -> int:
    alert = raise_alert(store, now=raised_at, family_id=family.family_id, person_id=None,
                        rule="sos", severity="urgent", evidence=None)
    assert alert is not None
    return alert


def spend_attempts(store: Store, dedupe_key: str, attempts: int, error: str,
                   parked_until: datetime) -> None:
    """Leave an outbox row as a sender leaves it after ``attempts`` network failures, parked
    (not due) until ``parked_until``: the test makes it due when it wants it tried."""
    row = store.outbox.get(dedupe_key)
    assert row is not None, dedupe_key
    for _ in range(attempts):
        store.outbox.mark_sending([int(row["id"])])
        store.outbox.retry_later(int(row["id"]), error=error, not_before=to_iso(parked_until))


async def seed(db_path: Path, build: object) -> object:
    """Open (creating and migrating) the database, run ``build(store, now)`` in one write."""
    db = await Database.open(db_path)
    try:
        now = SystemClock().now()
        return await db.write(lambda s: build(s, now))  # type: ignore[operator]
    finally:
        await db.close()


def introduce(standin: StandIn, village: Village) -> None:
    """Everyone has opened their chat with the bot (Telegram lets a bot write only to them)."""
    standin.user(village.supervisor_tg, "王督导")
    for f in village.families:
        standin.user(f.guardian_tg, f"奶奶{f.index}")
        standin.user(f.parent_tg, f"爸爸{f.index}")
        standin.user(f.caseworker_tg, f"李主任{f.index}")


FAR_FUTURE = timedelta(days=365)
