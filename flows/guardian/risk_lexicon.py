"""The concept lexicons (locales/<lang>/risk_concepts.toml) in one Aho-Corasick automaton.

A match is (start, end, term, concepts). Words written in ASCII (English, typed pinyin) only
match whole words, or with an "s" added (plural, possessive, "he hits"); a trailing "*" in the
lexicon lets the word end in anything ("bleed*").
A lexicon word may hold alternatives in braces, so a whole family of ways of saying one thing is
one line: "{没人|谁都不}{跟|和}{他|她}{玩|耍}" is every combination ("{a|}" makes a part optional).
Typed pinyin in the Chinese lexicon ("hai zi") is also heard written together ("haizi")."""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from pathlib import Path

import ahocorasick

from flows.core.i18n import LOCALES_DIR, SUPPORTED_LOCALES
from flows.guardian.risk_text import SEPARATORS, prepare

FILE = "risk_concepts.toml"


@dataclass(frozen=True, slots=True)
class Entry:
    term: str
    concepts: frozenset[str]
    ascii: bool
    stem: bool
    plural: bool = False  # an English word also heard with an "s" added


# words whose plural means something else ("lessons" at school are not a safety lesson)
NO_PLURAL = frozenset({"story", "fiction", "game", "other", "reassure", "resolved", "past", "block"})


@dataclass(slots=True)
class Match:
    start: int
    end: int  # exclusive
    term: str
    concepts: frozenset[str]
    ascii: bool


def concept_files(locales: tuple[str, ...] = tuple(SUPPORTED_LOCALES)) -> list[Path]:
    return [Path(LOCALES_DIR) / locale / FILE for locale in locales]


_BRACES = re.compile(r"\{([^{}]*)\}")


def expand(word: str) -> list[str]:
    """Every word a lexicon line with {a|b} alternatives stands for."""
    parts = _BRACES.split(word)  # literal, alternatives, literal, alternatives, ...
    choices = [[part] if i % 2 == 0 else part.split("|") for i, part in enumerate(parts)]
    return ["".join(combo) for combo in itertools.product(*choices)]


def _groupings(pinyin: str) -> list[str]:
    """Typed pinyin, its syllables written apart or together in any way ("tang hai zi",
    "tang haizi", "tanghaizi")."""
    syllables = pinyin.split(" ")
    if len(syllables) > 5:
        return [pinyin, pinyin.replace(" ", "")]
    return ["".join(s + j for s, j in zip(syllables, (*joints, ""), strict=True))
            for joints in itertools.product((" ", ""), repeat=len(syllables) - 1)]


def load_concepts(paths: list[Path]) -> dict[str, set[str]]:
    """term -> concepts, from every file (the languages are merged: people mix them)."""
    terms: dict[str, set[str]] = {}
    for path in paths:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        pinyin = path.parent.name.startswith("zh")
        for concept, lines in data["concepts"].items():
            for word in (w for line in lines for w in expand(line)):
                stem = word.endswith("*")
                key = prepare(word.rstrip("*"))
                if not key or any(sep in key for sep in SEPARATORS):
                    raise ValueError(f"{path}: the term {word!r} is empty or holds punctuation")
                keys = set(_groupings(key)) if pinyin and key.isascii() else {key}
                for each in keys:
                    terms.setdefault(each + ("*" if stem else ""), set()).add(concept)
    return terms


@cache
def automaton() -> ahocorasick.Automaton:
    machine = ahocorasick.Automaton()
    merged: dict[str, Entry] = {}
    for word, concepts in load_concepts(concept_files()).items():
        stem = word.endswith("*")
        term = word.rstrip("*")
        old = merged.get(term)
        every = frozenset(concepts) | (old.concepts if old else frozenset())
        merged[term] = Entry(term, every, term.isascii(), stem or (old.stem if old else False),
                             term.isascii() and len(term) >= 3 and not every & NO_PLURAL)
    for term, entry in merged.items():  # the value: what find() needs first, without lookups
        machine.add_word(term, (len(term) - 1, entry.ascii, entry))
    machine.make_automaton()
    return machine


WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def find(text: str) -> list[Match]:
    """Every concept term in the prepared ``text``; a term inside a longer one is left out."""
    found: list[tuple[int, int, Entry]] = []
    append = found.append
    size = len(text)
    for last, (length, ascii_word, entry) in automaton().iter(text):
        start = last - length
        end = last + 1
        if ascii_word:
            if start > 0 and text[start - 1] in WORD_CHARS:
                continue
            if end < size and text[end] in WORD_CHARS:
                if entry.stem:
                    while end < size and text[end] in WORD_CHARS:
                        end += 1
                elif entry.plural and text[end] == "s" \
                        and (end + 1 == size or text[end + 1] not in WORD_CHARS):
                    end += 1  # "my son's chest" (written "my sons"), "pills", "hits": one lexicon word
                else:
                    continue
        append((start, -end, entry))
    found.sort(key=_SPAN)  # by start, the longest first: a match inside an earlier one is dropped
    kept: list[Match] = []
    reach = -1
    for start, negative_end, entry in found:
        if kept and start == kept[-1].start and -negative_end == kept[-1].end:
            kept[-1].concepts = kept[-1].concepts | entry.concepts  # one span, two words ("miss*")
            continue
        if -negative_end <= reach:
            continue
        reach = -negative_end
        kept.append(Match(start, reach, entry.term, entry.concepts, entry.ascii))
    return kept


_SPAN = itemgetter(0, 1)
