"""How concepts combine into a finding: the rules of the risk engine.

The lexicons (flows/guardian/risk_lexicon.py) say what each word is (the child, a harm verb, a body part,
a method, a quantity, absence ...); the rules here say which combinations, within a clause or a
sentence, mean danger, and what keeps them quiet: a negation just before a word ("没有受伤"), a
story, game or lesson, other people's children, a mishap already over, a reassurance.
Urgency markers (正在, 快来, right now ...) raise an injury, a care gap or violence to urgent.
"""

from __future__ import annotations

import re
from bisect import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from flows.guardian.risk_lexicon import Match, find
from flows.guardian.risk_text import SENTENCE, prepare

NEG_REACH_HAN = 4  # characters between a negation and the word it negates
NEG_REACH_ASCII = 12
HIT_OBJECT_REACH = 6  # "打了一个钟头电话": an everyday object this close after 打 makes it neutral
BARE_HIT = frozenset({"打", "打了", "打的", "打得", "da le", "da de"})
MODIFIERS = frozenset({"neg", "block"})
BLOCK = frozenset({"block"})
PEOPLE = frozenset({"child", "carer", "adult", "parent", "sibling"})
HUSHING = frozenset({"resolved", "reassure", "past", "caretaker", "other", "story", "fiction", "joke"})
_ANY_SEP = re.compile(r"[|#]")
NOT_A_PERPETRATOR = frozenset({"我", "俺", "i"})


@dataclass(frozen=True)
class Hit:
    """One class heard in a message: its severity and the words that made it."""

    cls: str
    severity: str
    words: tuple[str, ...]


@dataclass(slots=True)
class Word:
    match: Match
    clause: int
    sentence: int
    concepts: frozenset[str]


class Message:
    """The concepts of one message, with their clause and sentence numbers."""

    def __init__(self, text: str) -> None:
        self.text = prepare(text)
        matches = find(self.text) if self.text else []
        clause_ends = [m.start() for m in _ANY_SEP.finditer(self.text)] if matches else []
        sentence_ends = [p for p in clause_ends if self.text[p] == SENTENCE]
        words = [Word(m, bisect(clause_ends, m.start), bisect(sentence_ends, m.start), m.concepts)
                 for m in matches]
        blocks = [w.match for w in words if w.concepts == BLOCK]
        if blocks:  # a neutral phrase silences whatever overlaps it ("鸡死了就埋了")
            words = [w for w in words if w.concepts == BLOCK or not any(
                b.start < w.match.end and w.match.start < b.end for b in blocks)]
        # a calming word caught inside a worrying one is not said: "没回来了" is not "回来了"
        words = [w for i, w in enumerate(words) if not (w.concepts <= HUSHING and any(
            o.match.start < w.match.start < o.match.end for o in words[:i]))]
        negators = [w for w in words if "neg" in w.concepts and not (w.concepts - MODIFIERS)]
        live: list[Word] = []
        self.denied: set[str] = set()  # concepts said and negated ("没被打", "wasn't hit")
        for word in words:
            if not (word.concepts - MODIFIERS):
                continue
            if negators and self._negated(word, negators, self.text):
                self.denied |= word.concepts
                continue
            if self._everyday_hit(word, words):
                continue
            live.append(word)
        self.words = live
        self.by: dict[str, list[Word]] = {}
        for word in live:
            for concept in word.concepts:
                self.by.setdefault(concept, []).append(word)

    @staticmethod
    def _negated(word: Word, negators: list[Word], text: str) -> bool:
        """A negation just before the word in its clause; "不写就扯她头发" is a condition."""
        reach = NEG_REACH_ASCII if word.match.ascii else NEG_REACH_HAN
        return any(n.clause == word.clause and n.match.end <= word.match.start
                   and word.match.start - n.match.end <= reach
                   and "就" not in text[n.match.end:word.match.start] for n in negators)

    def _everyday_hit(self, word: Word, words: list[Word]) -> bool:
        if word.match.term not in BARE_HIT:
            return False
        return any("everyday_obj" in w.concepts and w.clause == word.clause
                   and 0 <= w.match.start - word.match.end <= HIT_OBJECT_REACH for w in words)

    # -- questions the rules ask --------------------------------------------------------
    def all(self, concept: str) -> list[Word]:
        return self.by.get(concept, [])

    def has(self, concept: str) -> bool:
        return concept in self.by

    def any_of(self, *concepts: str) -> bool:
        return any(c in self.by for c in concepts)

    def in_clause(self, concept: str, clause: int, width: int = 0) -> list[Word]:
        return [w for w in self.by.get(concept, ()) if abs(w.clause - clause) <= width]

    def in_sentence(self, concept: str, sentence: int) -> list[Word]:
        return [w for w in self.by.get(concept, ()) if w.sentence == sentence]


