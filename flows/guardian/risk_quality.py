"""Scoring the risk engine on a labelled corpus (tests/data/risk_corpus_*.tsv): shared by
bench/risk_quality.py and tests/test_risk_quality.py so both count the same way.

A message's predicted label is its most severe finding (class priority breaks ties). Severity
recall counts a higher severity as caught. A false alarm is an alert-level finding (high or
urgent) on a hard negative; a normal topic on a hard negative is counted apart (it raises no
alert: it is only shown and counted)."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from flows.guardian.risk import match_terms

SEVERITIES = ("urgent", "high", "normal", "none")
RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Example:
    lang: str
    severity: str
    cls: str
    hard_negative: bool
    text: str
    author: str = ""  # the dev part's optional last column: who wrote the row (1, 2, 3 ...)


def load(path: Path) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Example(r["lang"], r["severity"], r["class"], r["hard_negative"].strip() == "1",
                        r["text"], (r.get("author") or "").strip()) for r in rows if r.get("text")]


def predict(text: str) -> tuple[str, str]:
    """(severity, class) of the most severe finding; ("none", "none") when nothing is heard."""
    findings = match_terms(text)
    if not findings:
        return "none", "none"
    return findings[0].severity, findings[0].rule


def score(examples: list[Example]) -> dict[str, object]:
    predictions = [predict(e.text) for e in examples]
    confusion: dict[str, Counter[str]] = {s: Counter() for s in SEVERITIES}
    per_class: dict[str, Counter[str]] = {}
    severity_caught: Counter[str] = Counter()
    severity_total: Counter[str] = Counter()
    false_alarms: list[str] = []
    topics_on_hard: list[str] = []
    misses: list[dict[str, str]] = []
    for example, (severity, cls) in zip(examples, predictions, strict=True):
        confusion[example.severity][severity] += 1
        per_class.setdefault(example.cls, Counter())["gold"] += 1
        per_class.setdefault(cls, Counter())["predicted"] += 1
        if cls == example.cls:
            per_class[cls]["right"] += 1
        severity_total[example.severity] += 1
        if RANK[severity] <= RANK[example.severity]:
            severity_caught[example.severity] += 1
        elif example.severity in ("urgent", "high"):
            misses.append({"gold": f"{example.severity}/{example.cls}", "got": f"{severity}/{cls}",
                           "text": example.text})
        if example.hard_negative:
            if severity in ("urgent", "high"):
                false_alarms.append(example.text)
            elif severity == "normal":
                topics_on_hard.append(example.text)
    hard = sum(e.hard_negative for e in examples)
    classes = {
        name: {"precision": round(c["right"] / c["predicted"], 3) if c["predicted"] else None,
               "recall": round(c["right"] / c["gold"], 3) if c["gold"] else None,
               "support": c["gold"]}
        for name, c in sorted(per_class.items())}
    return {
        "messages": len(examples),
        "severity_recall": {s: round(severity_caught[s] / severity_total[s], 3)
                            for s in SEVERITIES if severity_total[s]},
        "classes": classes,
        "confusion_gold_by_predicted": {g: dict(confusion[g]) for g in SEVERITIES if confusion[g]},
        "hard_negatives": hard,
        "false_alarms": len(false_alarms),
        "false_alarm_rate": round(len(false_alarms) / hard, 4) if hard else None,
        "normal_topic_on_hard_negatives": len(topics_on_hard),
        "false_alarm_texts": false_alarms,
        "alert_misses": misses,
    }
