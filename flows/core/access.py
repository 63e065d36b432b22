"""Who may see which family: caseworkers their own, supervisors their caseworkers', admins all."""

from __future__ import annotations

from db.models import Person
from db.store import Store


def visible_family_ids(store: Store, person: Person) -> list[int]:
    return store.families.visible_ids(person.id, person.role)


def may_manage_family(store: Store, person: Person, family_id: int) -> bool:
    return person.is_staff and person.status != "opted_out" and \
        family_id in visible_family_ids(store, person)
