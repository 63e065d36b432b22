"""The weekly digest for caseworkers and supervisors: open alerts, median time to acknowledge
and to resolve, silent families, parents without a call in three weeks, and a chart (check-in
completion and mood over the last 8 weeks) because people would rather look than read.

``series`` is the data the chart is drawn from (tests check it against the database);
``chart_png`` draws it with Pillow, its words in the reader's language with the system's CJK
font (see chart_font: found through fontconfig and checked to draw every character).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from babel.dates import format_skeleton
from PIL import Image, ImageDraw, ImageFont

from db.models import Person
from db.outbox import LANE_BULK, NewMessage
from db.schedules import Schedule
from db.store import Store
from flows.core.access import visible_family_ids
from flows.core.clock import to_iso
from flows.core.i18n import Translator, translator
from flows.core.recurring import keep_in_step
from flows.core.timeplan import iso_week_key
from flows.guardian.risk_topics import topic_counts_text
from flows.parent.calls import NO_CALL_AFTER
from flows.parent.weekly import zone_of
from flows.staff.alerts import SEVERITY_BADGE, SEVERITY_LABEL
from flows.staff.chart_font import cjk_font
from flows.staff.durations import minutes_words
from flows.staff.figures import Figure, by_holder, by_severity, holder_of

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


COLOURS = {"completion": (66, 133, 244), "happy": (30, 142, 62), "sad": (217, 48, 37),
           "axis": (60, 60, 60), "grid": (225, 225, 225), "empty": (150, 150, 150)}
# a phone shows a photo about 1080 px wide: big type, thick lines, markers of two shapes
SIZE = (1080, 810)
PLOT = (120, 190, 1040, 680)  # left, top, right, bottom of the plotting area
LINE_WIDTH = 6


CHART = "chart"  # an outbox photo's payload key: the rows (and labels) chart_from_rows draws
LABELS = ("title", "answered", "happy", "sad", "y_axis", "x_axis", "no_data")


def chart_labels(_: Translator, points: list[WeekPoint]) -> dict[str, object]:
    """The chart's words in the reader's language, and each week as the date it starts on."""
    return {
        "title": _("Check-ins answered and mood, last 8 weeks"),
        "answered": _("Check-ins answered"), "happy": _("Happy days"), "sad": _("Sad days"),
        "y_axis": _("Share"), "x_axis": _("Week starting on"), "no_data": _("no check-ins"),
        "weeks": [_.date(week_start(p.week), "d MMM") if _.locale == "en"
                  else format_skeleton("MMMd", week_start(p.week), locale=_.babel_locale)
                  for p in points],
    }


def week_start(week: str) -> date:
    """"2026-W47" -> the Monday it starts on."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def chart_from_rows(rows: list[list[object]] | dict[str, object]) -> bytes:
    """The PNG from a digest message's payload (the sender calls it, in a worker thread):
    {"rows": ..., "labels": ...}, or the bare rows queued before the chart had words."""
    labels = None
    if isinstance(rows, dict):
        labels = rows.get("labels")
        rows = list(rows.get("rows") or [])  # type: ignore[call-overload]
    points = [WeekPoint(str(r[0]), *(int(v) for v in r[1:])) for r in rows]  # type: ignore[call-overload]
    return chart_png(points, labels if isinstance(labels, dict) else None)


