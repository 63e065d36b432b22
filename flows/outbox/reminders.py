"""Reminders a person asked for: rendered in their language when they fall due."""

from __future__ import annotations

from datetime import datetime

from db.outbox import LANE_REMINDER, NewMessage
from db.schedules import Schedule
from db.store import Store
from flows.core.clock import to_iso
from flows.core.i18n import translator


def reminder_messages(store: Store, schedule: Schedule, occurrence: datetime) -> list[NewMessage]:
    person = store.people.get(schedule.person_id)
    if person is None or person.tg_chat_id is None:
        return []
    _ = translator(person.locale)
    note = str(schedule.payload.get("note") or "")
    text = _("⏰ Reminder: %(note)s", note=note) if note else _("⏰ A reminder you asked for.")
    return [NewMessage(
        dedupe_key=f"reminder:{schedule.id}:{to_iso(occurrence)}", chat_id=person.tg_chat_id,
        lane=LANE_REMINDER, payload={"text": text}, person_id=person.id,
    )]
