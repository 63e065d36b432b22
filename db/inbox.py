"""Updates as received from Telegram, stored before the next getUpdates acknowledges them, and
marked done in the same transaction as what they caused (so each is handled exactly once)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

KEEP_DONE_DAYS = 7


class InboxRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add_many(self, updates: list[dict[str, Any]], *, now: str) -> int:
        cur = self.conn.executemany(
            "INSERT INTO inbox (update_id, raw, received_at) VALUES (?, ?, ?) "
            "ON CONFLICT (update_id) DO NOTHING",
            [(int(u["update_id"]), json.dumps(u, ensure_ascii=False), now) for u in updates])
        return cur.rowcount

    def add(self, update: dict[str, Any], *, now: str) -> bool:
        cur = self.conn.execute(
            "INSERT INTO inbox (update_id, raw, received_at) VALUES (?, ?, ?) "
            "ON CONFLICT (update_id) DO NOTHING",
            (int(update["update_id"]), json.dumps(update, ensure_ascii=False), now))
        return cur.rowcount == 1

    def quarantine(self, update_id: int, *, reason: str, now: str) -> None:
        """An update that cannot be stored: its id is kept, done, with why (never its content),
        so it is acknowledged and never replayed."""
        self.conn.execute(
            "INSERT INTO inbox (update_id, raw, received_at, done_at, quarantined) "
            "VALUES (?, json_object('update_id', ?), ?, ?, ?) ON CONFLICT (update_id) DO NOTHING",
            (update_id, update_id, now, now, reason[:200]))

    def quarantined(self) -> list[tuple[int, str]]:
        rows = self.conn.execute("SELECT update_id, quarantined FROM inbox "
                                 "WHERE quarantined IS NOT NULL ORDER BY update_id").fetchall()
        return [(int(r[0]), str(r[1])) for r in rows]

    def is_done(self, update_id: int) -> bool:
        row = self.conn.execute("SELECT done_at FROM inbox WHERE update_id = ?",
                                (update_id,)).fetchone()
        return row is not None and row[0] is not None

    def mark_done(self, update_id: int, *, now: str) -> bool:
        """True if this call marked it (False: unknown to the inbox, or already done).
        The raw update (names, words, phone numbers) goes with it: only the id is needed to
        know it was handled."""
        cur = self.conn.execute(
            "UPDATE inbox SET done_at = ?, raw = json_object('update_id', update_id) "
            "WHERE update_id = ? AND done_at IS NULL", (now, update_id))
        return cur.rowcount == 1

    def pending(self, limit: int = 10_000) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT raw FROM inbox WHERE done_at IS NULL ORDER BY update_id LIMIT ?",
            (limit,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def prune(self, before: str) -> int:
        """Handled updates older than ``before`` are not needed any more (they hold messages)."""
        cur = self.conn.execute("DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?",
                                (before,))
        return cur.rowcount

    def counts(self) -> tuple[int, int]:
        row = self.conn.execute(
            "SELECT COUNT(*), COUNT(done_at) FROM inbox").fetchone()
        return int(row[0]), int(row[1])
