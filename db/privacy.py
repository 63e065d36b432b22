"""/forget in SQL: every place a person's data can sit, scrubbed in the caller's transaction.

Besides the person's own rows, their words live on in what was passed on for them: messages
forwarded to a caseworker, alerts they reported or are about, and every copy of those (follow-ups,
escalations, re-routed copies) carry the ``source_person_id`` tag on the outbox row (older rows:
in the payload), and the delivered copies are in the interaction log under the caseworker.
Staff's own notes that name them are redacted by ``redact_mentions``."""

from __future__ import annotations

import sqlite3


class PrivacyRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def scrub_person(self, person_id: int, chat_ids: tuple[int | None, ...]) -> None:
        conn = self.conn
        chats = tuple(c for c in chat_ids if c is not None) or (0,)
        marks = ", ".join("?" for _ in chats)
        conn.execute(
            "UPDATE interactions SET summary = NULL, tg_chat_id = NULL, tg_message_id = NULL, "
            f"tg_update_id = NULL WHERE person_id = ? OR tg_chat_id IN ({marks})",
            (person_id, *chats))
        # delivered copies of their words in other people's chats
        conn.execute(
            "UPDATE interactions SET summary = NULL WHERE EXISTS (SELECT 1 FROM outbox o WHERE "
            "(o.source_person_id = ? OR json_extract(o.payload, '$.source_person_id') = ?) "
            "AND o.tg_message_id IS NOT NULL AND o.chat_id = interactions.tg_chat_id "
            "AND o.tg_message_id = interactions.tg_message_id)", (person_id, person_id))
        conn.execute(
            "UPDATE outbox SET status = CASE WHEN status IN ('pending', 'sending') THEN "
            "'cancelled' ELSE status END, payload = '{}', last_error = NULL WHERE "
            "source_person_id = ? OR json_extract(payload, '$.source_person_id') = ?",
            (person_id, person_id))
        conn.execute(
            "UPDATE outbox SET status = CASE WHEN status IN ('pending', 'sending') THEN "
            "'cancelled' ELSE status END, payload = '{}', chat_id = 0, last_error = NULL "
            f"WHERE person_id = ? OR chat_id IN ({marks})", (person_id, *chats))
        conn.execute("UPDATE alerts SET evidence = NULL WHERE person_id = ? OR id IN (SELECT "
                     "alert_id FROM alert_events WHERE actor_id = ? AND event = 'reported_by')",
                     (person_id, person_id))
        conn.execute("UPDATE alert_events SET detail = NULL WHERE actor_id = ?", (person_id,))
        conn.execute("UPDATE checkins SET notes = NULL WHERE guardian_id = ?", (person_id,))
        conn.execute("DELETE FROM kept_words WHERE person_id = ?", (person_id,))  # branch families
        conn.execute("UPDATE invites SET invitee_name = NULL WHERE used_by = ?", (person_id,))
        conn.execute("DELETE FROM schedules WHERE person_id = ?", (person_id,))
        # what they sent, as received from Telegram (handled updates only; pending ones still
        # need handling and are pruned a week after)
        conn.execute(
            f"DELETE FROM inbox WHERE done_at IS NOT NULL AND (json_extract(raw, '$.message.from.id') "
            f"IN ({marks}) OR json_extract(raw, '$.callback_query.from.id') IN ({marks}) OR "
            f"json_extract(raw, '$.edited_message.from.id') IN ({marks}))", (*chats, *chats, *chats))

    def words_of(self, person_id: int) -> list[str]:
        """What the person wrote, wherever it is kept (read before scrubbing, to find the phone
        numbers they gave)."""
        rows = self.conn.execute(
            "SELECT summary FROM interactions WHERE person_id = ? AND direction = 'in' AND "
            "summary IS NOT NULL UNION ALL SELECT a.evidence FROM alerts a JOIN alert_events e "
            "ON e.alert_id = a.id WHERE e.actor_id = ? AND e.event = 'reported_by' AND "
            "a.evidence IS NOT NULL UNION ALL SELECT detail FROM alert_events WHERE actor_id = ? "
            "AND detail IS NOT NULL UNION ALL SELECT notes FROM checkins WHERE guardian_id = ? "
            "AND notes IS NOT NULL", (person_id, person_id, person_id, person_id)).fetchall()
        return [str(r[0]) for r in rows]

    def redact_mentions(self, family_ids: list[int], needles: list[str]) -> int:
        """Staff's notes on these families (case notes, resolution notes) that name the person
        (or give their phone number or Telegram id) are emptied: the row, author and time stay."""
        wanted = [n for n in needles if n]
        if not family_ids or not wanted:
            return 0
        marks = ", ".join("?" for _ in family_ids)
        hits = " OR ".join("instr({col}, ?) > 0" for _ in wanted)
        changed = self.conn.execute(
            f"UPDATE case_notes SET text = '' WHERE family_id IN ({marks}) AND "
            f"({hits.format(col='text')})", (*family_ids, *wanted)).rowcount
        changed += self.conn.execute(
            f"UPDATE alerts SET resolution_note = NULL WHERE family_id IN ({marks}) AND "
            f"resolution_note IS NOT NULL AND ({hits.format(col='resolution_note')})",
            (*family_ids, *wanted)).rowcount
        return changed
