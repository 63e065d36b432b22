"""One update's turn: the plain values a flow needs about the moment, the person and the
deployment, and the effects to run after commit. The turn middleware (handlers/flowrun.py)
builds it inside the transaction; sweeps and tests build it directly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from db.models import Person
from flows.core.effects import Effect
from flows.core.i18n import Translator, normalize_locale, translator


@dataclass
class Turn:
    now: datetime
    default_tz: str
    default_locale: str
    bot_username: str
    effects: list[Effect] = field(default_factory=list)
    # the deployment's escalation waits per severity (Settings.escalation_after); None: defaults
    escalation: Mapping[str, timedelta] | None = None
    person: Person | None = None  # who acted, if known (opted-out people too)
    tg_user_id: int | None = None
    chat_id: int | None = None
    first_name: str | None = None  # Telegram's, offered as the name when joining
    language_code: str | None = None  # Telegram's first guess, for people not known yet
    _: Translator = field(default=None)  # type: ignore[assignment]  # set in __post_init__

    def __post_init__(self) -> None:
        if self._ is None:
            self._ = translator(self.locale)

    def meet(self, person: Person | None) -> None:
        """The person who acted, read inside the turn's transaction; her translator with her."""
        self.person = person
        self._ = translator(self.locale)

    @property
    def locale(self) -> str:
        if self.person is not None:
            return self.person.locale
        return normalize_locale(self.language_code, self.default_locale)

    @property
    def member(self) -> Person | None:
        """The person, unless unknown or opted out (then the exchange is a stranger's)."""
        if self.person is None or self.person.status == "opted_out":
            return None
        return self.person
