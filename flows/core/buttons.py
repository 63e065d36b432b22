"""Typed button data: one frozen dataclass per button family, packed to the string Telegram
carries (``<prefix>:<field>:<field>``, at most 64 bytes) and unpacked back on a press.

A press whose data fits no family, or names something that no longer fits (an answered question,
another person's check-in), raises ``StaleButton``; the turn middleware (handlers/turn.py) turns it
into the one kind reply ``STALE_BUTTON``. The strings on the wire are the ones older releases
built by hand, so buttons already in people's chats are still understood."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import cache
from typing import ClassVar, Self, get_type_hints

from flows.core.i18n import N_

MAX_BYTES = 64  # Telegram's limit for callback_data
STALE_BUTTON = N_("This button is no longer active. Send /menu for a fresh one.")


class StaleButton(Exception):
    """A pressed button that no longer fits (or never did): answered with one kind reply."""


class ButtonTooLong(ValueError):
    """A button would carry more than Telegram's 64 bytes: a programming error, caught in tests."""


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


@dataclass(frozen=True)
class ButtonData:
    """Base of every button family. ``prefix`` names the family (and, where one family has
    several actions, the action: ``"a:ack"``); the fields follow, ``:``-separated, as int or
    str; only the last may itself hold a ``:`` (a time such as 08:00)."""

    prefix: ClassVar[str] = ""
    families: ClassVar[list[type[ButtonData]]] = []

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("prefix"):  # a family of its own (not an abstract base)
            ButtonData.families.append(cls)

    @classmethod
    @cache
    def _types(cls) -> tuple[tuple[str, type], ...]:
        hints = get_type_hints(cls)
        return tuple((f.name, hints[f.name]) for f in fields(cls))

    def pack(self) -> str:
        parts = [self.prefix]
        last = len(self._types()) - 1
        for index, (name, _kind) in enumerate(self._types()):
            text = str(getattr(self, name))
            if ":" in text and index < last:
                raise ButtonTooLong(f"{type(self).__name__}.{name} may not contain ':'")
            parts.append(text)
        data = ":".join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ButtonTooLong(f"{type(self).__name__} packs to {len(data.encode())} bytes")
        return data

    @classmethod
    def unpack(cls, data: str | None) -> Self:
        """The button from its data; ``StaleButton`` if the data is not of this family."""
        types = cls._types()
        if data is None or len(data.encode()) > MAX_BYTES:
            raise StaleButton(cls.__name__)
        if not types:
            if data != cls.prefix:
                raise StaleButton(cls.__name__)
            return cls()
        head = f"{cls.prefix}:"
        rest = data[len(head):].split(":", len(types) - 1) if data.startswith(head) else []
        if len(rest) != len(types):
            raise StaleButton(cls.__name__)
        values: dict[str, object] = {}
        for (name, kind), text in zip(types, rest, strict=True):
            if kind is int:
                number = _number(text)
                if number is None:
                    raise StaleButton(cls.__name__)
                values[name] = number
            else:
                values[name] = text
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def pattern(cls) -> str:
        """The regex for ``CallbackQueryHandler``: this family's prefix and number of fields."""
        count = len(cls._types())
        fields_re = "(?::[^:]*)" * (count - 1) + "(?::.*)" if count else ""
        return "^" + re.escape(cls.prefix) + fields_re + "$"


def parse(data: str | None) -> ButtonData:
    """Any button from its data (the family with the longest matching prefix wins); raises
    ``StaleButton`` for data of no family."""
    for family in sorted(ButtonData.families, key=lambda f: -len(f.prefix)):
        if re.match(family.pattern(), data or ""):
            return family.unpack(data)
    raise StaleButton("unknown")


# -- guardians: the check-in and 🆘 -------------------------------------------------------------

@dataclass(frozen=True)
class CheckinAnswer(ButtonData):
    """An answer to one check-in question; honoured only while that question is open."""

    prefix: ClassVar[str] = "c"
    checkin_id: int
    step: str
    value: str


@dataclass(frozen=True)
class SosStart(ButtonData):
    """🆘 from anywhere (the menu, a check-in question, a worried word)."""

    prefix: ClassVar[str] = "h:start"


@dataclass(frozen=True)
class DialogAnswer(ButtonData):
    """An option chosen in an exchange kept as a dialog row: ``<letter>:<step>:<value>``; each
    dialog kind answering by button has its own subclass (its letter)."""

    step: str
    value: str


@dataclass(frozen=True)
class SosAnswer(DialogAnswer):
    prefix: ClassVar[str] = "h"


@dataclass(frozen=True)
class JoinAnswer(DialogAnswer):
    prefix: ClassVar[str] = "j"


