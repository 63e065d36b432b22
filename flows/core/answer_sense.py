"""What a typed answer means, the way people write it: "还行", "挺好的", "不咋地", "有点咳嗽",
"好着呢", "莫得", "not bad", "kinda sick", "nope", "😷".

A question's options carry their own words and the general senses they accept (``pos`` good,
``mid`` so-so, ``neg`` bad, ``yes``, ``no``). The text is folded (full width, traditional
characters, case, spaces), then read as a sequence of words, the longest first; a word right
after a negation ("不", "没", "not" - with degree words such as 太/怎么/very between) flips:
"不太好" and "not great" are bad, "不差" and "not bad" are so-so. A word the question itself
names wins over a general sense ("挺好的，就是有点咳嗽" is unwell). When the words point two
ways the answer is None: asking again is better than a wrong answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

POS, MID, NEG, YES, NO = "pos", "mid", "neg", "yes", "no"

# general words and the sense they carry (folded form; Latin phrases keep single spaces)
SENSE_WORDS: dict[str, str] = {}
for _sense, _words in {
    POS: ("好", "很好", "挺好", "蛮好", "真好", "都好", "好好的", "好着", "好着呢", "好得很", "好的很",
          "不错", "挺不错", "蛮不错", "可以的", "中", "得劲", "美得很", "巴适", "安逸", "棒", "挺棒",
          "没问题", "没毛病", "没啥事", "没什么事", "没事", "莫得事", "没得事", "冇事", "正常", "都正常",
          "挺正常", "一切正常", "舒服", "舒坦", "精神", "挺精神", "有精神", "活蹦乱跳", "欢实", "乐呵",
          "good", "great", "fine", "ok", "okay", "alright", "all right", "well", "nice", "perfect",
          "awesome", "excellent", "very good", "pretty good", "all good", "no problem", "normal",
          "👍", "👌", "💪", "✅", "😊", "😀", "😄", "😁", "😃", "🙂", "☺", "🥰", "👏"),
    MID: ("还行", "还可以", "还好", "还中", "还凑合", "凑合", "凑合着", "将就", "马马虎虎", "一般",
          "一般般", "老样子", "还是老样子", "跟平时一样", "和平时一样", "跟以前一样", "差不多",
          "就那样", "那样", "还那样", "过得去", "可以", "行", "还成", "成", "平平", "普通",
          "so so", "soso", "so-so", "meh", "average", "same as usual", "as usual", "same as always",
          "not too bad", "okish", "ok ish", "kinda ok", "its ok", "😐", "😑", "🤷"),
    NEG: ("不好", "不太好", "差", "很差", "不行", "不咋地", "不咋样", "不怎么样", "不得劲", "不中",
          "不大好", "不舒坦", "糟", "糟糕", "够呛", "不对劲", "不对", "蔫", "蔫了", "没精神",
          "bad", "not good", "not great", "terrible", "awful", "poor", "rough", "not well",
          "not ok", "not okay", "not fine", "not so good", "not too good", "unwell",
          "👎", "😢", "😭", "😞", "😔", "☹", "🙁", "😟", "😩", "😣", "😫", "😿"),
    YES: ("是", "是的", "对", "对的", "对头", "嗯", "嗯嗯", "有", "有的", "有啊", "有呢", "有些", "有一点",
          "yes", "yeah", "yep", "yup", "ya", "sure", "yes there is", "there is"),
    NO: ("不", "不是", "没", "没有", "没得", "莫得", "冇", "冇有", "木有", "么得", "没呢", "没有呢", "无",
         "否", "no", "nope", "nah", "none", "not really", "nothing", "no nothing", "❌", "🙅"),
}.items():
    for _word in _words:
        SENSE_WORDS[_word] = _sense

# one-character senses that mean something only as the whole answer ("中" alone, not "中午")
WHOLE_ONLY = frozenset({"中", "行", "成", "是", "对", "有", "嗯", "不", "没", "无", "否", "差", "蔫",
                        "可以", "那样", "ya", "no", "ok"})
NEGATORS_HAN = ("没有", "不是", "不", "没", "别", "未", "莫", "冇", "无")
NEGATORS_LATIN = frozenset({"not", "no", "isnt", "wasnt", "didnt", "dont", "doesnt", "never",
                            "arent", "aint", "hasnt", "havent", "cant", "couldnt", "wont", "nt"})
# words between a negation and what it negates ("不太好", "不怎么开心", "not very happy")
DEGREE_HAN = ("怎么", "咋", "那么", "太", "大", "很", "是很", "是太", "是", "算", "什么", "啥", "够",
              "特别", "咋个", "好好")
DEGREE_LATIN = frozenset({"very", "so", "that", "really", "too", "quite", "at", "all", "feeling",
                          "feel", "be", "been", "being", "doing", "look", "looks", "seem", "seems",
                          "super", "eating", "sleeping"})
# said around an answer, meaning nothing by themselves
LEADING_FILLERS = ("嗯嗯", "嗯", "哦", "噢", "额", "呃", "唉", "哎", "啊", "他", "她", "它", "孩子", "小孩",
                   "娃娃", "娃儿", "娃", "伢", "宝宝", "今天", "今儿个", "今儿", "今日", "这两天", "这几天",
                   "最近", "都", "也")
TRAILING_PARTICLES = "啊呀吧呢嘞哦的了啦嘛哈喽噢咧哟呐么滴哒"
LATIN_WORD = re.compile(r"[a-z0-9]+")
A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
EMOJI_JOINERS = frozenset("\ufe0f\ufe0e\u200d") | frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))


@dataclass(frozen=True)
class Choice:
    """One option as the reader sees it: its value, its words, and the senses it takes."""

    value: str
    words: tuple[str, ...]
    senses: tuple[str, ...] = ()
    polarity: str | None = None  # the option's own words say pos/neg (for negation)


@cache
def _simplified() -> dict[int, str]:
    table: dict[int, str] = {}
    text = resources.files("opencc_purepy").joinpath("dicts/TSCharacters.txt").read_text("utf-8")
    for line in text.splitlines():
        source, _tab, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[ord(source)] = target
    return table


@cache
def fold(text: str) -> str:
    """NFKC, lower case, simplified characters, apostrophes dropped, other punctuation as a
    space; spaces kept only between Latin words ("not bad", but "不 开心" -> "不开心")."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_simplified())
    out: list[str] = []
    for ch in folded:
        if ch in "'’‘`´" or ch in EMOJI_JOINERS:
            continue
        kind = unicodedata.category(ch)
        if ch.isspace() or kind[0] in "PC" or ch in "~～-_/\\|+=^":
            out.append(" ")
        else:
            out.append(ch)
    joined = re.sub(r" +", " ", "".join(out)).strip()
    # a space matters only between two Latin letters or digits
    return re.sub(r"(?<![a-z0-9]) | (?![a-z0-9])", "", joined)


