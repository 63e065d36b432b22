"""The dialog registry: every multi-step exchange kept as a row in ``dialogs`` (joining, a
check-in, 🆘, settings, /forget, a family file, an alert's closing note) declares here its answer
function, the button family that answers its steps, and who may be in it.

Handlers hand every answer over as one neutral ``Answer``; ``answer`` finds the dialog's entry
and calls it. Adding a dialog = its module (begin and answer functions) + one entry below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from db.dialogs import Dialog
from db.store import Store
from flows.account import account, joining
from flows.core.buttons import (
    CheckinAnswer,
    DialogAnswer,
    FamilyAnswer,
    ForgetAnswer,
    JoinAnswer,
    SettingsAnswer,
    SosAnswer,
    StaleButton,
)
from flows.core.turn import Turn
from flows.core.ui import Reply
from flows.guardian import checkin, sos
from flows.staff import alert_desk, family_file


@dataclass(frozen=True)
class Answer:
    """One answer, whatever the channel: a pressed option, typed words, a voice note or a photo
    (their message as (chat id, message id)), the record a button names."""

    value: str | None = None
    text: str | None = None
    voice: tuple[int, int] | None = None
    photo: bool = False
    message: tuple[int, int] | None = None
    ref: int | None = None

    @classmethod
    def pressed(cls, button: DialogAnswer | CheckinAnswer) -> Answer:
        return cls(value=button.value,
                   ref=button.checkin_id if isinstance(button, CheckinAnswer) else None)


AnswerFn = Callable[[Store, Turn, Dialog, Answer], list[Reply] | None]


@dataclass(frozen=True)
class DialogKind:
    kind: str
    answer: AnswerFn
    button: type[DialogAnswer] | type[CheckinAnswer] | None = None
    members_only: bool = True  # a stranger's (or opted-out person's) dialog of this kind ends
    staff_only: bool = False
    takes_voice: bool = False  # else a voice note is passed on by the general handling
    ref_key: str | None = None  # the dialog data a button's ``ref`` must name (its check-in)


def _join(store: Store, turn: Turn, dialog: Dialog, a: Answer) -> list[Reply]:
    return joining.answer_join(store, turn, dialog, chat_id=turn.chat_id or dialog.tg_user_id,
                               first_name=turn.first_name, value=a.value, text=a.text)


def _checkin(store: Store, turn: Turn, dialog: Dialog, a: Answer) -> list[Reply]:
    assert turn.person is not None
    return checkin.answer(store, turn, turn.person, dialog, value=a.value, text=a.text,
                          voice=a.voice, message=a.message, checkin_ref=a.ref)


def _sos(store: Store, turn: Turn, dialog: Dialog, a: Answer) -> list[Reply]:
    assert turn.person is not None
    return sos.answer_help(store, turn, turn.person, dialog, value=a.value, text=a.text,
                           voice=a.voice)


def _resolve(store: Store, turn: Turn, dialog: Dialog, a: Answer) -> list[Reply]:
    assert turn.person is not None
    return alert_desk.finish_resolve(store, turn, turn.person, dialog, a.text)


def _family(store: Store, turn: Turn, dialog: Dialog, a: Answer) -> list[Reply]:
    assert turn.person is not None
    return family_file.answer_family(store, turn, turn.person, dialog, value=a.value, text=a.text)


def _settings(store: Store, turn: Turn, dialog: Dialog, a: Answer) -> list[Reply]:
    assert turn.person is not None
    return account.answer_settings(store, turn, turn.person, dialog, value=a.value, text=a.text)


def _forget(store: Store, turn: Turn, dialog: Dialog, a: Answer) -> list[Reply]:
    assert turn.person is not None
    return account.answer_forget(store, turn, turn.person, dialog, value=a.value, text=a.text)


DIALOGS: dict[str, DialogKind] = {d.kind: d for d in (
    DialogKind(checkin.KIND, _checkin, CheckinAnswer, takes_voice=True,
               ref_key="checkin_id"),  # first: most of the traffic
    DialogKind(joining.KIND, _join, JoinAnswer, members_only=False),
    DialogKind(sos.KIND, _sos, SosAnswer, takes_voice=True),
    DialogKind(alert_desk.RESOLVE, _resolve, staff_only=True),
    DialogKind(family_file.KIND, _family, FamilyAnswer, staff_only=True),
    DialogKind(account.SETTINGS, _settings, SettingsAnswer),
    DialogKind(account.FORGET, _forget, ForgetAnswer),
)}
BUTTON_FAMILIES = tuple(d.button for d in DIALOGS.values() if d.button is not None)


def answer(store: Store, turn: Turn, dialog: Dialog, given: Answer) -> list[Reply] | None:
    """The dialog's reply to ``given``; None when the dialog takes no such answer (the general
    handling goes on). A dialog its person may not (or no longer) be in ends."""
    kind = DIALOGS.get(dialog.kind)
    person = turn.member
    if kind is None or (kind.members_only and person is None) \
            or (kind.staff_only and not (person is not None and person.is_staff)):
        store.dialogs.end(dialog.tg_user_id)
        return None
    if given.voice is not None and not kind.takes_voice:
        return None
    return kind.answer(store, turn, dialog, given)


def answer_button(store: Store, turn: Turn, button: DialogAnswer | CheckinAnswer) -> list[Reply]:
    """A pressed option: honoured only while its dialog is open at that very step."""
    dialog = store.dialogs.get(turn.tg_user_id or 0)
    kind = DIALOGS.get(dialog.kind) if dialog is not None else None
    if dialog is None or kind is None or kind.button is not type(button) \
            or dialog.step != button.step:
        raise StaleButton(type(button).__name__)
    given = Answer.pressed(button)
    if kind.ref_key is not None and dialog.data.get(kind.ref_key) != given.ref:
        raise StaleButton(type(button).__name__)
    replies = answer(store, turn, dialog, given)
    if replies is None:
        raise StaleButton(type(button).__name__)
    return replies
