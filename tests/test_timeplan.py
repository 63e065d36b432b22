from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flows.core.timeplan import iso_week_key, next_occurrence, quiet_until

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")


def test_quiet_window_across_midnight() -> None:
    # 22:00 Shanghai = 14:00 UTC
    until = quiet_until(datetime(2026, 11, 23, 14, 0, tzinfo=UTC), SH, "21:30", "07:30")
    assert until == datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 07:30 next morning
    # 06:00 Shanghai: still quiet, ends the same morning
    until = quiet_until(datetime(2026, 11, 23, 22, 0, tzinfo=UTC), SH, "21:30", "07:30")
    assert until == datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert quiet_until(datetime(2026, 11, 23, 4, 0, tzinfo=UTC), SH, "21:30", "07:30") is None


def test_early_bedtime_window() -> None:
    # a grandmother who sleeps 20:00-06:00; 20:30 local
    assert quiet_until(datetime(2026, 11, 23, 12, 30, tzinfo=UTC), SH, "20:00", "06:00") is not None


def test_next_weekly_occurrence_in_local_time() -> None:
    after = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 Shanghai
    sunday_8pm = next_occurrence(after, SH, "20:00", "7")
    assert sunday_8pm == datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert next_occurrence(sunday_8pm, SH, "20:00", "7") == datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_never_inside_the_dst_hour() -> None:
    # 2026-03-08 is the US spring-forward day: 02:30 does not exist in New York
    after = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    when = next_occurrence(after, NY, "02:30")
    local = when.astimezone(NY)
    assert (local.hour, local.minute) == (3, 0)


def test_week_key_uses_local_date() -> None:
    # Sunday 23:30 in Shanghai is still ISO week 48 there, though Monday already elsewhere
    moment = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)
    assert iso_week_key(moment, SH) == "2026-W48"
