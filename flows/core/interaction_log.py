"""Group commit of the interaction log.

Every update is logged, in and out; writing each entry in a transaction of its own would cost a
hop to the database thread per message. Entries wait here instead and are written in the same
transaction as the next flow's answer (so an update's log entry commits with its answer), or by
a flush about once a second when nothing else writes. A crash can lose at most that second of
log entries, never an answer: answers are stored in the flow's own transaction.
"""

from __future__ import annotations

from db.interactions import Interaction
from db.store import Store

MAX_PENDING = 20_000  # beyond this, the oldest entries are written by the next flush first


class LogBuffer:
    def __init__(self) -> None:
        self._pending: list[Interaction] = []
        # person -> family, learnt while writing; forgotten whenever people change
        self.family_of: dict[int, int] = {}

    def add(self, entry: Interaction) -> None:
        self._pending.append(entry)

    def drain(self) -> list[Interaction]:
        entries, self._pending = self._pending, []
        return entries

    def requeue(self, entries: list[Interaction]) -> None:
        """A transaction that carried ``entries`` failed: keep them for the next one."""
        self._pending[:0] = entries

    def __len__(self) -> int:
        return len(self._pending)


def write_entries(store: Store, entries: list[Interaction],
                  family_of: dict[int, int] | None = None) -> None:
    """Store the entries, filling in each person's family (looked up inside the transaction,
    once per person, rather than once per update on the event loop)."""
    if not entries:
        return
    families = family_of if family_of is not None else {}
    complete: list[Interaction] = []
    for entry in entries:
        if entry.family_id is None and entry.person_id is not None:
            family_id = families.get(entry.person_id)
            if family_id is None:
                family_id = store.families.first_family_of(entry.person_id)
                if family_id is not None:
                    families[entry.person_id] = family_id
            if family_id is not None:
                entry = Interaction(entry.at, entry.person_id, family_id, entry.direction,
                                    entry.kind, entry.summary, entry.tg_chat_id,
                                    entry.tg_message_id, entry.tg_update_id)
        complete.append(entry)
    store.interactions.add_many(complete)
