"""The inside of a turn: run a flow, and turn a stale or forged button into the one kind reply.
The turn middleware (handlers/flowrun.py) calls this inside its transaction; tests that drive
flows without Telegram call it too, so they see what a person would see."""

from __future__ import annotations

from collections.abc import Callable

from db.store import Store
from flows.core.buttons import STALE_BUTTON, StaleButton
from flows.core.turn import Turn
from flows.core.ui import Reply

Flow = Callable[[Store, Turn], list[Reply]]


def run_turn(store: Store, turn: Turn, flow: Flow) -> list[Reply]:
    """``flow``'s replies. A flow raises ``StaleButton`` before it writes anything, so nothing
    is half done when the kind reply goes instead."""
    try:
        return flow(store, turn)
    except StaleButton:
        return [Reply(turn._(STALE_BUTTON))]
