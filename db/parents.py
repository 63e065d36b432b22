"""What parents do: the calls they made, the visits they plan, the tips they have seen."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Call:
    id: int
    family_id: int
    parent_id: int | None
    at: str
    local_day: str
    minutes: int | None
    child_mood: str | None


@dataclass(frozen=True)
class Visit:
    id: int
    family_id: int
    parent_id: int | None
    visit_day: str
    status: str


_CALL = "id, family_id, parent_id, at, local_day, minutes, child_mood"
_VISIT = "id, family_id, parent_id, visit_day, status"


class CallsRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, *, family_id: int, parent_id: int, at: str, local_day: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO calls (family_id, parent_id, at, local_day) VALUES (?, ?, ?, ?)",
            (family_id, parent_id, at, local_day))
        return int(cur.lastrowid or 0)

    def get(self, call_id: int) -> Call | None:
        row = self.conn.execute(f"SELECT {_CALL} FROM calls WHERE id = ?", (call_id,)).fetchone()
        return Call(**dict(row)) if row else None

    def set_minutes(self, call_id: int, minutes: int | None) -> None:
        self.conn.execute("UPDATE calls SET minutes = ? WHERE id = ?", (minutes, call_id))

    def set_child_mood(self, call_id: int, mood: str | None) -> None:
        self.conn.execute("UPDATE calls SET child_mood = ? WHERE id = ?", (mood, call_id))

    def for_parent(self, parent_id: int, family_id: int) -> list[Call]:
        rows = self.conn.execute(
            f"SELECT {_CALL} FROM calls WHERE parent_id = ? AND family_id = ? ORDER BY at DESC",
            (parent_id, family_id)).fetchall()
        return [Call(**dict(r)) for r in rows]

    def last_at(self, parent_id: int, family_id: int) -> str | None:
        row = self.conn.execute(
            "SELECT MAX(at) FROM calls WHERE parent_id = ? AND family_id = ?",
            (parent_id, family_id)).fetchone()
        return row[0] if row else None

    def for_family(self, family_id: int) -> list[Call]:
        rows = self.conn.execute(f"SELECT {_CALL} FROM calls WHERE family_id = ? ORDER BY at",
                                 (family_id,)).fetchall()
        return [Call(**dict(r)) for r in rows]

    def parents_without_call_since(self, since: str) -> list[tuple[int, int]]:
        """(family, parent) pairs of active parents with no call since ``since`` (and who joined
        before it): candidates for the three-weeks-without-a-call alert."""
        rows = self.conn.execute(
            "SELECT m.family_id, m.person_id FROM memberships m JOIN people p ON p.id = m.person_id "
            "WHERE p.role = 'parent' AND p.status = 'active' AND m.joined_at <= ? AND NOT EXISTS "
            "(SELECT 1 FROM calls c WHERE c.family_id = m.family_id AND c.parent_id = m.person_id "
            " AND c.at >= ?)", (since, since)).fetchall()
        return [(int(r[0]), int(r[1])) for r in rows]


class VisitsRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, *, family_id: int, parent_id: int, visit_day: str, now: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO visits (family_id, parent_id, visit_day, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)", (family_id, parent_id, visit_day, now, now))
        return int(cur.lastrowid or 0)

    def get(self, visit_id: int) -> Visit | None:
        row = self.conn.execute(f"SELECT {_VISIT} FROM visits WHERE id = ?", (visit_id,)).fetchone()
        return Visit(**dict(row)) if row else None

    def for_family(self, family_id: int) -> list[Visit]:
        rows = self.conn.execute(f"SELECT {_VISIT} FROM visits WHERE family_id = ? ORDER BY id",
                                 (family_id,)).fetchall()
        return [Visit(**dict(r)) for r in rows]

    def planned_for(self, parent_id: int) -> list[Visit]:
        rows = self.conn.execute(
            f"SELECT {_VISIT} FROM visits WHERE parent_id = ? AND status = 'planned' "
            "ORDER BY visit_day", (parent_id,)).fetchall()
        return [Visit(**dict(r)) for r in rows]

    def move(self, visit_id: int, visit_day: str, *, now: str) -> None:
        self.conn.execute("UPDATE visits SET visit_day = ?, updated_at = ? WHERE id = ?",
                          (visit_day, now, visit_id))

    def set_status(self, visit_id: int, status: str, *, now: str) -> None:
        self.conn.execute("UPDATE visits SET status = ?, updated_at = ? WHERE id = ?",
                          (status, now, visit_id))


class TipsRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def seen(self, person_id: int) -> set[str]:
        rows = self.conn.execute("SELECT tip_id FROM tips_shown WHERE person_id = ?",
                                 (person_id,)).fetchall()
        return {r[0] for r in rows}

    def mark(self, person_id: int, tip_id: str, *, now: str) -> None:
        self.conn.execute(
            "INSERT INTO tips_shown (person_id, tip_id, shown_at) VALUES (?, ?, ?) "
            "ON CONFLICT (person_id, tip_id) DO UPDATE SET shown_at = excluded.shown_at",
            (person_id, tip_id, now))

    def forget(self, person_id: int, tip_ids: list[str]) -> None:
        """A band's tips are all used up: they may come round again."""
        self.conn.executemany("DELETE FROM tips_shown WHERE person_id = ? AND tip_id = ?",
                              [(person_id, t) for t in tip_ids])