@dataclass(frozen=True)
class SettingsAnswer(DialogAnswer):
    prefix: ClassVar[str] = "s"


@dataclass(frozen=True)
class ForgetAnswer(DialogAnswer):
    prefix: ClassVar[str] = "x"


@dataclass(frozen=True)
class FamilyAnswer(DialogAnswer):
    prefix: ClassVar[str] = "f"


# -- the menu -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MenuChoice(ButtonData):
    prefix: ClassVar[str] = "m"
    choice: str


# -- staff: family files, alerts, pagers --------------------------------------------------------

@dataclass(frozen=True)
class FamilyInvite(ButtonData):
    prefix: ClassVar[str] = "f:invite"
    family_id: int


@dataclass(frozen=True)
class FamilyEdit(ButtonData):
    prefix: ClassVar[str] = "f:edit"
    family_id: int
    what: str


@dataclass(frozen=True)
class AlertAck(ButtonData):
    prefix: ClassVar[str] = "a:ack"
    alert_id: int


@dataclass(frozen=True)
class AlertResolve(ButtonData):
    prefix: ClassVar[str] = "a:res"
    alert_id: int


@dataclass(frozen=True)
class AlertOutcome(ButtonData):
    prefix: ClassVar[str] = "a:out"
    alert_id: int
    outcome: str


@dataclass(frozen=True)
class AlertNoteSkip(ButtonData):
    prefix: ClassVar[str] = "a:note"
    alert_id: int
    value: str = "skip"


@dataclass(frozen=True)
class AlertCall(ButtonData):
    prefix: ClassVar[str] = "a:call"
    alert_id: int


@dataclass(frozen=True)
class AlertQueuePage(ButtonData):
    """A page of /alerts (0 is the first)."""

    prefix: ClassVar[str] = "a:q"
    page: int


@dataclass(frozen=True)
class TimelinePage(ButtonData):
    """A page of a family's timeline (0 is the newest)."""

    prefix: ClassVar[str] = "a:tl"
    family_id: int
    page: int


# -- parents: calls, reminders, visits, tips ----------------------------------------------------

@dataclass(frozen=True)
class ParentCalled(ButtonData):
    prefix: ClassVar[str] = "p:called"
    family_id: int


@dataclass(frozen=True)
class ParentAnotherTip(ButtonData):
    prefix: ClassVar[str] = "p:tip"
    family_id: int


@dataclass(frozen=True)
class ReminderAsk(ButtonData):
    prefix: ClassVar[str] = "p:remind"
    family_id: int


@dataclass(frozen=True)
class ReminderDay(ButtonData):
    prefix: ClassVar[str] = "p:rday"
    family_id: int
    day: str


@dataclass(frozen=True)
class ReminderTime(ButtonData):
    prefix: ClassVar[str] = "p:rtime"
    family_id: int
    day: str
    hhmm: str


@dataclass(frozen=True)
class ReminderDone(ButtonData):
    prefix: ClassVar[str] = "p:rdone"
    schedule_id: int


@dataclass(frozen=True)
class ReminderSnooze(ButtonData):
    prefix: ClassVar[str] = "p:snooze"
    schedule_id: int
    stamp: int


@dataclass(frozen=True)
class ReminderTomorrow(ButtonData):
    prefix: ClassVar[str] = "p:tmrw"
    schedule_id: int
    stamp: int


@dataclass(frozen=True)
class CallMinutes(ButtonData):
    prefix: ClassVar[str] = "p:mins"
    call_id: int
    minutes: int


@dataclass(frozen=True)
class CallMood(ButtonData):
    prefix: ClassVar[str] = "p:mood"
    call_id: int
    mood: str


@dataclass(frozen=True)
class VisitPlan(ButtonData):
    prefix: ClassVar[str] = "p:visit"
    family_id: int


@dataclass(frozen=True)
class VisitMonth(ButtonData):
    prefix: ClassVar[str] = "p:vm"
    family_id: int
    month: str  # YYYYMM
    visit_id: int  # 0: a new visit


@dataclass(frozen=True)
class VisitDay(ButtonData):
    prefix: ClassVar[str] = "p:vd"
    family_id: int
    day: str  # YYYYMMDD
    visit_id: int


@dataclass(frozen=True)
class VisitMove(ButtonData):
    prefix: ClassVar[str] = "p:vmove"
    visit_id: int


@dataclass(frozen=True)
class VisitCancel(ButtonData):
    prefix: ClassVar[str] = "p:vcancel"
    visit_id: int


@dataclass(frozen=True)
class VisitHappened(ButtonData):
    prefix: ClassVar[str] = "p:vdone"
    visit_id: int
    answer: str  # y / n