def core(folded: str) -> str:
    """The answer without what is said around it: "嗯，孩子今天好着呢" -> "好着"."""
    text = folded.replace(" ", "") if not LATIN_WORD.search(folded) else folded
    changed = True
    while changed and text:
        changed = False
        for filler in LEADING_FILLERS:
            if text.startswith(filler) and len(text) > len(filler):
                text, changed = text[len(filler):], True
                break
        stripped = text.rstrip(TRAILING_PARTICLES)
        if stripped and stripped != text:
            text, changed = stripped, True
    return text


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    word: str
    choice: Choice | None  # None: a general sense word
    sense: str | None


def _is_latin(word: str) -> bool:
    return bool(word) and word[0].isascii() and word[0].isalnum()


def _latin_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index].isascii() and text[index].isalnum()


def _find(haystack: str, needle: str) -> Iterable[int]:
    start = haystack.find(needle)
    latin = _is_latin(needle)
    while start >= 0:
        end = start + len(needle)
        if not latin or (not _latin_at(haystack, start - 1) and not _latin_at(haystack, end)):
            yield start
        start = haystack.find(needle, start + 1)


def negated(haystack: str, start: int) -> bool:
    """Whether a negation governs the word at ``start`` (degree words may stand between)."""
    before = haystack[:start].rstrip()
    for _ in range(3):
        if not before:
            return False
        last_latin = LATIN_WORD.search(before.rsplit(" ", 1)[-1]) if before[-1].isascii() else None
        if last_latin is not None:
            token = before.rsplit(" ", 1)[-1]
            if token in NEGATORS_LATIN:
                return True
            if token in DEGREE_LATIN:
                before = before[: -len(token)].rstrip()
                continue
            return False
        if before.endswith(NEGATORS_HAN):
            return True
        if before[:-1].endswith(NEGATORS_HAN) and not before.endswith(("不过", "没想", "不知")):
            return True  # one word between: "没去上学", "不爱笑"
        degree = next((d for d in DEGREE_HAN if before.endswith(d)), None)
        if degree is None:
            return False
        before = before[: -len(degree)]
    return False


