"""Families, their children and who belongs to them."""

from __future__ import annotations

import sqlite3

from db.models import Child, Family, Membership


class FamiliesRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._children: dict[int, list[Child]] = {}

    def add(
        self,
        *,
        village: str,
        now: str,
        caseworker_id: int | None = None,
        supervisor_id: int | None = None,
        cadence: str = "daily",
        consent_confirmed_at: str | None = None,
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO families (village, caseworker_id, supervisor_id, cadence, "
            "consent_confirmed_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (village, caseworker_id, supervisor_id, cadence, consent_confirmed_at, now),
        )
        return int(cur.lastrowid or 0)

    def get(self, family_id: int) -> Family | None:
        row = self.conn.execute(
            "SELECT id, village, caseworker_id, supervisor_id, cadence, consent_confirmed_at "
            "FROM families WHERE id = ?",
            (family_id,),
        ).fetchone()
        return Family(**dict(row)) if row else None

    def add_child(
        self,
        family_id: int,
        *,
        name: str,
        now: str,
        birth_month: str | None = None,
        school: str | None = None,
        grade: str | None = None,
        notes: str | None = None,
    ) -> int:
        self._children.pop(family_id, None)
        cur = self.conn.execute(
            "INSERT INTO children (family_id, name, birth_month, school, grade, notes, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (family_id, name, birth_month, school, grade, notes, now),
        )
        return int(cur.lastrowid or 0)

    def children(self, family_id: int) -> list[Child]:
        """Memoised for the transaction (a repository lives for one): flows ask repeatedly."""
        if family_id not in self._children:
            rows = self.conn.execute(
                "SELECT id, family_id, name, birth_month, school, grade, notes FROM children "
                "WHERE family_id = ? ORDER BY id",
                (family_id,),
            ).fetchall()
            self._children[family_id] = [Child(**dict(r)) for r in rows]
        return list(self._children[family_id])

    def add_member(self, family_id: int, person_id: int, relation: str, *, now: str) -> None:
        self.conn.execute(
            "INSERT INTO memberships (family_id, person_id, relation, joined_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (family_id, person_id) DO UPDATE SET relation = excluded.relation",
            (family_id, person_id, relation, now),
        )

    def memberships_of(self, person_id: int) -> list[Membership]:
        rows = self.conn.execute(
            "SELECT family_id, person_id, relation FROM memberships WHERE person_id = ? "
            "ORDER BY family_id",
            (person_id,),
        ).fetchall()
        return [Membership(**dict(r)) for r in rows]

    def members(self, family_id: int) -> list[Membership]:
        rows = self.conn.execute(
            "SELECT family_id, person_id, relation FROM memberships WHERE family_id = ? "
            "ORDER BY person_id",
            (family_id,),
        ).fetchall()
        return [Membership(**dict(r)) for r in rows]

    def caseworker_of_person(self, person_id: int) -> int | None:
        """The caseworker of (one of) the person's families: who to tell about them."""
        row = self.conn.execute(
            "SELECT f.caseworker_id FROM memberships m JOIN families f ON f.id = m.family_id "
            "WHERE m.person_id = ? AND f.caseworker_id IS NOT NULL ORDER BY f.id LIMIT 1",
            (person_id,),
        ).fetchone()
        return int(row[0]) if row else None

    def first_family_of(self, person_id: int) -> int | None:
        row = self.conn.execute(
            "SELECT family_id FROM memberships WHERE person_id = ? ORDER BY family_id LIMIT 1",
            (person_id,),
        ).fetchone()
        return int(row[0]) if row else None

    def visible_ids(self, person_id: int, role: str) -> list[int]:
        """Caseworkers see their own families, supervisors their caseworkers', admins all,
        family members their own."""
        if role == "admin":
            rows = self.conn.execute("SELECT id FROM families ORDER BY id").fetchall()
        elif role == "supervisor":
            rows = self.conn.execute(
                "SELECT f.id FROM families f LEFT JOIN people c ON c.id = f.caseworker_id "
                "WHERE f.supervisor_id = ? OR c.supervisor_id = ? ORDER BY f.id",
                (person_id, person_id)).fetchall()
        elif role == "caseworker":
            rows = self.conn.execute(
                "SELECT id FROM families WHERE caseworker_id = ? ORDER BY id", (person_id,)).fetchall()
        else:
            rows = self.conn.execute(
                "SELECT family_id FROM memberships WHERE person_id = ? ORDER BY family_id",
                (person_id,)).fetchall()
        return [int(r[0]) for r in rows]

    def set_village(self, family_id: int, village: str) -> None:
        self.conn.execute("UPDATE families SET village = ? WHERE id = ?", (village, family_id))

    def set_supervisor_of_caseworker(self, caseworker_id: int, supervisor_id: int) -> None:
        """The caseworker's families follow her to her (new) supervisor."""
        self.conn.execute("UPDATE families SET supervisor_id = ? WHERE caseworker_id = ?",
                          (supervisor_id, caseworker_id))

    def unassign_caseworker(self, caseworker_id: int, supervisor_id: int | None) -> list[int]:
        """She left or cannot be reached: her families wait, unassigned, with her supervisor
        (kept as the family's own so the supervisor still sees them)."""
        rows = self.conn.execute("SELECT id FROM families WHERE caseworker_id = ? ORDER BY id",
                                 (caseworker_id,)).fetchall()
        self.conn.execute(
            "UPDATE families SET caseworker_id = NULL, supervisor_id = COALESCE(supervisor_id, ?) "
            "WHERE caseworker_id = ?", (supervisor_id, caseworker_id))
        return [int(r[0]) for r in rows]

    def set_caseworker(self, family_id: int, caseworker_id: int,
                       supervisor_id: int | None) -> None:
        self.conn.execute(
            "UPDATE families SET caseworker_id = ?, supervisor_id = COALESCE(?, supervisor_id) "
            "WHERE id = ?", (caseworker_id, supervisor_id, family_id))

    def set_cadence(self, family_id: int, cadence: str) -> None:
        self.conn.execute("UPDATE families SET cadence = ? WHERE id = ?", (cadence, family_id))

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM families").fetchone()[0])
