"""The child's week as a parent would want to hear it, in two or three sentences: what went wrong
first, with what was done about it ("周四受了伤，李主任上门看过"), then the good days ("周五挺开心"),
the grandmother's own good news, and a warm word for her. Counts follow only where they say
something (no "没去 0 天").

Only alerts a parent may read about are told: a check-in's hurt, illness, sadness, missed school,
the grandmother's worry - and none of those on a day that also raised any other alert. Abuse,
violence, self-harm, a missing child, a child alone, bullying and 🆘 are never told to parents
automatically: the caseworker decides what they hear (and on such a day the check-in's own marks
stay out of the story too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from db.store import Store
from flows.core.i18n import N_, Translator
from flows.staff.alerts import staff_name

# the alerts parents hear about, with what happened (a clause after the day)
# (only the check-in's own rules: words a family member wrote may tell of more than they name,
# and a day with any other alert is left to the caseworker altogether)
TOLD_RULES = {"injured": N_("got hurt"), "unwell": N_("was unwell"),
              "sad_streak": N_("was unhappy several days running"),
              "missed_school": N_("missed school"), "worry": N_("something worried the family")}
# what the check-in days add to a rule already told (no "hurt" twice)
RULE_COVERS = {"injured": "injured", "unwell": "unwell", "sad_streak": "sad",
               "missed_school": "missed"}
DAY_CLAUSES = (("injured", N_("hurt on %(days)s")), ("unwell", N_("unwell on %(days)s")),
               ("missed", N_("missed school on %(days)s")),
               ("eating", N_("not eating or sleeping well on %(days)s")),
               ("sad", N_("unhappy on %(days)s")))
QUOTE_LIMIT = 60


@dataclass
class Days:
    """The local days of the week on which something was said about one child."""

    answered: set[date] = field(default_factory=set)
    happy: set[date] = field(default_factory=set)
    neutral: set[date] = field(default_factory=set)
    marks: dict[str, set[date]] = field(default_factory=dict)

    def mark(self, what: str, day: date) -> None:
        self.marks.setdefault(what, set()).add(day)


def days_of(store: Store, family_id: int, child_id: int | None, first: date, last: date) -> Days:
    days = Days()
    for row in store.checkins.between(family_id, first.isoformat(), last.isoformat()):
        if row.answered_at is None or (child_id is not None and row.child_id not in (child_id, None)):
            continue
        day = date.fromisoformat(row.local_day)
        days.answered.add(day)
        if row.mood == "happy":
            days.happy.add(day)
        elif row.mood == "neutral":
            days.neutral.add(day)
        elif row.mood == "sad":
            days.mark("sad", day)
        if row.health in ("unwell", "injured"):
            days.mark(row.health, day)
        if row.school == "missed":
            days.mark("missed", day)
        if row.eating_sleeping == "not_normal":
            days.mark("eating", day)
    for kept in store.kept_words.between(family_id, first.isoformat(), last.isoformat()):
        if kept.mood == "happy":
            days.happy.add(date.fromisoformat(kept.local_day))
    return days


def weekday(_: Translator, day: date) -> str:
    return format_skeleton("EEE", day, locale=_.babel_locale)


def _day_list(_: Translator, days: set[date]) -> str:
    separator = "、" if _.locale.startswith("zh") else ", "
    return separator.join(weekday(_, d) for d in sorted(days))


def _outcome(store: Store, _: Translator, alert: dict[str, object]) -> str:
    def name(key: str) -> str:
        person_id = alert.get(key)
        person = store.people.get(int(person_id)) if isinstance(person_id, int) else None
        return staff_name(_, person)
    if alert["status"] == "resolved":
        outcome = alert.get("outcome")
        if outcome == "visited":
            return _("%(name)s went to see the family", name=name("resolved_by"))
        if outcome == "called":
            return _("%(name)s called the family", name=name("resolved_by"))
        if outcome == "referred":
            return _("%(name)s arranged more help", name=name("resolved_by"))
        return _("%(name)s looked into it and it is settled", name=name("resolved_by"))
    if alert["status"] == "acknowledged":
        return _("%(name)s is following up", name=name("acknowledged_by"))
    return _("the children's director has been told")


def _local_day(alert: dict[str, object], zone: ZoneInfo) -> date:
    at = datetime.fromisoformat(str(alert["created_at"]).removesuffix("Z") + "+00:00")
    return at.astimezone(zone).date()


def withheld_days(alerts: list[dict[str, object]], zone: ZoneInfo) -> set[date]:
    """Days with an alert parents are not told about: nothing of those days goes in the story
    or the counts (a "hurt" that day could tell what the caseworker must decide about)."""
    return {_local_day(a, zone) for a in alerts if str(a["rule"]) not in TOLD_RULES}


def story(store: Store, _: Translator, *, family_id: int, child_id: int | None, child: str,
          guardian: str, first: date, last: date, zone: ZoneInfo,
          alerts: list[dict[str, object]]) -> list[str]:
    """The story lines for one child (empty when nothing was heard at all)."""
    days = days_of(store, family_id, child_id, first, last)
    clauses: list[str] = []
    covered: dict[str, set[date]] = {}
    withheld = withheld_days(alerts, zone)
    for what in list(days.marks):
        days.marks[what] -= withheld
    days.happy -= withheld
    for alert in alerts:
        rule = str(alert["rule"])
        day = _local_day(alert, zone)
        if rule not in TOLD_RULES or day in withheld \
                or alert.get("child_id") not in (child_id, None):
            continue
        clauses.append(_("%(day)s %(what)s, %(outcome)s", day=weekday(_, day),
                         what=_(TOLD_RULES[rule]), outcome=_outcome(store, _, alert)))
        if rule in RULE_COVERS:
            covered.setdefault(RULE_COVERS[rule], set()).add(day)
    for what, msgid in DAY_CLAUSES:
        left = days.marks.get(what, set()) - covered.get(what, set())
        if left:
            clauses.append(_(msgid, days=_day_list(_, left)))
    troubled: set[date] = set().union(*days.marks.values()) if days.marks else set()
    if days.happy and not troubled and days.happy >= days.answered and len(days.happy) >= 5:
        clauses.append(_("happy every day"))
    elif len(days.happy) >= 4:
        clauses.append(_("happy most days"))
    elif days.happy:
        clauses.append(_("happy on %(days)s", days=_day_list(_, days.happy)))
    elif days.answered and not troubled:
        clauses.append(_("a calm, ordinary week"))
    if not clauses:
        return []
    separator = "；" if _.locale.startswith("zh") else "; "
    lines = [_("%(child)s's week: %(clauses)s.", child=child, clauses=separator.join(clauses))]
    if len(days.answered) >= 3:
        lines.append(_("%(guardian)s is taking good care of %(child)s.", guardian=guardian,
                       child=child))
    return lines


def kept_lines(store: Store, _: Translator, *, family_id: int, guardian: str, first: date,
               last: date, skip_days: frozenset[date] | set[date] = frozenset()) -> list[str]:
    """The grandmother's own good news of the week, as she wrote it (she was told the parents
    would read it), the last two at most."""
    lines = []
    kept_words = [k for k in store.kept_words.between(family_id, first.isoformat(), last.isoformat())
                  if date.fromisoformat(k.local_day) not in skip_days]
    for kept in kept_words[-2:]:
        words = kept.text if len(kept.text) <= QUOTE_LIMIT else kept.text[:QUOTE_LIMIT] + "…"
        lines.append(_("🌷 %(guardian)s wrote: “%(words)s”", guardian=guardian, words=words))
    return lines
