"""Parenting tips as data (locales/<lang>/tips.toml), chosen by the child's age band and the
week's signals, never repeated for a parent until the band's tips are used up."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from db.store import Store
from flows.core.age import age_in_years
from flows.core.i18n import LOCALES_DIR, SUPPORTED_LOCALES

AREAS = ("emotional", "education", "social", "mental_health", "family_support", "health",
         "comprehensive")
BANDS = ("0-5", "6-11", "12-17")


@dataclass(frozen=True)
class Tip:
    id: str
    area: str
    band: str
    text: str


@cache
def library(locale: str) -> dict[str, Tip]:
    if locale not in SUPPORTED_LOCALES:
        locale = SUPPORTED_LOCALES[0]
    with (Path(LOCALES_DIR) / locale / "tips.toml").open("rb") as fh:
        data = tomllib.load(fh)
    tips = {}
    for item in data["tips"]:
        tip = Tip(item["id"], item["area"], item["band"], item["text"].strip())
        if tip.area not in AREAS or tip.band not in BANDS:
            raise ValueError(f"tip {tip.id}: unknown area or band")
        tips[tip.id] = tip
    return tips


def band_for(birth_month: str | None, today: date) -> str:
    age = age_in_years(birth_month, today)
    if age is None:
        return "6-11"  # the most common age of left-behind children in the seeds
    return "0-5" if age <= 5 else "6-11" if age <= 11 else "12-17"


def preferred_areas(signals: set[str]) -> list[str]:
    """The week's signals point to the areas that help most (a sad week: emotional care)."""
    areas = []
    if signals & {"sad", "sad_streak", "worry"}:
        areas += ["emotional", "mental_health"]
    if signals & {"unwell", "injured", "eating_sleeping"}:
        areas.append("health")
    if "missed_school" in signals:
        areas.append("education")
    if "no_checkins" in signals:
        areas.append("family_support")
    return areas


def choose(store: Store, person_id: int, locale: str, band: str, signals: set[str],
           now_iso: str, exclude: set[str] | None = None) -> Tip:
    """The next tip for this parent: an unseen one of the band, from a preferred area if any;
    once the band is used up it starts again. Marks it seen."""
    tips = [t for t in library(locale).values() if t.band == band]
    seen = store.tips.seen(person_id) | (exclude or set())
    unseen = [t for t in tips if t.id not in seen]
    if not unseen:
        store.tips.forget(person_id, [t.id for t in tips])
        unseen = [t for t in tips if t.id not in (exclude or set())] or tips
    preferred = preferred_areas(signals)
    pick = next((t for area in preferred for t in unseen if t.area == area), None)
    if pick is None:  # round the areas: the area seen least recently comes first
        counts = {a: sum(1 for t in tips if t.area == a and t.id in seen) for a in AREAS}
        pick = min(unseen, key=lambda t: (counts[t.area], AREAS.index(t.area), t.id))
    store.tips.mark(person_id, pick.id, now=now_iso)
    return pick
