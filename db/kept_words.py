"""A family's good news kept for the week's picture ("孩子今天挺开心的"): what a guardian tells
about the child that carries no concern is not forwarded to the caseworker; the parents' weekly
message tells it. The words stay with their author and are deleted by /forget."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class KeptWords:
    id: int
    family_id: int
    person_id: int | None
    at: str
    local_day: str
    mood: str | None  # the child's mood the words speak of (happy, neutral), if any
    text: str


class KeptWordsRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, *, family_id: int, person_id: int, at: str, local_day: str, mood: str | None,
            text: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO kept_words (family_id, person_id, at, local_day, mood, text) "
            "VALUES (?, ?, ?, ?, ?, ?)", (family_id, person_id, at, local_day, mood, text))
        return int(cur.lastrowid or 0)

    def between(self, family_id: int, first_day: str, last_day: str) -> list[KeptWords]:
        rows = self.conn.execute(
            "SELECT id, family_id, person_id, at, local_day, mood, text FROM kept_words "
            "WHERE family_id = ? AND local_day BETWEEN ? AND ? ORDER BY at, id",
            (family_id, first_day, last_day)).fetchall()
        return [KeptWords(**dict(r)) for r in rows]

    def forget_person(self, person_id: int) -> None:
        self.conn.execute("DELETE FROM kept_words WHERE person_id = ?", (person_id,))
