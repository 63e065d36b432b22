"""Normal-level topics heard in a family's words (school, illness, screen time, missing a parent,
behaviour, low mood): only the family, the topic and the time are kept, never the words."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


class TopicsRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, *, family_id: int, topic: str, at: str) -> None:
        self.conn.execute("INSERT INTO topic_mentions (family_id, topic, at) VALUES (?, ?, ?)",
                          (family_id, topic, at))

    def counts(self, family_ids: Sequence[int], since: str, until: str) -> dict[str, int]:
        """Mentions per topic for these families with since <= at < until."""
        if not family_ids:
            return {}
        marks = ",".join("?" * len(family_ids))
        rows = self.conn.execute(
            f"SELECT topic, COUNT(*) FROM topic_mentions WHERE family_id IN ({marks}) "
            "AND at >= ? AND at < ? GROUP BY topic ORDER BY COUNT(*) DESC, topic",
            (*family_ids, since, until)).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}
