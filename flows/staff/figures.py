"""Response figures a caseworker and her supervisor can act on: how long alerts waited to be
acknowledged, to a first contact with the family, and to be resolved; per severity and per
caseworker, as the median and the 90th percentile (nearest rank) of the alerts that got there.

"First contact" is the first recorded contact: a caseworker's note on the family while the
alert was open (raised, not yet resolved), or the alert resolved as called / visited / referred
(whichever came first).
Pressing "📞 Call guardian" is not a contact (nobody knows the call was made). Time to report
(the statutory report) is left out until reports are recorded (issue 16 point 6)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from flows.core.clock import from_iso

MEASURES = ("acknowledge", "contact", "resolve")
CONTACT_OUTCOMES = ("called", "visited", "referred")


@dataclass(frozen=True)
class Figure:
    """One measure over a group of alerts: how many got there, median and p90 in minutes."""

    measure: str
    count: int
    median: float | None
    p90: float | None


def _minutes(start: object, end: object) -> float | None:
    if not start or not end:
        return None
    return (from_iso(str(end)) - from_iso(str(start))).total_seconds() / 60


def first_contact(alert: dict[str, object]) -> str | None:
    """When the family was first reached about this alert, as far as the records show."""
    times = [str(alert["first_note"])] if alert.get("first_note") else []
    if alert.get("outcome") in CONTACT_OUTCOMES and alert.get("resolved_at"):
        times.append(str(alert["resolved_at"]))
    return min(times, key=from_iso) if times else None


def waits(alert: dict[str, object]) -> dict[str, float | None]:
    """The minutes from raising to each step (None: not reached yet)."""
    created = alert["created_at"]
    return {"acknowledge": _minutes(created, alert.get("acknowledged_at")),
            "contact": _minutes(created, first_contact(alert)),
            "resolve": _minutes(created, alert.get("resolved_at"))}


def nearest_rank(values: list[float], share: float) -> float:
    """The value below which ``share`` of the values lie (nearest-rank percentile)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def figures(alerts: Iterable[dict[str, object]]) -> list[Figure]:
    """Each measure over these alerts (only the alerts that reached that step count)."""
    spans = [waits(a) for a in alerts]
    found = []
    for measure in MEASURES:
        values = [s[measure] for s in spans if s[measure] is not None]
        numbers = [float(v) for v in values if v is not None]
        found.append(Figure(measure, len(numbers),
                            statistics.median(numbers) if numbers else None,
                            nearest_rank(numbers, 0.9) if numbers else None))
    return found


def holder_of(alert: dict[str, object]) -> int | None:
    """Whose alert it was: whom it was first given to."""
    holder = alert.get("first_holder")
    return int(str(holder)) if holder is not None else None


def by_severity(alerts: list[dict[str, object]]) -> dict[str, list[Figure]]:
    return {severity: figures(a for a in alerts if a["severity"] == severity)
            for severity in ("urgent", "high", "normal")
            if any(a["severity"] == severity for a in alerts)}


def by_holder(alerts: list[dict[str, object]]) -> dict[int, list[Figure]]:
    holders = sorted({h for h in map(holder_of, alerts) if h is not None})
    return {h: figures(a for a in alerts if holder_of(a) == h) for h in holders}
