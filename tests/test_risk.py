"""The risk engine: every rule fires and stays quiet; keywords in zh_CN and en with variants."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flows.risk import CheckinRecord, evaluate, lexicon, match_terms, normalise_text

TODAY = date(2026, 11, 25)


def day(n: int) -> date:
    return TODAY - timedelta(days=n)


def rules(findings) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.rule for f in findings}


def test_sad_three_running_fires_two_does_not() -> None:
    sad = [CheckinRecord(day(i), mood="sad") for i in range(3)]
    assert "sad_streak" in rules(evaluate(sad, TODAY))
    mixed = [CheckinRecord(day(0), mood="sad"), CheckinRecord(day(1), mood="happy"),
             CheckinRecord(day(2), mood="sad")]
    assert "sad_streak" not in rules(evaluate(mixed, TODAY))
    assert "sad_streak" not in rules(evaluate(sad[:2], TODAY))


def test_missed_check_ins_do_not_break_a_sad_streak() -> None:
    history = [CheckinRecord(day(0), mood="sad"), CheckinRecord(day(1), missed=True),
               CheckinRecord(day(2), mood="sad"), CheckinRecord(day(3), mood="sad")]
    assert "sad_streak" in rules(evaluate(history, TODAY))


@pytest.mark.parametrize(("health", "rule", "severity"),
                         [("unwell", "unwell", "normal"), ("injured", "injured", "high")])
def test_health(health: str, rule: str, severity: str) -> None:
    (finding,) = [f for f in evaluate([CheckinRecord(TODAY, health=health)], TODAY)]
    assert (finding.rule, finding.severity) == (rule, severity)
    assert evaluate([CheckinRecord(TODAY, health="well")], TODAY) == []
    assert evaluate([CheckinRecord(day(1), health=health)], TODAY) == []  # not today's news


def test_missed_school_twice_in_a_week() -> None:
    twice = [CheckinRecord(day(0), school="missed"), CheckinRecord(day(5), school="missed")]
    assert "missed_school" in rules(evaluate(twice, TODAY))
    apart = [CheckinRecord(day(0), school="missed"), CheckinRecord(day(8), school="missed")]
    assert "missed_school" not in rules(evaluate(apart, TODAY))
    holiday = [CheckinRecord(day(0), school="holiday"), CheckinRecord(day(1), school="holiday")]
    assert evaluate(holiday, TODAY) == []


def test_silence_after_seven_days() -> None:
    assert "silence" in rules(evaluate([CheckinRecord(day(7), mood="happy")], TODAY))
    assert "silence" not in rules(evaluate([CheckinRecord(day(6), mood="happy")], TODAY))
    only_missed = [CheckinRecord(day(i), missed=True) for i in range(3)] + \
        [CheckinRecord(day(9), mood="happy")]
    assert "silence" in rules(evaluate(only_missed, TODAY))


def test_worrying_answer() -> None:
    (finding,) = evaluate([CheckinRecord(TODAY, worry=True, worry_text="作业没写完")], TODAY)
    assert (finding.rule, finding.severity, finding.evidence) == ("worry", "normal", "作业没写完")
    assert evaluate([CheckinRecord(TODAY, worry=False)], TODAY) == []


@pytest.mark.parametrize(("text", "rule", "severity"), [
    ("孩子说他想死", "keyword_self_harm", "urgent"),
    ("孩子说他 想 死！！", "keyword_self_harm", "urgent"),
    ("他说：活着没意思。", "keyword_self_harm", "urgent"),
    ("邻居打孩子打得很重", "keyword_violence_abuse", "urgent"),
    ("在学校被欺负了", "keyword_bullying", "high"),
    ("孩子不见了，到处找", "keyword_missing", "urgent"),
    ("昨晚放学没回家", "keyword_missing", "urgent"),
    ("摔伤了腿，流血了", "keyword_injury", "high"),
    ("我住院了，家里没大人", "keyword_no_adult", "high"),
    ("He said he wants to die", "keyword_self_harm", "urgent"),
    ("WANTS　TO　DIE", "keyword_self_harm", "urgent"),  # full-width letters and spaces
    ("she ran away last night!", "keyword_missing", "urgent"),
    ("He was bullied at school.", "keyword_bullying", "high"),
    ("Grandma is in hospital, he is home alone", "keyword_no_adult", "high"),
    ("孩子 was beaten 了", "keyword_violence_abuse", "urgent"),
    ("想\u200b死", "keyword_self_harm", "urgent"),  # a zero-width space does not hide it
    ("孩子这几天总说活着好累", "keyword_self_harm", "urgent"),
    ("他被村里的大孩子打了", "keyword_violence_abuse", "urgent"),  # words in between
    ("在学校被 几个同学 欺负", "keyword_bullying", "high"),
    ("孩子昨天出去玩，一直没回家", "keyword_missing", "urgent"),
    ("He does not want to live anymore", "keyword_self_harm", "urgent"),
    ("he is picked on at school", "keyword_bullying", "high"),
])
def test_keywords_fire(text: str, rule: str, severity: str) -> None:
    found = {(f.rule, f.severity) for f in match_terms(text)}
    assert (rule, severity) in found, found


@pytest.mark.parametrize("text", [
    "今天很好，吃得多", "钥匙不见了", "他跑了步，很开心", "爸爸过年没回家", "He is missing school friends",
    "cutting vegetables with grandma", "😊😊😊", "", "   ", "我们想吃饺子",
    "钥匙找不到了", "妈妈帮他脱衣服洗澡", "他被爸爸带走去县城玩了", "被表扬了，打了一百分",
])
def test_keywords_stay_quiet(text: str) -> None:
    assert match_terms(text) == []


def test_both_lexicons_cover_the_same_classes() -> None:
    zh = {c.name for c in lexicon("zh_CN")}
    en = {c.name for c in lexicon("en")}
    assert zh == en == {"self_harm", "violence_abuse", "bullying", "missing", "injury", "no_adult"}


def test_findings_sorted_by_severity() -> None:
    findings = evaluate([CheckinRecord(TODAY, health="unwell", worry=True)], TODAY, "他想死")
    assert findings[0].severity == "urgent"
    assert [f.severity for f in findings] == sorted(
        (f.severity for f in findings), key={"urgent": 0, "high": 1, "normal": 2}.get)


def test_normalise() -> None:
    assert normalise_text("Ｈｅ　ｗａｎｔｓ，ｔｏ ｄｉｅ！") == "hewantstodie"
