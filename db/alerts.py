"""Alerts raised for caseworkers and the log of every step they take."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum


class AlertStatus(StrEnum):
    """Where an alert is (the alerts.status column; equal to its string)."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Alert:
    id: int
    family_id: int | None
    person_id: int | None
    rule: str
    severity: str
    evidence: str | None
    status: AlertStatus
    level: int
    next_escalation_at: str | None
    created_at: str
    child_id: int | None = None
    holder_id: int | None = None  # who has it now; None: nobody reachable yet

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", AlertStatus(self.status))


_COLUMNS = ("id, family_id, person_id, rule, severity, evidence, status, level, "
            "next_escalation_at, created_at, child_id, holder_id")


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

    def visible_open(self, family_ids: list[int], about_people: list[int] | None = None
                     ) -> list[Alert]:
        """Alerts not yet resolved for these families (and, without a family, about these
        people, e.g. a caseworker who left): most severe first, then the not yet acknowledged,
        then oldest."""
        people = about_people or []
        if not family_ids and not people:
            return []
        marks = ", ".join("?" for _ in family_ids) or "NULL"
        person_marks = ", ".join("?" for _ in people) or "NULL"
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM alerts WHERE status != 'resolved' AND (family_id IN ({marks}) "
            f"OR (family_id IS NULL AND person_id IN ({person_marks}))) "
            "ORDER BY CASE severity WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, "
            "CASE status WHEN 'open' THEN 0 ELSE 1 END, created_at, id",
            (*family_ids, *people)).fetchall()
        return [Alert(**dict(r)) for r in rows]

    # ---- who holds an alert ------------------------------------------------------------
    def set_holder(self, alert_id: int, person_id: int | None) -> None:
        self.conn.execute("UPDATE alerts SET holder_id = ? WHERE id = ?", (person_id, alert_id))

    def held_by(self, person_id: int) -> list[Alert]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM alerts WHERE holder_id = ? AND status != 'resolved' "
            "ORDER BY id", (person_id,)).fetchall()
        return [Alert(**dict(r)) for r in rows]

    def waiting_for_anyone(self, limit: int = 200) -> list[Alert]:
        """Open alerts nobody could be given yet (nobody on their ladder was reachable)."""
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM alerts WHERE holder_id IS NULL AND status = 'open' "
            "ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [Alert(**dict(r)) for r in rows]

    def reporter(self, alert_id: int) -> int | None:
        row = self.conn.execute(
            "SELECT actor_id FROM alert_events WHERE alert_id = ? AND event = 'reported_by' "
            "ORDER BY id LIMIT 1", (alert_id,)).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def follow_ups(self, alert_id: int) -> list[dict[str, object]]:
        """What was added to an alert after it was raised (answers, words, voice notes)."""
        rows = self.conn.execute(
            "SELECT id, event, actor_id, detail FROM alert_events WHERE alert_id = ? AND "
            "substr(event, 1, 4) = 'sos_' ORDER BY id", (alert_id,)).fetchall()
        return [dict(r) for r in rows]

    def raised_count(self, alert_id: int) -> int:
        """The count the alert was raised with (sad check-ins running, days of silence ...)."""
        row = self.conn.execute("SELECT detail FROM alert_events WHERE alert_id = ? AND "
                                "event = 'raised' ORDER BY id LIMIT 1", (alert_id,)).fetchone()
        tail = str(row[0] or "").rpartition(":")[2] if row else ""
        return int(tail) if tail.isdigit() else 0

    def has_event(self, alert_id: int, event: str) -> bool:
        return self.conn.execute("SELECT 1 FROM alert_events WHERE alert_id = ? AND event = ?",
                                 (alert_id, event)).fetchone() is not None

    def copies_among(self, outbox_ids: list[int]) -> list[tuple[int, int]]:
        """(alert id, recipient) of the alert copies among these outbox rows."""
        if not outbox_ids:
            return []
        marks = ", ".join("?" for _ in outbox_ids)
        rows = self.conn.execute(
            f"SELECT dedupe_key, person_id FROM outbox WHERE id IN ({marks}) AND lane = 0 AND "
            "dedupe_key LIKE 'alert:%' AND person_id IS NOT NULL", outbox_ids).fetchall()
        found = []
        for key, person_id in rows:
            parts = str(key).split(":")
            if len(parts) >= 3 and parts[1].isdigit() and parts[2] != "more":
                found.append((int(parts[1]), int(person_id)))
        return found

    def for_family(self, family_id: int) -> list[Alert]:
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM alerts WHERE family_id = ? ORDER BY id",
                                 (family_id,)).fetchall()
        return [Alert(**dict(r)) for r in rows]

    def acknowledge(self, alert_id: int, *, by: int, at: str) -> bool:
        cur = self.conn.execute(
            "UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, "
            "next_escalation_at = NULL WHERE id = ? AND status = 'open'", (at, by, alert_id))
        return cur.rowcount == 1

    def resolve(self, alert_id: int, *, by: int, at: str, outcome: str, note: str | None) -> bool:
        cur = self.conn.execute(
            "UPDATE alerts SET status = 'resolved', resolved_at = ?, resolved_by = ?, outcome = ?, "
            "resolution_note = ?, next_escalation_at = NULL, acknowledged_at = "
            "COALESCE(acknowledged_at, ?), acknowledged_by = COALESCE(acknowledged_by, ?) "
            "WHERE id = ? AND status != 'resolved'", (at, by, outcome, note, at, by, alert_id))
        return cur.rowcount == 1

    def due_escalations(self, now: str, limit: int = 200) -> list[Alert]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM alerts WHERE status = 'open' AND next_escalation_at <= ? "
            "ORDER BY next_escalation_at LIMIT ?", (now, limit)).fetchall()
        return [Alert(**dict(r)) for r in rows]

    def escalate(self, alert_id: int, *, level: int, next_at: str | None) -> None:
        self.conn.execute("UPDATE alerts SET level = ?, next_escalation_at = ? WHERE id = ?",
                          (level, next_at, alert_id))

    def timeline_events(self, alert_id: int) -> list[dict[str, object]]:
        rows = self.conn.execute(
            "SELECT at, event, actor_id, detail FROM alert_events WHERE alert_id = ? ORDER BY id",
            (alert_id,)).fetchall()
        return [dict(r) for r in rows]

    def times(self, family_ids: list[int], since: str, until: str) -> list[dict[str, object]]:
        """Alerts raised in a period with their response times (for exports and the digest)."""
        if not family_ids:
            return []
        marks = ", ".join("?" for _ in family_ids)
        # first_holder: whom it was first given to; first_note: the first caseworker note on
        # the family while it was open (a recorded contact, for "time to first contact")
        rows = self.conn.execute(
            "SELECT a.id, a.family_id, a.child_id, a.person_id, a.rule, a.severity, a.status, "
            "a.level, a.created_at, a.acknowledged_at, a.resolved_at, a.outcome, "
            "a.acknowledged_by, a.resolved_by, a.resolution_note, "
            "(SELECT e.actor_id FROM alert_events e WHERE e.alert_id = a.id AND "
            " e.event = 'sent' ORDER BY e.id LIMIT 1) AS first_holder, "
            "(SELECT MIN(n.at) FROM case_notes n WHERE n.family_id = a.family_id AND "
            " n.at >= a.created_at AND n.at <= COALESCE(a.resolved_at, n.at)) AS first_note "
            f"FROM alerts a WHERE a.family_id IN ({marks}) AND a.created_at >= ? AND "
            "a.created_at < ? ORDER BY a.id", (*family_ids, since, until)).fetchall()
        return [dict(r) for r in rows]

    def with_outcomes(self, family_id: int, since: str, until: str) -> list[dict[str, object]]:
        """A family's alerts raised in a period, with who took them and how they ended (branch
        families: the parents' weekly story)."""
        rows = self.conn.execute(
            "SELECT id, child_id, rule, status, created_at, outcome, holder_id, acknowledged_by, "
            "resolved_by FROM alerts WHERE family_id = ? AND created_at >= ? AND created_at < ? "
            "ORDER BY created_at, id", (family_id, since, until)).fetchall()
        return [dict(r) for r in rows]

    def open_family_ids(self, rule: str) -> set[int]:
        rows = self.conn.execute(
            "SELECT DISTINCT family_id FROM alerts WHERE rule = ? AND status != 'resolved' "
            "AND family_id IS NOT NULL", (rule,)).fetchall()
        return {int(r[0]) for r in rows}

    def open_person_ids(self, rule: str) -> set[tuple[int, int]]:
        rows = self.conn.execute(
            "SELECT DISTINCT family_id, person_id FROM alerts WHERE rule = ? AND status != "
            "'resolved' AND family_id IS NOT NULL AND person_id IS NOT NULL", (rule,)).fetchall()
        return {(int(r[0]), int(r[1])) for r in rows}