def chart_png(points: list[WeekPoint], labels: dict[str, object] | None = None) -> bytes:
    """Bars: share of check-ins answered each week; green line with round markers: share of
    happy days; red line with diamonds: sad days. A week without check-ins is a gap (no bar,
    the lines break), not a zero. With a CJK font: title, legend, axis labels and dates."""
    width = SIZE[0]
    left, top, right, bottom = PLOT
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    words = labels if labels is not None and cjk_font(20) is not None else None
    title_font, text_font, small_font = cjk_font(44), cjk_font(30), cjk_font(26)

    def y(share: float) -> float:
        return top + (bottom - top) * (1 - max(0.0, min(1.0, share)))
    for tick in range(0, 101, 25):
        draw.line([(left, y(tick / 100)), (right, y(tick / 100))], fill=COLOURS["grid"], width=2)
        draw.text((left - 12, y(tick / 100)), f"{tick}%", fill=COLOURS["axis"],
                  font=small_font or ImageFont.load_default(26), anchor="rm")
    slot = (right - left) / max(1, len(points))
    happy_line: list[tuple[float, float] | None] = []
    sad_line: list[tuple[float, float] | None] = []
    dates = list(words.get("weeks") or []) if words else []  # type: ignore[call-overload]
    for i, point in enumerate(points):
        x0 = left + i * slot + slot * 0.18
        x1 = left + (i + 1) * slot - slot * 0.18
        centre = (x0 + x1) / 2
        if point.prompted:
            draw.rectangle([(x0, y(point.completion)), (x1, y(0))], fill=COLOURS["completion"])
        elif words:
            draw.text((centre, y(0) - 8), str(words["no_data"]), fill=COLOURS["empty"],
                      font=cjk_font(20), anchor="md")
        moods = point.happy + point.neutral + point.sad
        # side by side within the week's bar, so equal shares never hide one another
        happy_line.append((centre - 9, y(point.share("happy"))) if moods else None)
        sad_line.append((centre + 9, y(point.share("sad"))) if moods else None)
        label = str(dates[i]) if i < len(dates) else point.week[-3:]
        draw.text((centre, bottom + 14), label, fill=COLOURS["axis"],
                  font=cjk_font(24) or ImageFont.load_default(24), anchor="mt")
    for line, colour, shape in ((happy_line, COLOURS["happy"], "circle"),
                                (sad_line, COLOURS["sad"], "diamond")):
        for a, b in pairwise(line):
            if a is not None and b is not None:  # an empty week breaks the line
                draw.line([a, b], fill=colour, width=LINE_WIDTH)
        for spot in line:
            if spot is not None:
                _marker(draw, spot, colour, shape)
    draw.line([(left, top), (left, y(0)), (right, y(0))], fill=COLOURS["axis"], width=3)
    if words and title_font and text_font and small_font:
        draw.text((width / 2, 24), str(words["title"]), fill=(0, 0, 0), font=title_font,
                  anchor="mt")
        _legend(draw, words, text_font, y=110)
        draw.text((left, top - 16), str(words["y_axis"]), fill=COLOURS["axis"], font=small_font,
                  anchor="ld")
        draw.text(((left + right) / 2, bottom + 64), str(words["x_axis"]),
                  fill=COLOURS["axis"], font=small_font, anchor="mt")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _marker(draw: ImageDraw.ImageDraw, spot: tuple[float, float], colour: tuple[int, int, int],
            shape: str) -> None:
    """A white-ringed marker: where the two lines meet, both stay visible."""
    cx, cy = spot
    if shape == "circle":
        draw.ellipse([(cx - 13, cy - 13), (cx + 13, cy + 13)], fill="white")
        draw.ellipse([(cx - 10, cy - 10), (cx + 10, cy + 10)], fill=colour)
    else:
        draw.polygon([(cx, cy - 12), (cx + 12, cy), (cx, cy + 12), (cx - 12, cy)], fill=colour,
                     outline="white", width=3)


def _legend(draw: ImageDraw.ImageDraw, words: dict[str, object],
            font: ImageFont.FreeTypeFont, y: int) -> None:
    x = float(PLOT[0])
    draw.rectangle([(x, y - 14), (x + 36, y + 14)], fill=COLOURS["completion"])
    x += 48
    draw.text((x, y), str(words["answered"]), fill=(0, 0, 0), font=font, anchor="lm")
    x += draw.textlength(str(words["answered"]), font=font) + 48
    for key, shape in (("happy", "circle"), ("sad", "diamond")):
        colour = COLOURS[key]
        draw.line([(x, y), (x + 56, y)], fill=colour, width=LINE_WIDTH)
        _marker(draw, (x + 28, y), colour, shape)
        x += 68
        draw.text((x, y), str(words[key]), fill=(0, 0, 0), font=font, anchor="lm")
        x += draw.textlength(str(words[key]), font=font) + 48


def figure_words(_: Translator, figure: Figure) -> str:
    """"12 分钟（九成在 40 分钟内）": the median and the 90th percentile in words."""
    if figure.median is None or figure.p90 is None:
        return _("no data yet")
    return _("%(median)s (9 in 10 within %(p90)s)", median=minutes_words(_, figure.median),
             p90=minutes_words(_, figure.p90))


