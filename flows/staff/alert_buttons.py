"""The caseworker's buttons on alerts, the /alerts queue and a family's timeline. Every press is
checked on the server against who may act on the alert; a press refused is written down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from db.alerts import Alert
from db.models import Person
from db.store import Store
from flows.core import buttons as b
from flows.core.turn import Turn
from flows.core.ui import Reply
from flows.staff import alert_desk, case_file

OnAlert = Callable[[Store, Turn, Person, Alert, Any], list[Reply]]


def _note_skipped(store: Store, turn: Turn, person: Person, alert: Alert,
                  button: b.AlertNoteSkip) -> list[Reply]:
    dialog = store.dialogs.get(turn.tg_user_id or 0)
    if dialog is None or dialog.kind != alert_desk.RESOLVE \
            or dialog.data.get("alert_id") != alert.id:
        return alert_desk.refuse(store, turn, person, button.pack())
    return alert_desk.finish_resolve(store, turn, person, dialog, None)


ON_ALERT: dict[type[b.ButtonData], OnAlert] = {
    b.AlertAck: lambda s, t, p, a, x: alert_desk.acknowledge(s, t, p, a),
    b.AlertResolve: lambda s, t, p, a, x: alert_desk.ask_outcome(s, p, a),
    b.AlertOutcome: lambda s, t, p, a, x: alert_desk.choose_outcome(s, t, p, a, x.outcome),
    b.AlertNoteSkip: _note_skipped,
    b.AlertCall: lambda s, t, p, a, x: alert_desk.call_guardian(s, p, a),
}


def on_alert(store: Store, turn: Turn, button: Any) -> list[Reply]:
    person = turn.person
    alert = store.alerts.get(button.alert_id)
    if alert is None or person is None or not alert_desk.may_act(store, person, alert):
        return alert_desk.refuse(store, turn, person, button.pack())
    return ON_ALERT[type(button)](store, turn, person, alert, button)


def queue_page(store: Store, turn: Turn, button: b.AlertQueuePage) -> list[Reply]:
    if turn.person is None:
        return alert_desk.refuse(store, turn, None, button.pack())
    return alert_desk.queue(store, turn, turn.person, button.page)


def timeline_page(store: Store, turn: Turn, button: b.TimelinePage) -> list[Reply]:
    if turn.person is None:
        return alert_desk.refuse(store, turn, None, button.pack())
    return case_file.timeline(store, turn, turn.person, button.family_id, button.page)
