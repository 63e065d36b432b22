"""The durable outbox: every message that is not a direct reply waits here until delivered."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from enum import StrEnum

from db.models import OutboxItem

# Priority lanes, lowest first: alerts > deferred direct replies > reminders > bulk prompts.
LANE_ALERT = 0
LANE_REPLY = 1
LANE_REMINDER = 2
LANE_BULK = 3
LANES = (LANE_ALERT, LANE_REPLY, LANE_REMINDER, LANE_BULK)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"  # expired prompts too: last_error starts with EXPIRED


EXPIRED = "expired"

_COLUMNS = (
    "id, dedupe_key, person_id, chat_id, lane, kind, payload, not_before, respect_quiet, "
    "attempts, in_doubt, expires_at"
)


@dataclass(frozen=True)
class NewMessage:
    """What a flow asks to send; ``payload`` is Bot API-shaped (text, reply_markup, ...)."""

    dedupe_key: str
    chat_id: int
    lane: int
    payload: dict[str, object] = field(default_factory=dict)
    person_id: int | None = None
    kind: str = "text"
    not_before: str | None = None
    respect_quiet: bool = True
    # the person whose words or data this message carries (forwarded words, alerts, their
    # copies): /forget scrubs every row tagged with them
    source_person_id: int | None = None
    # after this moment the message is pointless and is dropped quietly (never for alerts)
    expires_at: str | None = None
    # a prompt that fell due with many others: its place in the day's fair order; it is not
    # sent before flows.outbox.spread gives it a send slot (never for alerts or replies)
    spread_key: int | None = None


def _item(row: sqlite3.Row) -> OutboxItem:
    data = dict(row)
    data["respect_quiet"] = bool(data["respect_quiet"])
    data["in_doubt"] = bool(data["in_doubt"])
    return OutboxItem(**data)


class OutboxRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.added = 0  # rows queued through this repo (one transaction's): worth waking the sender

    def enqueue(self, message: NewMessage, *, now: str) -> bool:
        """Insert unless the dedupe key exists already; True when it was new."""
        cur = self.conn.execute(
            "INSERT INTO outbox (dedupe_key, person_id, chat_id, lane, kind, payload, not_before,"
            " respect_quiet, created_at, source_person_id, expires_at, spread_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (dedupe_key) DO NOTHING",
            (
                message.dedupe_key, message.person_id, message.chat_id, message.lane,
                message.kind, json.dumps(message.payload, ensure_ascii=False),
                message.not_before or now, int(message.respect_quiet), now,
                message.source_person_id,
                None if message.lane == LANE_ALERT else message.expires_at,
                message.spread_key if message.lane > LANE_REPLY else None,
            ),
        )
        self.added += cur.rowcount
        return cur.rowcount == 1

    def enqueue_many(self, messages: list[NewMessage], *, now: str) -> int:
        return sum(self.enqueue(m, now=now) for m in messages)

    def due(self, now: str, limit: int, *, skip_chats: list[int] | None = None) -> list[OutboxItem]:
        """Due rows, highest lane first, leaving out chats whose spacing slot is not free yet
        (their rows keep their place: when the slot frees, that chat's highest lane goes) and
        prompts still waiting for their send slot."""
        if skip_chats:
            rows = self.conn.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND spread_key IS NULL "
                "AND not_before <= ? AND chat_id NOT IN (SELECT value FROM json_each(?)) "
                "ORDER BY lane, not_before, id LIMIT ?",
                (now, json.dumps(skip_chats), limit),
            ).fetchall()
        else:
            rows = self.conn.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND spread_key IS NULL "
                "AND not_before <= ? ORDER BY lane, not_before, id LIMIT ?",
                (now, limit),
            ).fetchall()
        return [_item(r) for r in rows]

    def expire_due(self, now: str, limit: int = 500) -> int:
        """Pending messages past their moment become cancelled as expired (alerts never)."""
        cur = self.conn.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = ? WHERE id IN ("
            "SELECT id FROM outbox WHERE status = 'pending' AND expires_at IS NOT NULL "
            "AND expires_at <= ? AND lane != ? LIMIT ?)",
            (f"{EXPIRED} before it could be sent", now, LANE_ALERT, limit),
        )
        return cur.rowcount

    # ---- send slots for prompts that fell due together (flows.outbox.spread) ---------------
    def awaiting_slot(self, limit: int) -> list[tuple[int, str, str | None]]:
        """(id, not_before, expires_at) of prompts waiting for a slot, in the day's fair order
        (spread_key; one person's own messages share a key and keep their order by id)."""
        rows = self.conn.execute(
            "SELECT id, not_before, expires_at FROM outbox WHERE status = 'pending' "
            "AND spread_key IS NOT NULL ORDER BY spread_key, id LIMIT ?", (limit,)).fetchall()
        return [(int(r[0]), str(r[1]), r[2]) for r in rows]

    def last_slot(self) -> tuple[str | None, int]:
        """The latest slot handed out and how many rows share it (the cursor of the booking)."""
        last = self.conn.execute(
            "SELECT slot FROM outbox WHERE slot IS NOT NULL AND status != 'cancelled' "
            "ORDER BY slot DESC LIMIT 1").fetchone()
        if last is None:
            return None, 0
        used = self.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE slot = ? AND status != 'cancelled'",
            (last[0],)).fetchone()[0]
        return str(last[0]), int(used)

    def book_slots(self, bookings: list[tuple[int, str, str]]) -> None:
        """(id, slot, not_before): the row is sent in its slot's second, not before."""
        self.conn.executemany(
            "UPDATE outbox SET slot = ?, not_before = ?, spread_key = NULL "
            "WHERE id = ? AND status = 'pending'", [(slot, nb, i) for i, slot, nb in bookings])

    def expire_unslotted(self, expired: list[tuple[int, str]]) -> None:
        """(id, expires_at): prompts whose first free slot would come after their moment,
        dropped now and counted as expired; ``slot`` keeps the moment they became pointless,
        so tomorrow's order knows they were missed."""
        self.conn.executemany(
            "UPDATE outbox SET status = 'cancelled', last_error = ?, slot = ?, spread_key = NULL "
            "WHERE id = ? AND status = 'pending'",
            [(f"{EXPIRED}: no send slot before its moment passed", at, i) for i, at in expired])

    def misses_in_a_row(self, person_id: int, up_to: int) -> int:
        """How many of the person's latest slotted prompts that could expire (a question, a
        reminder: not a close or a weekly picture) in a row expired unsent."""
        rows = self.conn.execute(
            "SELECT status, last_error FROM outbox WHERE person_id = ? AND slot IS NOT NULL "
            "AND expires_at IS NOT NULL AND status IN ('delivered', 'cancelled', 'failed') "
            "ORDER BY slot DESC LIMIT ?",
            (person_id, up_to)).fetchall()
        misses = 0
        for status, error in rows:
            if status != OutboxStatus.CANCELLED or not str(error or "").startswith(EXPIRED):
                break
            misses += 1
        return misses

    def expired_count(self) -> int:
        return int(self.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE status = 'cancelled' AND last_error LIKE ?",
            (f"{EXPIRED}%",)).fetchone()[0])

    def mark_sending(self, ids: list[int]) -> None:
        self.conn.executemany(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
            [(i,) for i in ids],
        )

    def defer(self, deferrals: list[tuple[int, str]]) -> None:
        """Move pending rows' not_before (per-chat spacing, quiet hours)."""
        self.conn.executemany(
            "UPDATE outbox SET not_before = ? WHERE id = ? AND status = 'pending'",
            [(when, i) for i, when in deferrals],
        )

    def mark_delivered(self, deliveries: list[tuple[int, int | None, str]]) -> int:
        """(id, telegram message id, at). Only a row still 'sending' becomes delivered: once."""
        changed = 0
        for outbox_id, message_id, at in deliveries:
            cur = self.conn.execute(
                "UPDATE outbox SET status = 'delivered', tg_message_id = ?, delivered_at = ?, "
                "last_error = NULL WHERE id = ? AND status = 'sending'",
                (message_id, at, outbox_id),
            )
            changed += cur.rowcount
        return changed

    def retry_later(self, outbox_id: int, *, error: str, not_before: str) -> None:
        self.conn.execute(
            "UPDATE outbox SET status = 'pending', last_error = ?, not_before = ? "
            "WHERE id = ? AND status = 'sending'",
            (error, not_before, outbox_id),
        )

    def release(self, outbox_id: int, *, not_before: str, error: str) -> None:
        """Back to pending without counting an attempt (429: Telegram told us when; an outage:
        the channel's state, not the message's)."""
        self.conn.execute(
            "UPDATE outbox SET status = 'pending', attempts = MAX(attempts - 1, 0), "
            "last_error = ?, not_before = ? WHERE id = ? AND status = 'sending'",
            (error, not_before, outbox_id),
        )

    def mark_failed(self, outbox_id: int, *, error: str) -> None:
        self.conn.execute(
            "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ? AND status = 'sending'",
            (error, outbox_id),
        )

    def recover_in_flight(self) -> int:
        """After a crash: rows caught mid-send go back to pending, flagged as in doubt."""
        cur = self.conn.execute(
            "UPDATE outbox SET status = 'pending', in_doubt = 1 WHERE status = 'sending'"
        )
        return cur.rowcount

    def release_unsent(self) -> int:
        """At a clean stop, once every started send has finished and been recorded: rows still
        'sending' were claimed but never sent; back to pending, the attempt not counted and not
        in doubt (branch process)."""
        cur = self.conn.execute(
            "UPDATE outbox SET status = 'pending', attempts = MAX(attempts - 1, 0) "
            "WHERE status = 'sending'")
        return cur.rowcount

    def cancel(self, outbox_id: int, *, reason: str) -> None:
        self.conn.execute("UPDATE outbox SET status = 'cancelled', last_error = ? WHERE id = ?",
                          (reason, outbox_id))

    def drop_expired(self, outbox_id: int, *, reason: str) -> None:
        """A message caught in flight whose moment passed while the channel was down."""
        self.conn.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = ? WHERE id = ? AND status = ?",
            (f"{EXPIRED}: {reason}"[:200], outbox_id, OutboxStatus.SENDING))

    def cancel_pending_for(self, person_id: int, *, min_lane: int, reason: str) -> int:
        cur = self.conn.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = ? "
            "WHERE person_id = ? AND status = 'pending' AND lane >= ?",
            (reason, person_id, min_lane),
        )
        return cur.rowcount

    def status_counts(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def in_doubt_count(self) -> int:
        return int(
            self.conn.execute("SELECT COUNT(*) FROM outbox WHERE in_doubt = 1").fetchone()[0]
        )

    def get(self, dedupe_key: str) -> dict[str, object] | None:
        row = self.conn.execute("SELECT * FROM outbox WHERE dedupe_key = ?", (dedupe_key,)).fetchone()
        return dict(row) if row else None
