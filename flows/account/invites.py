"""Invite codes: unguessable, single-use, expiring, stored hashed; deep links and QR codes."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno

from db.invites import Invite
from db.store import Store
from flows.core.clock import to_iso

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed by hand
CODE_LENGTH = 12  # 60 bits
FAMILY_INVITE_TTL = timedelta(days=14)
STAFF_INVITE_TTL = timedelta(days=7)
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_FAILURES = 5


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def create_invite(store: Store, *, now: datetime, kind: str, role: str, created_by: int | None,
                  family_id: int | None = None, relation: str | None = None,
                  invitee_name: str | None = None, supervisor_id: int | None = None,
                  ttl: timedelta | None = None) -> str:
    code = new_code()
    lifetime = ttl or (FAMILY_INVITE_TTL if kind == "family" else STAFF_INVITE_TTL)
    store.invites.add(code=code, kind=kind, role=role, now=to_iso(now),
                      expires_at=to_iso(now + lifetime), family_id=family_id, relation=relation,
                      invitee_name=invitee_name, supervisor_id=supervisor_id, created_by=created_by)
    store.audit.add(at=to_iso(now), actor_id=created_by, action=f"invite_{kind}",
                    target=f"family:{family_id}" if family_id else role)
    return code


@dataclass(frozen=True)
class CodeCheck:
    outcome: str  # ok | unknown | expired | used | throttled
    invite: Invite | None = None


def check_code(store: Store, *, tg_user_id: int, code: str, now: datetime) -> CodeCheck:
    """Look a code up; unknown codes count towards the per-person throttle."""
    since = to_iso(now - THROTTLE_WINDOW)
    if store.invites.failures_since(tg_user_id, since) >= THROTTLE_FAILURES:
        return CodeCheck("throttled")
    invite = store.invites.by_code(code)
    if invite is None:
        store.invites.record_attempt(tg_user_id, ok=False, now=to_iso(now))
        return CodeCheck("unknown")
    store.invites.record_attempt(tg_user_id, ok=True, now=to_iso(now))
    if invite.used_at is not None:
        return CodeCheck("used", invite)
    if invite.expires_at <= to_iso(now):
        return CodeCheck("expired", invite)
    return CodeCheck("ok", invite)
