"""Durations in words a caseworker reads at a glance ("3 小时", "9 天", "3 hours"), plural-aware
through the catalogs. Babel's format_timedelta rounds 9 days to "1 周" and 90 minutes to
"2 小时"; a caseworker needs the days themselves, so the steps here are our own: minutes below
two hours, whole hours below two days, then whole days (rounded down: never more than it was)."""

from __future__ import annotations

from datetime import timedelta

from flows.core.i18n import Translator


def duration_words(_: Translator, span: timedelta) -> str:
    """"12 分钟" / "3 小时" / "9 天"; under a minute: "不到 1 分钟"."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return _("less than a minute")
    if minutes < 120:  # "90 分钟", not a rounded-down "1 小时"
        return _.ngettext("%(n)s minute", "%(n)s minutes", minutes)
    hours = minutes // 60
    if hours < 48:
        return _.ngettext("%(n)s hour", "%(n)s hours", hours)
    return _.ngettext("%(n)s day", "%(n)s days", hours // 24)


def minutes_words(_: Translator, minutes: float | None) -> str:
    """A figure in minutes as words; None (no data) as "no data yet"."""
    if minutes is None:
        return _("no data yet")
    return duration_words(_, timedelta(minutes=minutes))
