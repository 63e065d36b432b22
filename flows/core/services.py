"""What a turn needs, as one plain bag: the store, the clock, the settings, and a way to wake the
outbox sender after a commit (no Telegram here, and no scheduler state: the sweeps keep their own).
bot.py builds it and wires it; handlers reach it as ``context.services``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from db.database import Database
from db.models import Person
from db.store import Store
from flows.core.clock import Clock, to_iso
from flows.core.config import Settings
from flows.core.i18n import Translator, normalize_locale, translator
from flows.core.interaction_log import LogBuffer, write_entries

T = TypeVar("T")


@dataclass
class Services:
    db: Database
    clock: Clock
    settings: Settings
    # called after a commit that queued messages; bot.py points it at the outbox sender
    wake_outbox: Callable[[], None] = lambda: None
    log: LogBuffer = field(default_factory=LogBuffer)
    # people by Telegram user id: read on every update, so cached; writers invalidate.
    _people: dict[int, Person | None] = field(default_factory=dict)

    def now_iso(self) -> str:
        return to_iso(self.clock.now())

    async def person_by_telegram(self, tg_user_id: int) -> Person | None:
        if tg_user_id in self._people:
            return self._people[tg_user_id]
        person = await self.db.read(lambda s: s.people.by_telegram_user(tg_user_id))
        if len(self._people) > 50_000:
            self._people.clear()
        self._people[tg_user_id] = person
        return person

    def write_log(self, store: Store) -> None:
        """Write the waiting interaction-log entries in ``store``'s transaction. bot.py hooks this
        on the database's every batch (group commit), so the log rides with the answers."""
        entries = self.log.drain()
        try:
            write_entries(store, entries, self.log.family_of)
        except BaseException:
            self.log.requeue(entries)
            raise

    async def write(self, fn: Callable[[Store], T]) -> T:
        """One transaction; the interaction log entries waiting are written in the same batch."""
        return await self.db.write(fn)

    async def flush_log(self) -> int:
        """Write whatever log entries are waiting (the periodic flush, and at shutdown)."""
        waiting = len(self.log)
        if waiting:
            await self.db.write(lambda store: None)
        return waiting

    def forget_cached(self, tg_user_id: int | None = None) -> None:
        self.log.family_of.clear()
        if tg_user_id is None:
            self._people.clear()
        else:
            self._people.pop(tg_user_id, None)

    def translator_for(self, person: Person | None, language_code: str | None = None) -> Translator:
        if person is not None:
            return translator(person.locale)
        return translator(normalize_locale(language_code, self.settings.locale))