def figures_line(_: Translator, who: str, count: int, found: list[Figure]) -> str:
    by = {f.measure: f for f in found}
    return _("%(who)s, %(alerts)s: acknowledged after %(ack)s; first contact after %(contact)s; "
             "resolved after %(res)s",
             who=who, alerts=_.ngettext("%(n)s alert", "%(n)s alerts", count),
             ack=figure_words(_, by["acknowledge"]), contact=figure_words(_, by["contact"]),
             res=figure_words(_, by["resolve"]))


def response_lines(store: Store, _: Translator, alerts: list[dict[str, object]], *,
                   per_caseworker: bool) -> list[str]:
    """Time to acknowledge, to first contact and to resolve per severity (and per caseworker
    for a supervisor): median and 90th percentile of the alerts of the last four weeks."""
    if not alerts:
        return [_("⏱ No alerts in the last 4 weeks.")]
    lines = [_("⏱ Response times in the last 4 weeks (usual time; 9 in 10 within):")]
    for severity, found in by_severity(alerts).items():
        count = sum(1 for a in alerts if a["severity"] == severity)
        lines.append(figures_line(_, SEVERITY_BADGE[severity] + " " + _(SEVERITY_LABEL[severity]),
                                  count, found))
    if per_caseworker:
        for holder, found in by_holder(alerts).items():
            person = store.people.get(holder)
            name = (person.display_name if person else None) or _("a caseworker")
            count = sum(1 for a in alerts if holder_of(a) == holder)
            lines.append(figures_line(_, "👤 " + name, count, found))
    return lines


def digest_text(store: Store, person: Person, now: datetime) -> str:
    _ = translator(person.locale)
    ids = visible_family_ids(store, person)
    open_alerts = store.alerts.visible_open(ids)
    by_severity = {s: sum(1 for a in open_alerts if a.severity == s) for s in ("urgent", "high",
                                                                               "normal")}
    month = store.alerts.times(ids, to_iso(now - timedelta(days=28)), to_iso(now))
    today = now.astimezone(zone_of(person)).date()
    silent = sum(1 for f in ids if not any(
        c.answered_at for c in store.checkins.between(f, (today - timedelta(days=6)).isoformat(),
                                                      today.isoformat())))
    no_call = {(f, p) for f, p in store.calls.parents_without_call_since(to_iso(now - NO_CALL_AFTER))
               if f in set(ids)}
    lines = [
        _("📊 Your week in KinBridge (%(n)s families)", n=len(ids)),
        _("Open alerts: 🔴 %(urgent)s · 🟠 %(high)s · 🟡 %(normal)s", **by_severity),
        *response_lines(store, _, month, per_caseworker=person.role != "caseworker"),
        _("Families with no check-in this week: %(n)s", n=silent),
        _("Parents without a call in three weeks: %(n)s", n=len(no_call)),
        _("Topics in families' words this week: %(topics)s", topics=topic_counts_text(
            _, store.topics.counts(ids, to_iso(now - timedelta(days=7)),
                                   to_iso(now + timedelta(seconds=1)))) or _("none")),
        "",
        _("The chart shows the last 8 weeks: the share of check-ins answered, and of happy and "
          "sad days. A week without check-ins is left empty."),
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
    points = series(store, person, occurrence)
    rows = [[p.week, p.prompted, p.answered, p.happy, p.neutral, p.sad] for p in points]
    return [
        NewMessage(dedupe_key=f"digest:{person.id}:{week}:text", chat_id=person.tg_chat_id,
                   lane=LANE_BULK, person_id=person.id,
                   payload={"text": digest_text(store, person, occurrence)}),
        NewMessage(dedupe_key=f"digest:{person.id}:{week}:chart", chat_id=person.tg_chat_id,
                   lane=LANE_BULK, person_id=person.id, kind="photo",
                   payload={CHART: {"rows": rows, "labels": chart_labels(_, points)},
                            "caption": _("📊 Check-ins answered and mood, last 8 weeks")}),
    ]


def sync_staff(store: Store, person_id: int, now: datetime) -> int:
    """Caseworkers and supervisors get the digest on Monday morning in their own zone."""
    person = store.people.get(person_id)
    if person is None or person.role not in STAFF:
        return keep_in_step(store, None, person_id, "digest", {}, now)
    return keep_in_step(store, person, person_id, "digest", {None: (DIGEST_DAY, DIGEST_TIME)}, now)
