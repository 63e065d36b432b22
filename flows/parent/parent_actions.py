"""The parent's buttons, checked on the server: the presser must be a parent of the family, the
owner of the call, reminder or visit the button names. Anything else is a stale button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from db.models import Person
from db.store import Store
from flows.core import buttons as b
from flows.core.buttons import StaleButton
from flows.core.turn import Turn
from flows.core.ui import Reply
from flows.parent import calls, visits, weekly

Action = Callable[[Store, Turn, Person, Any], list[Reply]]


def another_tip(store: Store, ctx: Turn, parent: Person, family_id: int) -> list[Reply]:
    _ = ctx._
    first, last = weekly.week_of(ctx.now, weekly.zone_of(parent))
    weeks = weekly.child_weeks(store, family_id, first, last)
    return [Reply("\n".join(weekly.tip_lines(store, _, parent, weeks, ctx.now)),
                  [[(_("💡 Another tip"), b.ParentAnotherTip(family_id).pack())]])]


# buttons that name a family: the presser must be one of its parents
FAMILY_ACTIONS: dict[type[b.ButtonData], Action] = {
    b.ParentCalled: lambda s, t, p, x: calls.record_call(s, t, p, x.family_id),
    b.ParentAnotherTip: lambda s, t, p, x: another_tip(s, t, p, x.family_id),
    b.ReminderAsk: lambda s, t, p, x: calls.ask_reminder_day(s, p, x.family_id),
    b.ReminderDay: lambda s, t, p, x: calls.ask_reminder_time(s, t, p, x.family_id, x.day),
    b.ReminderTime: lambda s, t, p, x: calls.set_reminder(s, t, p, x.family_id, x.day, x.hhmm),
    b.VisitPlan: lambda s, t, p, x: visits.start(s, t, p, x.family_id),
    b.VisitMonth: lambda s, t, p, x: visits.day_picker(s, t, p, x.family_id, x.month, x.visit_id),
    b.VisitDay: lambda s, t, p, x: visits.choose_day(s, t, p, x.family_id, x.day, x.visit_id),
}
# buttons that name a call, reminder or visit: the flow checks it is this parent's
OWN_ACTIONS: dict[type[b.ButtonData], Action] = {
    b.CallMinutes: lambda s, t, p, x: calls.call_minutes(s, p, x.call_id, x.minutes),
    b.CallMood: lambda s, t, p, x: calls.call_mood(s, p, x.call_id, x.mood),
    b.ReminderDone: lambda s, t, p, x: calls.reminder_done(s, t, p, x.schedule_id),
    b.ReminderSnooze: lambda s, t, p, x: calls.reminder_later(s, t, p, x.schedule_id, x.stamp,
                                                             "snooze"),
    b.ReminderTomorrow: lambda s, t, p, x: calls.reminder_later(s, t, p, x.schedule_id,
                                                               x.stamp, "tomorrow"),
    b.VisitMove: lambda s, t, p, x: visits.move(s, t, p, x.visit_id),
    b.VisitCancel: lambda s, t, p, x: visits.cancel(s, t, p, x.visit_id),
    b.VisitHappened: lambda s, t, p, x: visits.happened(s, t, p, x.visit_id, x.answer),
}
BUTTONS = {**FAMILY_ACTIONS, **OWN_ACTIONS}


def handle(store: Store, turn: Turn, button: b.ButtonData) -> list[Reply]:
    person = turn.member
    if person is None or person.role != "parent":
        raise StaleButton("not a parent")
    family_id = getattr(button, "family_id", None)
    if type(button) in FAMILY_ACTIONS and not calls.may_act_for(store, person, family_id or 0):
        raise StaleButton("not this family's parent")
    return BUTTONS[type(button)](store, turn, person, button)
