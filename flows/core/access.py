"""Who may see which family: caseworkers their own, supervisors their caseworkers', admins all."""

from __future__ import annotations

from db.models import Family, Person
from db.store import Store


def visible_family_ids(store: Store, person: Person) -> list[int]:
    return store.families.visible_ids(person.id, person.role)


def may_manage_family(store: Store, person: Person, family_id: int) -> bool:
    return person.is_staff and person.status != "opted_out" and \
        family_id in visible_family_ids(store, person)


def reachable_caseworker(store: Store, family_id: int) -> tuple[Family, Person] | None:
    """The family and its caseworker, when it has one who can be written to (a chat known)."""
    family = store.families.get(family_id)
    if family is None or family.caseworker_id is None:
        return None
    caseworker = store.people.get(family.caseworker_id)
    if caseworker is None or caseworker.tg_chat_id is None:
        return None
    return family, caseworker
