"""Where a person is in a multi-step exchange (joining, a family file): one row per person,
written in the same transaction as the answer that moved it."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Dialog:
    tg_user_id: int
    kind: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


class DialogsRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, tg_user_id: int) -> Dialog | None:
        row = self.conn.execute(
            "SELECT tg_user_id, kind, step, data FROM dialogs WHERE tg_user_id = ?", (tg_user_id,)
        ).fetchone()
        if row is None:
            return None
        return Dialog(row["tg_user_id"], row["kind"], row["step"], json.loads(row["data"]))

    def put(self, tg_user_id: int, kind: str, step: str, data: dict[str, Any], *, now: str) -> None:
        self.conn.execute(
            "INSERT INTO dialogs (tg_user_id, kind, step, data, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (tg_user_id) DO UPDATE SET kind = excluded.kind, step = excluded.step, "
            "data = excluded.data, updated_at = excluded.updated_at",
            (tg_user_id, kind, step, json.dumps(data, ensure_ascii=False), now),
        )

    def end(self, tg_user_id: int) -> None:
        self.conn.execute("DELETE FROM dialogs WHERE tg_user_id = ?", (tg_user_id,))
