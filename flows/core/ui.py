"""What flows hand back to a channel: replies with buttons, and typed-answer matching."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from flows.core.answer_sense import Choice, fold, understand
from flows.core.buttons import ButtonData
from flows.core.turn import Turn

Buttons = list[list[tuple[str, str]]]


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: Buttons | None = None
    photo_png: bytes | None = None
    to_chat: int | None = None  # None: the person who acted
    anonymous: bool = False  # logged without chat id or text (the farewell after /forget)
    document: tuple[str, bytes] | None = None  # (file name, content), e.g. an export
    keyboard: list[list[str]] | None = None  # a persistent reply keyboard (with no inline buttons)


# in a dialog's data: a reply in this exchange could not be delivered when it was due, so the
# person may not have seen the current question (handlers/flowrun.py sets it)
REPLY_UNSEEN = "reply_unseen"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    words: tuple[str, ...] = ()
    # general senses this option takes in a typed sentence (flows.core.answer_sense: "pos",
    # "mid", "neg", "yes", "no", and "not:<value>" for another option's word negated)
    senses: tuple[str, ...] = ()


# flows written before the turn took their plain values as a FlowContext: the same thing
FlowContext = Turn


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation (Chinese has no word gaps).

    Cached: option labels and words are normalised for every typed answer."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded
                   if not (ch.isspace() or unicodedata.category(ch).startswith(("P", "S", "C"))))


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def ascii_number(text: str | None, *, max_digits: int = 11) -> int | None:
    """A whole number typed or carried in a button: ASCII digits (full-width ones folded, as a
    Chinese keyboard types them), else None. str.isdigit() alone accepts "²" and "①", which
    int() then refuses with an error instead of a kind reply."""
    cleaned = (text or "").strip().translate(_FULL_WIDTH_DIGITS)
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= max_digits:
        return int(cleaned)
    return None


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
    number = ascii_number(wanted)
    if number is not None:
        index = number - 1
        return options[index] if 0 <= index < len(options) else None
    return None


def pick(options: list[Option], value: str | None, text: str | None) -> Option | None:
    """The option a person chose: by a pressed button's value, else by what they typed."""
    if value is not None:
        return next((o for o in options if o.value == value), None)
    return match_choice(text or "", options)


def option_buttons(button: Callable[[str], ButtonData], options: list[Option], per_row: int = 1,
                   numbered: bool = True) -> Buttons:
    """Options as buttons; ``button(value)`` is the typed data of the one for ``value``."""
    rows: Buttons = []
    row: list[tuple[str, str]] = []
    for i, option in enumerate(options, start=1):
        label = f"{i}. {option.label}" if numbered else option.label
        row.append((label, button(option.value).pack()))
        if len(row) == per_row:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return rows


def pager_row(page: int, pages: int, back: str, forward: str,
              button: Callable[[int], ButtonData]) -> list[tuple[str, str]]:
    """◀ / ▶ under a paged list; ``button(n)`` is the typed data for page n."""
    row = []
    if page > 0:
        row.append((back, button(page - 1).pack()))
    if page + 1 < pages:
        row.append((forward, button(page + 1).pack()))
    return row


def markup_json(buttons: Buttons | None,
                keyboard: list[list[str]] | None = None) -> dict[str, object] | None:
    """Buttons as a Bot API ``reply_markup``; or a persistent reply keyboard (big buttons that
    stay under the chat and send their text)."""
    if keyboard and not buttons:
        return {"keyboard": [[{"text": label} for label in row] for row in keyboard],
                "resize_keyboard": True, "is_persistent": True}
    if not buttons:
        return None
    return {"inline_keyboard": [[{"text": text, "callback_data": data} for text, data in row]
                                for row in buttons]}


NEGATIONS = ("不", "没", "别", "未", "not", "no", "isnt", "wasnt", "didnt", "dont", "never")


def _affirmed(haystack: str, needle: str) -> bool:
    """``needle`` occurs in ``haystack`` at least once without a negation just before it
    ("不太开心", "没有不开心" and "not happy" do not say happy)."""
    start = haystack.find(needle)
    while start >= 0:
        before = haystack[max(0, start - 4):start]
        if not any(before.endswith(n) or before[:-1].endswith(n) for n in NEGATIONS):
            return True
        start = haystack.find(needle, start + 1)
    return False


def match_in_sentence(text: str, options: list[Option],
                      foreign: tuple[str, ...] = ()) -> Option | None:
    """The option a sentence speaks of ("他今天挺开心的" -> happy, "还行" -> so-so).

    A longer word beats a shorter one inside it ("不开心" beats "开心"), a negated word does not
    count (or flips, "不怎么开心"), a question's own words beat general ones, and a tie between
    different options is ambiguous and gives None, so the person is asked again rather than
    misread. Emoji ("😢") count as words. See flows.core.answer_sense.
    """
    choices = _choices(tuple(options))
    chosen = understand(text, choices, foreign)
    if chosen is None:
        return None
    return next((o for o in options if o.value == chosen.value), None)


@lru_cache(maxsize=256)
def _choices(options: tuple[Option, ...]) -> tuple[Choice, ...]:
    result = []
    for option in options:
        words = {fold(w) for w in option.words}
        words.add(normalise(option.label))
        words.update(ch for ch in option.label if unicodedata.category(ch) == "So")
        words.discard("")
        result.append(Choice(option.value, tuple(sorted(words)), option.senses))
    return tuple(result)
