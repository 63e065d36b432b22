"""The clock a test gives a running bot: real time that flows (sleeps, timeouts and the sandbox
work as usual), shifted so the test begins at a fixed daytime hour in Shanghai. Quiet hours
(21:30–07:30 by default), the sweeps' 02:00–03:00 pause and "today" then do not depend on when
CI happens to run the suite (two tests used to fail at night in Shanghai)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.core.clock import OffsetClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 16:00 in Shanghai is 08:00 in London and 12:00 in Dubai: outside everyone's quiet hours
START_LOCAL = time(16, 0)


def daytime_start(real: datetime | None = None) -> datetime:
    """The first 16:00 in Shanghai at or after ``real`` (the real time now). Never earlier, so
    rows a test seeds at the real time look a little older, as if the bot ran later."""
    real = (real or datetime.now(UTC)).astimezone(SHANGHAI)
    start = datetime.combine(real.date(), START_LOCAL, SHANGHAI)
    if start < real:
        start += timedelta(days=1)
    return start.astimezone(UTC)


def daytime_clock() -> OffsetClock:
    real = datetime.now(UTC)
    return OffsetClock(daytime_start(real) - real)
