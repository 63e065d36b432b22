"""Text normalisation for the risk engine: one pass that makes every way of writing a word the same.

NFKC (full width -> half width), lower case, traditional -> simplified characters (OpenCC's
character table, read once from the ``opencc-purepy`` package into a ``str.translate`` table),
apostrophes dropped ("didn't" -> "didnt"), clause punctuation -> "|", sentence ends -> "#",
other punctuation and symbols dropped (so "自.杀" and "跳-楼" read as words), spaces between Chinese
characters -> "|" (many people write spaces instead of commas), a lone character between two
separators glued back to its neighbour ("想 死" -> "想死"). Risk emoji are kept.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from flows.core.simplified import simplified_table

CLAUSE = "|"
SENTENCE = "#"
SEPARATORS = CLAUSE + SENTENCE
# emoji that carry meaning for the risk engine (the lexicons give them concepts)
KEPT_SYMBOLS = frozenset("💊🔪🩸🪢⚰🔫💉🚑😭")
CLAUSE_MARKS = frozenset(",，、;；:：()（）[]【】「」『』\"“”《》<>")
SENTENCE_MARKS = frozenset("。.!！?？…\n\r")
DROPPED_INSIDE_WORDS = frozenset("'’‘`´")


@cache
def translation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0x20, 0x30000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        if ch in KEPT_SYMBOLS:
            continue
        if ch in DROPPED_INSIDE_WORDS:
            table[code] = None
        elif ch in SENTENCE_MARKS:
            table[code] = SENTENCE
        elif ch in CLAUSE_MARKS:
            table[code] = CLAUSE
        elif ch == "-" or ch == "_" or ch == "/":
            table[code] = " "
        else:
            kind = unicodedata.category(ch)
            if kind[0] == "Z" or ch == "\t":
                table[code] = " "
            elif kind[0] in "PSC" or kind == "Mn":
                table[code] = None
    for code in (0x0A, 0x0D):
        table[code] = SENTENCE
    table.update(simplified_table())
    return table


_DOT_INSIDE_HAN = re.compile(r"(?<=[^\x00-\x7f])[.·*]+(?=[^\x00-\x7f])")
_SPACE_AROUND_SEP = re.compile(r" *([|#]+) *")
_SPACE_BETWEEN_HAN = re.compile(r"(?<=[^\x00-\x7f]) +(?=[^\x00-\x7f])")
_SPACES = re.compile(r" {2,}")
_LONE_FIRST = re.compile(r"(?:^|(?<=[|#]))([^\x00-\x7f|#])\|")
_LONE_LAST = re.compile(r"\|([^\x00-\x7f|#])(?=[|#]|$)")
_RUNS = re.compile(r"([|#])[|#]+")


# slips of the input method that change a risk word's meaning (以经 for 已经, 流学 for 流血: the same
# pinyin, the wrong characters); typed pinyin ü as v. ("在也" for "再也" is not one: "到现在也没找到")
TYPOS = (("以经", "已经"), ("ü", "v"), ("流学", "流血"), ("留血", "流血"), ("喝农要", "喝农药"),
         ("冇", "没"))  # 冇: the southern 没 ("活着冇意思")
# English written out in full reads as its contraction, so one lexicon word hears both
# ("did not come back" = "didnt come back"); people who write little English write it in full.
_NOT = re.compile(r"\b(did|does|do|has|have|had|is|was|were|are|could|would|should|must) not\b")
_CONTRACTED = {"can not": "cant", "cannot": "cant", "will not": "wont"}


def prepare(text: str) -> str:
    """The text as the lexicons see it (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    for wrong, right in TYPOS:
        if wrong in folded:
            folded = folded.replace(wrong, right)
    han = not folded.isascii()  # the steps for Chinese only when there is some
    if " not" in folded or "cannot" in folded:
        folded = _NOT.sub(r"\1nt", folded)
        for full, short in _CONTRACTED.items():
            if full in folded:
                folded = folded.replace(full, short)
    if han and ("." in folded or "·" in folded or "*" in folded):
        folded = _DOT_INSIDE_HAN.sub("", folded)
    folded = folded.translate(translation_table()).strip()
    if " " in folded:  # each step only when it can change something (20 000 messages/s)
        if "  " in folded:
            folded = _SPACES.sub(" ", folded)
        if " |" in folded or "| " in folded or " #" in folded or "# " in folded:
            folded = _SPACE_AROUND_SEP.sub(r"\1", folded)
        if han:
            folded = _SPACE_BETWEEN_HAN.sub(CLAUSE, folded)
    if han and CLAUSE in folded:
        folded = _LONE_FIRST.sub(r"\1", folded)
        folded = _LONE_LAST.sub(r"\1", folded)
    if "||" in folded or "|#" in folded or "#|" in folded or "##" in folded:
        folded = _RUNS.sub(lambda m: SENTENCE if SENTENCE in m.group(0) else CLAUSE, folded)
    return folded.strip("|# ")


def is_ascii_word(term: str) -> bool:
    return term.isascii()

