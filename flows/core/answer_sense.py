"""What a typed answer means, the way people write it: "还行", "挺好的", "不咋地", "有点咳嗽",
"好着呢", "莫得", "not bad", "kinda sick", "nope", "😷".

A question's options carry their own words and the general senses they accept (``pos`` good,
``mid`` so-so, ``neg`` bad, ``yes``, ``no``; ``not:<value>`` for an option's own word negated:
"不怎么开心" is ``not:happy``, which the sad option takes). The text is folded (full width, traditional
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

from pypinyin import Style, pinyin

from flows.core.simplified import simplified_table

POS, MID, NEG, YES, NO = "pos", "mid", "neg", "yes", "no"
WINS = "wins"  # an option that wins when the words point two ways ("吃得好，睡不着" is not normal)

# general words and the sense they carry (folded form; Latin phrases keep single spaces)
SENSE_WORDS: dict[str, str] = {}
for _sense, _words in {
    POS: ("好", "很好", "挺好", "蛮好", "真好", "都好", "好好的", "好着", "好着呢", "好得很", "好的很",
          "不错", "挺不错", "蛮不错", "可以的", "中", "得劲", "美得很", "巴适", "安逸", "棒", "挺棒",
          "没问题", "没毛病", "没啥事", "没什么事", "没事", "莫得事", "没得事", "冇事", "舒服",
          "舒坦", "好多了", "好些了", "好点了", "好了", "精神", "挺精神", "有精神", "活蹦乱跳",
          "欢实", "乐呵",
          "good", "great", "fine", "ok", "okay", "well", "nice", "perfect",
          "awesome", "excellent", "very good", "pretty good", "all good", "no problem",
          "👍", "👌", "💪", "✅", "😊", "😀", "😄", "😁", "😃", "🙂", "☺", "🥰", "👏"),
    MID: ("正常", "都正常", "挺正常", "一切正常", "平常", "跟平常一样", "和平常一样", "往常", "跟往常一样",
          "normal", "alright", "all right", "还行", "还可以", "还好", "还中", "还凑合", "凑合",
          "凑合着", "将就", "马马虎虎", "一般",
          "一般般", "老样子", "还是老样子", "跟平时一样", "和平时一样", "跟以前一样", "差不多",
          "就那样", "那样", "还那样", "过得去", "可以", "行", "还成", "成", "平平", "普通",
          "so so", "soso", "so-so", "meh", "average", "same as usual", "as usual", "same as always",
          "not too bad", "okish", "ok ish", "kinda ok", "its ok", "😐", "😑", "🤷"),
    NEG: ("不好", "不太好", "差", "很差", "不行", "不咋地", "不咋样", "不怎么样", "不得劲", "不中",
          "不大好", "不舒坦", "糟", "糟糕", "够呛", "不对劲", "不对", "蔫", "蔫了", "没精神", "问题", "毛病",
          "problem", "problems", "wrong", "trouble",
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
                        "可以", "那样", "去", "ya", "no", "ok"})
NEGATORS_HAN = ("没有", "没得", "莫得", "么得", "冇得", "木有", "不是", "不", "没", "别", "未", "莫", "冇",
                "无")
# a negation with one word after it that is a whole answer, not a verb ("没得都好": "none, all good")
GAP_EXCEPTIONS = ("不过", "没想", "不知", "没啥", "没事")
NEGATORS_LATIN = frozenset({"not", "no", "nothing", "isnt", "wasnt", "didnt", "dont", "doesnt", "never",
                            "arent", "aint", "hasnt", "havent", "cant", "couldnt", "wont", "nt"})
# words between a negation and what it negates ("不太好", "不怎么开心", "not very happy")
DEGREE_HAN = ("怎么", "咋", "那么", "太", "大", "很", "是很", "是太", "是", "算", "什么", "啥", "够",
              "特别", "咋个", "好好")
DEGREE_LATIN = frozenset({"very", "so", "that", "really", "too", "quite", "at", "all", "feeling",
                          "feel", "be", "been", "being", "doing", "look", "looks", "seem", "seems",
                          "super", "eating", "sleeping", "to", "about", "a", "any"})
# said around an answer, meaning nothing by themselves
LEADING_FILLERS = ("嗯嗯", "嗯", "哦", "噢", "额", "呃", "唉", "哎", "啊", "他", "她", "它", "孩子", "小孩",
                   "娃娃", "娃儿", "娃", "伢", "宝宝", "今天", "今儿个", "今儿", "今日", "这两天", "这几天",
                   "最近", "都", "也")
TRAILING_PARTICLES = "啊呀吧呢嘞哦的了啦嘛哈喽噢咧哟呐么滴哒"
LATIN_WORD = re.compile(r"[a-z0-9]+")
A_NOT_A = re.compile(r"(?<![不没])([\u4e00-\u9fff])[不没]\1")
NEITHER = re.compile(r"\bneither (\w+) nor (\w+)")
EMOJI_JOINERS = frozenset("\ufe0f\ufe0e\u200d") | frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))


@dataclass(frozen=True)
class Choice:
    """One option as the reader sees it: its value, its words, and the senses it takes."""

    value: str
    words: tuple[str, ...]
    senses: tuple[str, ...] = ()


@cache
def fold(text: str) -> str:
    """NFKC, lower case, simplified characters, apostrophes dropped; punctuation, and spaces
    between Chinese words, become a clause mark "|" (no word and no negation reaches across
    it: "没有没有 挺好的"); a space between Latin words stays a space ("not bad")."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(simplified_table())
    folded = re.sub(r"['’]ll\b", " will", folded)  # "i'll ask" is not "ill"
    out: list[str] = []
    for ch in folded:
        if ch in "'’‘`´" or ch in EMOJI_JOINERS:
            continue
        kind = unicodedata.category(ch)
        if ch.isspace():
            out.append(" ")
        elif kind[0] in "PC" or ch in "~～-_/\\|+=^":
            out.append("|")
        else:
            out.append(ch)
    joined = re.sub(r" +", " ", "".join(out))
    # a space matters only between two Latin letters or digits; elsewhere it ends a clause
    joined = re.sub(r"(?<![a-z0-9]) | (?![a-z0-9])", "|", joined)
    return re.sub(r"\|+", "|", joined).strip("| ")


