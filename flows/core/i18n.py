"""Translators per person: gettext catalogs under locales/<lang>/LC_MESSAGES, Babel formatting.

msgids are English with %(name)s placeholders. ``zh_CN`` is the default and must be complete.
"""

from __future__ import annotations

import gettext as _gettext
from datetime import date, datetime, tzinfo
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"
SUPPORTED_LOCALES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it yet (tables, button labels)."""
    return msgid


def normalize_locale(code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map Telegram's ``language_code`` (``zh-hans``, ``zh-CN``, ``en-US``, missing) to ours.

    Traditional-Chinese codes map to zh_CN too: it is the only Chinese catalog we ship and far
    better than English for a grandparent.
    """
    if not code:
        return default
    lowered = code.strip().replace("_", "-").lower()
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en"):
        return "en"
    return default


def _load_catalog(locale: str) -> _gettext.NullTranslations:
    """The compiled .mo when it is current, otherwise the .po compiled in memory."""
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    po_path = folder / f"{DOMAIN}.po"
    mo_path = folder / f"{DOMAIN}.mo"
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if po_path.exists():
        import io

        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    return _gettext.NullTranslations()


class Translator:
    """Callable: ``_("Hello %(name)s", name=...)``. Also formats dates in the person's zone."""

    def __init__(self, locale: str) -> None:
        if locale not in SUPPORTED_LOCALES:
            locale = DEFAULT_LOCALE
        self.locale = locale
        self.babel_locale = Locale.parse(locale)
        self._catalog = _load_catalog(locale)

    def __call__(self, msgid: str, **params: object) -> str:
        text = self._catalog.gettext(msgid)
        return text % params if params else text

    def gettext(self, msgid: str, **params: object) -> str:
        return self(msgid, **params)

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self._catalog.ngettext(singular, plural, n)
        return text % {"n": n, **params}

    def datetime(self, value: datetime, zone: tzinfo, fmt: str = "medium") -> str:
        return format_datetime(value, fmt, tzinfo=zone, locale=self.babel_locale)

    def date(self, value: date | datetime, fmt: str = "medium") -> str:
        return format_date(value, fmt, locale=self.babel_locale)

    def day(self, value: date) -> str:
        """A day the way people say it: "11月18日周三" / "Wed, Nov 18"."""
        return format_skeleton("MMMEd", value, locale=self.babel_locale)

    def month(self, value: date) -> str:
        """"2026年12月" / "Dec 2026"."""
        return format_skeleton("yMMM", value, locale=self.babel_locale)

    def time(self, value: datetime, zone: tzinfo, fmt: str = "short") -> str:
        return format_time(value, fmt, tzinfo=zone, locale=self.babel_locale)


@cache
def translator(locale: str | None) -> Translator:
    return Translator(locale or DEFAULT_LOCALE)
