"""The parent's weekly message: the child's week as a short story first (flows.parent.week_story),
then the counts that say something (never raw answers), the call streak, one tip per child
phrased for tonight's call, and four buttons. Sent on the parent's day and hour in their own time zone,
exactly once a week (the dedupe key is the parent's ISO week)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from db.models import Child, Person
from db.outbox import LANE_BULK, NewMessage
from db.schedules import Schedule
from db.store import Store
from flows.core.buttons import ParentAnotherTip, ParentCalled, ReminderAsk, VisitPlan
from flows.core.clock import to_iso
from flows.core.i18n import N_, Translator, translator
from flows.core.labels import relation_label
from flows.core.recurring import keep_in_step, zone_of
from flows.core.timeplan import iso_week_key
from flows.core.ui import Buttons, markup_json
from flows.guardian.risk_topics import topic_counts_text
from flows.parent import tips, week_story

DEFAULT_DAY = 7  # Sunday
DEFAULT_TIME = "20:00"


@dataclass
class ChildWeek:
    child: Child | None
    answered: int = 0
    moods: dict[str, int] = field(default_factory=lambda: {"happy": 0, "neutral": 0, "sad": 0})
    school_went: int = 0
    school_missed: int = 0
    unwell: int = 0
    injured: int = 0
    eating_not_normal: int = 0
    worries: int = 0

    def signals(self) -> set[str]:
        found = set()
        if self.moods["sad"] >= 2:
            found.add("sad")
        if self.unwell:
            found.add("unwell")
        if self.injured:
            found.add("injured")
        if self.school_missed:
            found.add("missed_school")
        if self.eating_not_normal:
            found.add("eating_sleeping")
        if self.worries:
            found.add("worry")
        if not self.answered:
            found.add("no_checkins")
        return found


def week_of(now: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The seven local days ending today."""
    today = now.astimezone(zone).date()
    return today - timedelta(days=6), today


def child_weeks(store: Store, family_id: int, first: date, last: date,
                skip_days: set[date] | None = None) -> list[ChildWeek]:
    children = store.families.children(family_id)
    weeks = {c.id: ChildWeek(c) for c in children}
    fallback = ChildWeek(None)
    days_counted: set[tuple[int | None, str, str]] = set()
    for row in store.checkins.between(family_id, first.isoformat(), last.isoformat()):
        week = weeks.get(row.child_id or -1, fallback)
        if row.answered_at is None or (skip_days and date.fromisoformat(row.local_day) in skip_days):
            continue
        week.answered += 1

        def once(what: str, row_day: str = row.local_day, child: int | None = row.child_id) -> bool:
            key = (child, row_day, what)  # two guardians answering the same day count once
            if key in days_counted:
                return False
            days_counted.add(key)
            return True
        if row.mood in week.moods and once("mood"):
            week.moods[row.mood] += 1
        if row.school == "went" and once("school"):
            week.school_went += 1
        elif row.school == "missed" and once("school"):
            week.school_missed += 1
        if row.health == "unwell" and once("health"):
            week.unwell += 1
        elif row.health == "injured" and once("health"):
            week.injured += 1
        if row.eating_sleeping == "not_normal" and once("eating"):
            week.eating_not_normal += 1
        if row.worry and once("worry"):
            week.worries += 1
    result = list(weeks.values())
    if fallback.answered or not result:
        result.append(fallback)
    return result


def call_streak(store: Store, parent: Person, family_id: int, now: datetime) -> int:
    """Weeks in a row with at least one call, ending this week (or last week if none yet)."""
    zone = zone_of(parent)
    weeks = {iso_week_key(datetime.fromisoformat(c.at.removesuffix("Z") + "+00:00"), zone)
             for c in store.calls.for_parent(parent.id, family_id)}
    cursor = now
    if iso_week_key(cursor, zone) not in weeks:
        cursor -= timedelta(days=7)
    streak = 0
    while iso_week_key(cursor, zone) in weeks:
        streak += 1
        cursor -= timedelta(days=7)
    return streak


def _child_lines(_: Translator, week: ChildWeek, guardian_name: str) -> list[str]:
    """The counts, only those that say something (no "missed 0 days")."""
    name = week.child.name if week.child else _("the child")
    if not week.answered:
        return [_("No check-ins came this week for %(child)s. Maybe call %(guardian)s to hear how "
                  "%(child)s is doing.", child=name, guardian=guardian_name)]
    parts = []
    for count, msgid in ((week.moods["happy"], N_("😊 happy %(n)s days")),
                         (week.moods["neutral"], N_("😐 so-so %(n)s days")),
                         (week.moods["sad"], N_("😢 unhappy %(n)s days")),
                         (week.school_went, N_("🏫 at school %(n)s days")),
                         (week.school_missed, N_("🚫 missed school %(n)s days")),
                         (week.unwell, N_("🤒 unwell %(n)s days")),
                         (week.injured, N_("🩹 hurt %(n)s days")),
                         (week.eating_not_normal, N_("🍚 eating or sleeping not normal %(n)s days"))):
        if count:
            parts.append(_(msgid, n=count))
    return [" · ".join(parts)] if parts else []