def core(folded: str) -> str:
    """The answer without what is said around it: "嗯，孩子今天好着呢" -> "好着"."""
    text = folded.replace("|", "")
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
        if not before or before.endswith("|"):
            return False  # a clause mark ends what a negation reaches
        token = re.split(r"[ |]", before)[-1]
        if before[-1].isascii() and LATIN_WORD.search(token):
            if token in NEGATORS_LATIN:
                return True
            if token in DEGREE_LATIN:
                before = before[: -len(token)].rstrip()
                continue
            return False
        if before.endswith(NEGATORS_HAN):
            return True
        if before[:-1].endswith(NEGATORS_HAN) and not before.endswith(GAP_EXCEPTIONS):
            return True  # one word between: "没去上学", "不爱笑"
        degree = next((d for d in DEGREE_HAN if before.endswith(d)), None)
        if degree is None:
            return False
        before = before[: -len(degree)]
    return False


def _hits(haystack: str, choices: Sequence[Choice], fuzzy: bool = False) -> list[Hit]:
    """Every option word and sense word in the text, the longest first, none overlapping.
    ``fuzzy``: Chinese words of two characters or more also match what sounds alike (an
    input method's slip: "感帽" for "感冒", "开兴" for "开心")."""
    find = _find_sounding if fuzzy else _find
    found: list[Hit] = []
    for choice in choices:
        for word in choice.words:
            if len(word) == 1 and word in WHOLE_ONLY:
                continue  # "去", "有": only as the whole answer
            if fuzzy and (len(word) < 2 or _is_latin(word)):
                continue
            for start in find(haystack, word):
                found.append(Hit(start, start + len(word), word, choice, None))
    for word, sense in SENSE_WORDS.items():
        if word in WHOLE_ONLY or (fuzzy and (len(word) < 2 or _is_latin(word))):
            continue
        for start in find(haystack, word):
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


