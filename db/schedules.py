"""Schedules as rows: the database, not APScheduler's memory, says what is due and when."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Schedule:
    id: int
    person_id: int
    kind: str
    ref_id: int | None
    weekdays: str | None
    local_time: str | None
    once_at: str | None
    payload: dict[str, object]
    next_run_at: str | None
    last_run_at: str | None


def _schedule(row: sqlite3.Row) -> Schedule:
    data = dict(row)
    data["payload"] = json.loads(data["payload"] or "{}")
    return Schedule(**data)


_COLUMNS = "id, person_id, kind, ref_id, weekdays, local_time, once_at, payload, next_run_at, last_run_at"


class SchedulesRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(
        self,
        *,
        person_id: int,
        kind: str,
        next_run_at: str,
        now: str,
        ref_id: int | None = None,
        weekdays: str | None = None,
        local_time: str | None = None,
        once_at: str | None = None,
        payload: dict[str, object] | None = None,
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO schedules (person_id, kind, ref_id, weekdays, local_time, once_at, "
            "payload, next_run_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (person_id, kind, ref_id, weekdays, local_time, once_at,
             json.dumps(payload or {}, ensure_ascii=False), next_run_at, now),
        )
        return int(cur.lastrowid or 0)

    def due(self, now: str, limit: int) -> list[Schedule]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM schedules WHERE active = 1 AND next_run_at <= ? "
            "ORDER BY next_run_at LIMIT ?",
            (now, limit),
        ).fetchall()
        return [_schedule(r) for r in rows]

    def advance(self, schedule_id: int, *, next_run_at: str | None, ran_at: str) -> None:
        """Move to the next occurrence; None ends a one-off schedule."""
        self.conn.execute(
            "UPDATE schedules SET next_run_at = ?, last_run_at = ?, active = ? WHERE id = ?",
            (next_run_at, ran_at, 0 if next_run_at is None else 1, schedule_id),
        )

    def for_person(self, person_id: int, kind: str | None = None) -> list[Schedule]:
        if kind is None:
            rows = self.conn.execute(
                f"SELECT {_COLUMNS} FROM schedules WHERE person_id = ? AND active = 1 ORDER BY id",
                (person_id,),
            ).fetchall()
        else:
            rows = self.conn.execute(
                f"SELECT {_COLUMNS} FROM schedules WHERE person_id = ? AND kind = ? AND active = 1"
                " ORDER BY id",
                (person_id, kind),
            ).fetchall()
        return [_schedule(r) for r in rows]

    def deactivate(self, schedule_id: int) -> None:
        self.conn.execute("UPDATE schedules SET active = 0 WHERE id = ?", (schedule_id,))

    def for_ref(self, kind: str, ref_id: int) -> list[Schedule]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM schedules WHERE kind = ? AND ref_id = ? AND active = 1 "
            "ORDER BY id", (kind, ref_id)).fetchall()
        return [_schedule(r) for r in rows]

    def get(self, schedule_id: int) -> Schedule | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM schedules WHERE id = ?",
                                (schedule_id,)).fetchone()
        return _schedule(row) if row else None
