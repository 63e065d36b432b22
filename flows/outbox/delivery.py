"""Delivery decisions the sender makes inside the database: which due rows go now, which wait
(quiet hours, per-chat spacing, paused people), and what a 403 means. No Telegram here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from db.interactions import Interaction
from db.models import OutboxItem, Person
from db.outbox import LANE_REPLY
from db.store import Store
from flows.core.clock import to_iso
from flows.core.timeplan import quiet_until, zone_named
from flows.outbox.retry_policy import Action, Decision
from flows.staff.alert_desk import on_unreachable
from flows.staff.alerts import Waits, confirm_delivered, raise_alert

# a twentieth of a second to spare, as for direct replies: Telegram's clock starts when a
# request arrives, and a loaded machine delivers one request later than the next
PRIVATE_SPACING = timedelta(seconds=1.05)
GROUP_SPACING = timedelta(seconds=3.0)  # 20 messages a minute


def spacing_for(chat_id: int) -> timedelta:
    return GROUP_SPACING if chat_id < 0 else PRIVATE_SPACING


@dataclass
class Claim:
    items: list[OutboxItem] = field(default_factory=list)
    deferred: int = 0
    cancelled: int = 0
    expired: int = 0


def claim_due(store: Store, now: datetime, limit: int,
              chat_ready_at: dict[int, datetime]) -> Claim:
    """Pick up to ``limit`` rows to send now, highest lane first, at most one per chat, and
    mark them 'sending'. Rows of a chat whose spacing slot is busy are not touched: they keep
    their place, so when the slot frees that chat's highest lane goes first (an alert never
    waits behind its chat's chatter). Quiet hours move a row's not_before; a message whose
    moment has passed is dropped as expired (never an alert)."""
    claim = Claim()
    now_iso = to_iso(now)
    claim.expired = store.outbox.expire_due(now_iso)
    busy = [chat for chat, ready in chat_ready_at.items() if ready > now]
    candidates = store.outbox.due(now_iso, limit * 4, skip_chats=busy)
    deferrals: list[tuple[int, str]] = []
    chats_taken: set[int] = set()
    people: dict[int, Person | None] = {}
    for item in candidates:
        if len(claim.items) >= limit:
            break
        if item.chat_id in chats_taken:
            continue  # next claim: this chat's slot is taken now
        person = None
        if item.person_id is not None:
            if item.person_id not in people:
                people[item.person_id] = store.people.get(item.person_id)
            person = people[item.person_id]
        if person is not None and item.lane >= LANE_REPLY and (
            person.status != "active" or person.tg_chat_id is None
        ):
            store.outbox.cancel(item.id, reason=f"recipient {person.status}")
            claim.cancelled += 1
            continue
        # only what asks to be let through (urgent alerts, a 🆘's answer) ignores quiet hours
        if item.respect_quiet and person is not None:
            until = quiet_until(now, zone_named(person.tz), person.quiet_start, person.quiet_end)
            if until is not None:
                deferrals.append((item.id, to_iso(until)))
                claim.deferred += 1
                continue
        chats_taken.add(item.chat_id)
        claim.items.append(item)
    store.outbox.defer(deferrals)
    store.outbox.mark_sending([i.id for i in claim.items])
    return claim


@dataclass(frozen=True)
class Delivered:
    outbox_id: int
    message_id: int | None
    person_id: int | None
    family_id: int | None
    chat_id: int
    kind: str
    summary: str | None


def record_deliveries(store: Store, now: datetime, deliveries: list[Delivered]) -> int:
    """Mark delivered (only rows still 'sending': exactly once) and log the interactions."""
    at = to_iso(now)
    changed = store.outbox.mark_delivered([(d.outbox_id, d.message_id, at) for d in deliveries])
    confirm_delivered(store, now, [d.outbox_id for d in deliveries])  # 🆘: tell the family who
    store.interactions.add_many([
        Interaction(at=at, person_id=d.person_id, family_id=d.family_id, direction="out",
                    kind=d.kind, summary=d.summary, tg_chat_id=d.chat_id, tg_message_id=d.message_id)
        for d in deliveries
    ])
    return changed


def handle_unreachable(store: Store, now: datetime, item: OutboxItem, error: str,
                       waits: Waits = None) -> None:
    """403: the person blocked the bot or closed the account. Stop trying, tell the caseworker."""
    store.outbox.mark_failed(item.id, error=error)
    if item.person_id is None:
        return
    person = store.people.get(item.person_id)
    if person is None:
        return
    store.people.set_status(person.id, "unreachable", "telegram 403")
    store.outbox.cancel_pending_for(person.id, min_lane=LANE_REPLY, reason="recipient unreachable")
    if person.is_staff:  # her alerts go on to the next reachable person at once (ladder)
        on_unreachable(store, now, person, item.dedupe_key, waits)
        return
    family_id = store.families.first_family_of(person.id)
    raise_alert(store, now=now, family_id=family_id, person_id=person.id, rule="unreachable",
                severity="normal", evidence=None, name_for_title=person.display_name or "?",
                waits=waits)


def handle_failed(store: Store, now: datetime, item: OutboxItem, error: str,
                  waits: Waits = None) -> None:
    """A message that could not be delivered after every retry (or was refused): recorded with
    its reason, and when it was for a family member, their caseworker hears of it (one alert
    per person while it stays open) so nobody is silently cut off."""
    store.outbox.mark_failed(item.id, error=error)
    if item.person_id is None:
        return
    person = store.people.get(item.person_id)
    if person is None or person.is_staff:
        return
    family_id = store.families.first_family_of(person.id)
    raise_alert(store, now=now, family_id=family_id, person_id=person.id, rule="undelivered",
                severity="normal", evidence=error[:120],
                name_for_title=person.display_name or "?", waits=waits)


def record_decision(store: Store, now: datetime, item: OutboxItem, decision: Decision,
                    waits: Waits = None) -> None:
    """The retry policy's decision about a failed send, recorded in one write."""
    action = decision.action
    reason = decision.reason
    at = to_iso(decision.at or now)
    if action is Action.RETRY_AT:
        store.outbox.retry_later(item.id, error=reason, not_before=at)
    elif action in (Action.PAUSE_CHANNEL, Action.PAUSE_CHAT, Action.PAUSE_ALL, Action.STOP):
        store.outbox.release(item.id, not_before=at, error=reason)
    elif action is Action.DROP_EXPIRED:
        store.outbox.drop_expired(item.id, reason=reason)
    elif action is Action.UNREACHABLE:
        handle_unreachable(store, now, item, reason, waits)
    else:
        handle_failed(store, now, item, reason, waits)