@cache
def _sounds(ch: str) -> frozenset[str]:
    """How a character may be read, without tones, front and back nasals alike (in/ing)."""
    if not ("\u4e00" <= ch <= "\u9fff"):
        return frozenset({ch})
    readings = pinyin(ch, style=Style.NORMAL, heteronym=True)[0]
    return frozenset(re.sub(r"(?<=[aei])ng$", "n", r) for r in readings)


def _find_sounding(haystack: str, needle: str) -> Iterable[int]:
    """Where ``needle`` is written with characters that sound alike (its first one as it is:
    input methods slip on a later character far more than on the first)."""
    sounds = [_sounds(ch) for ch in needle]
    for start in range(len(haystack) - len(needle) + 1):
        if haystack[start] == needle[0] and all(
                sounds[i] & _sounds(haystack[start + i]) for i in range(1, len(needle))):
            yield start


FLIP = {POS: NEG, NEG: MID, MID: NEG, YES: NO, NO: None}
# "不知道", "not sure": no answer at all, whatever else is said
UNSURE = ("不知道", "不清楚", "说不好", "说不准", "不确定", "不一定", "搞不清", "不晓得", "没问",
          "not sure", "dont know", "do not know", "no idea", "will ask", "ask his", "ask her")
# words that hold a sense word's characters but not its meaning ("好像" is not "good")
BLOCKERS = ("好像", "好几", "好多人", "好多天", "好多次", "好久", "正好", "只好", "刚好", "最好",
            "好不容易", "要不",
            "不过来", "好的谢谢", "谢谢", "你好", "您好", "好吗", "thank you", "thanks", "hello")
# after these, the rest of the sentence is what counts ("挺好的，就是有点咳嗽")
CONTRAST = ("但是", "不过", "可是", "只是", "就是", "but", "except", "though", "however")
ASKING_BACK = ("啥", "什么", "what")
SEGMENTS = re.compile(r"[\s,，。.!！?？、;；:：]+")
NUMBER_FILLERS = re.compile(r"选|按|第|个|号|条|项|就|吧|啊|呀|嗯|的|了|option|number|choice|pick|"
                            r"press|yes|ok|#|\|| ")


def _by_sense(senses: set[str], choices: Sequence[Choice]) -> Choice | None:
    if not senses:
        return None
    wanted = [c for c in choices if senses & set(c.senses)]
    winning = [c for c in wanted if WINS in c.senses]
    if len(wanted) > 1 and len(winning) == 1:
        return winning[0]
    if len(wanted) != 1:
        return None
    # all the senses heard must point to this one choice (no "开心又难过")
    if any(s for s in senses if s not in wanted[0].senses and any(s in c.senses for c in choices)):
        return None
    return wanted[0]


def _number(folded: str, choices: Sequence[Choice]) -> Choice | None:
    """"第3个", "选1", "按2", "option 2", "1 yes": the option's number with a few words."""
    rest = NUMBER_FILLERS.sub("", folded)
    if rest.isascii() and rest.isdigit() and len(rest) == 1 and 1 <= int(rest) <= len(choices):
        return choices[int(rest) - 1]
    return None


def _masked(folded: str) -> str:
    """Blank out what must not be read as an answer: "是不是…", "好像"."""
    masked = A_NOT_A.sub(lambda m: "#" * len(m.group(0)), folded)
    masked = NEITHER.sub(lambda m: "neither" + "#" * (len(m.group(0)) - 7), masked)
    for blocker in BLOCKERS:
        masked = masked.replace(blocker, "#" * len(blocker))
    return masked


def _after_contrast(hits: list[Hit], masked: str) -> list[Hit] | None:
    """What follows "但是/就是/but" is what counts; None when nothing after it is understood
    (the words that matter are ones we do not know)."""
    cut = max((masked.rfind(m) + len(m) for m in CONTRAST if m in masked), default=-1)
    if cut < 0 or cut >= len(masked):
        return hits
    later = [h for h in hits if h.start >= cut]
    return later or None


class _Unclear:
    """The words point two ways: do not look further, ask again."""


UNCLEAR = _Unclear()