def _hits(haystack: str, choices: Sequence[Choice]) -> list[Hit]:
    """Every option word and sense word in the text, the longest first, none overlapping."""
    found: list[Hit] = []
    for choice in choices:
        for word in choice.words:
            for start in _find(haystack, word):
                found.append(Hit(start, start + len(word), word, choice, None))
    for word, sense in SENSE_WORDS.items():
        if word in WHOLE_ONLY:
            continue
        for start in _find(haystack, word):
            found.append(Hit(start, start + len(word), word, None, sense))
    # longest first; on equal length a question's own word before a general one
    found.sort(key=lambda h: (-(h.end - h.start), h.choice is None, h.start))
    taken: list[Hit] = []
    used = [False] * len(haystack)
    for hit in found:
        if any(used[hit.start:hit.end]):
            continue
        for i in range(hit.start, hit.end):
            used[i] = True
        taken.append(hit)
    return taken


FLIP = {POS: NEG, NEG: MID, MID: NEG, YES: NO, NO: None}


def _by_sense(senses: set[str], choices: Sequence[Choice]) -> Choice | None:
    if not senses:
        return None
    wanted = [c for c in choices if senses & set(c.senses)]
    if len(wanted) != 1:
        return None
    # all the senses heard must point to this one choice (no "开心又难过")
    if any(s for s in senses if s not in wanted[0].senses and any(s in c.senses for c in choices)):
        return None
    return wanted[0]


def understand(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice a typed answer means, or None when it is unclear."""
    folded = fold(text)
    if not folded:
        return None
    whole = core(folded)
    for choice in choices:  # the whole answer is one of the question's words
        if whole in choice.words or folded in choice.words:
            return choice
    # "是不是…", "有没有…": a question back, neither yes nor no
    hits = _hits(A_NOT_A.sub(lambda m: "#" * len(m.group(0)), folded), choices)
    named: dict[str, Choice] = {}
    named_len = 0
    senses: set[str] = set()
    for hit in hits:
        is_negated = negated(folded, hit.start)
        if hit.choice is not None:
            if not is_negated:
                length = hit.end - hit.start
                if length > named_len:
                    named, named_len = {hit.choice.value: hit.choice}, length
                elif length == named_len:
                    named[hit.choice.value] = hit.choice
            elif hit.choice.polarity is not None:
                flipped = FLIP.get(hit.choice.polarity)
                if flipped == NEG:  # "不开心" said as "不怎么开心"; a negated bad word is unclear
                    senses.add(NEG)
            continue
        sense = FLIP.get(hit.sense or "") if is_negated else hit.sense
        if sense:
            senses.add(sense)
    if len(named) == 1:
        return next(iter(named.values()))
    if named:
        return None
    whole_sense = SENSE_WORDS.get(whole)
    if whole_sense is None and whole[:1] in ("挺", "蛮", "可", "怪", "真", "很", "老", "特", "超"):
        whole_sense = SENSE_WORDS.get(whole[1:])  # "挺中", "可得劲"
    if whole_sense is None and whole.startswith("还") and SENSE_WORDS.get(whole[1:]) == POS:
        whole_sense = MID  # "还中", "还得劲": good enough
    if whole_sense is not None:
        return _by_sense({whole_sense}, choices)
    chosen = _by_sense(senses, choices)
    if chosen is not None:
        return chosen
    return _near_miss(folded, choices)


def _near_miss(folded: str, choices: Sequence[Choice]) -> Choice | None:
    """A Latin word one slip away from an option's or a sense's word ("hapy", "sik")."""
    tokens = LATIN_WORD.findall(folded)
    if not tokens or len(tokens) > 3:
        return None
    candidates: dict[str, Choice] = {}
    for token in tokens:
        if len(token) < 3:
            continue
        for choice in choices:
            for word in (*choice.words, *(w for w, s in SENSE_WORDS.items() if s in choice.senses)):
                if " " not in word and _is_latin(word) and len(word) >= 4 and _one_slip(token, word):
                    candidates[choice.value] = choice
    return next(iter(candidates.values())) if len(candidates) == 1 else None


def _one_slip(a: str, b: str) -> bool:
    """Edit distance exactly 1 (one letter wrong, missing, extra or two swapped)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
