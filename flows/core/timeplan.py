"""Local-time arithmetic: quiet hours and next occurrences in a person's own time zone.

Nothing is ever scheduled inside 02:00-03:00 local time (DST changes happen there); such a time
is moved to 03:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DST_WINDOW_START = time(2, 0)
DST_WINDOW_END = time(3, 0)


DEFAULT_ZONE = "Asia/Shanghai"


def zone_named(name: str | None) -> ZoneInfo:
    """A person's zone; an unknown or missing name falls back to China's."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def safe_local_time(value: time) -> time:
    return DST_WINDOW_END if DST_WINDOW_START <= value < DST_WINDOW_END else value


def _at(day: date, value: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, value, tzinfo=zone).astimezone(UTC)


def quiet_until(now: datetime, zone: ZoneInfo, start: str, end: str) -> datetime | None:
    """If ``now`` falls in the person's quiet window, when it ends (UTC); otherwise None."""
    local = now.astimezone(zone)
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    t = local.time()
    if begin == finish:
        return None
    if begin < finish:  # e.g. 12:00-14:00
        inside = begin <= t < finish
        end_day = local.date()
    else:  # crosses midnight, e.g. 21:30-07:30
        inside = t >= begin or t < finish
        end_day = local.date() + timedelta(days=1) if t >= begin else local.date()
    if not inside:
        return None
    return _at(end_day, safe_local_time(finish), zone)


def next_occurrence(after: datetime, zone: ZoneInfo, local_time: str,
                    weekdays: str | None = None) -> datetime:
    """The first time strictly after ``after`` at ``local_time`` on one of ``weekdays``.

    ``weekdays`` is a string of ISO weekday digits ("1" Monday … "7" Sunday); None = every day.
    """
    at = safe_local_time(parse_hhmm(local_time))
    allowed = {int(d) for d in weekdays} if weekdays else set(range(1, 8))
    local_day = after.astimezone(zone).date()
    for offset in range(0, 15):
        day = local_day + timedelta(days=offset)
        if day.isoweekday() not in allowed:
            continue
        candidate = _at(day, at, zone)
        if candidate > after:
            return candidate
    raise ValueError(f"no occurrence for weekdays {weekdays!r}")


def iso_week_key(moment: datetime, zone: ZoneInfo) -> str:
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"
