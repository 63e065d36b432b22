"""The due-work sweep: schedule rows whose time has come become outbox rows, exactly once.

Runs inside one transaction per chunk: the outbox rows and the schedule's advance commit
together, and every message carries a dedupe key, so a sweep repeated after a crash adds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from db.outbox import LANE_ALERT, NewMessage
from db.schedules import Schedule
from db.store import Store
from flows.core.clock import from_iso, to_iso
from flows.core.timeplan import next_occurrence, zone_named
from flows.guardian.checkin import OPEN_FOR, close_messages, prompt_messages
from flows.outbox.spread import to_spread
from flows.parent.calls import reminder_messages as call_reminder_messages
from flows.parent.visits import visit_messages
from flows.parent.weekly import weekly_messages
from flows.staff.digest import digest_messages

log = logging.getLogger(__name__)

Producer = Callable[[Store, Schedule, datetime], list[NewMessage]]

# A check-in stays open OPEN_FOR (3 h) after its moment, then ends politely; a question that
# arrives later than this still leaves the guardian an hour to tap her answers before the close.
ANSWER_TIME = timedelta(hours=1)
CHECKIN_SEND_EXPIRY = OPEN_FOR - ANSWER_TIME

# kind -> (what to send, how late an occurrence may still be sent)
PRODUCERS: dict[str, tuple[Producer, timedelta]] = {
    # a check-in question hours late would only confuse; the close is right however late
    "checkin": (prompt_messages, CHECKIN_SEND_EXPIRY),
    "checkin_close": (close_messages, timedelta(days=60)),
    "weekly": (weekly_messages, timedelta(hours=6)),
    "call_reminder": (call_reminder_messages, timedelta(hours=2)),
    "visit_reminder": (visit_messages, timedelta(hours=12)),
    "visit_followup": (visit_messages, timedelta(days=7)),
    "digest": (digest_messages, timedelta(hours=12)),
}

# kind -> how long after its occurrence a message is still worth sending; the sender drops it
# (quietly, counted, never an 'undelivered' alert) when an outage or a backlog holds it longer.
# A check-in question follows the check-in's own window: 90 minutes late on a busy evening, a
# grandmother can still answer it (it used to expire after one hour); after the close it would
# only confuse. The polite close and the weekly picture stay true however late. Alerts never
# expire.
SEND_EXPIRY: dict[str, timedelta] = {
    "checkin": CHECKIN_SEND_EXPIRY,
    "call_reminder": timedelta(hours=1),
    "visit_reminder": timedelta(hours=12),
}


def _with_expiry(messages: list[NewMessage], kind: str, occurrence: datetime) -> list[NewMessage]:
    ttl = SEND_EXPIRY.get(kind)
    if ttl is None:
        return messages
    until = to_iso(occurrence + ttl)
    return [m if m.lane == LANE_ALERT or m.expires_at else replace(m, expires_at=until)
            for m in messages]


@dataclass
class SweepResult:
    schedules: int = 0
    enqueued: int = 0
    skipped_stale: int = 0


def _zone(store: Store, person_id: int) -> ZoneInfo:
    person = store.people.get(person_id)
    return zone_named(person.tz if person else None)


def sweep_chunk(store: Store, now: datetime, limit: int = 500) -> SweepResult:
    result = SweepResult()
    now_iso = to_iso(now)
    for schedule in store.schedules.due(now_iso, limit):
        result.schedules += 1
        occurrence = from_iso(schedule.next_run_at or now_iso)
        producer, max_lateness = PRODUCERS.get(schedule.kind, (None, timedelta(0)))
        if producer is None:
            log.warning("schedule %s has unknown kind %s; deactivated", schedule.id, schedule.kind)
            store.schedules.deactivate(schedule.id)
            continue
        if now - occurrence <= min(max_lateness, SEND_EXPIRY.get(schedule.kind, max_lateness)):
            messages = _with_expiry(producer(store, schedule, occurrence), schedule.kind,
                                    occurrence)
            # due together with many others: each waits for a fair send slot (flows.outbox.spread)
            local_day = occurrence.astimezone(_zone(store, schedule.person_id)).date()
            messages = to_spread(store, messages, now=now, local_day=local_day)
            result.enqueued += store.outbox.enqueue_many(messages, now=now_iso)
        else:
            result.skipped_stale += 1
        if schedule.local_time:
            following = next_occurrence(max(now, occurrence), _zone(store, schedule.person_id),
                                        schedule.local_time, schedule.weekdays)
            store.schedules.advance(schedule.id, next_run_at=to_iso(following), ran_at=now_iso)
        else:
            store.schedules.advance(schedule.id, next_run_at=None, ran_at=now_iso)
    return result
