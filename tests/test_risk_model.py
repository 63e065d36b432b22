"""The learned second opinion of the risk engine (flows/guardian/risk_model.py, issue 14).

Leave-one-author-out on the dev part (train on two authors + the extra cases, score the third; the
held-out part is never read here): the model must hear most alerts of an author it never saw by
itself, and rules + model must keep the targets and add no false alarm. Deterministic: the same
rows and seed give the same weights, and the shipped file is what bench/train_risk_model.py builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.guardian.risk import alert_findings, match_terms
from flows.guardian.risk_model import RULES_ONLY, WEIGHTS, Model, model, second_opinion
from flows.guardian.risk_quality import Example, load, score
from flows.guardian.risk_rules import Message
from flows.guardian.risk_training import train

DATA = Path(__file__).parent / "data"
# measured 2026-11-25 at the shipped threshold (0.85): alerts of the unseen author the model raises
# by itself, through its gates and guards: author 1 0.594, author 2 0.533, author 3 0.505
MODEL_ALONE_FLOOR = 0.48


@pytest.fixture(scope="module")
def rows() -> tuple[list[Example], list[Example]]:
    return load(DATA / "risk_corpus_dev.tsv"), load(DATA / "risk_cases_extra.tsv")


@pytest.fixture(scope="module")
def folds(rows: tuple[list[Example], list[Example]]) -> dict[str, tuple[Model, list[Example]]]:
    dev, extra = rows
    threshold = model().threshold  # type: ignore[union-attr]
    return {a: (train([e for e in dev if e.author != a] + extra, threshold=threshold),
                [e for e in dev if e.author == a]) for a in ("1", "2", "3")}


@pytest.mark.parametrize("author", ["1", "2", "3"])
def test_leave_one_author_out(folds: dict[str, tuple[Model, list[Example]]], author: str) -> None:
    learned, held = folds[author]
    alerts = [e for e in held if e.severity in ("urgent", "high")]
    heard = sum(second_opinion(Message(e.text), learned) is not None for e in alerts)
    assert heard / len(alerts) >= MODEL_ALONE_FLOOR
    report = score(held, learned)
    assert report["severity_recall"]["urgent"] >= 0.98  # type: ignore[index]
    assert report["severity_recall"]["high"] >= 0.95  # type: ignore[index]
    assert report["false_alarms"] == score(held, RULES_ONLY)["false_alarms"] == 0


def test_the_shipped_weights_are_what_the_rows_build(rows: tuple[list[Example], list[Example]]) -> None:
    """Rebuilt from the same rows and seed, the model equals the shipped file (and so is
    deterministic); a changed corpus needs bench/train_risk_model.py run again."""
    dev, extra = rows
    shipped = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    rebuilt = train(dev + extra, threshold=shipped["threshold"],
                    urgent_threshold=shipped["urgent_threshold"]).to_json()
    assert json.loads(json.dumps(rebuilt)) == shipped


@pytest.mark.parametrize("text", ["孙女同学说看见她上了一个陌生人的车", "有人看见孙子上了一辆面包车"])
def test_the_model_raises_what_the_rules_do_not_hear(text: str) -> None:
    assert alert_findings(match_terms(text, learned=RULES_ONLY)) == []
    finding = match_terms(text)[0]
    assert (finding.rule, finding.severity) == ("missing", "urgent")
    assert finding.evidence and finding.evidence in text


@pytest.mark.parametrize("text", ["孙子没有上那辆面包车", "娃没被陌生人带走 在奶奶家", "想死你了",
                                  "孩子在看电视剧 里面有人上了一辆面包车被拐走了"])
def test_the_model_never_raises_over_a_guard_the_rules_recognise(text: str) -> None:
    assert second_opinion(Message(text)) in (None, ("no_adult", "high", text))
    assert [f.rule for f in alert_findings(match_terms(text))] != ["distress"]


def test_without_a_person_or_a_danger_word_the_model_is_not_asked() -> None:
    assert second_opinion(Message("钥匙不见了")) is None
    assert second_opinion(Message("今天天气好 娃去上学了")) is None


def test_the_model_never_raises_distress_the_rules_read_as_mild() -> None:
    """"他最近总是一个人发呆" (withdrawn: normal at most): the model read it as a high distress
    alert and tests/test_checkin.py's worry text failed on it; distress is the rules' to grade."""
    text = "他最近总是一个人发呆"
    assert model().classify(Message(text).text)[0] == "distress"  # type: ignore[index,union-attr]
    assert second_opinion(Message(text)) is None
    assert alert_findings(match_terms(text)) == []
