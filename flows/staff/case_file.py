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
from flows.core.buttons import TimelinePage
from flows.core.clock import from_iso, to_iso
from flows.core.i18n import Translator, translator
from flows.core.labels import relation_label
from flows.core.ui import Buttons, FlowContext, Reply, pager_row
from flows.parent.weekly import zone_of
from flows.staff.alerts import RULE_TITLES, SEVERITY_BADGE

PAGE = 10
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
        return (person.display_name or "?") if person else "?"
    found: list[Entry] = []
    for item in store.interactions.for_family(family_id):
        arrow = "⬅️" if item.direction == "in" else "➡️"
        found.append(Entry(item.at, f"{arrow} {who(item.person_id)} · {item.kind}: "
                                    f"{(item.summary or '')[:120]}"))
    for c in store.checkins.for_family(family_id):
        if c.answered_at is None:
            found.append(Entry(c.created_at, _("📝 Check-in (%(who)s): no answer",
                                               who=who(c.guardian_id))))
            continue
        parts = [MOOD.get(c.mood or "", "·"), c.health or "·", c.school or "·",
                 c.eating_sleeping or "·"]
        if c.worry:
            parts.append("❗")
        found.append(Entry(c.answered_at, _("📝 Check-in (%(who)s): %(answers)s",
                                            who=who(c.guardian_id), answers=" ".join(parts))))
    for alert in store.alerts.for_family(family_id):
        title_msgid = RULE_TITLES.get(alert.rule)
        title = _(title_msgid, name="?", n="") if title_msgid else alert.rule
        found.append(Entry(alert.created_at, f"{SEVERITY_BADGE[alert.severity]} #{alert.id} "
                                             f"{title}"))
        for event in store.alerts.timeline_events(alert.id):
            if event["event"] in ("acknowledged", "resolved", "escalated"):
                detail = f" ({event['detail']})" if event["detail"] else ""
                found.append(Entry(str(event["at"]), f"   #{alert.id} {event['event']}{detail} · "
                                                     f"{who(event['actor_id'])}"))  # type: ignore[arg-type]
    for call in store.calls.for_family(family_id):
        extra = f" {call.minutes} min" if call.minutes else ""
        found.append(Entry(call.at, _("📞 %(who)s called home", who=who(call.parent_id)) + extra
                           + (" " + MOOD.get(call.child_mood or "", "") if call.child_mood else "")))
    for visit in store.visits.for_family(family_id):
        found.append(Entry(visit.visit_day + "T12:00:00.000000Z",
                           _("🏠 Visit by %(who)s: %(status)s", who=who(visit.parent_id),
                             status=visit.status)))
    for note in store.notes.for_family(family_id):
        found.append(Entry(note.at, f"🗒 {who(note.author_id)}: "
                                    f"{note.text[:300] or _('(removed)')}"))
    found.sort(key=lambda e: e.at, reverse=True)
    return found


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


def _minutes(start: object, end: object) -> int | str:
    if not start or not end:
        return ""
    return int((from_iso(str(end)) - from_iso(str(start))).total_seconds() // 60)


HEADERS = {
    "families.csv": ["family_id", "village", "cadence", "caseworker_id", "children"],
    "checkins.csv": ["checkin_id", "family_id", "child_id", "guardian_id", "day", "status", "mood",
                     "health", "school", "eating_sleeping", "worry", "voice_notes", "answered_at"],
    "alerts.csv": ["alert_id", "family_id", "child_id", "rule", "severity", "status", "level",
                   "created_at", "acknowledged_at", "resolved_at", "outcome",
                   "minutes_to_acknowledge", "minutes_to_resolve"],
    "interactions.csv": ["at", "family_id", "person_id", "direction", "kind", "summary"],
}
ExportTables = dict[str, list[list[object]]]


def export_tables(store: Store, person: Person, first: date, last: date) -> ExportTables:
    """The rows of each export file for the families this person may see, for check-ins, alerts
    and interactions from ``first`` to ``last`` (inclusive). Only reads: run it in a read
    snapshot, render with ``csv_files`` outside any transaction, then ``record_export``."""
    ids = visible_family_ids(store, person)
    since = to_iso(datetime.combine(first, datetime.min.time(), tzinfo=zone_of(person)))
    until = to_iso(datetime.combine(last + timedelta(days=1), datetime.min.time(),
                                    tzinfo=zone_of(person)))
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
    alerts: list[list[object]] = [
        [a["id"], a["family_id"], a["child_id"], a["rule"], a["severity"], a["status"],
         a["level"], a["created_at"], a["acknowledged_at"], a["resolved_at"], a["outcome"],
         _minutes(a["created_at"], a["acknowledged_at"]),
         _minutes(a["created_at"], a["resolved_at"])]
        for a in store.alerts.times(ids, since, until)]
    return {"families.csv": families, "checkins.csv": checkins, "alerts.csv": alerts,
            "interactions.csv": interactions}


def csv_files(tables: ExportTables) -> dict[str, bytes]:
    """The CSV files (the heavy part: keep it out of transactions)."""
    return {name: _csv(HEADERS[name], rows) for name, rows in tables.items()}


def record_export(store: Store, person: Person, first: date, last: date, now: datetime) -> None:
    """Every export is audited (a write: the one thing an export records)."""
    store.audit.add(at=to_iso(now), actor_id=person.id, action="export",
                    target=f"families:{len(visible_family_ids(store, person))}",
                    detail=f"{first}..{last}")


def export_files(store: Store, person: Person, first: date, last: date,
                 now: datetime) -> dict[str, bytes]:
    """Read, render and audit in one go (for callers already inside one transaction)."""
    files = csv_files(export_tables(store, person, first, last))
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
    replies = [Reply(_("📤 Export for %(first)s – %(last)s: families, check-ins, alerts with "
                       "response times, and interactions. Please keep these files safe: they "
                       "hold children's data.", first=_.day(period[0]), last=_.day(period[1])))]
    replies += [Reply("", document=(name, data)) for name, data in files.items()]
    return replies