def understand(text: str, choices: Sequence[Choice], foreign: Sequence[str] = ()) -> Choice | None:
    """The choice a typed answer means, or None when it is unclear. ``foreign``: words naming
    other questions' topics ("心情" when asked about health): a general word next to one of them
    answers the other question."""
    first = fold(SEGMENTS.split(text.strip(), maxsplit=1)[0])
    chosen = _understand(text, choices, foreign)
    if first and first != fold(text) and chosen is None:
        # "有，老师说他上课老睡觉": a yes or no, then what it is about
        lead = SENSE_WORDS.get(core(first)) if core(first) in WHOLE_ONLY else None
        if lead in (YES, NO):
            return _by_sense({lead}, choices)
    return chosen if isinstance(chosen, Choice) else None


def _understand(text: str, choices: Sequence[Choice],
                foreign: Sequence[str]) -> Choice | _Unclear | None:
    folded = fold(text)
    if not folded or any(u in folded for u in UNSURE):
        return None
    whole = core(folded)
    for choice in choices:  # the whole answer is one of the question's words
        if whole in choice.words or folded in choice.words:
            return choice
    by_number = _number(folded, choices)
    if by_number is not None:
        return by_number
    if whole.endswith(ASKING_BACK):  # "担心啥", "worry about what": a question back
        return None
    chosen = _read(folded, _hits(_masked(folded), choices), choices, foreign)
    if chosen is not None:
        return chosen
    homophones = _hits(_masked(folded), choices, fuzzy=True)  # "感帽", "放价", "开兴"
    chosen = _read(folded, homophones, choices, foreign)
    if chosen is not None:
        return chosen
    return _near_miss(folded, choices)


def _read(folded: str, hits: list[Hit], choices: Sequence[Choice],
          foreign: Sequence[str] = ()) -> Choice | _Unclear | None:
    kept = _after_contrast(hits, _masked(folded))
    if kept is None:
        return UNCLEAR if hits else None
    hits = kept
    named: dict[str, Choice] = {}
    senses: set[str] = set()
    for hit in hits:
        # a yes or a no is an answer, never negated ("no yes" is unclear, not "no")
        is_negated = SENSE_WORDS.get(hit.word) not in (YES, NO) and negated(folded, hit.start)
        if hit.choice is not None:
            if is_negated:
                senses.add(f"not:{hit.choice.value}")  # "不怎么开心", "没有不舒服"
            else:
                named[hit.choice.value] = hit.choice
            continue
        sense = FLIP.get(hit.sense or "") if is_negated else hit.sense
        if sense:
            senses.add(sense)
    winning = [c for c in named.values() if WINS in c.senses]
    if len(named) > 1 and len(winning) == 1:
        return winning[0]  # "吃得好，睡不着": either one not normal is not normal
    if len(named) > 1:
        return UNCLEAR  # "开心也不开心", "happy and sad"
    if named:
        choice = next(iter(named.values()))
        plain = {s for s in senses if not s.startswith("not:")}
        by_sense = _by_sense(plain, choices)
        if f"not:{choice.value}" in senses:
            return UNCLEAR  # "发烧 没发烧", "went didnt go"
        if by_sense is not None and by_sense != choice and WINS not in choice.senses:
            return by_sense if WINS in by_sense.senses else UNCLEAR
        return choice
    if any(_present(folded, topic) for topic in foreign):
        return UNCLEAR  # "心情还行" asked about health: it answers another question
    whole = core(folded)
    whole_sense = SENSE_WORDS.get(whole)
    if whole_sense is None and whole[:1] in ("挺", "蛮", "可", "怪", "真", "很", "老", "特", "超"):
        whole_sense = SENSE_WORDS.get(whole[1:])  # "挺中", "可得劲"
    if whole_sense is None and whole.startswith("还") and SENSE_WORDS.get(whole[1:]) == POS:
        whole_sense = MID  # "还中", "还得劲": good enough
    if whole_sense is not None:
        return _by_sense({whole_sense}, choices)
    if not senses:
        return None
    return _by_sense(senses, choices) or UNCLEAR


def _present(folded: str, word: str) -> bool:
    return next(iter(_find(folded, word)), None) is not None


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
