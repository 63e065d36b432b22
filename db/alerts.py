"""Alerts raised for caseworkers and the log of every step they take."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Alert:
    id: int
    family_id: int | None
    person_id: int | None
    rule: str
    severity: str
    evidence: str | None
    status: str
    level: int
    next_escalation_at: str | None
    created_at: str
    child_id: int | None = None


_COLUMNS = ("id, family_id, person_id, rule, severity, evidence, status, level, "
            "next_escalation_at, created_at, child_id")


class AlertsRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def open_for(self, family_id: int | None, person_id: int | None, rule: str,
                 child_id: int | None = None) -> Alert | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM alerts WHERE family_id IS ? AND person_id IS ? AND rule = ? "
            "AND child_id IS ? AND status != 'resolved' ORDER BY id DESC LIMIT 1",
            (family_id, person_id, rule, child_id),
        ).fetchone()
        return Alert(**dict(row)) if row else None

    def add(self, *, family_id: int | None, person_id: int | None, rule: str, severity: str,
            evidence: str | None, now: str, next_escalation_at: str | None,
            child_id: int | None = None) -> int:
        cur = self.conn.execute(
            "INSERT INTO alerts (family_id, person_id, rule, severity, evidence, created_at, "
            "next_escalation_at, child_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (family_id, person_id, rule, severity, evidence, now, next_escalation_at, child_id),
        )
        return int(cur.lastrowid or 0)

    def add_event(self, alert_id: int, *, at: str, event: str, actor_id: int | None = None,
                  detail: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO alert_events (alert_id, at, event, actor_id, detail) VALUES (?, ?, ?, ?, ?)",
            (alert_id, at, event, actor_id, detail),
        )

    def get(self, alert_id: int) -> Alert | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return Alert(**dict(row)) if row else None

    def all(self) -> list[Alert]:
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM alerts ORDER BY id").fetchall()
        return [Alert(**dict(r)) for r in rows]

    def events(self, alert_id: int) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT event, COALESCE(detail, '') FROM alert_events WHERE alert_id = ? ORDER BY id",
            (alert_id,),
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def count_since(self, family_id: int, since: str) -> int:
        row = self.conn.execute("SELECT COUNT(*) FROM alerts WHERE family_id = ? AND created_at >= ?",
                                (family_id, since)).fetchone()
        return int(row[0])
