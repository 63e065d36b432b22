"""Pressing buttons without Telegram: the button a person would press in an open dialog."""

from __future__ import annotations

from db.dialogs import Dialog
from db.store import Store
from flows.core.buttons import CheckinAnswer, DialogAnswer
from flows.core.turn import Turn
from flows.dialogs import DIALOGS


def button_for(dialog: Dialog, value: str) -> DialogAnswer | CheckinAnswer:
    """The option ``value`` of the dialog's current question, as its typed button."""
    family = DIALOGS[dialog.kind].button
    assert family is not None, f"{dialog.kind} takes no buttons"
    if family is CheckinAnswer:
        return CheckinAnswer(int(dialog.data["checkin_id"]), dialog.step, value)
    return family(dialog.step, value)  # type: ignore[call-arg]


def met(turn: Turn, store: Store, tg_user_id: int) -> Turn:
    """``turn`` as the middleware completes it inside the transaction: who pressed or wrote."""
    turn.tg_user_id = tg_user_id
    turn.meet(store.people.by_telegram_user(tg_user_id))
    return turn
