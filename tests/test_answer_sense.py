"""Typed check-in answers as people write them, read by the real options of each question:
degree words, negation scope, dialect, slips, full-width digits, emoji and English. Where an
answer points two ways the question is asked again (None), never guessed."""

from __future__ import annotations

import pytest

from flows.core.i18n import translator
from flows.core.ui import match_in_sentence, pick
from flows.guardian.checkin import options


def read(locale: str, field: str, text: str) -> str | None:
    opts = options(translator(locale), field)
    chosen = pick(opts, None, text) or match_in_sentence(text, opts)
    return chosen.value if chosen else None


@pytest.mark.parametrize(("field", "text", "expected"), [
    # the words
    ("mood", "还行", "neutral"), ("eating_sleeping", "还行", "normal"),
    ("eating_sleeping", "还可以吧", "normal"), ("health", "凑合", "well"),
    ("mood", "老样子", "neutral"), ("health", "挺好的", "well"), ("mood", "不咋地", "sad"),
    ("eating_sleeping", "不咋地", "not_normal"), ("health", "有点咳嗽", "unwell"),
    ("mood", "有点难过", "sad"), ("mood", "有点…", None),
    # degree words and the reach of a negation
    ("mood", "挺开心的", "happy"), ("mood", "蛮高兴", "happy"), ("mood", "可高兴了", "happy"),
    ("mood", "老哭", "sad"), ("mood", "不怎么开心", "sad"), ("mood", "不是很开心", "sad"),
    ("mood", "不太好", "sad"), ("health", "不太舒服", "unwell"), ("school", "今天没去上学", "missed"),
    ("health", "没什么不舒服的", "well"), ("mood", "没有不开心", None),
    ("eating_sleeping", "吃得还行，就是睡不好", "not_normal"),
    ("health", "挺好的，就是有点咳嗽", "unwell"), ("mood", "又哭又笑", None),
    # dialect
    ("mood", "中", "happy"), ("health", "得劲", "well"), ("health", "不得劲", "unwell"),
    ("health", "好着呢", "well"), ("worry", "莫得", "n"), ("worry", "冇", "n"),
    ("school", "冇去", "missed"), ("mood", "可得劲了", "happy"), ("health", "还中", "well"),
    # slips, traditional characters, full-width digits, emoji
    ("mood", "開心", "happy"), ("mood", "難過", "sad"), ("mood", "１", "happy"),
    ("health", "２", "unwell"), ("mood", "👍", "happy"), ("health", "🤒", "unwell"),
    ("mood", "😢😢", "sad"), ("health", "🤕", "injured"),
    # English
    ("mood", "not bad", "neutral"), ("health", "kinda sick", "unwell"), ("worry", "nope", "n"),
    ("school", "nope", "missed"), ("mood", "hapy", "happy"), ("health", "not great", "unwell"),
    ("eating_sleeping", "didn't eat much", "not_normal"), ("mood", "pretty good", "happy"),
    # not an answer to this question
    ("school", "好", None), ("mood", "中午吃了面条", None), ("worry", "是不是要下雨", None),
])
def test_colloquial_answers(field: str, text: str, expected: str | None) -> None:
    locale = "en" if text.isascii() and not text.isdigit() else "zh_CN"
    assert read(locale, field, text) == expected
