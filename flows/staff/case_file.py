"""A family's case timeline (/case), caseworker notes (/note) and CSV exports (/export and the
CLI). Every view of a timeline and every export is written to the audit log."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from db.models import Person
from db.store import Store
from flows.core.access import may_manage_family, visible_family_ids
from flows.core.age import age_in_years
from flows.core.buttons import TimelinePage
from flows.core.clock import from_iso, to_iso
from flows.core.i18n import N_, Translator, translator
from flows.core.labels import ROLE_LABELS, relation_label
from flows.core.ui import Buttons, FlowContext, Reply, pager_row
from flows.parent.weekly import zone_of
from flows.staff.alert_desk import LEVEL_NAMES, OUTCOMES
from flows.staff.alerts import SEVERITY_BADGE, SEVERITY_LABEL, alert_title
from flows.staff.durations import duration_words
from flows.staff.figures import Figure, by_holder, by_severity, holder_of, waits

PAGE = 10
VISIT_STATUS = {"planned": N_("planned"), "cancelled": N_("cancelled"),
                "happened": N_("went home"), "did_not_happen": N_("did not happen")}
MOOD = {"happy": "😊", "neutral": "😐", "sad": "😢", "voice": "🎙"}


@dataclass(frozen=True)
class Entry:
    at: str
    text: str


def _names(store: Store, family_id: int, _: Translator) -> dict[int, str]:
    names = {}
    for member in store.families.members(family_id):
        person = store.people.get(member.person_id)
        names[member.person_id] = (person.display_name if person and person.display_name
                                   else relation_label(_, member.relation))
    return names


def entries(store: Store, _: Translator, family_id: int) -> list[Entry]:
    """Everything that happened in a family, newest first."""
    names = _names(store, family_id, _)

    def who(person_id: int | None) -> str:
        if person_id is None:
            return "—"
        if person_id in names:
            return names[person_id]
        person = store.people.get(person_id)
        return (person.display_name if person else None) or _("the family member")
    found: list[Entry] = []
    for item in store.interactions.for_family(family_id):
        arrow = "⬅️" if item.direction == "in" else "➡️"
        kind = _(KINDS.get(item.kind, N_("other")))
        summary = "" if item.kind == "callback" else (item.summary or "")[:120]
        found.append(Entry(item.at, _("%(arrow)s %(who)s · %(kind)s: %(summary)s", arrow=arrow,
                                      who=who(item.person_id), kind=kind, summary=summary)
                           if summary else f"{arrow} {who(item.person_id)} · {kind}"))
    for c in store.checkins.for_family(family_id):
        if c.answered_at is None:
            found.append(Entry(c.created_at, _("📝 Check-in (%(who)s): no answer",
                                               who=who(c.guardian_id))))
            continue
        parts = [MOOD.get(c.mood or "", "") + " " + _answer(c.mood, "mood", _)]
        parts += [_answer(value, field, _) for value, field in (
            (c.health, "health"), (c.school, "school"), (c.eating_sleeping, "eating_sleeping"))]
        if c.worry:
            parts.append("❗ " + _("Something worrying"))
        found.append(Entry(c.answered_at, _("📝 Check-in (%(who)s): %(answers)s",
                                            who=who(c.guardian_id),
                                            answers=" · ".join(p.strip() for p in parts
                                                               if p.strip()))))
    for alert in store.alerts.for_family(family_id):
        found.append(Entry(alert.created_at, f"{SEVERITY_BADGE[alert.severity]} #{alert.id} "
                                             f"{alert_title(store, _, alert)}"))
        for event in store.alerts.timeline_events(alert.id):
            step = alert_step(_, str(event["event"]), event["detail"],
                              who(event["actor_id"]))  # type: ignore[arg-type]
            if step:
                found.append(Entry(str(event["at"]), f"   #{alert.id} {step}"))
    for call in store.calls.for_family(family_id):
        extra = " " + duration_words(_, timedelta(minutes=call.minutes)) if call.minutes else ""
        found.append(Entry(call.at, _("📞 %(who)s called home", who=who(call.parent_id)) + extra
                           + (" " + MOOD.get(call.child_mood or "", "") if call.child_mood else "")))
    for visit in store.visits.for_family(family_id):
        found.append(Entry(visit.visit_day + "T12:00:00.000000Z",
                           _("🏠 Visit by %(who)s: %(status)s", who=who(visit.parent_id),
                             status=_(VISIT_STATUS.get(visit.status, N_("planned"))))))
    for note in store.notes.for_family(family_id):
        found.append(Entry(note.at, _("🗒 %(who)s: %(text)s", who=who(note.author_id),
                                      text=note.text[:300] or _("(removed)"))))
    found.sort(key=lambda e: e.at, reverse=True)
    return found


ALERT_STEPS = {"acknowledged": N_("acknowledged by %(who)s"),
               "resolved": N_("resolved by %(who)s: %(outcome)s"),
               "escalated": N_("sent on to the %(whom)s")}


def alert_step(_: Translator, event: str, detail: object, who: str) -> str | None:
    """An alert's step in the timeline in words (never the stored code)."""
    if event == "acknowledged":
        return _(ALERT_STEPS[event], who=who)
    if event == "resolved":
        return _(ALERT_STEPS[event], who=who,
                 outcome=_(OUTCOMES.get(str(detail or "none"), OUTCOMES["none"])))
    if event == "escalated":
        level = int(str(detail)) if str(detail or "").isdigit() else 2
        return _(ALERT_STEPS[event], whom=_(LEVEL_NAMES.get(level, LEVEL_NAMES[2])))
    return None


