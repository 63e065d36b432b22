"""A child's age from the birth month we keep (never the day: less personal data)."""

from __future__ import annotations

from datetime import date


def age_in_years(birth_month: str | None, today: date) -> int | None:
    """Whole years from a "YYYY-MM" birth month; None when unknown or unreadable."""
    try:
        year, month = (int(part) for part in (birth_month or "").split("-")[:2])
    except ValueError:
        return None
    years = today.year - year - (1 if today.month < month else 0)
    return years if 0 <= years < 30 else None
