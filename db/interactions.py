"""The interaction log: every inbound and outbound message, callback, command and voice note."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

SUMMARY_MAX = 200


@dataclass(frozen=True)
class Interaction:
    at: str
    person_id: int | None
    family_id: int | None
    direction: str
    kind: str
    summary: str | None = None
    tg_chat_id: int | None = None
    tg_message_id: int | None = None
    tg_update_id: int | None = None


def shorten(text: str | None, limit: int = SUMMARY_MAX) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class InteractionsRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, item: Interaction) -> None:
        self.add_many([item])

    def add_many(self, items: list[Interaction]) -> None:
        self.conn.executemany(
            "INSERT INTO interactions (at, person_id, family_id, direction, kind, summary, "
            "tg_chat_id, tg_message_id, tg_update_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (i.at, i.person_id, i.family_id, i.direction, i.kind, shorten(i.summary),
                 i.tg_chat_id, i.tg_message_id, i.tg_update_id)
                for i in items
            ],
        )

    def for_chat(self, tg_chat_id: int) -> list[Interaction]:
        rows = self.conn.execute(
            "SELECT at, person_id, family_id, direction, kind, summary, tg_chat_id, tg_message_id,"
            " tg_update_id FROM interactions WHERE tg_chat_id = ? ORDER BY id",
            (tg_chat_id,),
        ).fetchall()
        return [Interaction(**dict(r)) for r in rows]

    def for_person(self, person_id: int) -> list[Interaction]:
        rows = self.conn.execute(
            "SELECT at, person_id, family_id, direction, kind, summary, tg_chat_id, tg_message_id,"
            " tg_update_id FROM interactions WHERE person_id = ? ORDER BY id",
            (person_id,),
        ).fetchall()
        return [Interaction(**dict(r)) for r in rows]

    def for_family(self, family_id: int, since: str = "", until: str = "9999") -> list[Interaction]:
        rows = self.conn.execute(
            "SELECT at, person_id, family_id, direction, kind, summary, tg_chat_id, tg_message_id,"
            " tg_update_id FROM interactions WHERE family_id = ? AND at >= ? AND at < ? ORDER BY id",
            (family_id, since, until),
        ).fetchall()
        return [Interaction(**dict(r)) for r in rows]

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0])
