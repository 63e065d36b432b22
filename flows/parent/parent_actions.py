"""The parent's buttons (``p:<action>:<args>``), checked on the server: the presser must be a
parent of the family, the owner of the call, reminder or visit the button names."""

from __future__ import annotations

from db.models import Person
from db.store import Store
from flows.core.i18n import translator
from flows.core.ui import FlowContext, Reply, ascii_number
from flows.parent import calls, visits, weekly


def _int(text: str) -> int | None:
    return ascii_number(text)


def stale(person: Person | None, ctx: FlowContext) -> list[Reply]:
    _ = translator(person.locale if person else ctx.default_locale)
    return [Reply(_("This button is no longer active. Send /menu for a fresh one."))]


def another_tip(store: Store, ctx: FlowContext, parent: Person, family_id: int) -> list[Reply]:
    _ = translator(parent.locale)
    first, last = weekly.week_of(ctx.now, weekly.zone_of(parent))
    weeks = weekly.child_weeks(store, family_id, first, last)
    return [Reply("\n".join(weekly.tip_lines(store, _, parent, weeks, ctx.now)),
                  [[(_("💡 Another tip"), f"{weekly.PREFIX}:tip:{family_id}")]])]


def handle(store: Store, ctx: FlowContext, person: Person | None, data: str) -> list[Reply]:
    parts = data.split(":")
    if person is None or person.status == "opted_out" or person.role != "parent" \
            or len(parts) < 3 or parts[0] != weekly.PREFIX:
        return stale(person, ctx)
    action, args = parts[1], parts[2:]
    numbers = [_int(a) for a in args]
    first = numbers[0]
    if first is None:
        return stale(person, ctx)
    family_actions = {"called", "remind", "rday", "rtime", "visit", "vm", "vd", "tip"}
    if action in family_actions and not calls.may_act_for(store, person, first):
        return stale(person, ctx)
    if action == "called":
        return calls.record_call(store, ctx, person, first)
    if action == "tip":
        return another_tip(store, ctx, person, first)
    if action == "remind":
        return calls.ask_reminder_day(store, person, first)
    if action == "rday" and len(args) == 2:
        return calls.ask_reminder_time(store, ctx, person, first, args[1])
    if action == "rtime" and len(args) == 3:
        return calls.set_reminder(store, ctx, person, first, args[1], args[2])
    if action == "visit":
        return visits.start(store, ctx, person, first)
    if action == "vm" and len(args) == 3 and numbers[2] is not None:
        return visits.day_picker(store, ctx, person, first, args[1], numbers[2] or 0)
    if action == "vd" and len(args) == 3 and numbers[2] is not None:
        return visits.choose_day(store, ctx, person, first, args[1], numbers[2] or 0)
    if action == "mins" and len(args) == 2 and numbers[1] is not None:
        return calls.call_minutes(store, person, first, numbers[1] or 0)
    if action == "mood" and len(args) == 2:
        return calls.call_mood(store, person, first, args[1])
    if action == "rdone":
        return calls.reminder_done(store, ctx, person, first)
    if action in ("snooze", "tmrw") and len(args) == 2 and numbers[1] is not None:
        return calls.reminder_later(store, ctx, person, first, numbers[1] or 0,
                                    "snooze" if action == "snooze" else "tomorrow")
    if action == "vmove":
        return visits.move(store, ctx, person, first)
    if action == "vcancel":
        return visits.cancel(store, ctx, person, first)
    if action == "vdone" and len(args) == 2:
        return visits.happened(store, ctx, person, first, args[1])
    return stale(person, ctx)
