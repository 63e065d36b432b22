"""/forget in SQL: every place a person's data can sit, scrubbed in the caller's transaction.

Besides the person's own rows, their words live on in what was passed on for them: messages
forwarded to a caseworker and alerts they reported carry ``source_person_id`` in the outbox
payload, and the delivered copies are in the interaction log under the caseworker."""

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
            "json_extract(o.payload, '$.source_person_id') = ? AND o.tg_message_id IS NOT NULL "
            "AND o.chat_id = interactions.tg_chat_id AND o.tg_message_id = interactions.tg_message_id)",
            (person_id,))
        conn.execute(
            "UPDATE outbox SET status = CASE WHEN status IN ('pending', 'sending') THEN "
            "'cancelled' ELSE status END, payload = '{}', last_error = NULL WHERE "
            "json_extract(payload, '$.source_person_id') = ?", (person_id,))
        conn.execute(
            "UPDATE outbox SET status = CASE WHEN status IN ('pending', 'sending') THEN "
            "'cancelled' ELSE status END, payload = '{}', chat_id = 0, last_error = NULL "
            f"WHERE person_id = ? OR chat_id IN ({marks})", (person_id, *chats))
        conn.execute("UPDATE alerts SET evidence = NULL WHERE person_id = ? OR id IN (SELECT "
                     "alert_id FROM alert_events WHERE actor_id = ? AND event = 'reported_by')",
                     (person_id, person_id))
        conn.execute("UPDATE alert_events SET detail = NULL WHERE actor_id = ?", (person_id,))
        conn.execute("UPDATE checkins SET notes = NULL WHERE guardian_id = ?", (person_id,))
        conn.execute("UPDATE invites SET invitee_name = NULL WHERE used_by = ?", (person_id,))
        conn.execute("DELETE FROM schedules WHERE person_id = ?", (person_id,))
        # what they sent, as received from Telegram (handled updates only; pending ones still
        # need handling and are pruned a week after)
        conn.execute(
            f"DELETE FROM inbox WHERE done_at IS NOT NULL AND (json_extract(raw, '$.message.from.id') "
            f"IN ({marks}) OR json_extract(raw, '$.callback_query.from.id') IN ({marks}) OR "
            f"json_extract(raw, '$.edited_message.from.id') IN ({marks}))", (*chats, *chats, *chats))
