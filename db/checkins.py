"""Guardian check-ins: one row per guardian, child and local day, answered field by field."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

ANSWER_FIELDS = ("mood", "health", "school", "eating_sleeping", "worry")


@dataclass(frozen=True)
class Checkin:
    id: int
    family_id: int
    child_id: int | None
    guardian_id: int | None
    local_day: str
    status: str
    mood: str | None
    health: str | None
    school: str | None
    eating_sleeping: str | None
    worry: bool | None
    notes: str | None
    voice_notes: int
    created_at: str
    answered_at: str | None

    @property
    def answered_anything(self) -> bool:
        return any(getattr(self, f) is not None for f in ANSWER_FIELDS) or self.voice_notes > 0


_COLUMNS = ("id, family_id, child_id, guardian_id, local_day, status, mood, health, school, "
            "eating_sleeping, worry, notes, voice_notes, created_at, answered_at")


def _checkin(row: sqlite3.Row) -> Checkin:
    data = dict(row)
    data["worry"] = None if data["worry"] is None else bool(data["worry"])
    return Checkin(**data)


class CheckinsRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def open_or_get(self, *, family_id: int, child_id: int | None, guardian_id: int,
                    local_day: str, now: str) -> tuple[Checkin, bool]:
        """Today's check-in for this guardian and child; (row, created)."""
        cur = self.conn.execute(
            "INSERT INTO checkins (family_id, child_id, guardian_id, local_day, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guardian_id, child_id, local_day) DO NOTHING",
            (family_id, child_id, guardian_id, local_day, now),
        )
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM checkins WHERE guardian_id = ? AND child_id IS ? AND local_day = ?",
            (guardian_id, child_id, local_day),
        ).fetchone()
        return _checkin(row), cur.rowcount == 1

    def get(self, checkin_id: int) -> Checkin | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM checkins WHERE id = ?",
                                (checkin_id,)).fetchone()
        return _checkin(row) if row else None

    def answer(self, checkin_id: int, field: str, value: str | int | None, *, now: str) -> None:
        if field not in ANSWER_FIELDS:
            raise ValueError(f"unknown check-in field {field!r}")
        self.conn.execute(
            f"UPDATE checkins SET {field} = ?, answered_at = ? WHERE id = ?",
            (value, now, checkin_id),
        )

    def add_notes(self, checkin_id: int, text: str, *, now: str) -> None:
        """Free text about the child is kept whole (appended, never overwritten)."""
        self.conn.execute(
            "UPDATE checkins SET notes = CASE WHEN notes IS NULL THEN ? "
            "ELSE notes || char(10) || ? END, answered_at = ? WHERE id = ?",
            (text, text, now, checkin_id),
        )

    def add_voice_note(self, checkin_id: int, *, now: str) -> None:
        self.conn.execute(
            "UPDATE checkins SET voice_notes = voice_notes + 1, answered_at = ? WHERE id = ?",
            (now, checkin_id),
        )

    def close(self, checkin_id: int, status: str, *, now: str) -> None:
        self.conn.execute(
            "UPDATE checkins SET status = ?, closed_at = ? WHERE id = ? AND status = 'open'",
            (status, now, checkin_id),
        )

    def history(self, family_id: int, child_id: int | None, *, since_day: str) -> list[Checkin]:
        """The child's check-ins since ``since_day``, newest first."""
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM checkins WHERE family_id = ? AND child_id IS ? "
            "AND local_day >= ? ORDER BY local_day DESC, id DESC",
            (family_id, child_id, since_day),
        ).fetchall()
        return [_checkin(r) for r in rows]

    def for_family(self, family_id: int) -> list[Checkin]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM checkins WHERE family_id = ? ORDER BY local_day, id",
            (family_id,),
        ).fetchall()
        return [_checkin(r) for r in rows]

    def silent_families(self, *, before_day: str) -> list[tuple[int, str]]:
        """Families with an active guardian whose last answered check-in (or, if none, the day
        the guardian joined) is before ``before_day``: (family_id, that day). One pass over
        each table, not a query per family (100 000 families take well under a second)."""
        rows = self.conn.execute(
            "WITH answered AS (SELECT family_id, MAX(local_day) AS last_day FROM checkins "
            "  WHERE answered_at IS NOT NULL GROUP BY family_id), "
            "guardians AS (SELECT m.family_id, MIN(m.joined_at) AS since FROM memberships m "
            "  JOIN people p ON p.id = m.person_id WHERE p.role = 'guardian' AND "
            "  p.status = 'active' GROUP BY m.family_id) "
            "SELECT g.family_id, COALESCE(a.last_day, substr(g.since, 1, 10)) AS reference "
            "FROM guardians g LEFT JOIN answered a ON a.family_id = g.family_id "
            "WHERE COALESCE(a.last_day, substr(g.since, 1, 10)) < ? ORDER BY g.family_id",
            (before_day,)).fetchall()
        return [(int(r[0]), str(r[1])) for r in rows]

    def count(self, status: str | None = None) -> int:
        if status is None:
            return int(self.conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0])
        return int(self.conn.execute("SELECT COUNT(*) FROM checkins WHERE status = ?",
                                     (status,)).fetchone()[0])

    def between(self, family_id: int, first_day: str, last_day: str) -> list[Checkin]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM checkins WHERE family_id = ? AND local_day BETWEEN ? AND ? "
            "ORDER BY local_day, id", (family_id, first_day, last_day)).fetchall()
        return [_checkin(r) for r in rows]
