"""The risk engine's quality on the labelled corpus (issue 14, "done when"): urgent recall >= 0.98,
high recall >= 0.95 (a higher severity counts as caught), false alarms <= 3 % of the hard
negatives (an alert-level finding on a hard negative), and "想死你了" raises nothing.

The thresholds are asserted on the development part (both authors' rows it was tuned on). The
held-out part (a third author's, never seen while tuning) is scored by bench/risk_quality.py and
does NOT meet them yet (urgent 0.81, high 0.87, 7 % false alarms when first measured): it is not
asserted here, so tuning to it cannot be hidden inside a green test, and it must never be tuned on.
Deterministic: no timing here (the speed is in bench/risk_quality.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.guardian.risk import match_terms
from flows.guardian.risk_quality import load, score

DATA = Path(__file__).parent / "data"
PARTS = {"dev": DATA / "risk_corpus_dev.tsv"}
URGENT_RECALL, HIGH_RECALL, FALSE_ALARMS = 0.98, 0.95, 0.03


@pytest.mark.parametrize("part", sorted(PARTS))
def test_quality_thresholds(part: str) -> None:
    path = PARTS[part]
    assert path.exists(), f"{path} is missing: the {part} part of the corpus must be added"
    examples = load(path)
    assert len(examples) >= 100 and any(e.hard_negative for e in examples)
    report = score(examples)
    recall = report["severity_recall"]
    misses = report["alert_misses"]
    assert recall["urgent"] >= URGENT_RECALL, misses  # type: ignore[index]
    assert recall["high"] >= HIGH_RECALL, misses  # type: ignore[index]
    assert report["false_alarm_rate"] <= FALSE_ALARMS, report["false_alarm_texts"]  # type: ignore[operator]


def test_the_held_out_part_is_kept_and_labelled() -> None:
    """The held-out part stays in the repository for the bench (and a later fresh part)."""
    examples = load(DATA / "risk_corpus_heldout.tsv")
    assert len(examples) >= 200 and sum(e.hard_negative for e in examples) >= 70


def test_miss_you_to_death_raises_nothing() -> None:
    assert match_terms("想死你了") == []
