"""Guardians' own words (free text, voice notes) passed on to the family's caseworker with the
family's context, through the outbox: the caseworker can read or listen; nothing is transcribed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from db.models import Person
from db.outbox import LANE_REPLY, NewMessage
from db.store import Store
from flows.core.clock import to_iso
from flows.core.i18n import translator
from flows.core.labels import relation_label
from flows.guardian.risk_titles import TOPIC_LABELS
from flows.staff.alerts import alert_recipient

MAX_QUOTE = 3500


def _context_line(store: Store, person: Person, family_id: int | None, locale: str,
                  about: str | None, topics: Sequence[str] = ()) -> str:
    _ = translator(locale)
    relation = None
    if family_id is not None:
        relation = next((m.relation for m in store.families.members(family_id)
                         if m.person_id == person.id), None)
    family = store.families.get(family_id) if family_id is not None else None
    who = _("%(name)s (%(relation)s)", name=person.display_name or "?",
            relation=relation_label(_, relation))
    where = _("family #%(id)s, %(village)s", id=family.id, village=family.village) if family else ""
    line = _("From %(who)s, %(where)s", who=who, where=where) if where else who
    if about:
        line += "\n" + _("About: %(topic)s", topic=_(about))
    if topics:  # branch risk: normal-level topics the risk engine heard in the words
        separator = "、" if locale.startswith("zh") else ", "
        line += "\n" + _("Topics: %(topics)s", topics=separator.join(
            _(TOPIC_LABELS[t]) for t in topics if t in TOPIC_LABELS))
    return line


def forward_words(store: Store, *, now: datetime, person: Person, family_id: int | None,
                  chat_id: int, message_id: int, text: str | None, voice: bool,
                  about: str | None = None, photo: bool = False,
                  topics: Sequence[str] = ()) -> bool:
    """Queue the guardian's message for the caseworker; False if nobody can receive it.

    ``about`` is an untranslated msgid saying what the words answer (e.g. a check-in question).
    """
    recipient = store.people.get(alert_recipient(store, family_id) or 0)
    if recipient is None or recipient.tg_chat_id is None:
        return False
    _ = translator(recipient.locale)
    context = _context_line(store, person, family_id, recipient.locale, about, topics)
    if voice or photo:
        label = "📷 " + _("Photo") if photo else "🎙 " + _("Voice note")
        message = NewMessage(
            dedupe_key=f"fwd:{person.id}:{message_id}", chat_id=recipient.tg_chat_id, lane=LANE_REPLY,
            kind="copy", person_id=recipient.id,
            payload={"from_chat_id": chat_id, "message_id": message_id, "family_id": family_id,
                     "source_person_id": person.id,
                     "caption": (label + "\n" + context)[:1000]})
    else:
        quote = (text or "")[:MAX_QUOTE]
        message = NewMessage(
            dedupe_key=f"fwd:{person.id}:{message_id}", chat_id=recipient.tg_chat_id, lane=LANE_REPLY,
            person_id=recipient.id,
            payload={"text": "💬 " + context + "\n“" + quote + "”", "family_id": family_id,
                     "source_person_id": person.id})
    store.outbox.enqueue(message, now=to_iso(now))
    return True
