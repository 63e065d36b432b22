"""The risk engine: pure, table-driven rules over a family's recent check-ins, and a
concept-based reading of free text (flows.guardian.risk_rules over the lexicons in
locales/<lang>/risk_concepts.toml). Each finding is (rule, severity, evidence).

No I/O here: callers pass the history and the text; raising alerts (one per situation) is
``flows.staff.alerts.raise_alert``'s job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flows.guardian.risk_model import Model, second_opinion
from flows.guardian.risk_rules import hear_message
from flows.guardian.risk_text import prepare

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
    a rule counted (days, check-ins). The words for the caseworker are in flows.staff.alerts."""

    rule: str
    severity: str
    evidence: str = ""
    count: int = 0


# ---- what a message says -----------------------------------------------------------------
ALERT_CLASSES = ("self_harm", "violence_abuse", "bullying", "missing", "injury", "no_adult", "distress")
TOPIC_CLASSES = ("school", "illness", "screen_time", "missing_parent", "behaviour")
TEXT_CLASSES = frozenset(ALERT_CLASSES + TOPIC_CLASSES)
CLASS_ORDER = {name: i for i, name in enumerate(ALERT_CLASSES + TOPIC_CLASSES)}


def normalise_text(text: str) -> str:
    """The text as the lexicons see it (flows.guardian.risk_text.prepare): simplified, half width,
    lower case; "|" and "#" mark clause and sentence ends."""
    return prepare(text)


def match_terms(text: str, locales: Sequence[str] | None = None, *,
                learned: Model | None = None) -> list[Finding]:
    """Every class the risk engine hears in ``text`` (all languages at once: people mix them),
    most severe first. ``rule`` is the class, ``evidence`` the words that made it.

    The rules decide; where they heard no alert, the learned model (flows.guardian.risk_model;
    ``learned`` overrides the shipped one, for cross-validation) may raise one of a class
    they did not hear at all, its evidence the clause with the strongest n-grams. ``locales``
    is kept for old callers; the concepts of every language are always used."""
    if not text or not text.strip():
        return []
    hits, msg = hear_message(text)
    findings = [Finding(h.cls, h.severity, "…".join(h.words)[:300]) for h in hits]
    if not any(h.severity in ("urgent", "high") for h in hits):
        raised = second_opinion(msg, learned)
        # the rules' own reading of a class stands: "他最近总是一个人发呆" is mild distress (normal)
        if raised is not None and all(f.rule != raised[0] for f in findings):
            cls, severity, evidence = raised
            findings.append(Finding(cls, severity, evidence[:300]))
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], CLASS_ORDER[f.rule]))


def is_alert(finding: Finding) -> bool:
    """Urgent and high findings alert the caseworker; a normal finding from text is a topic
    (shown and counted, not an alert) unless a rule over the history says otherwise."""
    return finding.severity in ("urgent", "high")


def alert_findings(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if is_alert(f)]


def topic_findings(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule in TEXT_CLASSES and not is_alert(f)]


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


def worrying_answer(history: Sequence[CheckinRecord], today: date) -> Finding | None:
    latest = next((r for r in history if not r.missed), None)
    if latest is None or latest.day != today or not latest.worry:
        return None
    return Finding("worry", "normal", (latest.worry_text or "")[:300])


RULES: tuple[Rule, ...] = (sad_streak, unwell_or_injured, missed_school, worrying_answer)


def evaluate(history: Sequence[CheckinRecord], today: date,
             text: str | None = None) -> list[Finding]:
    """All findings for a family today; ``history`` is newest first."""
    findings = [f for rule in RULES if (f := rule(history, today)) is not None]
    if text:
        findings += match_terms(text)
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


def warm_up() -> None:
    """Build the lexicon automaton and load the model now (about 3 s), at start-up, so the
    first message a family sends after a restart is not the one that waits for it."""
    match_terms("孩子被打了")
