"""Plain button rows (label, callback data) from flows -> Telegram keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

ButtonRows = Sequence[Sequence[tuple[str, str]]]

MAX_CALLBACK_BYTES = 64


def inline(rows: ButtonRows | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    for row in rows:
        for _label, data in row:
            if len(data.encode()) > MAX_CALLBACK_BYTES:
                raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data[:20]}…")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def markup_json(rows: ButtonRows | None) -> dict[str, object] | None:
    """The Bot API JSON of an inline keyboard, for outbox payloads."""
    markup = inline(rows)
    return markup.to_dict() if markup is not None else None