def _words(*groups: Iterable[Word]) -> tuple[str, ...]:
    seen: dict[int, Word] = {}
    for group in groups:
        for word in group:
            seen[word.match.start] = word
    return tuple(seen[k].match.term for k in sorted(seen))


# ---- the rules, one function per class --------------------------------------------------
def _quiet(msg: Message, word: Word) -> bool:
    """A story, a game, a lesson, or someone else's child in the same clause."""
    return bool(msg.in_clause("other", word.clause) or msg.in_clause("fiction", word.clause)
                or msg.in_clause("game", word.clause))


def _someone_else(msg: Message, word: Word) -> bool:
    """People are named before ``word`` in its clause and the child is not one of them
    ("爷爷摔伤了"; but "孙子跟他爸骑车摔了" is the child's)."""
    before = [w for w in msg.words if w.clause == word.clause and w.match.end <= word.match.start
              and w.concepts & PEOPLE]
    return bool(before) and not any("child" in w.concepts for w in before)


def self_harm(msg: Message) -> Hit | None:
    fiction = msg.has("story")
    for word in msg.all("selfharm_say"):
        if _quiet(msg, word) or (fiction and msg.in_sentence("story", word.sentence)) \
                or msg.in_clause("accident", word.clause):
            continue
        return Hit("self_harm", "urgent", _words([word], msg.in_clause("body", word.clause)[:1]))
    for word in msg.all("cut"):
        body = msg.in_clause("body", word.clause, 1)
        deliberate = msg.all("cut_tool") or msg.all("self") or [
            b for b in body if b.match.term in ("手腕", "wrist", "wrists", "shou wan", "forearm")]
        if body and deliberate and not msg.any_of("accident", "cooking", "story"):
            return Hit("self_harm", "urgent", _words([word], body, deliberate[:1]))
    for word in msg.all("take"):
        near_poison = msg.in_clause("poison", word.clause, 1)
        near_med = msg.in_clause("med", word.clause, 1)
        amount = msg.in_clause("quantity", word.clause, 1) or msg.all("severe")
        if near_poison or (near_med and amount):
            cls = "injury" if msg.has("accident") else "self_harm"
            return Hit(cls, "urgent", _words([word], near_poison or near_med, amount[:1]))
    for word in msg.all("on_edge"):  # up on a roof or a bridge and will not come down
        high = msg.in_clause("height", word.clause, 1)
        if high and not msg.has("story"):
            return Hit("self_harm", "urgent", _words(high[:1], [word]))
    means = msg.all("cut_tool") + msg.all("rope") + msg.all("poison")
    if means and msg.has("distress_strong") and not msg.any_of("cooking", "story", "accident", "farm"):
        # shut in his room with a blade: the means beside strong distress
        return Hit("self_harm", "urgent", _words(means[:1], msg.all("distress_strong")[:1]))
    for word in msg.all("seek"):  # asking where the poison is, pills saved up
        means = msg.in_clause("poison", word.clause, 1) + msg.in_clause("med", word.clause, 1) + \
            msg.in_clause("rope", word.clause, 1)
        if means and not msg.any_of("story", "farm", "prescribed"):
            return Hit("self_harm", "urgent", _words([word], means[:1]))
    for word in msg.all("rope"):
        neck = [b for b in msg.in_clause("body", word.clause) if b.match.term in ("脖子", "neck")]
        if neck and not msg.has("story"):
            return Hit("self_harm", "urgent", _words([word], neck))
    for word in msg.all("give_away"):  # his treasured things given away (not to charity)
        treasured = msg.in_clause("treasured", word.clause, 1)
        if treasured and not msg.any_of("charity", "story"):
            return Hit("self_harm", "urgent", _words(treasured[:1], [word]))
    for word in msg.all("goodbye"):
        if msg.has("later") or msg.has("selfharm_say"):
            return Hit("self_harm", "urgent", _words([word], msg.all("later")[:1]))
    return None