def _streak_line(_: Translator, streak: int, child: str) -> str:
    if streak >= 2:
        return _("📞 You have called %(n)s weeks in a row. 🌟 %(child)s feels it.", n=streak,
                 child=child)
    if streak == 1:
        return _("📞 You called this week. Thank you!")
    return _("📞 A call this week would make %(child)s's day.", child=child)


def buttons(_: Translator, family_id: int) -> Buttons:
    return [[(_("📞 I called today"), ParentCalled(family_id).pack())],
            [(_("⏰ Remind me to call"), ReminderAsk(family_id).pack())],
            [(_("🏠 Plan a visit"), VisitPlan(family_id).pack())],
            [(_("💡 Another tip"), ParentAnotherTip(family_id).pack())]]


def guardian_name(store: Store, family_id: int, _: Translator) -> str:
    """How the parents' weekly message names the guardian: by relation (奶奶), never by her
    own name, so a guardian's /forget leaves nothing of her in the parents' messages."""
    for member in store.families.members(family_id):
        person = store.people.get(member.person_id)
        if person is not None and person.role == "guardian" and person.status != "opted_out":
            return relation_label(_, member.relation)
    return _("the grandparent")


def tip_lines(store: Store, _: Translator, parent: Person, weeks: list[ChildWeek],
              now: datetime, exclude: set[str] | None = None, tonight: bool = False) -> list[str]:
    lines = []
    today = now.astimezone(zone_of(parent)).date()
    for week in weeks:
        band = tips.band_for(week.child.birth_month if week.child else None, today)
        tip = tips.choose(store, parent.id, parent.locale, band, week.signals(), to_iso(now),
                          exclude=exclude)
        name = week.child.name if week.child else _("the child")
        if tonight:  # the weekly message comes in the evening: an idea for tonight's call
            lines.append(_("💡 For tonight's call with %(child)s, try this: %(tip)s", child=name,
                           tip=tip.text))
        else:
            lines.append(_("💡 For %(child)s: %(tip)s", child=name, tip=tip.text))
    return lines


def weekly_text(store: Store, parent: Person, family_id: int, now: datetime) -> str:
    _ = translator(parent.locale)
    zone = zone_of(parent)
    first, last = week_of(now, zone)
    since = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    alerts = store.alerts.with_outcomes(family_id, to_iso(since),
                                        to_iso(now + timedelta(seconds=1)))
    withheld = week_story.withheld_days(alerts, zone)
    weeks = child_weeks(store, family_id, first, last, skip_days=withheld)
    names = "、".join(w.child.name for w in weeks if w.child) or _("the child")
    parts = [_("📅 %(children)s's week (%(first)s – %(last)s)", children=names,
               first=_.day(first), last=_.day(last))]
    grandparent = guardian_name(store, family_id, _)
    for week in weeks:
        name = week.child.name if week.child else _("the child")
        if len(weeks) > 1 and week.child is not None:
            parts.append(f"\n👧 {week.child.name}")
        parts += week_story.story(store, _, family_id=family_id,
                                  child_id=week.child.id if week.child else None, child=name,
                                  guardian=grandparent, first=first, last=last, zone=zone,
                                  alerts=alerts)
        parts += _child_lines(_, week, grandparent)
    parts += week_story.kept_lines(store, _, family_id=family_id, guardian=grandparent,
                                   first=first, last=last, skip_days=withheld)
    mentioned = topic_counts_text(_, store.topics.counts([family_id], to_iso(since),
                                                         to_iso(now + timedelta(seconds=1))))
    if mentioned:
        parts.append(_("💬 The family also mentioned: %(topics)s", topics=mentioned))
    parts.append("")
    parts.append(_streak_line(_, call_streak(store, parent, family_id, now), names))
    parts.append("")
    parts += tip_lines(store, _, parent, weeks, now, tonight=True)
    return "\n".join(parts)


def weekly_messages(store: Store, schedule: Schedule, occurrence: datetime) -> list[NewMessage]:
    """The due-work producer for kind "weekly"."""
    parent = store.people.get(schedule.person_id)
    if parent is None or not parent.reachable or parent.tg_chat_id is None:
        return []
    family_id = schedule.ref_id
    if family_id is None or store.families.get(family_id) is None:
        return []
    _ = translator(parent.locale)
    text = weekly_text(store, parent, family_id, occurrence)
    week = iso_week_key(occurrence, zone_of(parent))
    return [NewMessage(
        dedupe_key=f"weekly:{parent.id}:{family_id}:{week}", chat_id=parent.tg_chat_id,
        lane=LANE_BULK, person_id=parent.id,
        payload={"text": text[:4000], "reply_markup": markup_json(buttons(_, family_id)),
                 "family_id": family_id})]


def sync_parent(store: Store, person_id: int, now: datetime) -> int:
    """One "weekly" schedule per family of the parent, at their day and hour in their zone."""
    person = store.people.get(person_id)
    if person is None or person.role != "parent":
        return keep_in_step(store, None, person_id, "weekly", {}, now)
    when = (str(person.weekly_day or DEFAULT_DAY), person.weekly_time or DEFAULT_TIME)
    wanted: dict[int | None, tuple[str | None, str]] = {
        m.family_id: when for m in store.families.memberships_of(person_id)}
    return keep_in_step(store, person, person_id, "weekly", wanted, now)
