"""The weekly digest for caseworkers and supervisors: open alerts, median time to acknowledge
and to resolve, silent families, parents without a call in three weeks, and a chart (check-in
completion and mood over the last 8 weeks) because people would rather look than read.

``series`` is the data the chart is drawn from (tests check it against the database);
``chart_png`` draws it with Pillow, with no text that needs a CJK font (the caption explains it).
"""

from __future__ import annotations

import io
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PIL import Image, ImageDraw

from db.models import Person
from db.outbox import LANE_BULK, NewMessage
from db.schedules import Schedule
from db.store import Store
from flows.core.access import visible_family_ids
from flows.core.clock import from_iso, to_iso
from flows.core.i18n import translator
from flows.core.recurring import keep_in_step
from flows.core.timeplan import iso_week_key
from flows.guardian.risk_topics import topic_counts_text
from flows.parent.calls import NO_CALL_AFTER
from flows.parent.weekly import zone_of

WEEKS = 8
DIGEST_DAY = "1"  # Monday
DIGEST_TIME = "08:00"
STAFF = ("caseworker", "supervisor")


@dataclass(frozen=True)
class WeekPoint:
    week: str  # ISO week, e.g. 2026-W47
    prompted: int  # check-ins opened (asked)
    answered: int
    happy: int
    neutral: int
    sad: int

    @property
    def completion(self) -> float:
        return self.answered / self.prompted if self.prompted else 0.0

    def share(self, mood: str) -> float:
        moods = self.happy + self.neutral + self.sad
        return getattr(self, mood) / moods if moods else 0.0


def series(store: Store, person: Person, now: datetime) -> list[WeekPoint]:
    """Per ISO week (the person's zone), oldest first: check-ins asked and answered, and moods."""
    zone = zone_of(person)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.isoweekday() - 1)
    first = monday - timedelta(weeks=WEEKS - 1)
    buckets = {iso_week_key(datetime.combine(first + timedelta(weeks=i), datetime.min.time(),
                                             tzinfo=zone), zone): [0, 0, 0, 0, 0]
               for i in range(WEEKS)}
    for family_id in visible_family_ids(store, person):
        for c in store.checkins.between(family_id, first.isoformat(), today.isoformat()):
            day = date.fromisoformat(c.local_day)
            key = iso_week_key(datetime.combine(day, datetime.min.time(), tzinfo=zone), zone)
            if key not in buckets:
                continue
            bucket = buckets[key]
            bucket[0] += 1
            if c.answered_at:
                bucket[1] += 1
            if c.mood in ("happy", "neutral", "sad"):
                bucket[2 + ("happy", "neutral", "sad").index(c.mood)] += 1
    return [WeekPoint(k, *v) for k, v in buckets.items()]


COLOURS = {"completion": (66, 133, 244), "happy": (52, 168, 83), "sad": (234, 67, 53),
           "axis": (90, 90, 90), "grid": (225, 225, 225)}


CHART = "chart"  # an outbox photo's payload key: the rows chart_from_rows draws


def chart_from_rows(rows: list[list[object]]) -> bytes:
    """The PNG from a digest message's rows (the sender calls it, in a worker thread)."""
    return chart_png([WeekPoint(str(r[0]), *(int(v) for v in r[1:])) for r in rows])  # type: ignore[call-overload]


def chart_png(points: list[WeekPoint]) -> bytes:
    """Bars: share of check-ins answered; green line: share of happy days; red: sad days."""
    width, height, left, right, top, bottom = 800, 420, 50, 20, 20, 50
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(share: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, share)))
    for tick in range(0, 101, 25):
        draw.line([(left, y(tick / 100)), (width - right, y(tick / 100))], fill=COLOURS["grid"])
        draw.text((8, y(tick / 100) - 6), f"{tick}%", fill=COLOURS["axis"])
    slot = plot_w / max(1, len(points))
    happy_line, sad_line = [], []
    for i, point in enumerate(points):
        x0 = left + i * slot + slot * 0.2
        x1 = left + (i + 1) * slot - slot * 0.2
        draw.rectangle([(x0, y(point.completion)), (x1, y(0))], fill=COLOURS["completion"])
        centre = (x0 + x1) / 2
        happy_line.append((centre, y(point.share("happy"))))
        sad_line.append((centre, y(point.share("sad"))))
        draw.text((centre - 14, height - bottom + 8), point.week[-3:], fill=COLOURS["axis"])
    for line, colour in ((happy_line, COLOURS["happy"]), (sad_line, COLOURS["sad"])):
        if len(line) > 1:
            draw.line(line, fill=colour, width=3)
        for cx, cy in line:
            draw.ellipse([(cx - 4, cy - 4), (cx + 4, cy + 4)], fill=colour)
    draw.line([(left, top), (left, y(0)), (width - right, y(0))], fill=COLOURS["axis"], width=2)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _median_minutes(pairs: list[tuple[object, object]]) -> int | None:
    values = [(from_iso(str(end)) - from_iso(str(start))).total_seconds() / 60
              for start, end in pairs if start and end]
    return int(statistics.median(values)) if values else None


