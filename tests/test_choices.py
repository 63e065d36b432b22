"""Tap first, type second: numbers, words, full-width forms, noise."""

import pytest

from flows.core.i18n import translator
from flows.core.labels import checkin_options, weekday_options, weekly_time_options, yes_no
from flows.core.ui import match_choice, normalise

ZH = translator("zh_CN")
EN = translator("en")


@pytest.mark.parametrize(("typed", "expected"), [
    ("1", "y"), ("１", "y"), (" 2 ", "n"), ("是", "y"), ("是的！", "y"), ("好 的", "y"),
    ("不是", "n"), ("否", "n"), ("✅ 是", "y"), ("YES", "y"), ("3", None), ("也许", None),
    ("", None), ("👍", None),
])
def test_yes_no(typed: str, expected: str | None) -> None:
    chosen = match_choice(typed, yes_no(ZH))
    assert (chosen.value if chosen else None) == expected


def test_english_words_work_too() -> None:
    assert match_choice("No", yes_no(EN)).value == "n"  # type: ignore[union-attr]
    assert match_choice("morning", checkin_options(EN)).value == "08:00"  # type: ignore[union-attr]


@pytest.mark.parametrize(("typed", "expected"), [
    ("早上", "08:00"), ("晚上", "19:00"), ("2", "12:00"), ("中午。", "12:00"),
])
def test_checkin_times(typed: str, expected: str) -> None:
    assert match_choice(typed, checkin_options(ZH)).value == expected  # type: ignore[union-attr]


@pytest.mark.parametrize(("typed", "expected"), [
    ("20", "20:00"), ("20:00", "20:00"), ("８点", "08:00"), ("1", "08:00"), ("21点", "21:00"),
])
def test_weekly_hours(typed: str, expected: str) -> None:
    assert match_choice(typed, weekly_time_options()).value == expected  # type: ignore[union-attr]


def test_weekdays() -> None:
    assert match_choice("周日", weekday_options(ZH)).value == "7"  # type: ignore[union-attr]
    assert match_choice("星期三", weekday_options(ZH)).value == "3"  # type: ignore[union-attr]


def test_normalise_strips_noise() -> None:
    assert normalise("  Ｙｅｓ！！ \u200b") == "yes"
