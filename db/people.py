"""People: guardians, parents and staff, keyed by our id and by their Telegram user id."""

from __future__ import annotations

import sqlite3

from db.models import Person

_COLUMNS = (
    "id, tg_user_id, tg_chat_id, role, display_name, locale, tz, status, consent_at, "
    "supervisor_id, quiet_start, quiet_end, checkin_time, weekly_day, weekly_time"
)


def _person(row: sqlite3.Row | None) -> Person | None:
    return Person(**dict(row)) if row is not None else None


class PeopleRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(
        self,
        *,
        role: str,
        now: str,
        display_name: str | None = None,
        tg_user_id: int | None = None,
        tg_chat_id: int | None = None,
        locale: str = "zh_CN",
        tz: str = "Asia/Shanghai",
        supervisor_id: int | None = None,
        consent_at: str | None = None,
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO people (role, display_name, tg_user_id, tg_chat_id, locale, tz, "
            "supervisor_id, consent_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (role, display_name, tg_user_id, tg_chat_id, locale, tz, supervisor_id,
             consent_at, now),
        )
        return int(cur.lastrowid or 0)

    def get(self, person_id: int) -> Person | None:
        return _person(
            self.conn.execute(f"SELECT {_COLUMNS} FROM people WHERE id = ?", (person_id,)).fetchone()
        )

    def by_telegram_user(self, tg_user_id: int) -> Person | None:
        return _person(
            self.conn.execute(
                f"SELECT {_COLUMNS} FROM people WHERE tg_user_id = ?", (tg_user_id,)
            ).fetchone()
        )

    def with_role(self, role: str) -> list[Person]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM people WHERE role = ? ORDER BY id", (role,)
        ).fetchall()
        return [Person(**dict(r)) for r in rows]

    def ensure_admin(self, tg_user_id: int, *, now: str, locale: str, tz: str) -> int:
        """Bootstrap admins from KINBRIDGE_ADMINS: create or promote, idempotently."""
        existing = self.by_telegram_user(tg_user_id)
        if existing is None:
            return self.add(role="admin", now=now, tg_user_id=tg_user_id, tg_chat_id=tg_user_id,
                            locale=locale, tz=tz)
        if existing.role != "admin":
            self.conn.execute("UPDATE people SET role = 'admin' WHERE id = ?", (existing.id,))
        return existing.id

    def set_chat(self, person_id: int, tg_chat_id: int) -> None:
        self.conn.execute("UPDATE people SET tg_chat_id = ? WHERE id = ?", (tg_chat_id, person_id))

    def set_locale(self, person_id: int, locale: str) -> None:
        self.conn.execute("UPDATE people SET locale = ? WHERE id = ?", (locale, person_id))

    def set_timezone(self, person_id: int, tz: str) -> None:
        self.conn.execute("UPDATE people SET tz = ? WHERE id = ?", (tz, person_id))

    def set_quiet_hours(self, person_id: int, start: str, end: str) -> None:
        self.conn.execute(
            "UPDATE people SET quiet_start = ?, quiet_end = ? WHERE id = ?", (start, end, person_id)
        )

    def set_status(self, person_id: int, status: str, reason: str | None = None) -> None:
        self.conn.execute(
            "UPDATE people SET status = ?, status_reason = ? WHERE id = ?",
            (status, reason, person_id),
        )

    def set_checkin_time(self, person_id: int, local_time: str) -> None:
        self.conn.execute("UPDATE people SET checkin_time = ? WHERE id = ?", (local_time, person_id))

    def set_weekly(self, person_id: int, day: int, local_time: str) -> None:
        self.conn.execute("UPDATE people SET weekly_day = ?, weekly_time = ? WHERE id = ?",
                          (day, local_time, person_id))

    def set_supervisor(self, person_id: int, supervisor_id: int | None) -> None:
        self.conn.execute("UPDATE people SET supervisor_id = ? WHERE id = ?",
                          (supervisor_id, person_id))

    def supervised_by(self, supervisor_id: int) -> list[Person]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM people WHERE supervisor_id = ? ORDER BY id", (supervisor_id,)
        ).fetchall()
        return [Person(**dict(r)) for r in rows]

    def forget(self, person_id: int, *, now: str) -> None:
        """PIPL: remove personal data, keep the anonymised row so history still adds up."""
        self.conn.execute(
            "UPDATE people SET display_name = NULL, tg_user_id = NULL, tg_chat_id = NULL, "
            "status = 'opted_out', status_reason = 'forgotten', forgotten_at = ? WHERE id = ?",
            (now, person_id),
        )

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM people").fetchone()[0])
