"""A learned second opinion for the risk engine (issue 14): character n-grams (2-4 characters of
the engine's normalised text, flows.guardian.risk_text.prepare, which already folds traditional,
full width and pinyin) scored by logistic regressions trained on the labelled rows
(tests/data/risk_corpus_dev.tsv and risk_cases_extra.tsv) by bench/train_risk_model.py.

Recall first and never on its own word alone: the rules' findings stand; the model may only RAISE a
message the rules found no alert in, when its probability is over a threshold chosen by
leave-one-author-out cross-validation, and never where the rules heard a hard-negative guard
(in the clause it would raise on: negation in scope, hyperbole, everyday 打; anywhere: a story, a
game, other people's children, a mishap already over ...).

Three models share one file (flows/guardian/risk_model.json): "alert" (urgent or high against the
rest), "urgent" (urgent against high, among alerts) and one per alert class (one against the rest,
among alerts). Pure Python at run time: one dict look-up per n-gram."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from pathlib import Path

from flows.guardian.risk_rules import TRIGGERS, WHO, Message

# the model is asked only where the rules heard a word one of their alert rules starts from but
# no rule found the combination it needs ("the child ... pills" without "took"): new wording around
# a known danger word; a message with no such word is left to the rules (and costs nothing)
ASKED_ON = frozenset().union(*TRIGGERS.values())
# and it may raise only a class whose own danger words were heard (the class chosen among those).
# Distress is not among them: how long and how strong a sign is decides its severity ("一个人发呆"
# is normal, "天天哭一个礼拜" high), the rules read that, and the model (0.93 on "他最近总是一个人发呆")
# does not.
CLASS_TRIGGERS = {("violence_abuse" if rule.__name__ == "violence" else rule.__name__): words
                  for rule, words in TRIGGERS.items() if rule.__name__ != "distress"}

WEIGHTS = Path(__file__).with_name("risk_model.json")
# 2- to 4-grams: single characters added little in leave-one-author-out (0.858 against 0.854
# alert recall at the same calm-row budget) and cost a quarter of the time
ORDERS = (2, 3, 4)
_CLAUSES = re.compile(r"[^|#]+")


@cache
def _slices(size: int) -> tuple[slice, ...]:
    return tuple(slice(i, i + n) for n in ORDERS for i in range(size - n + 1))


def grams(prepared: str) -> set[str]:
    """The character 2- to 4-grams of a normalised text (a set: presence, not counts; the slices
    of each length are made once: this runs on every message the rules found no alert in)."""
    return set(map(prepared.__getitem__, _slices(len(prepared))))


def weight_of(count: int) -> float:
    """Each present n-gram's value: long messages do not outvote short ones."""
    return 1.0 / math.sqrt(count) if count else 0.0


@dataclass(frozen=True)
class Model:
    """The trained weights: per head a bias and a sparse n-gram -> weight map."""

    threshold: float
    urgent_threshold: float
    bias: dict[str, float]
    weights: dict[str, dict[str, float]]
    classes: tuple[str, ...]

    def margin(self, head: str, feats: set[str]) -> float:
        total = sum(map(self.weights[head].get, feats, repeat(0.0)))
        return self.bias[head] + total * weight_of(len(feats))

    def probability(self, head: str, feats: set[str]) -> float:
        return _sigmoid(self.margin(head, feats))

    def evidence(self, prepared: str) -> tuple[int, str]:
        """The clause whose n-grams push hardest towards an alert (for the caseworker's "why"),
        with its number (clauses counted as flows.guardian.risk_rules.Message counts them)."""
        table = self.weights["alert"]
        best, best_index, best_score = prepared, 0, -math.inf
        for index, m in enumerate(_CLAUSES.finditer(prepared)):
            clause = m.group(0)
            score = sum(w for g in grams(clause) if (w := table.get(g, 0.0)) > 0)
            if score > best_score:
                best, best_index, best_score = clause, index, score
        return best_index, best.strip()

    def classify(self, prepared: str) -> tuple[str, str, str] | None:
        """(class, severity, evidence) when the model hears an alert in ``prepared``; else None."""
        found = self.classify_at(prepared)
        return None if found is None else found[:3]

    def classify_at(self, prepared: str, allowed: Collection[str] | None = None
                    ) -> tuple[str, str, str, int] | None:
        """``classify`` with the number of the evidence clause; the class chosen among
        ``allowed`` (None: any); None when no class is allowed."""
        feats = grams(prepared)
        if self.probability("alert", feats) < self.threshold:
            return None
        classes = [c for c in self.classes if allowed is None or c in allowed]
        if not classes:
            return None
        cls = max(classes, key=lambda c: self.margin(c, feats))
        severity = "urgent" if self.probability("urgent", feats) >= self.urgent_threshold else "high"
        index, evidence = self.evidence(prepared)
        return cls, severity, evidence, index

    def to_json(self) -> dict[str, object]:
        return {"threshold": self.threshold, "urgent_threshold": self.urgent_threshold,
                "classes": list(self.classes), "bias": self.bias, "weights": self.weights}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Model:
        return cls(float(data["threshold"]), float(data["urgent_threshold"]),  # type: ignore[arg-type]
                   dict(data["bias"]), dict(data["weights"]),  # type: ignore[arg-type,call-overload]
                   tuple(data["classes"]))  # type: ignore[arg-type]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@cache
def model() -> Model | None:
    """The shipped model, loaded once; None when the file is absent (the rules alone then)."""
    if not WEIGHTS.exists():
        return None
    return Model.from_json(json.loads(WEIGHTS.read_text(encoding="utf-8")))


# what the rules heard that keeps the model quiet: a story, a game, other people's children, a
# mishap already over, medicine as prescribed, farm work, cooking, a joke (the rules' own guards)
GUARD_CONCEPTS = frozenset({"fiction", "story", "game", "other", "resolved", "prescribed", "farm",
                            "cooking", "joke", "misheard"})


def guarded(msg: Message) -> bool:
    """A story, a game, other people's children ... anywhere in the message (GUARD_CONCEPTS)."""
    return not GUARD_CONCEPTS.isdisjoint(msg.by)


def second_opinion(msg: Message, learned: Model | None = None) -> tuple[str, str, str] | None:
    """(class, severity, evidence) the model adds to a message the rules found no alert in, or
    None. Severity is raised to urgent when the rules heard an urgency marker (正在, 快来 ...)."""
    learned = learned if learned is not None else model()
    if learned is None or not msg.text or ASKED_ON.isdisjoint(msg.by) \
            or WHO.isdisjoint(msg.by) or guarded(msg):
        return None
    allowed = [cls for cls, words in CLASS_TRIGGERS.items() if not words.isdisjoint(msg.by)]
    if not allowed:  # before any n-gram is made: most messages stop here
        return None
    found = learned.classify_at(msg.text, allowed)
    if found is None:
        return None
    cls, severity, evidence, clause = found
    if clause in msg.guarded:  # its strongest clause holds a neutral phrase, a negation in scope
        return None  # ("没有受伤", "想死你了") or an everyday 打: the rules' guard stands
    return cls, ("urgent" if msg.has("urgent") else severity), evidence


# a model that never raises: the rules alone (for comparisons)
RULES_ONLY = Model(threshold=2.0, urgent_threshold=2.0, bias={"alert": 0.0}, weights={"alert": {}},
                   classes=())
