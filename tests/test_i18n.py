"""Every msgid in the code is translated in zh_CN (not fuzzy, same placeholders)."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from flows.core.i18n import LOCALES_DIR, SUPPORTED_LOCALES, normalize_locale, translator

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def code_msgids() -> set[str]:
    found: set[str] = set()
    for folder in ("handlers", "flows", "scheduler", "db", "sandbox"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(locale: str):  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def test_code_has_messages() -> None:
    assert len(code_msgids()) >= 5


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_catalog_complete(locale: str) -> None:
    cat = catalog(locale)
    problems = []
    for msgid in sorted(code_msgids()):
        message = cat.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid[:60]!r}")
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if not all(strings):
            problems.append(f"untranslated: {msgid[:60]!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid[:60]!r}")
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(msgid)):
                problems.append(f"placeholders differ: {msgid[:60]!r}")
    assert problems == [], "\n".join(problems)


def test_zh_cn_really_is_chinese() -> None:
    cat = catalog("zh_CN")
    for message in cat:
        if message.id:
            text = message.string if isinstance(message.string, str) else message.string[0]
            words = PLACEHOLDER.sub("", text)
            if re.search(r"[A-Za-z]{3}", words.replace("KinBridge", "")):  # English left in it
                assert re.search(r"[\u4e00-\u9fff]", words), f"not Chinese: {message.id[:50]!r}"
            assert text.strip(), f"empty: {message.id[:50]!r}"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("zh-hans", "zh_CN"), ("zh-CN", "zh_CN"), ("zh", "zh_CN"), ("zh-hant", "zh_CN"),
     ("en", "en"), ("en-US", "en"), (None, "zh_CN"), ("", "zh_CN"), ("ru", "zh_CN")],
)
def test_telegram_language_codes(code: str | None, expected: str) -> None:
    assert normalize_locale(code) == expected


def test_translator_uses_catalogs() -> None:
    assert translator("zh_CN")("What I can do for you") == "我能为您做什么"
    assert translator("en")("What I can do for you") == "What I can do for you"
    assert translator("xx")("What I can do for you") == "我能为您做什么"
