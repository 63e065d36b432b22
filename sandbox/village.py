"""The seeded demo village: the people a newcomer meets in the sandbox."""

from __future__ import annotations

from dataclasses import dataclass

from db.store import Store
from flows.clock import from_iso
from flows.person_plans import sync_person


@dataclass(frozen=True)
class DemoPerson:
    tg_user_id: int
    name: str
    role: str
    relation: str | None
    tz: str
    description: str


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(1001, "奶奶", "guardian", "grandmother", "Asia/Shanghai",
               "grandmother caring for 小明 in 青山村"),
    DemoPerson(1002, "爸爸", "parent", "father", "Asia/Shanghai",
               "father working in a Shenzhen factory"),
    DemoPerson(1003, "妈妈", "parent", "mother", "Asia/Dubai",
               "mother working abroad in Dubai (another time zone)"),
    DemoPerson(2001, "李主任", "caseworker", None, "Asia/Shanghai",
               "village children's director (儿童主任) of 青山村"),
    DemoPerson(2002, "王督导", "supervisor", None, "Asia/Shanghai",
               "township supervisor (儿童督导员)"),
    DemoPerson(9001, "管理员", "admin", None, "Asia/Shanghai", "KinBridge administrator"),
)


def seed_demo_village(store: Store, *, now: str) -> int:
    """Create the demo people and one family; returns the family id. Idempotent."""
    ids: dict[int, int] = {}
    for p in DEMO_PEOPLE:
        existing = store.people.by_telegram_user(p.tg_user_id)
        ids[p.tg_user_id] = existing.id if existing else store.people.add(
            role=p.role, now=now, display_name=p.name, tg_user_id=p.tg_user_id,
            tg_chat_id=p.tg_user_id, tz=p.tz, consent_at=now,
        )
    family = store.families.first_family_of(ids[1001])
    if family is not None:
        return family
    store.people.set_supervisor(ids[2001], ids[2002])
    family_id = store.families.add(village="青山村", now=now, caseworker_id=ids[2001],
                                   supervisor_id=ids[2002], consent_confirmed_at=now)
    store.families.add_child(family_id, name="小明", now=now, birth_month="2016-03",
                             school="青山小学", grade="三年级")
    for p in DEMO_PEOPLE:
        if p.relation:
            store.families.add_member(family_id, ids[p.tg_user_id], p.relation, now=now)
        if p.role == "guardian":
            store.people.set_checkin_time(ids[p.tg_user_id], "19:00")
        if p.role == "parent":
            store.people.set_weekly(ids[p.tg_user_id], 7, "20:00")
        sync_person(store, ids[p.tg_user_id], from_iso(now))
    return family_id
