"""ConversationHandler states, stored as JSON text (the only thing the persistence keeps)."""

from __future__ import annotations

import json
import sqlite3


class ConversationsRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def all_for(self, name: str) -> dict[tuple[int | str, ...], object]:
        rows = self.conn.execute(
            "SELECT key, state FROM conversation_states WHERE name = ?", (name,)
        ).fetchall()
        return {tuple(json.loads(r["key"])): json.loads(r["state"]) for r in rows}

    def set(self, name: str, key: tuple[int | str, ...], state: object | None) -> None:
        key_text = json.dumps(list(key))
        if state is None:
            self.conn.execute(
                "DELETE FROM conversation_states WHERE name = ? AND key = ?", (name, key_text)
            )
        else:
            self.conn.execute(
                "INSERT INTO conversation_states (name, key, state) VALUES (?, ?, ?) "
                "ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
                (name, key_text, json.dumps(state)),
            )
