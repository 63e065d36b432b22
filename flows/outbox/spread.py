"""Fair send slots for prompts that fall due together (issue 13.14).

At 19:00 every family's check-in question falls due in the same minute; Telegram takes about
30 messages a second. Sent as they came (by row id), 200 000 prompts went out over 111 minutes,
and it was the same families, the ones with the highest ids, whose question expired every
evening; nobody could say when a prompt would arrive.

Now each tick of the due-work sweep first marks the prompts it produced (reminder and bulk
lanes; never an alert, never a reply) with their place in the day's order, ``spread_key``, and
the sender leaves such rows alone. Once the whole tick is enqueued, ``assign_slots`` books each
one a send slot, in key order, ``PROMPTS_PER_S`` to a second after the slots already booked: the
row's ``not_before`` becomes its slot, so the backlog turns into a predictable timetable that
fits the channel, and the sender's claim (lane first) lets alerts and replies pass at any time.

The order is fair across days:
- a person whose last prompts expired unsent goes first (more misses in a row, earlier);
- among the rest, the place rotates each local day by the golden ratio of the line
  (``frac(h(person) + day / phi)``): yesterday's back of the line is mostly today's front, and
  over the days every person's place is spread evenly (no one is last twice by construction
  of ids);
- one person's own messages share a key and keep their order (by id).
A prompt whose first free slot comes after its moment (``expires_at``) gets no slot: it is
dropped at once, quietly, and counted as expired, so it does not push the others back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from db.outbox import LANE_REPLY, NewMessage
from db.store import Store
from flows.core.clock import from_iso, to_iso

# Telegram's ~30 msg/s (the sender's Pacer) less room for alerts and direct replies, which share
# the channel and must never queue behind a timetable of prompts.
PROMPTS_PER_S = 25
MISSES_COUNTED = 3  # misses in a row beyond this do not move a person further forward
_GOLDEN = 2654435769  # 2**32 / phi: the day's rotation of the line
_RING = 2**32
SLOT_CHUNK = 5000


def _place(person_id: int) -> int:
    """A person's fixed place on the ring, from a hash that is the same in every process."""
    digest = hashlib.blake2b(person_id.to_bytes(8, "big", signed=True), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def spread_key(person_id: int, local_day: date, misses: int = 0) -> int:
    """Smaller goes first: more recent misses first, then the day's rotating place."""
    rotated = (_place(person_id) + local_day.toordinal() * _GOLDEN) % _RING
    return (MISSES_COUNTED - min(misses, MISSES_COUNTED)) * _RING + rotated


def to_spread(store: Store, messages: list[NewMessage], *, now: datetime,
              local_day: date) -> list[NewMessage]:
    """Prompts due now wait for a fair slot; alerts, replies and messages meant for a later
    moment (their own not_before) are left as they are."""
    now_iso = to_iso(now)
    misses: dict[int, int] = {}
    out: list[NewMessage] = []
    for m in messages:
        if m.lane <= LANE_REPLY or (m.not_before is not None and m.not_before > now_iso):
            out.append(m)
            continue
        owner = m.person_id if m.person_id is not None else m.chat_id
        if m.person_id is not None and owner not in misses:
            misses[owner] = store.outbox.misses_in_a_row(owner, MISSES_COUNTED)
        out.append(replace(m, spread_key=spread_key(owner, local_day, misses.get(owner, 0))))
    return out


@dataclass
class Slots:
    booked: int = 0
    expired: int = 0
    first: datetime | None = None
    last: datetime | None = None


def assign_slots(store: Store, now: datetime, *, rate: int = PROMPTS_PER_S,
                 limit: int = SLOT_CHUNK) -> Slots:
    """Book send slots for up to ``limit`` waiting prompts (one transaction; call again while
    ``booked + expired == limit``). Slots are whole seconds apart, ``rate`` rows to a second,
    continuing after the last slot booked, never before ``now``."""
    result = Slots()
    waiting = store.outbox.awaiting_slot(limit)
    if not waiting:
        return result
    last, used = store.outbox.last_slot()
    second = from_iso(last) if last is not None else None
    if second is None or second < now:
        second, used = now, 0
    bookings: list[tuple[int, str, str]] = []
    expired: list[tuple[int, str]] = []
    for row_id, _not_before, expires_at in waiting:
        if used >= rate:
            second, used = second + timedelta(seconds=1), 0
        if expires_at is not None and from_iso(expires_at) <= second:
            expired.append((row_id, expires_at))  # no slot in time: dropped, the slot stays free
            continue
        # the row's not_before is its second nudged back by its rank in microseconds: a
        # second's rows are all due by then, and a sender running behind its timetable still
        # takes them in the fair order (the claim orders by not_before, then id)
        nudged = second - timedelta(microseconds=rate - used)
        bookings.append((row_id, to_iso(second), to_iso(nudged)))
        used += 1
        result.first = result.first or second
        result.last = second
    store.outbox.book_slots(bookings)
    store.outbox.expire_unslotted(expired)
    result.booked, result.expired = len(bookings), len(expired)
    return result
