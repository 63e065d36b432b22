"""Visits home: a simple date picker (month buttons, then days), reminders 7 days and 1 day
before, a word to the guardians that the parent is coming, and afterwards "did the visit
happen?". Moving or cancelling a visit moves or removes its reminders and tells the guardians."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from db.models import Person
from db.outbox import LANE_REMINDER, NewMessage
from db.parents import Visit
from db.schedules import Schedule
from db.store import Store
from flows.core.buttons import (
    StaleButton,
    VisitCancel,
    VisitDay,
    VisitHappened,
    VisitMonth,
    VisitMove,
)
from flows.core.clock import to_iso
from flows.core.i18n import Translator, translator
from flows.core.labels import relation_label
from flows.core.timeplan import next_occurrence
from flows.core.ui import Buttons, FlowContext, Reply, markup_json
from flows.parent.calls import may_act_for
from flows.parent.weekly import zone_of

MONTHS_AHEAD = 6
REMINDER_TIME = "20:00"
VISIT_KINDS = ("visit_reminder", "visit_followup")


def _today(ctx: FlowContext, parent: Person) -> date:
    return ctx.now.astimezone(zone_of(parent)).date()


def start(store: Store, ctx: FlowContext, parent: Person, family_id: int) -> list[Reply]:
    """🏠: a planned visit can be moved or cancelled; otherwise pick a month."""
    _ = translator(parent.locale)
    planned = [v for v in store.visits.planned_for(parent.id) if v.family_id == family_id]
    if planned:
        visit = planned[0]
        return [Reply(_("🏠 Your visit home is planned for %(day)s.",
                        day=_.day(date.fromisoformat(visit.visit_day))),
                      [[(_("📅 Move it"), VisitMove(visit.id).pack()),
                        (_("❌ Cancel it"), VisitCancel(visit.id).pack())]])]
    return [month_picker(_, ctx, parent, family_id, visit_id=0)]


def month_picker(_: Translator, ctx: FlowContext, parent: Person, family_id: int,
                 visit_id: int) -> Reply:
    today = _today(ctx, parent)
    rows: Buttons = []
    row: list[tuple[str, str]] = []
    first = today.replace(day=1)
    for i in range(MONTHS_AHEAD):
        month = (first.replace(year=first.year + (first.month - 1 + i) // 12,
                               month=(first.month - 1 + i) % 12 + 1))
        row.append((_.month(month), VisitMonth(family_id, f"{month:%Y%m}", visit_id).pack()))
        if len(row) == 3:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return Reply(_("🏠 Which month will you come home?"), rows)


def day_picker(store: Store, ctx: FlowContext, parent: Person, family_id: int, yyyymm: str,
               visit_id: int) -> list[Reply]:
    _ = translator(parent.locale)
    try:
        first = date(int(yyyymm[:4]), int(yyyymm[4:]), 1)
    except ValueError:
        raise StaleButton("visit") from None
    today = _today(ctx, parent)
    following = (first + timedelta(days=32)).replace(day=1)
    days = [first + timedelta(days=i) for i in range((following - first).days)]
    days = [d for d in days if d > today]
    if not days or first > today + timedelta(days=31 * MONTHS_AHEAD):
        return [month_picker(_, ctx, parent, family_id, visit_id)]
    rows: Buttons = []
    for i in range(0, len(days), 7):
        rows.append([(str(d.day), VisitDay(family_id, f"{d:%Y%m%d}", visit_id).pack())
                     for d in days[i:i + 7]])
    return [Reply(_("Which day in %(month)s?", month=_.month(first)), rows)]


def _clear_schedules(store: Store, visit_id: int) -> None:
    for kind in VISIT_KINDS:
        for schedule in store.schedules.for_ref(kind, visit_id):
            store.schedules.deactivate(schedule.id)


def _plan_schedules(store: Store, ctx: FlowContext, parent: Person, visit: Visit) -> None:
    zone = zone_of(parent)
    day = date.fromisoformat(visit.visit_day)
    for before in (7, 1):
        at = datetime.combine(day - timedelta(days=before), datetime.min.time(), tzinfo=zone)
        when = next_occurrence(at, zone, REMINDER_TIME)
        if when > ctx.now:
            store.schedules.add(person_id=parent.id, kind="visit_reminder", ref_id=visit.id,
                                once_at=to_iso(when), next_run_at=to_iso(when),
                                now=to_iso(ctx.now), payload={"days_before": before})
    after = next_occurrence(datetime.combine(day + timedelta(days=1), datetime.min.time(),
                                             tzinfo=zone), zone, REMINDER_TIME)
    store.schedules.add(person_id=parent.id, kind="visit_followup", ref_id=visit.id,
                        once_at=to_iso(after), next_run_at=to_iso(after), now=to_iso(ctx.now))


def _tell_guardians(store: Store, ctx: FlowContext, parent: Person, visit: Visit,
                    what: str, old_day: str | None = None) -> None:
    relation = next((m.relation for m in store.families.members(visit.family_id)
                     if m.person_id == parent.id), None)
    for member in store.families.members(visit.family_id):
        guardian = store.people.get(member.person_id)
        if guardian is None or guardian.role != "guardian" or not guardian.reachable:
            continue
        _ = translator(guardian.locale)
        who = relation_label(_, relation)
        day = _.day(date.fromisoformat(visit.visit_day))
        if what == "planned":
            text = _("🏠 Good news: the child's %(who)s plans to come home on %(day)s.", who=who,
                     day=day)
        elif what == "moved":
            text = _("🏠 The child's %(who)s has moved the visit home to %(day)s.", who=who, day=day)
        else:
            text = _("🏠 The child's %(who)s cannot come home on %(day)s after all.", who=who,
                     day=_.day(date.fromisoformat(old_day or visit.visit_day)))
        store.outbox.enqueue(NewMessage(
            dedupe_key=f"visit:{visit.id}:{what}:{visit.visit_day}:{guardian.id}:{to_iso(ctx.now)}",
            chat_id=guardian.tg_chat_id or 0, lane=LANE_REMINDER, person_id=guardian.id,
            payload={"text": text, "family_id": visit.family_id}), now=to_iso(ctx.now))


def choose_day(store: Store, ctx: FlowContext, parent: Person, family_id: int, yyyymmdd: str,
               visit_id: int) -> list[Reply]:
    _ = translator(parent.locale)
    try:
        day = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise StaleButton("visit") from None
    if day <= _today(ctx, parent) or day > _today(ctx, parent) + timedelta(days=31 * MONTHS_AHEAD):
        return [Reply(_("Please pick a day in the coming months.")),
                month_picker(_, ctx, parent, family_id, visit_id)]
    now_iso = to_iso(ctx.now)
    if visit_id:
        visit = store.visits.get(visit_id)
        if visit is None or visit.parent_id != parent.id or visit.status != "planned":
            raise StaleButton("visit") from None
        old_day = visit.visit_day
        store.visits.move(visit_id, day.isoformat(), now=now_iso)
        what = "moved"
    else:
        visit_id = store.visits.add(family_id=family_id, parent_id=parent.id,
                                    visit_day=day.isoformat(), now=now_iso)
        old_day, what = None, "planned"
    visit = store.visits.get(visit_id)
    assert visit is not None
    _clear_schedules(store, visit_id)
    _plan_schedules(store, ctx, parent, visit)
    _tell_guardians(store, ctx, parent, visit, what, old_day)
    return [Reply(_("🏠 Wonderful! Your visit home is planned for %(day)s. I will remind you 7 "
                    "days and 1 day before, and I have told the family.", day=_.day(day)))]


def move(store: Store, ctx: FlowContext, parent: Person, visit_id: int) -> list[Reply]:
    _ = translator(parent.locale)
    visit = store.visits.get(visit_id)
    if visit is None or visit.parent_id != parent.id or visit.status != "planned":
        raise StaleButton("visit") from None
    return [month_picker(_, ctx, parent, visit.family_id, visit_id)]


def cancel(store: Store, ctx: FlowContext, parent: Person, visit_id: int) -> list[Reply]:
    _ = translator(parent.locale)
    visit = store.visits.get(visit_id)
    if visit is None or visit.parent_id != parent.id or visit.status != "planned":
        raise StaleButton("visit") from None
    store.visits.set_status(visit_id, "cancelled", now=to_iso(ctx.now))
    _clear_schedules(store, visit_id)
    _tell_guardians(store, ctx, parent, visit, "cancelled", visit.visit_day)
    return [Reply(_("All right, the visit is cancelled and the family knows. When you can, plan "
                    "a new one with 🏠."))]


def happened(store: Store, ctx: FlowContext, parent: Person, visit_id: int,
             answer: str) -> list[Reply]:
    _ = translator(parent.locale)
    visit = store.visits.get(visit_id)
    if visit is None or visit.parent_id != parent.id or visit.status != "planned" \
            or answer not in ("y", "n"):
        raise StaleButton("visit") from None
    store.visits.set_status(visit_id, "happened" if answer == "y" else "did_not_happen",
                            now=to_iso(ctx.now))
    if answer == "y":
        return [Reply(_("🏠 How lovely. Time together is the best gift for a child. 💛"))]
    return [Reply(_("That happens. When you can, plan a new visit with 🏠 — and a call in the "
                    "meantime means a lot."))]


def visit_messages(store: Store, schedule: Schedule, occurrence: datetime) -> list[NewMessage]:
    """The due-work producer for kinds "visit_reminder" and "visit_followup"."""
    parent = store.people.get(schedule.person_id)
    visit = store.visits.get(schedule.ref_id or 0)
    if parent is None or visit is None or visit.status != "planned" or not parent.reachable \
            or parent.tg_chat_id is None or not may_act_for(store, parent, visit.family_id):
        return []
    _ = translator(parent.locale)
    day = _.day(date.fromisoformat(visit.visit_day))
    markup = None
    if schedule.kind == "visit_followup":
        text = _("🏠 Did your visit home on %(day)s happen?", day=day)
        markup = markup_json([[(_("✅ Yes"), VisitHappened(visit.id, "y").pack()),
                               (_("❌ No"), VisitHappened(visit.id, "n").pack())]])
    elif schedule.payload.get("days_before") == 7:
        text = _("🏠 One week until your visit home on %(day)s. The family is looking forward to "
                 "it.", day=day)
    else:
        text = _("🏠 Tomorrow is your visit home (%(day)s). Safe travels!", day=day)
    payload: dict[str, object] = {"text": text, "family_id": visit.family_id}
    if markup:
        payload["reply_markup"] = markup
    return [NewMessage(dedupe_key=f"{schedule.kind}:{schedule.id}:{to_iso(occurrence)}",
                       chat_id=parent.tg_chat_id, lane=LANE_REMINDER, person_id=parent.id,
                       payload=payload)]
