"""What flows hand back to a channel: replies with buttons, and typed-answer matching."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

Buttons = list[list[tuple[str, str]]]


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: Buttons | None = None
    photo_png: bytes | None = None
    to_chat: int | None = None  # None: the person who acted
    anonymous: bool = False  # logged without chat id or text (the farewell after /forget)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    words: tuple[str, ...] = ()


@dataclass
class FlowContext:
    """Plain values a flow needs about the moment and the deployment."""

    now: datetime
    default_tz: str
    default_locale: str
    bot_username: str
    events: list[str] = field(default_factory=list)  # e.g. "forget_cache:<tg id>"


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation (Chinese has no word gaps)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded
                   if not (ch.isspace() or unicodedata.category(ch).startswith(("P", "S", "C"))))


def match_choice(text: str, options: list[Option]) -> Option | None:
    """Accept the option's number ("1", "１"), its label without emoji, or one of its words."""
    wanted = normalise(text)
    if not wanted:
        return None
    for option in options:  # a word or label wins: "20" is 20:00, not the 20th option
        names = {normalise(option.label), *(normalise(w) for w in option.words)}
        names.discard("")
        if wanted in names:
            return option
    if wanted.isdigit():
        index = int(wanted) - 1
        return options[index] if 0 <= index < len(options) else None
    return None


def pick(options: list[Option], value: str | None, text: str | None) -> Option | None:
    """The option a person chose: by a pressed button's value, else by what they typed."""
    if value is not None:
        return next((o for o in options if o.value == value), None)
    return match_choice(text or "", options)


def option_buttons(prefix: str, options: list[Option], per_row: int = 1,
                   numbered: bool = True) -> Buttons:
    rows: Buttons = []
    row: list[tuple[str, str]] = []
    for i, option in enumerate(options, start=1):
        label = f"{i}. {option.label}" if numbered else option.label
        row.append((label, f"{prefix}{option.value}"))
        if len(row) == per_row:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return rows
