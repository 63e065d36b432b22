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
CHILD_AFTER_REACH = 12  # "spilled hot soup on my son": the child named this close after a word
SUBJECT_REACH = 4  # "牛自己回来了": the thing this close before a verb is its subject
HIT_OBJECT_REACH = 6  # "打了一个钟头电话": an everyday object this close after 打 makes it neutral
BARE_HIT = frozenset({"打", "打了", "打的", "打得", "da le", "da de"})
MODIFIERS = frozenset({"neg", "block"})
BLOCK = frozenset({"block"})
PEOPLE = frozenset({"child", "carer", "adult", "parent", "sibling"})
HUSHING = frozenset({"resolved", "reassure", "past", "caretaker", "other", "story", "fiction", "joke"})
_ANY_SEP = re.compile(r"[|#]")
NOT_A_PERPETRATOR = frozenset({"我", "俺", "i"})
OWNERS = frozenset({"object", "parent", "child", "other"})  # what a "lost" word may be about
# who is named: a negation before a person negates what is said of him, not the person
WHO = PEOPLE | {"peer", "stranger", "self", "young", "minor"}
# "烫她", "打娃": the blow and its victim in one word
VICTIM_ENDINGS = ("他", "她", "娃", "孩子", "孙子", "孙女", " ta", "him", "her")
VICTIM_INSIDE = ("他", "她", "娃", "孩子", "孙")  # "把娃的头摁进": the victim inside the blow


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


def _shared_bei(negator: Word, word: Word) -> bool:
    """"没被狗咬": the negation "没被" and the word "被狗咬" share their 被."""
    return negator.match.term.endswith("被") and word.match.term.startswith("被") \
        and negator.match.end == word.match.start + 1


