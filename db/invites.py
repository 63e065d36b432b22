"""Invites: single-use codes stored only as hashes, and the attempts to use them."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


@dataclass(frozen=True)
class Invite:
    id: int
    kind: str
    role: str
    family_id: int | None
    relation: str | None
    invitee_name: str | None
    supervisor_id: int | None
    created_by: int | None
    expires_at: str
    used_at: str | None


_COLUMNS = ("id, kind, role, family_id, relation, invitee_name, supervisor_id, created_by, "
            "expires_at, used_at")


class InvitesRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, *, code: str, kind: str, role: str, now: str, expires_at: str,
            family_id: int | None = None, relation: str | None = None,
            invitee_name: str | None = None, supervisor_id: int | None = None,
            created_by: int | None = None) -> int:
        cur = self.conn.execute(
            "INSERT INTO invites (code_hash, kind, role, family_id, relation, invitee_name, "
            "supervisor_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (hash_code(code), kind, role, family_id, relation, invitee_name, supervisor_id,
             created_by, now, expires_at),
        )
        return int(cur.lastrowid or 0)

    def by_code(self, code: str) -> Invite | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM invites WHERE code_hash = ?", (hash_code(code),)
        ).fetchone()
        return Invite(**dict(row)) if row else None

    def get(self, invite_id: int) -> Invite | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM invites WHERE id = ?", (invite_id,)).fetchone()
        return Invite(**dict(row)) if row else None

    def mark_used(self, invite_id: int, *, person_id: int, now: str) -> bool:
        cur = self.conn.execute(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
            (now, person_id, invite_id),
        )
        return cur.rowcount == 1

    def pending_for_family(self, family_id: int, now: str) -> list[Invite]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM invites WHERE family_id = ? AND used_at IS NULL "
            "AND expires_at > ? ORDER BY id", (family_id, now),
        ).fetchall()
        return [Invite(**dict(r)) for r in rows]

    def record_attempt(self, tg_user_id: int, *, ok: bool, now: str) -> None:
        self.conn.execute("INSERT INTO code_attempts (tg_user_id, at, ok) VALUES (?, ?, ?)",
                          (tg_user_id, now, int(ok)))

    def failures_since(self, tg_user_id: int, since: str) -> int:
        return int(self.conn.execute(
            "SELECT COUNT(*) FROM code_attempts WHERE tg_user_id = ? AND at >= ? AND ok = 0",
            (tg_user_id, since),
        ).fetchone()[0])

    def forget_attempts(self, tg_user_id: int) -> None:
        self.conn.execute("DELETE FROM code_attempts WHERE tg_user_id = ?", (tg_user_id,))