def digest_text(store: Store, person: Person, now: datetime) -> str:
    _ = translator(person.locale)
    ids = visible_family_ids(store, person)
    open_alerts = store.alerts.visible_open(ids)
    by_severity = {s: sum(1 for a in open_alerts if a.severity == s) for s in ("urgent", "high",
                                                                               "normal")}
    month = store.alerts.times(ids, to_iso(now - timedelta(days=28)), to_iso(now))
    ack = _median_minutes([(a["created_at"], a["acknowledged_at"]) for a in month])
    res = _median_minutes([(a["created_at"], a["resolved_at"]) for a in month])
    today = now.astimezone(zone_of(person)).date()
    silent = sum(1 for f in ids if not any(
        c.answered_at for c in store.checkins.between(f, (today - timedelta(days=6)).isoformat(),
                                                      today.isoformat())))
    no_call = {(f, p) for f, p in store.calls.parents_without_call_since(to_iso(now - NO_CALL_AFTER))
               if f in set(ids)}
    unknown = _("not enough data")
    lines = [
        _("📊 Your week in KinBridge (%(n)s families)", n=len(ids)),
        _("Open alerts: 🔴 %(urgent)s · 🟠 %(high)s · 🟡 %(normal)s", **by_severity),
        _("Median time to acknowledge: %(ack)s · to resolve: %(res)s (last 4 weeks)",
          ack=_("%(n)s min", n=ack) if ack is not None else unknown,
          res=_("%(n)s min", n=res) if res is not None else unknown),
        _("Families with no check-in this week: %(n)s", n=silent),
        _("Parents without a call in three weeks: %(n)s", n=len(no_call)),
        _("Topics in families' words this week: %(topics)s", topics=topic_counts_text(
            _, store.topics.counts(ids, to_iso(now - timedelta(days=7)),
                                   to_iso(now + timedelta(seconds=1)))) or _("none")),
        "",
        _("The chart: blue bars are the share of check-ins answered each week; the green line is "
          "the share of happy days, the red line sad days (last 8 weeks)."),
        _("/alerts shows what needs you first; /families shows every family at a glance."),
    ]
    return "\n".join(lines)


def digest_messages(store: Store, schedule: Schedule, occurrence: datetime) -> list[NewMessage]:
    """The due-work producer for kind "digest": the text, then the chart (its data: drawing
    it would hold the only writer)."""
    person = store.people.get(schedule.person_id)
    if person is None or not person.reachable or person.tg_chat_id is None \
            or person.role not in STAFF:
        return []
    _ = translator(person.locale)
    week = iso_week_key(occurrence, zone_of(person))
    # the chart's data only: the sender draws it (chart_from_rows), outside the transaction
    rows = [[p.week, p.prompted, p.answered, p.happy, p.neutral, p.sad]
            for p in series(store, person, occurrence)]
    return [
        NewMessage(dedupe_key=f"digest:{person.id}:{week}:text", chat_id=person.tg_chat_id,
                   lane=LANE_BULK, person_id=person.id,
                   payload={"text": digest_text(store, person, occurrence)}),
        NewMessage(dedupe_key=f"digest:{person.id}:{week}:chart", chat_id=person.tg_chat_id,
                   lane=LANE_BULK, person_id=person.id, kind="photo",
                   payload={CHART: rows,
                            "caption": _("📊 Check-ins answered and mood, last 8 weeks")}),
    ]


def sync_staff(store: Store, person_id: int, now: datetime) -> int:
    """Caseworkers and supervisors get the digest on Monday morning in their own zone."""
    person = store.people.get(person_id)
    if person is None or person.role not in STAFF:
        return keep_in_step(store, None, person_id, "digest", {}, now)
    return keep_in_step(store, person, person_id, "digest", {None: (DIGEST_DAY, DIGEST_TIME)}, now)