def violence(msg: Message) -> Hit | None:
    story = msg.has("story")
    for word in msg.all("sex"):
        if not story and not _quiet(msg, word):
            return Hit("violence_abuse", "urgent", _words([word]))
    strangers = msg.all("stranger")
    caring = msg.has("care_routine") and not strangers  # a bath, a fever checked, cream put on
    for word in msg.all("undress"):
        if not story and not caring and not _quiet(msg, word):
            return Hit("violence_abuse", "urgent", _words(strangers[:1], [word]))
    for word in msg.all("touch"):
        intimate = msg.in_clause("intimate", word.clause)
        if intimate and not story and not caring and not _quiet(msg, word):
            return Hit("violence_abuse", "urgent", _words([word], intimate))
    for word in msg.all("touch") if strangers else ():
        victims = [c for c in msg.in_clause("child", word.clause)
                   if 0 <= c.match.start - word.match.end <= 3]
        if victims and not story and not _quiet(msg, word):
            return Hit("violence_abuse", "urgent", _words(strangers[:1], [word], victims))
    for word in msg.all("abuse"):
        if not story and not _quiet(msg, word):
            return Hit("violence_abuse", "urgent", _words([word]))
    for word in msg.all("hit"):
        if story or _quiet(msg, word) or msg.has("joke"):
            continue
        clause = word.clause
        peers = msg.in_clause("peer", clause, 1)
        adults = [a for a in msg.all("adult") + msg.all("carer") + msg.all("parent")
                  if (a.sentence == word.sentence or abs(a.clause - clause) <= 1)
                  and a.match.term not in NOT_A_PERPETRATOR]
        passive = [p for p in msg.in_clause("passive", clause) if p.match.start < word.match.start]
        # a bare 打 ("打得有模有样") needs its victim in its own clause
        victims = msg.in_clause("child", clause, 0 if word.match.term in BARE_HIT else 1)
        siblings = [s for s in msg.in_clause("sibling", clause) if s.match.start > word.match.start]
        marks = msg.in_clause("wound", clause, 2) + msg.in_clause("injury_sign", clause, 1)
        handled = [b for b in msg.in_clause("ba", clause) if b.match.start < word.match.start]
        peers_here = [p for p in peers if p.clause == clause]
        adults_here = [a for a in adults if a.clause == clause]
        if (peers and not adults) or (peers_here and not adults_here):
            if msg.any_of("reassure", "resolved"):  # "闹着玩 互相推了一下 都没事"
                continue
            return Hit("bullying", "high", _words([word], peers))
        if siblings and not adults and not passive:
            return Hit("behaviour", "normal", _words([word], siblings))
        if msg.in_clause("school_ctx", clause, 1) and not adults:
            return Hit("bullying", "high", _words([word]))
        objects = [v for v in victims if 0 <= v.match.start - word.match.end <= 1]
        subjects = [c for c in msg.in_clause("child", clause) if c.match.end <= word.match.start]
        if objects and not subjects:  # "隔壁的人打孩子": someone hits the child
            return Hit("violence_abuse", "urgent", _words([word], objects))
        if (adults and (victims or passive or handled)) or passive or marks:
            return Hit("violence_abuse", "urgent", _words([word], adults[:1], passive, marks[:1]))
    for word in msg.all("wound"):
        if not msg.any_of("mech", "resolved") and not story and "hit" not in msg.denied:
            return Hit("violence_abuse", "urgent" if msg.has("adult") else "high", _words([word]))
    for word in msg.all("dv"):
        if not story:
            return Hit("violence_abuse", "high", _words([word]))
    return None


def bullying(msg: Message) -> Hit | None:
    if msg.any_of("reassure", "story"):
        return None
    for word in msg.all("bully"):
        if not msg.in_clause("other", word.clause):
            return Hit("bullying", "high", _words([word]))
    context = msg.all("peer") or msg.all("school_ctx") or msg.all("screen_weak")
    for word in msg.all("bully_weak") + msg.all("threat"):
        if context and not msg.in_clause("other", word.clause):
            return Hit("bullying", "high", _words([word], context[:1]))
    return None


def missing(msg: Message) -> Hit | None:
    if msg.any_of("resolved", "reassure", "story"):
        return None
    strong = [w for w in msg.all("absence") if "absence_weak" not in w.concepts]
    weak = msg.all("absence_weak")
    for word in msg.all("unreachable"):
        if msg.any_of("duration", "absence", "absence_weak") and msg.has("child"):
            return Hit("missing", "urgent", _words([word], msg.all("duration")[:1]))
    for word in strong + weak:
        if _quiet(msg, word) or msg.in_clause("past", word.clause):  # "三年前走丢过一次"
            continue
        before = [w for w in msg.words if w.clause == word.clause and w.match.start < word.match.start]
        if not before:  # "手机丢了 找了半天没找着": the clause before says what is missing
            before = [w for w in msg.words if w.clause == word.clause - 1]
        owner = next((w for w in reversed(before) if w.concepts & {"object", "parent", "child"}), None)
        if owner is not None and "child" not in owner.concepts:
            continue
        if word in weak and not (msg.has("duration") or len(strong + weak) >= 2):
            continue
        return Hit("missing", "urgent", _words([word], msg.all("duration")[:1]))
    return None