class Message:
    """The concepts of one message, with their clause and sentence numbers."""

    def __init__(self, text: str) -> None:
        self.text = prepare(text)
        matches = find(self.text) if self.text else []
        clause_ends = [m.start() for m in _ANY_SEP.finditer(self.text)] if matches else []
        sentence_ends = [p for p in clause_ends if self.text[p] == SENTENCE]
        words = [Word(m, bisect(clause_ends, m.start), bisect(sentence_ends, m.start), m.concepts)
                 for m in matches]
        blocks = [w.match for w in words if "block" in w.concepts]
        if blocks:  # a neutral phrase silences whatever overlaps it ("鸡死了就埋了")
            words = [w for w in words if "block" in w.concepts or not any(
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
            if negators and not word.concepts <= WHO and self._negated(word, negators, self.text):
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
        return any(n.clause == word.clause and (n.match.end <= word.match.start or _shared_bei(n, word))
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


def _someone_else(msg: Message, word: Word, quoted: bool = False) -> bool:
    """People are named before ``word`` in its clause and the child is not one of them
    ("爷爷摔伤了"; but "孙子跟他爸骑车摔了" is the child's). ``quoted``: words the child says of
    himself, where a relative named before is the one spoken to: only "有人"/"someone" counts."""
    wanted = {"someone"} if quoted else PEOPLE | {"someone"}  # "奶奶 我不想活了": she is spoken to
    before = [w for w in msg.words if w.clause == word.clause and w.match.end <= word.match.start
              and w.concepts & wanted]
    if not before or any(w.concepts & {"child", "sibling"} for w in before):
        return False
    # "grandma spilled hot soup on my son", "邻居家的狗咬了孙子": the child is the one it befell
    return not any("child" in w.concepts and 0 <= w.match.start - word.match.end <= CHILD_AFTER_REACH
                   for w in msg.words if w.clause == word.clause)


def _taker_is_grown_up(msg: Message, word: Word) -> bool:
    """A grown-up named just before "吃/take" is the one who takes it ("奶奶吃降压药"), unless he
    only owns what is taken ("爷爷兑好的农药 … 喝了", "grandma's pills")."""
    who = [w for w in msg.words if w.clause == word.clause and w.match.end <= word.match.start
           and w.concepts & (PEOPLE | {"young"})]
    if not who or who[-1].concepts & {"child", "sibling", "young"} or not who[-1].concepts & PEOPLE:
        return False
    return word.match.start - who[-1].match.end <= 1 and who[-1].match.term not in NOT_A_PERPETRATOR


def self_harm(msg: Message) -> Hit | None:
    fiction = msg.has("story")
    # "老师担心他想不开 其实是他编的" and all is well: a worry already cleared up
    cleared = msg.has("misheard") and (msg.any_of("past", "reassure", "resolved")
                                       or len(msg.all("misheard")) >= 2)  # "没听清 原来是不想输"
    for word in msg.all("selfharm_say"):
        if msg.in_sentence("laugh", word.sentence) or cleared:  # "so hard he wanted to die lol"
            continue
        if _quiet(msg, word) or (fiction and msg.in_sentence("story", word.sentence)) \
                or msg.in_clause("accident", word.clause) or msg.in_clause("swim", word.clause) \
                or _someone_else(msg, word, quoted=True):  # "村里有人喝农药了": not the child
            continue
        return Hit("self_harm", "urgent", _words([word], msg.in_clause("body", word.clause)[:1]))
    for word in msg.all("cut"):
        body = msg.in_clause("body", word.clause, 1)
        deliberate = msg.all("cut_tool") or msg.all("self") or [
            b for b in body if b.match.term in ("手腕", "wrist", "wrists", "shou wan", "forearm")] or (
            [word] if "自己" in word.match.term or "self" in word.match.term else [])  # "烫自己的手背"
        if body and deliberate and not msg.any_of("accident", "cooking", "story", "itch"):
            return Hit("self_harm", "urgent", _words([word], body, deliberate[:1]))
    for word in msg.all("take"):
        near_poison = msg.in_clause("poison", word.clause, 1)
        near_med = msg.in_clause("med", word.clause, 1) + msg.in_clause("med_strong", word.clause, 1)
        # sleeping pills or a grown-up's heart pills: dangerous in any amount a child takes
        amount = msg.in_clause("quantity", word.clause, 1) or msg.all("severe") \
            or (msg.in_clause("med_strong", word.clause, 1) if not msg.any_of("one_dose", "resolved") else [])
        if _taker_is_grown_up(msg, word):  # "提醒奶奶吃降压药": a grown-up takes it
            continue
        if near_poison or (near_med and amount and not msg.has("prescribed")):
            cls = "injury" if msg.any_of("accident", "young") else "self_harm"
            return Hit(cls, "urgent", _words([word], near_poison or near_med, amount[:1]))
    for word in msg.all("on_edge"):  # up on a roof or a bridge and will not come down
        high = msg.in_clause("height", word.clause, 1)
        if high and not msg.has("story"):
            return Hit("self_harm", "urgent", _words(high[:1], [word]))
        # at the edge of a reservoir or a river, and then silence, a secret or a farewell
        water = msg.in_clause("water", word.clause, 1)
        alarm = msg.all("unreachable") + msg.all("secret") + msg.all("later") + msg.all("distress_strong")
        if water and alarm and not msg.any_of("story", "game", "swim"):
            return Hit("self_harm", "urgent", _words(water[:1], [word], alarm[:1]))
    pills = msg.all("med") if msg.has("quantity") else []  # a bottle of pills, not one tablet
    means = msg.all("cut_tool") + msg.all("rope") + msg.all("poison") + pills
    if means and msg.has("distress_strong") and not msg.any_of("cooking", "story", "accident", "farm"):
        # shut in his room with a blade: the means beside strong distress
        return Hit("self_harm", "urgent", _words(means[:1], msg.all("distress_strong")[:1]))
    for word in msg.all("prepare"):  # "准备好了绳子": the means made ready
        means = msg.in_clause("rope", word.clause, 1) + msg.in_clause("poison", word.clause, 1) + \
            msg.in_clause("med_strong", word.clause, 1) + msg.in_clause("cut_tool", word.clause, 1)
        if means and not msg.any_of("story", "farm", "cooking", "prescribed", "game"):
            return Hit("self_harm", "urgent", _words([word], means[:1]))
    for word in msg.all("seek"):  # asking where the poison is, pills saved up
        means = msg.in_clause("poison", word.clause, 1) + msg.in_clause("med", word.clause, 1) + \
            msg.in_clause("rope", word.clause, 1)
        first = next((w for w in msg.words if w.clause == word.clause
                      and w.match.end <= word.match.start and w.concepts & PEOPLE), None)
        if first is not None and "child" in first.concepts:  # "孙子把菜刀藏到他床底下": he hid a blade
            means += msg.in_clause("blade", word.clause)
        if means and not msg.any_of("story", "farm", "prescribed"):
            return Hit("self_harm", "urgent", _words([word], means[:1]))
    for word in msg.all("rope"):
        neck = msg.in_clause("neck", word.clause)
        if neck and not msg.has("story"):
            return Hit("self_harm", "urgent", _words([word], neck))
    for word in msg.all("give_away"):  # his treasured things given away (not to charity),
        # or anything given away by one who says he will not need it ("反正要走了")
        treasured = msg.in_clause("treasured", word.clause, 1) or msg.all("later")
        if treasured and not msg.any_of("charity", "story"):
            return Hit("self_harm", "urgent", _words(treasured[:1], [word]))
    for word in msg.all("farewell"):  # "我撑不住了 你别怪我" and then silence
        why = msg.all("distress_strong") + msg.all("unreachable") + msg.all("water") + msg.all("on_edge") \
            + msg.all("poison") + msg.all("rope") + (msg.all("med") if msg.has("quantity") else [])
        if why and not msg.any_of("story", "laugh", "reassure"):
            return Hit("self_harm", "urgent", _words([word], why[:1]))
    notes = {w.match.term for w in msg.all("goodbye")}
    for word in msg.all("goodbye"):  # a note beside words of parting, or two such words
        if msg.has("later") or msg.has("selfharm_say") or len(notes) >= 2:
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
        if msg.in_clause("peer", word.clause) and not strangers:  # pulled down by classmates: bullying
            continue
        if not story and not caring and not _quiet(msg, word):
            return Hit("violence_abuse", "urgent", _words(strangers[:1], [word]))
    for word in msg.all("touch"):  # on an intimate part, or where nobody sees
        intimate = msg.in_clause("intimate", word.clause) + msg.in_clause("secluded", word.clause)
        if intimate and not story and not caring and not _quiet(msg, word):
            return Hit("violence_abuse", "urgent", _words([word], intimate))
    for word in msg.all("touch") if strangers else ():
        victims = [c for c in msg.in_clause("child", word.clause)
                   if 0 <= c.match.start - word.match.end <= 3]
        if victims and not story and not _quiet(msg, word):
            return Hit("violence_abuse", "urgent", _words(strangers[:1], [word], victims))
    for word in msg.all("intimate_pain"):  # pain down there, and a man it came from
        if strangers and not story and not _quiet(msg, word):
            return Hit("violence_abuse", "urgent", _words([word], strangers[:1]))
    for word in msg.all("abuse"):
        if not story and not _quiet(msg, word):
            return Hit("violence_abuse", "urgent", _words([word]))
    for word in msg.all("into_bed"):  # a man who is not family gets into the child's bed
        if strangers and not story and not _quiet(msg, word):
            return Hit("violence_abuse", "urgent", _words(strangers[:1], [word]))
    for word in msg.all("online_stranger"):  # a stranger met online who wants to meet the child
        if msg.has("meet") and not story:
            return Hit("violence_abuse", "urgent", _words([word], msg.all("meet")[:1]))
    for word in msg.all("hit"):
        if story or _quiet(msg, word) or msg.any_of("joke", "misheard"):
            continue
        if "水" in word.match.term and msg.has("swim"):  # held under water in a swimming lesson
            continue
        clause = word.clause
        peers = msg.in_clause("peer", clause, 1)
        adults = [a for a in msg.all("adult") + msg.all("carer") + msg.all("parent")
                  if (a.sentence == word.sentence or abs(a.clause - clause) <= 1)
                  and a.match.term not in NOT_A_PERPETRATOR]
        passive = [p for p in msg.in_clause("passive", clause) if p.match.start < word.match.start]
        # a bare 打 ("打得有模有样") needs its victim in its own clause
        victims = msg.in_clause("child", clause, 0 if word.match.term in BARE_HIT else 1)
        if word.match.term.endswith(VICTIM_ENDINGS) or (
                not word.match.ascii and any(v in word.match.term for v in VICTIM_INSIDE)):
            victims = [*victims, word]
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
        if not objects and _someone_else_did(msg, word):  # "里面有人被打": not the child
            continue
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
    # "not bullied, just teasing each other": denied, or done to each other
    if msg.any_of("reassure", "story", "misheard", "mutual") or "bully" in msg.denied:
        return None
    # "老师已经处理了 同学也道歉了": two signs it is over
    settled = len({w.match.term for w in msg.all("resolved")}) >= 2
    for word in msg.all("bully"):
        # "bullied last year … happy now"
        if (msg.in_clause("past", word.clause) and msg.has("resolved")) or settled:
            continue
        if not msg.in_clause("other", word.clause):
            return Hit("bullying", "high", _words([word]))
    context = msg.all("peer") or msg.all("school_ctx") or msg.all("screen_weak") or msg.all("screen")
    weak = [w for w in msg.all("bully_weak") + msg.all("threat")  # "我骂了他一顿": a carer scolding
            if not _grown_up_before(msg, w, {"carer"}) and not _child_did_it(msg, w)]
    for word in weak:  # in a school, among children or online, or two signs at once
        if (context or len({w.match.term for w in weak}) >= 2) and not msg.in_clause("other", word.clause):
            return Hit("bullying", "high", _words([word], context[:1]))
    return None


def _about_something_else(msg: Message, word: Word) -> bool:
    """The nearest thing named before ``word`` in its clause is an object, an animal or an
    adult, not the child ("牛自己回来了", "手机找到了")."""
    before = [w for w in msg.words if w.clause == word.clause and w.match.start < word.match.start
              and w.concepts & {"object", "parent", "child", "adult", "other", "someone"}]
    return bool(before) and "child" not in before[-1].concepts \
        and word.match.start - before[-1].match.end <= SUBJECT_REACH


def _childs_own(msg: Message, word: Word) -> bool:
    """"she has been gone since … none of her friends know": the child is named right before the
    word and nothing quiet (someone else, a story, a game) comes before it in its clause."""
    before = [w for w in msg.words if w.clause == word.clause and w.match.start < word.match.start]
    if any(w.concepts & {"other", "fiction", "game"} for w in before):
        return False
    people = [w for w in before if w.concepts & (PEOPLE | {"peer", "someone"})]
    return bool(people) and "child" in people[-1].concepts and "peer" not in people[-1].concepts \
        and word.match.start - people[-1].match.end <= SUBJECT_REACH + 8


OWN_STARTS = ("人", "he ", "she ", "but he ", "but she ")
FOUND_WHOM = ("him", "her", "他", "她", "娃", "孩子")  # "grandma found her": the child is found


def _contradicted(msg: Message, word: Word) -> bool:
    """"the kids came back, but my son is not with them": a "but" after the calming word, and a
    word of absence after the "but"."""
    buts = [c for c in msg.all("contrast") if c.match.start >= word.match.end]
    gone = msg.all("absence") + msg.all("absence_weak")
    return bool(buts) and any(a.match.start >= buts[0].match.start for a in gone)


def missing(msg: Message) -> Hit | None:
    calming = [w for w in msg.all("resolved") + msg.all("reassure") + msg.all("misheard")
               if (w.match.term.endswith(FOUND_WHOM) or not _about_something_else(msg, w))
               and not _contradicted(msg, w)]
    if calming or msg.has("story"):
        return None
    strong = [w for w in msg.all("absence") if "absence_weak" not in w.concepts]
    weak = msg.all("absence_weak")
    for word in msg.all("unreachable"):
        if msg.any_of("duration", "absence", "absence_weak") and msg.has("child"):
            return Hit("missing", "urgent", _words([word], msg.all("duration")[:1]))
    for word in strong + weak:
        # "别找我", "人没回来", "but he didn't": the word names who is gone, whoever else is named
        own_subject = "我" in word.match.term or word.match.term.startswith(OWN_STARTS) \
            or word.match.term.endswith(("人", "人影", "他", "她")) \
            or "人没" in word.match.term or "人不" in word.match.term  # "没找着人", "车到了人没下来"
        if msg.in_clause("past", word.clause):  # "三年前走丢过一次"
            continue
        if _quiet(msg, word) and not (own_subject and not msg.in_clause("fiction", word.clause)
                                      and not msg.in_clause("game", word.clause)) \
                and not _childs_own(msg, word):
            continue
        before = [w for w in msg.words if w.clause == word.clause and w.match.start < word.match.start]
        taken = next((i for i, w in enumerate(before) if "passive" in w.concepts), None)
        if taken is not None:  # "被一辆车上的人拉走了": who did it is not who is gone
            before = before[:taken]
        if not any(w.concepts & OWNERS for w in before):
            # "手机丢了 找了半天没找着": the clause before says what is missing
            before = [w for w in msg.words if w.clause == word.clause - 1] + before
        owner = next((w for w in reversed(before) if w.concepts & OWNERS), None)
        if owner is not None and "child" not in owner.concepts and not own_subject:
            continue
        if word in weak and not (msg.has("duration") or len(strong + weak) >= 2):
            continue
        return Hit("missing", "urgent", _words([word], msg.all("duration")[:1]))
    return None


def injury(msg: Message) -> Hit | None:
    if msg.has("story"):
        return None
    for word in msg.all("severe"):
        if _someone_else(msg, word) or _about_something_else(msg, word):  # "小狗被车撞死了"
            continue
        if not _quiet(msg, word) and not (msg.has("past") and msg.has("resolved")):
            return Hit("injury", "urgent", _words([word]))
    for word in msg.all("head_hit"):  # a blow to the head, then vomiting or drowsiness
        signs = [s for s in msg.all("danger_sign") if s.match.start > word.match.start]
        if signs and not _quiet(msg, word) and not _someone_else(msg, word) and not msg.has("resolved"):
            return Hit("injury", "urgent", _words([word], signs[:1]))
    for word in msg.all("fall_in"):  # into a river, a well, a pond
        water = msg.in_clause("water", word.clause)
        if water and not _quiet(msg, word) and not msg.has("resolved"):
            return Hit("injury", "urgent", _words([word], water))
    # "put toothpaste on it lol … should he see a doctor?": a laugh does not answer the question
    if msg.has("resolved") or (msg.has("reassure") and not msg.has("need_doctor")) or msg.has("past"):
        return None
    for word in msg.all("injury_strong"):
        if not _quiet(msg, word) and not _someone_else(msg, word):
            return Hit("injury", _raised(msg, "high"), _words([word]))
    for word in msg.all("mech"):
        signs = msg.in_clause("injury_sign", word.clause, 2)
        if signs and not _quiet(msg, word) and not _someone_else(msg, word):
            return Hit("injury", _raised(msg, "high"), _words([word], signs[:1]))
    for word in msg.all("mech"):  # "眼睛被铅笔戳到": a part of the body struck by something
        body = msg.in_clause("body", word.clause)
        struck = [p for p in msg.in_clause("passive", word.clause) if p.match.start < word.match.start]
        if body and struck and not _quiet(msg, word) and not _someone_else(msg, word):
            return Hit("injury", _raised(msg, "high"), _words(body[:1], [word]))
    for word in msg.all("scald"):  # boiling water or hot oil on a part of the body
        body = msg.in_clause("body", word.clause, 1)
        if body and not _quiet(msg, word) and not _someone_else(msg, word) and not msg.has("cooking_only"):
            return Hit("injury", _raised(msg, "high"), _words([word], body[:1]))
    for word in msg.all("stuck"):  # a bone or a coin stuck in the throat
        stuck = msg.in_clause("throat_obj", word.clause, 1)
        if stuck and not _quiet(msg, word):
            return Hit("injury", _raised(msg, "high"), _words([word], stuck[:1]))
    return None


def _only_children_home(msg: Message, word: Word) -> bool:
    """"家里只有娃" / "只有我和妹妹" (a child writing): the people named after ``word`` are
    children; "只有我和老伴" or "只有我和孙子" (the grandmother writing) is not."""
    after = [w for w in msg.words if w.clause == word.clause and w.match.start >= word.match.end
             and w.concepts & PEOPLE]
    grown = {"adult", "parent", "carer"}
    if not after or any(w.concepts & grown and "child" not in w.concepts
                        and w.match.term not in NOT_A_PERPETRATOR for w in after):
        return False
    first_is_me = word.match.term.endswith(("我和", "我跟")) or after[0].match.term in NOT_A_PERPETRATOR
    if first_is_me:
        return any("sibling" in w.concepts for w in after)
    return any(w.concepts & {"child", "sibling"} and w.match.term not in NOT_A_PERPETRATOR for w in after)


def _grown_up_before(msg: Message, word: Word, grown: frozenset[str] | set[str] = PEOPLE) -> bool:
    """The last person named before ``word`` in its clause is a grown-up (of kind ``grown``)."""
    who = [w for w in msg.words if w.clause == word.clause and w.match.end <= word.match.start
           and w.concepts & (PEOPLE | {"young"})]
    return bool(who) and not who[-1].concepts & {"child", "sibling", "young"} \
        and bool(who[-1].concepts & grown)


NOBODY = ("nobody", "no one", "no adult", "no grown", "没人", "没有大人", "没个大人", "家里没人", "大人都",
          "一个大人")
PRONOUNS = frozenset({"他", "她", "he", "she", "him", "her"})  # also inside 他们, 她们


def _child_did_it(msg: Message, word: Word) -> bool:
    """"My son posted a photo", "孙子骂同学": the child named just before is the one doing it
    (unless 被: "娃被同学骂")."""
    if any(mark in word.match.term for mark in ("被", "让人", "叫人", "给人", "让同学")):
        return False  # "书包被人扔进": the word says it was done to him
    before = [w for w in msg.words if w.clause == word.clause and w.match.end <= word.match.start]
    if any(w.concepts & {"passive", "ba"} for w in before):  # "把我孙女的照片…": the child is the object
        return False
    people = [w for w in before if w.concepts & (PEOPLE | {"peer"})]
    return bool(people) and "child" in people[-1].concepts and "peer" not in people[-1].concepts \
        and people[-1].match.term not in PRONOUNS


def _cared_for(msg: Message) -> bool:
    """Someone looks after the child, and is not a child himself ("托给十五岁的堂哥")."""
    # "爷爷在医院陪着" (奶奶): he is with the one in hospital, not with the child
    return any(not msg.in_clause("minor", w.clause)
               and not (w.match.term in ACCOMPANY and msg.in_clause("hospital", w.clause))
               for w in msg.all("caretaker"))


ACCOMPANY = frozenset({"陪着", "陪护", "守着"})


def _someone_else_did(msg: Message, word: Word) -> bool:
    """The last person named before ``word`` in its clause is someone unnamed ("有个老人")."""
    who = [w for w in msg.words if w.clause == word.clause and w.match.end <= word.match.start
           and w.concepts & (PEOPLE | {"someone", "other"})]
    return bool(who) and bool(who[-1].concepts & {"someone", "other"})


def _corrected_by_carer(msg: Message, word: Word) -> bool:
    """"home alone? no, grandma is with him": someone looking after him is named after the word
    (and nobody's care is said to be gone)."""
    return not msg.has("care_gap") and any(c.match.start > word.match.end for c in msg.all("caretaker"))


def no_adult(msg: Message) -> Hit | None:
    if msg.any_of("reassure", "story"):
        return None
    young = msg.all("young")
    # a young child, or alone a long time: completely alone is an emergency
    grave = bool(young or msg.any_of("duration", "long_time"))
    alone = msg.all("alone") + [w for w in msg.all("only_home") if _only_children_home(msg, w)]
    for word in alone:  # a child living alone: whoever was meant to look after him
        if _quiet(msg, word) or msg.in_clause("past", word.clause) or msg.has("brief") \
                or _corrected_by_carer(msg, word):
            continue
        # "我一个人在家带两个娃": the grown-up is the one alone (not "nobody is looking after")
        if not word.match.term.startswith(NOBODY) and _grown_up_before(msg, word):
            continue
        return Hit("no_adult", "urgent" if grave else _raised(msg, "high"), _words([word], young[:1]))
    kids = msg.any_of("child", "sibling", "young")
    for word in msg.all("care_gap"):
        if _someone_else_did(msg, word):  # "村里有个老人…走了": not the child's carer
            continue
        carers = msg.in_clause("carer", word.clause)
        if carers and kids and not _cared_for(msg) and not msg.has("past") \
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
# the concepts each rule starts from: a rule none of whose concepts was heard is not asked
# (most messages hold none of them: 20 000 messages/s)
TRIGGERS = {
    self_harm: frozenset({"selfharm_say", "cut", "take", "on_edge", "cut_tool", "rope", "poison",
                          "seek", "give_away", "goodbye", "med", "med_strong", "farewell", "prepare"}),
    violence: frozenset({"sex", "undress", "touch", "abuse", "hit", "wound", "dv", "into_bed",
                         "intimate_pain",
                         "online_stranger"}),
    bullying: frozenset({"bully", "bully_weak", "threat"}),
    missing: frozenset({"unreachable", "absence", "absence_weak"}),
    injury: frozenset({"severe", "fall_in", "injury_strong", "mech", "scald", "stuck", "head_hit"}),
    no_adult: frozenset({"alone", "only_home", "care_gap"}),
    distress: frozenset({"distress_strong", "distress_sign", "mild_distress"}),
}


def hear(text: str) -> list[Hit]:
    """Every class heard in ``text``, at most one hit per class (the most severe)."""
    msg = Message(text)
    if not msg.words:
        return []
    best: dict[str, Hit] = {}
    heard = msg.by.keys()
    for rule in ALERT_RULES:
        if heard.isdisjoint(TRIGGERS[rule]):
            continue
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
