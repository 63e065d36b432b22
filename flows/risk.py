"""The risk engine: pure, table-driven rules over a family's recent check-ins, and
Chinese-aware keyword matching on free text. Each finding is (rule, severity, evidence).

No I/O here: callers pass the history and the text; raising alerts (one per situation) is
``flows.alerts.raise_alert``'s job.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from flows.i18n import LOCALES_DIR, SUPPORTED_LOCALES

SEVERITY_ORDER = {"urgent": 0, "high": 1, "normal": 2}


@dataclass(frozen=True)
class CheckinRecord:
    """One completed (or missed) check-in, as plain values."""

    day: date
    mood: str | None = None  # happy | neutral | sad
    health: str | None = None  # well | unwell | injured
    school: str | None = None  # went | missed | holiday
    eating_sleeping: str | None = None  # normal | not_normal
    worry: bool = False
    worry_text: str | None = None
    missed: bool = False


@dataclass(frozen=True)
class Finding:
    """``evidence`` is the guardian's own words (a keyword or worry text); ``count`` the number
    a rule counted (days, check-ins). The words for the caseworker are in flows.alerts."""

    rule: str
    severity: str
    evidence: str = ""
    count: int = 0


# ---- keyword matching -------------------------------------------------------------------
def normalise_text(text: str) -> str:
    """Full-width -> half-width (NFKC), lower case, drop spaces, punctuation, symbols and
    invisible characters, so "想 死！", "想死" and "ＳＵＩＣＩＤＥ" match their terms."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in ("Z", "P", "S", "C"))


GAP = "[^|]{0,6}"  # a "*" in a variant: a few characters, within one clause


def clause_text(text: str) -> str:
    """Like normalise_text, but punctuation becomes "|" so a gap never spans two clauses
    ("被表扬了，打了一百分" is praise and a mark, not a beating)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    out = []
    for ch in folded:
        kind = unicodedata.category(ch)[0]
        if kind == "P":
            out.append("|")
        elif kind not in ("Z", "S", "C"):
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class TermClass:
    name: str
    severity: str
    variants: tuple[str, ...]  # normalised
    patterns: tuple[re.Pattern[str], ...] = ()  # variants with a gap ("被*打了")

    def find(self, haystack: str, clauses: str) -> str | None:
        for variant in self.variants:
            if variant in haystack:
                return variant
        for pattern in self.patterns:
            found = pattern.search(clauses)
            if found:
                return found.group(0)
        return None


@cache
def lexicon(locale: str) -> tuple[TermClass, ...]:
    path = Path(LOCALES_DIR) / locale / "risk_terms.toml"
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    classes = []
    for item in data["classes"]:
        if item["severity"] not in SEVERITY_ORDER:
            raise ValueError(f"{path}: unknown severity {item['severity']!r}")
        plain = [v for v in item["variants"] if "*" not in v]
        gapped = [v for v in item["variants"] if "*" in v]
        variants = tuple(sorted({normalise_text(v) for v in plain} - {""}, key=len, reverse=True))
        patterns = tuple(re.compile(GAP.join(re.escape(normalise_text(part))
                                             for part in v.split("*"))) for v in gapped)
        classes.append(TermClass(item["name"], item["severity"], variants, patterns))
    return tuple(classes)


def match_terms(text: str, locales: Sequence[str] = SUPPORTED_LOCALES) -> list[Finding]:
    """Every term class found in ``text`` (all languages by default: people mix them)."""
    haystack = normalise_text(text)
    if not haystack:
        return []
    clauses = clause_text(text)
    found: dict[str, Finding] = {}
    for locale in locales:
        for term_class in lexicon(locale):
            if term_class.name in found:
                continue
            variant = term_class.find(haystack, clauses)
            if variant is not None:
                found[term_class.name] = Finding(f"keyword_{term_class.name}",
                                                 term_class.severity, variant)
    return sorted(found.values(), key=lambda f: SEVERITY_ORDER[f.severity])


# ---- rules over the history -------------------------------------------------------------
Rule = Callable[[Sequence[CheckinRecord], date], Finding | None]


def sad_streak(history: Sequence[CheckinRecord], today: date) -> Finding | None:
    answered = [r for r in history if not r.missed and r.mood is not None][:3]
    if len(answered) == 3 and all(r.mood == "sad" for r in answered):
        return Finding("sad_streak", "high", count=3)
    return None


def unwell_or_injured(history: Sequence[CheckinRecord], today: date) -> Finding | None:
    latest = next((r for r in history if not r.missed), None)
    if latest is None or latest.day != today:
        return None
    if latest.health == "injured":
        return Finding("injured", "high")
    if latest.health == "unwell":
        return Finding("unwell", "normal")
    return None


def missed_school(history: Sequence[CheckinRecord], today: date) -> Finding | None:
    days = {r.day for r in history if today - r.day < timedelta(days=7) and r.school == "missed"}
    if len(days) >= 2:
        return Finding("missed_school", "high", count=len(days))
    return None


def silence(history: Sequence[CheckinRecord], today: date) -> Finding | None:
    answered = [r for r in history if not r.missed]
    if not answered:
        return None
    gap = (today - answered[0].day).days
    if gap >= 7:
        return Finding("silence", "high", count=gap)
    return None


def worrying_answer(history: Sequence[CheckinRecord], today: date) -> Finding | None:
    latest = next((r for r in history if not r.missed), None)
    if latest is None or latest.day != today or not latest.worry:
        return None
    return Finding("worry", "normal", (latest.worry_text or "")[:300])


RULES: tuple[Rule, ...] = (sad_streak, unwell_or_injured, missed_school, silence, worrying_answer)


def evaluate(history: Sequence[CheckinRecord], today: date,
             text: str | None = None) -> list[Finding]:
    """All findings for a family today; ``history`` is newest first."""
    findings = [f for rule in RULES if (f := rule(history, today)) is not None]
    if text:
        findings += match_terms(text)
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])