def injury(msg: Message) -> Hit | None:
    if msg.has("story"):
        return None
    for word in msg.all("severe"):
        if _someone_else(msg, word):
            continue
        if not _quiet(msg, word) and not (msg.has("past") and msg.has("resolved")):
            return Hit("injury", "urgent", _words([word]))
    for word in msg.all("fall_in"):  # into a river, a well, a pond
        water = msg.in_clause("water", word.clause)
        if water and not _quiet(msg, word) and not msg.has("resolved"):
            return Hit("injury", "urgent", _words([word], water))
    if msg.any_of("resolved", "reassure") or msg.has("past"):
        return None
    for word in msg.all("injury_strong"):
        if not _quiet(msg, word) and not _someone_else(msg, word):
            return Hit("injury", _raised(msg, "high"), _words([word]))
    for word in msg.all("mech"):
        signs = msg.in_clause("injury_sign", word.clause, 2)
        if signs and not _quiet(msg, word) and not _someone_else(msg, word):
            return Hit("injury", _raised(msg, "high"), _words([word], signs[:1]))
    return None


def no_adult(msg: Message) -> Hit | None:
    if msg.any_of("reassure", "story"):
        return None
    young = msg.all("young")
    for word in msg.all("alone"):  # a child living alone: whoever was meant to look after him
        if _quiet(msg, word):
            continue
        return Hit("no_adult", "urgent" if young else _raised(msg, "high"), _words([word], young[:1]))
    for word in msg.all("care_gap"):
        carers = msg.in_clause("carer", word.clause)
        if carers and msg.has("child") and not msg.any_of("caretaker", "past") \
                and not _quiet(msg, word):
            return Hit("no_adult", "urgent" if young else _raised(msg, "high"), _words(carers[:1], [word]))
    return None


def distress(msg: Message) -> Hit | None:
    if msg.any_of("story", "reassure"):
        return None
    for word in msg.all("distress_strong"):
        return Hit("distress", "high", _words([word]))
    lasting = msg.all("long_time") if not msg.has("resolved") else []
    for word in msg.all("distress_sign"):
        if lasting:
            return Hit("distress", "high", _words([word], lasting[:1]))
    for word in msg.all("mild_distress"):
        return Hit("distress", "normal", _words([word]))
    return None


def topics(msg: Message) -> list[Hit]:
    """Normal-level topics: worth knowing this week, never an alert by themselves."""
    found = []
    for concept, cls in (("school", "school"), ("illness", "illness"), ("miss_parent", "missing_parent"),
                         ("behaviour", "behaviour")):
        words = msg.all(concept)
        if words:
            found.append(Hit(cls, "normal", _words(words[:2])))
    screen = msg.all("screen") or (msg.all("screen_weak") if len(msg.all("screen_weak")) >= 2 else [])
    if screen:
        found.append(Hit("screen_time", "normal", _words(screen[:2])))
    return found


def _raised(msg: Message, severity: str) -> str:
    return "urgent" if msg.has("urgent") else severity


ALERT_RULES = (self_harm, violence, bullying, missing, injury, no_adult, distress)


def hear(text: str) -> list[Hit]:
    """Every class heard in ``text``, at most one hit per class (the most severe)."""
    msg = Message(text)
    if not msg.words:
        return []
    best: dict[str, Hit] = {}
    for rule in ALERT_RULES:
        hit = rule(msg)
        if hit is not None:
            _keep(best, hit)
    for hit in topics(msg):
        _keep(best, hit)
    harm = best.get("self_harm") or best.get("violence_abuse")
    if harm is not None and "injury" in best:  # the wound is part of what was done: one alert
        injury = best.pop("injury")
        if _RANK[injury.severity] < _RANK[harm.severity]:
            best[harm.cls] = Hit(harm.cls, injury.severity, harm.words + injury.words)
    return list(best.values())


_RANK = {"urgent": 0, "high": 1, "normal": 2}


def _keep(best: dict[str, Hit], hit: Hit) -> None:
    old = best.get(hit.cls)
    if old is None or _RANK[hit.severity] < _RANK[old.severity]:
        best[hit.cls] = hit
