"""Who may see which family: caseworkers their own, supervisors their caseworkers', admins all."""

from __future__ import annotations

from db.models import Person
from db.store import Store


def visible_family_ids(store: Store, person: Person) -> list[int]:
    if person.role == "admin":
        rows = store.conn.execute("SELECT id FROM families ORDER BY id").fetchall()
    elif person.role == "supervisor":
        rows = store.conn.execute(
            "SELECT f.id FROM families f LEFT JOIN people c ON c.id = f.caseworker_id "
            "WHERE f.supervisor_id = ? OR c.supervisor_id = ? ORDER BY f.id",
            (person.id, person.id)).fetchall()
    elif person.role == "caseworker":
        rows = store.conn.execute(
            "SELECT id FROM families WHERE caseworker_id = ? ORDER BY id", (person.id,)).fetchall()
    else:
        rows = store.conn.execute(
            "SELECT family_id FROM memberships WHERE person_id = ? ORDER BY family_id",
            (person.id,)).fetchall()
    return [int(r[0]) for r in rows]


def may_manage_family(store: Store, person: Person, family_id: int) -> bool:
    return person.is_staff and person.status != "opted_out" and \
        family_id in visible_family_ids(store, person)
