"""Caseworkers' notes on a family (/note)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    id: int
    family_id: int
    author_id: int | None
    at: str
    text: str


class NotesRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, *, family_id: int, author_id: int, at: str, text: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO case_notes (family_id, author_id, at, text) VALUES (?, ?, ?, ?)",
            (family_id, author_id, at, text))
        return int(cur.lastrowid or 0)

    def for_family(self, family_id: int) -> list[Note]:
        rows = self.conn.execute(
            "SELECT id, family_id, author_id, at, text FROM case_notes WHERE family_id = ? "
            "ORDER BY at, id", (family_id,)).fetchall()
        return [Note(**dict(r)) for r in rows]
