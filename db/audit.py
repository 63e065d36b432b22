"""The audit log: who did what to which record, when (views, exports, consent, forgetting)."""

from __future__ import annotations

import sqlite3


class AuditRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, *, at: str, actor_id: int | None, action: str, target: str | None = None,
            detail: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            (at, actor_id, action, target, detail),
        )

    def actions(self) -> list[tuple[int | None, str, str | None]]:
        rows = self.conn.execute("SELECT actor_id, action, target FROM audit_log ORDER BY id").fetchall()
        return [(r[0], r[1], r[2]) for r in rows]
