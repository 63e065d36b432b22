"""Calls home: "I called" (with how long and how the child seemed, by buttons), the reminders a
parent asks for (one-off or weekly, with done / snooze 1 h / tomorrow), and the caseworker's
alert after three weeks without a call. Kind words only: a streak is praised, a gap never shamed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from db.models import Person
from db.outbox import LANE_REMINDER, NewMessage
from db.schedules import Schedule
from db.store import Store
from flows.core.buttons import (
    CallMinutes,
    CallMood,
    ReminderDay,
    ReminderDone,
    ReminderSnooze,
    ReminderTime,
    ReminderTomorrow,
    StaleButton,
)
from flows.core.clock import to_iso
from flows.core.i18n import Translator, translator
from flows.core.timeplan import next_occurrence
from flows.core.ui import Buttons, FlowContext, Reply, markup_json
from flows.parent.weekly import call_streak, zone_of
from flows.staff.alerts import Waits, raise_alert

NO_CALL_AFTER = timedelta(days=21)
REMINDER_TIMES = ("12:00", "18:00", "20:00", "21:00")
MINUTES = (5, 15, 30)


def may_act_for(store: Store, person: Person, family_id: int) -> bool:
    """Only a parent of this family may log its calls, reminders and visits."""
    return person.role == "parent" and any(
        m.family_id == family_id for m in store.families.memberships_of(person.id))


def _child_names(store: Store, family_id: int, _: Translator) -> str:
    return "、".join(c.name for c in store.families.children(family_id)) or _("the child")


def record_call(store: Store, ctx: FlowContext, parent: Person, family_id: int) -> list[Reply]:
    _ = translator(parent.locale)
    local_day = ctx.now.astimezone(zone_of(parent)).date().isoformat()
    call_id = store.calls.add(family_id=family_id, parent_id=parent.id, at=to_iso(ctx.now),
                              local_day=local_day)
    streak = call_streak(store, parent, family_id, ctx.now)
    text = _("📞 Noted, thank you for calling! You have called %(n)s weeks in a row.", n=streak) \
        if streak >= 2 else _("📞 Noted, thank you for calling!")
    buttons: Buttons = [[(_("%(n)s min", n=m), CallMinutes(call_id, m).pack()) for m in MINUTES],
                        [(_("Skip"), CallMinutes(call_id, 0).pack())]]
    return [Reply(text + "\n" + _("How long did you talk?"), buttons)]


def call_minutes(store: Store, parent: Person, call_id: int, minutes: int) -> list[Reply]:
    _ = translator(parent.locale)
    call = store.calls.get(call_id)
    if call is None or call.parent_id != parent.id:
        raise StaleButton("call")
    store.calls.set_minutes(call_id, minutes if minutes in MINUTES else None)
    names = _child_names(store, call.family_id, _)
    buttons: Buttons = [[("😊", CallMood(call_id, "happy").pack()),
                         ("😐", CallMood(call_id, "neutral").pack()),
                         ("😢", CallMood(call_id, "sad").pack())],
                        [(_("Skip"), CallMood(call_id, "skip").pack())]]
    return [Reply(_("How did %(child)s seem?", child=names), buttons)]


def call_mood(store: Store, parent: Person, call_id: int, mood: str) -> list[Reply]:
    _ = translator(parent.locale)
    call = store.calls.get(call_id)
    if call is None or call.parent_id != parent.id:
        raise StaleButton("call")
    if mood in ("happy", "neutral", "sad"):
        store.calls.set_child_mood(call_id, mood)
    text = _("Thank you. Every call matters to a child far away. 💛")
    if mood == "sad":
        text += "\n" + _("If you are worried, you can tell the children's director at any time: "
                         "press 🆘 or send /help_now.")
    return [Reply(text)]


# ---- reminders ----------------------------------------------------------------------------
def ask_reminder_day(store: Store, parent: Person, family_id: int) -> list[Reply]:
    _ = translator(parent.locale)
    return [Reply(_("When shall I remind you to call?"),
                  [[(_("Today"), ReminderDay(family_id, "today").pack()),
                    (_("Tomorrow"), ReminderDay(family_id, "tomorrow").pack())],
                   [(_("Every week on this day"), ReminderDay(family_id, "weekly").pack())]])]


def ask_reminder_time(store: Store, ctx: FlowContext, parent: Person, family_id: int,
                      day: str) -> list[Reply]:
    _ = translator(parent.locale)
    local_now = ctx.now.astimezone(zone_of(parent))
    times = [t for t in REMINDER_TIMES
             if day != "today" or t > local_now.strftime("%H:%M")]
    if not times:
        return [Reply(_("It is late already today. Shall I remind you tomorrow?"),
                      [[(_("Tomorrow"), ReminderDay(family_id, "tomorrow").pack())]])]
    return [Reply(_("At what time?"),
                  [[(t, ReminderTime(family_id, day, t.replace(":", "")).pack()) for t in times]])]


def set_reminder(store: Store, ctx: FlowContext, parent: Person, family_id: int, day: str,
                 hhmm: str) -> list[Reply]:
    _ = translator(parent.locale)
    if day not in ("today", "tomorrow", "weekly") or len(hhmm) != 4 or not hhmm.isdigit() \
            or f"{hhmm[:2]}:{hhmm[2:]}" not in REMINDER_TIMES:
        raise StaleButton("call")
    local_time = f"{hhmm[:2]}:{hhmm[2:]}"
    zone = zone_of(parent)
    local_now = ctx.now.astimezone(zone)
    start = ctx.now if day != "tomorrow" else \
        local_now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    weekdays = str(local_now.isoweekday()) if day == "weekly" else None
    first = next_occurrence(start, zone, local_time, weekdays)
    store.schedules.add(person_id=parent.id, kind="call_reminder", ref_id=family_id,
                        weekdays=weekdays, local_time=local_time if weekdays else None,
                        once_at=None if weekdays else to_iso(first), next_run_at=to_iso(first),
                        now=to_iso(ctx.now))
    when = _.day(first.astimezone(zone).date()) + " " + local_time
    if weekdays:
        return [Reply(_("⏰ Done: I will remind you every week, starting %(when)s.", when=when))]
    return [Reply(_("⏰ Done: I will remind you on %(when)s.", when=when))]


def reminder_messages(store: Store, schedule: Schedule, occurrence: datetime) -> list[NewMessage]:
    """The due-work producer for kind "call_reminder"."""
    parent = store.people.get(schedule.person_id)
    if parent is None or not parent.reachable or parent.tg_chat_id is None \
            or schedule.ref_id is None:
        return []
    _ = translator(parent.locale)
    names = _child_names(store, schedule.ref_id, _)
    stamp = int(occurrence.timestamp())
    buttons: Buttons = [[(_("✅ Done"), ReminderDone(schedule.id).pack())],
                        [(_("⏰ Snooze 1 h"), ReminderSnooze(schedule.id, stamp).pack()),
                         (_("📅 Tomorrow"), ReminderTomorrow(schedule.id, stamp).pack())]]
    return [NewMessage(
        dedupe_key=f"callrem:{schedule.id}:{to_iso(occurrence)}", chat_id=parent.tg_chat_id,
        lane=LANE_REMINDER, person_id=parent.id,
        payload={"text": _("⏰ Time to call %(child)s! Ask about one good thing today, and listen "
                           "to the end.", child=names),
                 "reply_markup": markup_json(buttons), "family_id": schedule.ref_id})]


def _own_reminder(store: Store, parent: Person, schedule_id: int) -> Schedule | None:
    schedule = store.schedules.get(schedule_id)
    if schedule is None or schedule.person_id != parent.id or schedule.kind != "call_reminder":
        return None
    return schedule


def reminder_done(store: Store, ctx: FlowContext, parent: Person, schedule_id: int) -> list[Reply]:
    schedule = _own_reminder(store, parent, schedule_id)
    if schedule is None or schedule.ref_id is None:
        _ = translator(parent.locale)
        raise StaleButton("call")
    return record_call(store, ctx, parent, schedule.ref_id)


def reminder_later(store: Store, ctx: FlowContext, parent: Person, schedule_id: int,
                   stamp: int, how: str) -> list[Reply]:
    """Snooze an hour, or move to tomorrow at the same time: a new one-off reminder."""
    _ = translator(parent.locale)
    schedule = _own_reminder(store, parent, schedule_id)
    if schedule is None or schedule.ref_id is None:
        raise StaleButton("call")
    if how == "snooze":
        at = ctx.now + timedelta(hours=1)
        text = _("⏰ All right, I will remind you again in an hour.")
    else:
        original = datetime.fromtimestamp(stamp, tz=ctx.now.tzinfo)
        at = original + timedelta(days=1)
        while at <= ctx.now:
            at += timedelta(days=1)
        text = _("📅 All right, I will remind you tomorrow at %(time)s.",
                 time=_.time(at, zone_of(parent)))
    key = f"{schedule_id}:{stamp}:{how}"
    if any(s.payload.get("from") == key for s in store.schedules.for_person(parent.id,
                                                                          "call_reminder")):
        return [Reply(text)]  # pressed twice: one later reminder is enough
    store.schedules.add(person_id=parent.id, kind="call_reminder", ref_id=schedule.ref_id,
                        once_at=to_iso(at), next_run_at=to_iso(at), now=to_iso(ctx.now),
                        payload={"from": key})
    return [Reply(text)]


def watch_calls(store: Store, now: datetime, waits: Waits = None) -> int:
    """A normal alert for the caseworker when a parent has not logged a call for three weeks."""
    raised = 0
    already = store.alerts.open_person_ids("no_call")
    for family_id, parent_id in store.calls.parents_without_call_since(to_iso(now - NO_CALL_AFTER)):
        if (family_id, parent_id) in already:
            continue
        parent = store.people.get(parent_id)
        if raise_alert(store, now=now, family_id=family_id, person_id=parent_id, rule="no_call",
                       severity="normal", evidence=None,
                       name_for_title=parent.display_name if parent else None,
                       waits=waits) is not None:
            raised += 1
    return raised