def timeline(store: Store, ctx: FlowContext, person: Person, family_id: int,
             page: int = 0) -> list[Reply]:
    _ = translator(person.locale)
    if not may_manage_family(store, person, family_id):
        store.audit.add(at=to_iso(ctx.now), actor_id=person.id, action="refused",
                        target=f"timeline:{family_id}")
        return [Reply(_("You cannot open this family."))]
    items = entries(store, _, family_id)
    pages = max(1, (len(items) + PAGE - 1) // PAGE)
    page = max(0, min(page, pages - 1))
    store.audit.add(at=to_iso(ctx.now), actor_id=person.id, action="view_timeline",
                    target=f"family:{family_id}", detail=f"page {page + 1}")
    family = store.families.get(family_id)
    zone = zone_of(person)
    lines = [_("📜 Family #%(id)s, %(village)s: page %(page)s of %(pages)s", id=family_id,
               village=family.village if family else "?", page=page + 1, pages=pages)]
    for entry in items[page * PAGE:(page + 1) * PAGE]:
        when = _.datetime(from_iso(entry.at), zone, "short") if entry.at[:4].isdigit() else ""
        lines.append(f"{when}  {entry.text}")
    if not items:
        lines.append(_("Nothing yet."))
    rows: Buttons = []
    nav = pager_row(page, pages, _("◀ Newer"), _("Older ▶"),
                    lambda n: TimelinePage(family_id, n))
    if nav:
        rows.append(nav)
    return [Reply("\n".join(lines)[:4000], rows or None)]


def add_note(store: Store, ctx: FlowContext, person: Person, family_id: int,
             text: str) -> list[Reply]:
    _ = translator(person.locale)
    if not may_manage_family(store, person, family_id):
        return [Reply(_("You cannot open this family."))]
    cleaned = " ".join(text.split())[:1000]
    if not cleaned:
        return [Reply(_("Please write the note after the family number, e.g. /note 3 visited "
                        "today, all well"))]
    store.notes.add(family_id=family_id, author_id=person.id, at=to_iso(ctx.now), text=cleaned)
    return [Reply(_("🗒 Note added to family #%(id)s.", id=family_id))]


# ---- exports ----------------------------------------------------------------------------
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """A text cell that Excel or WPS would run as a formula (=, +, -, @, tab, CR first) gets a
    leading single quote, so a name typed as =HYPERLINK(...) stays text (OWASP CSV injection)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese correctly


HEADERS = {  # --raw: stable English keys for machines (never renamed; new ones go at the end)
    "families.csv": ["family_id", "village", "cadence", "caseworker_id", "children"],
    "checkins.csv": ["checkin_id", "family_id", "child_id", "guardian_id", "day", "status", "mood",
                     "health", "school", "eating_sleeping", "worry", "voice_notes", "answered_at"],
    "alerts.csv": ["alert_id", "family_id", "child_id", "rule", "severity", "status", "level",
                   "created_at", "acknowledged_at", "resolved_at", "outcome",
                   "minutes_to_acknowledge", "minutes_to_resolve", "minutes_to_first_contact",
                   "first_holder_id"],
    "interactions.csv": ["at", "family_id", "person_id", "direction", "kind", "summary"],
    "figures.csv": ["scope", "group", "alerts", "measure", "reached", "median_minutes",
                    "p90_minutes"],
}
# the files a person opens: names, headers and values in her language, times in her zone
FILE_NAMES = {"families.csv": N_("families.csv"), "checkins.csv": N_("check-ins.csv"),
              "alerts.csv": N_("alerts.csv"), "interactions.csv": N_("messages.csv"),
              "figures.csv": N_("response-times.csv")}
HUMAN_HEADERS = {
    "families.csv": [N_("Family"), N_("Village"), N_("Children"), N_("Caseworker"),
                     N_("Family members"), N_("Check-ins")],
    "checkins.csv": [N_("Day"), N_("Family"), N_("Child"), N_("Answered by"), N_("Status"),
                     N_("Mood"), N_("Health"), N_("School"), N_("Eating and sleeping"),
                     N_("Something worrying"), N_("Voice notes"), N_("Answered at")],
    "alerts.csv": [N_("Raised at"), N_("Family"), N_("Child"), N_("Severity"), N_("What happened"),
                   N_("Status"), N_("Sent on to"), N_("Acknowledged at"), N_("Acknowledged by"),
                   N_("Minutes to acknowledge"), N_("Minutes to first contact"),
                   N_("Resolved at"), N_("Resolved by"), N_("Minutes to resolve"),
                   N_("Outcome"), N_("Note")],
    "interactions.csv": [N_("Time"), N_("Family"), N_("Person"), N_("Direction"), N_("Kind"),
                         N_("Content")],
    "figures.csv": [N_("For"), N_("Alerts"), N_("Step"), N_("Alerts that got there"),
                    N_("Median (minutes)"), N_("9 in 10 within (minutes)")],
}
CHECKIN_STATUS = {"open": N_("not answered yet"), "completed": N_("answered"),
                  "missed": N_("no answer"), "partial": N_("partly answered")}
ALERT_STATUS = {"open": N_("not yet acknowledged"), "acknowledged": N_("acknowledged"),
                "resolved": N_("resolved")}
DIRECTIONS = {"in": N_("from the family"), "out": N_("from KinBridge")}
KINDS = {"text": N_("message"), "voice": N_("voice note"), "photo": N_("photo"),
         "document": N_("file"), "callback": N_("button pressed"), "contact": N_("contact"),
         "video": N_("video"), "sticker": N_("sticker")}
MEASURE_WORDS = {"acknowledge": N_("acknowledge"), "contact": N_("first contact"),
                 "resolve": N_("resolve")}
ExportTables = dict[str, list[list[object]]]  # file name -> [header, *rows]


def export_tables(store: Store, person: Person, first: date, last: date,
                  raw: bool = False) -> ExportTables:
    """Each export file (header first) for the families this person may see, for check-ins,
    alerts and interactions from ``first`` to ``last`` (inclusive), with the response figures.
    ``raw``: ids, codes and UTC times under stable English keys, for machines. Only reads: run
    it in a read snapshot, render with ``csv_files`` outside any transaction, then
    ``record_export``."""
    ids = visible_family_ids(store, person)
    zone = zone_of(person)
    since = to_iso(datetime.combine(first, datetime.min.time(), tzinfo=zone))
    until = to_iso(datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone))
    alerts = store.alerts.times(ids, since, until)
    if raw:
        return _raw_tables(store, ids, first, last, since, until, alerts)
    _ = translator(person.locale)
    names = _Names(store, _)

    def when(value: object) -> str:
        return _.datetime(from_iso(str(value)), zone, "short") if value else ""
    families: list[list[object]] = []
    for family_id in ids:
        family = store.families.get(family_id)
        if family is None:
            continue
        children = [_child_words(_, c.name, c.birth_month, last)
                    for c in store.families.children(family.id)]
        members = [_("%(name)s (%(relation)s)", name=names.person(m.person_id),
                     relation=relation_label(_, m.relation))
                   for m in store.families.members(family.id)]
        families.append([family.id, family.village, _("、").join(children),
                         names.person(family.caseworker_id) if family.caseworker_id else
                         _("nobody yet"), _("、").join(members), _cadence(_, family.cadence)])
    checkins: list[list[object]] = []
    interactions: list[list[object]] = []
    for family_id in ids:
        for c in store.checkins.between(family_id, first.isoformat(), last.isoformat()):
            checkins.append([
                _.day(date.fromisoformat(c.local_day)), names.family(c.family_id),
                names.child(c.family_id, c.child_id), names.person(c.guardian_id),
                _(CHECKIN_STATUS.get(c.status, N_("no answer"))),
                _answer(c.mood, "mood", _), _answer(c.health, "health", _),
                _answer(c.school, "school", _), _answer(c.eating_sleeping, "eating_sleeping", _),
                "" if c.worry is None else (_("yes") if c.worry else _("no")),
                c.voice_notes or "", when(c.answered_at)])
        for i in store.interactions.for_family(family_id, since, until):
            summary = "" if i.kind == "callback" else (i.summary or "")
            interactions.append([when(i.at), names.family(i.family_id), names.person(i.person_id),
                                 _(DIRECTIONS.get(i.direction, i.direction)),
                                 _(KINDS.get(i.kind, N_("other"))), summary])
    alert_rows: list[list[object]] = []
    for a in alerts:
        alert = store.alerts.get(int(str(a["id"])))
        if alert is None:
            continue
        spans = waits(a)
        alert_rows.append([
            when(a["created_at"]), names.family(a["family_id"]),
            names.child(a["family_id"], a["child_id"]),
            _(SEVERITY_LABEL.get(str(a["severity"]), N_("Normal"))), alert_title(store, _, alert),
            _(ALERT_STATUS.get(str(a["status"]), N_("not yet acknowledged"))),
            _(LEVEL_NAMES[int(str(a["level"]))]) if int(str(a["level"])) in LEVEL_NAMES else "",
            when(a["acknowledged_at"]), names.person(a["acknowledged_by"]),
            _whole(spans["acknowledge"]), _whole(spans["contact"]),
            when(a["resolved_at"]), names.person(a["resolved_by"]), _whole(spans["resolve"]),
            _(OUTCOMES[str(a["outcome"])]) if a["outcome"] in OUTCOMES else "",
            a["resolution_note"] or ""])
    figure_rows = [[who, count, _(MEASURE_WORDS[f.measure]), f.count, _whole(f.median),
                    _whole(f.p90)] for _scope, who, count, f in _figure_rows(store, _, alerts)]
    tables = {"families.csv": families, "checkins.csv": checkins, "alerts.csv": alert_rows,
              "interactions.csv": interactions, "figures.csv": figure_rows}
    return {_(FILE_NAMES[key]): [[_(h) for h in HUMAN_HEADERS[key]], *rows]
            for key, rows in tables.items()}


def _raw_tables(store: Store, ids: list[int], first: date, last: date, since: str, until: str,
                alerts: list[dict[str, object]]) -> ExportTables:
    families: list[list[object]] = []
    for family_id in ids:
        family = store.families.get(family_id)
        if family is None:
            continue
        families.append([family.id, family.village, family.cadence, family.caseworker_id,
                         "、".join(c.name for c in store.families.children(family.id))])
    checkins: list[list[object]] = []
    interactions: list[list[object]] = []
    for family_id in ids:
        for c in store.checkins.between(family_id, first.isoformat(), last.isoformat()):
            checkins.append([c.id, c.family_id, c.child_id, c.guardian_id, c.local_day, c.status,
                             c.mood, c.health, c.school, c.eating_sleeping,
                             "" if c.worry is None else int(c.worry), c.voice_notes, c.answered_at])
        for i in store.interactions.for_family(family_id, since, until):
            interactions.append([i.at, i.family_id, i.person_id, i.direction, i.kind, i.summary])
    alert_rows: list[list[object]] = []
    for a in alerts:
        spans = waits(a)
        alert_rows.append([a["id"], a["family_id"], a["child_id"], a["rule"], a["severity"],
                           a["status"], a["level"], a["created_at"], a["acknowledged_at"],
                           a["resolved_at"], a["outcome"], _whole(spans["acknowledge"]),
                           _whole(spans["resolve"]), _whole(spans["contact"]),
                           a["first_holder"]])
    figure_rows = [[scope, key, count, f.measure, f.count, _whole(f.median), _whole(f.p90)]
                   for scope, key, count, f in _figure_rows(store, None, alerts)]
    tables = {"families.csv": families, "checkins.csv": checkins, "alerts.csv": alert_rows,
              "interactions.csv": interactions, "figures.csv": figure_rows}
    return {key: [HEADERS[key], *rows] for key, rows in tables.items()}


def _figure_rows(store: Store, _: Translator | None, alerts: list[dict[str, object]]
                 ) -> list[tuple[str, str, int, Figure]]:
    """(scope, group, alerts in the group, figure): per severity, then per caseworker. Without
    a translator the group is the code / person id (raw)."""
    rows = []
    for severity, found in by_severity(alerts).items():
        count = sum(1 for a in alerts if a["severity"] == severity)
        group = _(SEVERITY_LABEL[severity]) if _ else severity
        rows += [("severity", group, count, f) for f in found]
    for holder, found in by_holder(alerts).items():
        count = sum(1 for a in alerts if holder_of(a) == holder)
        person = store.people.get(holder)
        group = ((person.display_name if person else None) or _("a caseworker")) if _ \
            else str(holder)
        rows += [("caseworker", group, count, f) for f in found]
    return rows


class _Names:
    """Ids to what a person calls them: people by name, children by name, families by number
    and village."""

    def __init__(self, store: Store, _: Translator) -> None:
        self.store, self._ = store, _

    def person(self, person_id: object) -> str:
        if person_id is None:
            return ""
        person = self.store.people.get(int(str(person_id)))
        if person is None or person.status == "forgotten":
            return self._("(removed)")
        return person.display_name or self._(ROLE_LABELS.get(person.role, N_("family member")))

    def family(self, family_id: object) -> str:
        if family_id is None:
            return ""
        family = self.store.families.get(int(str(family_id)))
        return self._("#%(id)s %(village)s", id=family_id, village=family.village if family
                      else "")

    def child(self, family_id: object, child_id: object) -> str:
        if family_id is None:
            return ""
        children = self.store.families.children(int(str(family_id)))
        named = [c for c in children if c.id == child_id] if child_id is not None else children
        return self._("、").join(c.name for c in named)


def _child_words(_: Translator, name: str, birth_month: str | None, day: date) -> str:
    age = age_in_years(birth_month, day)
    return _("%(name)s, %(age)s years", name=name, age=age) if age is not None else name


def _cadence(_: Translator, cadence: str) -> str:
    from flows.staff.family_file import cadence_options
    return next((o.label for o in cadence_options(_) if o.value == cadence), cadence)


def _answer(value: str | None, field: str, _: Translator) -> str:
    """A check-in answer as the words the guardian pressed (without the picture)."""
    if not value:
        return ""
    from flows.guardian.checkin import _options  # the answer buttons' own labels
    label = next((o.label for o in _options(_.locale, field) if o.value == value), None)
    return label.split(" ", 1)[-1] if label else value


def _whole(minutes: float | None) -> int | str:
    return "" if minutes is None else int(minutes)


def csv_files(tables: ExportTables) -> dict[str, bytes]:
    """The CSV files (the heavy part: keep it out of transactions)."""
    return {name: _csv(rows[0], rows[1:]) for name, rows in tables.items()}  # type: ignore[arg-type]


def record_export(store: Store, person: Person, first: date, last: date, now: datetime) -> None:
    """Every export is audited (a write: the one thing an export records)."""
    store.audit.add(at=to_iso(now), actor_id=person.id, action="export",
                    target=f"families:{len(visible_family_ids(store, person))}",
                    detail=f"{first}..{last}")


def export_files(store: Store, person: Person, first: date, last: date,
                 now: datetime, raw: bool = False) -> dict[str, bytes]:
    """Read, render and audit in one go (for callers already inside one transaction)."""
    files = csv_files(export_tables(store, person, first, last, raw))
    record_export(store, person, first, last, now)
    return files


def parse_period(args: list[str], today: date) -> tuple[date, date] | None:
    """``[from] [to]`` as YYYY-MM-DD; by default the last 30 days."""
    try:
        first = date.fromisoformat(args[0]) if args else today - timedelta(days=29)
        last = date.fromisoformat(args[1]) if len(args) > 1 else today
    except ValueError:
        return None
    if first > last or (last - first).days > 366:
        return None
    return first, last


def export_period(person: Person, args: list[str], now: datetime) -> tuple[date, date] | None:
    return parse_period(args, now.astimezone(zone_of(person)).date())


def export(store: Store, ctx: FlowContext, person: Person, args: list[str],
           rendered: dict[str, bytes] | None = None) -> list[Reply]:
    """/export. ``rendered``: the files, read from a snapshot and rendered before this
    transaction (the handler does so); without them they are built here."""
    _ = translator(person.locale)
    if not person.is_staff:
        store.audit.add(at=to_iso(ctx.now), actor_id=person.id, action="refused", target="export")
        return [Reply(_("Only the village children's director can open family files."))]
    period = export_period(person, args, ctx.now)
    if period is None:
        return [Reply(_("Please give the dates as /export 2026-11-01 2026-11-30 (at most a "
                        "year)."))]
    if rendered is None:
        files = export_files(store, person, period[0], period[1], ctx.now)
    else:
        files = rendered
        record_export(store, person, period[0], period[1], ctx.now)
    replies = [Reply(_("📤 Export for %(first)s – %(last)s: families, check-ins, alerts, "
                       "messages and response times. Please keep these files safe: they hold "
                       "children's data.", first=_.day(period[0]), last=_.day(period[1])))]
    replies += [Reply("", document=(name, data)) for name, data in files.items()]
    return replies
