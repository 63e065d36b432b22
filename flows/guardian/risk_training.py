"""Training the learned second opinion (flows.guardian.risk_model) on labelled rows: logistic
regressions over character n-grams, fitted by AdaGrad in pure Python with a fixed seed, so the
same rows always give the same weights (bench/train_risk_model.py, tests/test_risk_model.py).

Only the development part and the engineers' own cases are ever passed here, never the held-out
part: that is how the lead can still measure on it."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

from flows.guardian.risk_model import Model, grams, weight_of
from flows.guardian.risk_quality import Example
from flows.guardian.risk_text import prepare

ALERT_CLASSES = ("self_harm", "violence_abuse", "bullying", "missing", "injury", "no_adult", "distress")
SEED = 14
EPOCHS = 12
RATE = 0.4
L2 = 1e-4
MIN_ROWS = 2  # an n-gram seen in fewer training rows is dropped (no memorising one message)
HARD_NEGATIVE_WEIGHT = 2.0  # the guards are what the model must learn most
DEFAULT_THRESHOLD = 0.5
KEEP_ALERT = 0.005  # smallest weight kept: the alert head decides, so it keeps more
KEEP_OTHER = 0.1  # urgency and class heads only choose among alerts

Row = tuple[list[str], float, float, float]  # n-grams, value of each, label, example weight


def _fit(rows: list[Row], seed: int, keep: float) -> tuple[float, dict[str, float]]:
    """One head's bias and weights; weights smaller than ``keep`` are dropped (a smaller file)."""
    weights: dict[str, float] = {}
    squares: dict[str, float] = {}
    bias, bias_sq = 0.0, 1e-8
    order = list(range(len(rows)))
    rng = random.Random(seed)
    for _epoch in range(EPOCHS):
        rng.shuffle(order)
        for index in order:
            feats, value, label, importance = rows[index]
            margin = bias + value * sum(weights.get(g, 0.0) for g in feats)
            p = 1.0 / (1.0 + math.exp(-margin)) if margin >= 0 else \
                math.exp(margin) / (1.0 + math.exp(margin))
            error = (p - label) * importance
            bias_sq += error * error
            bias -= RATE * error / math.sqrt(bias_sq)
            for g in feats:
                w = weights.get(g, 0.0)
                grad = error * value + L2 * w
                sq = squares.get(g, 1e-8) + grad * grad
                squares[g] = sq
                weights[g] = w - RATE * grad / math.sqrt(sq)
    return bias, {g: round(w, 4) for g, w in sorted(weights.items()) if abs(w) >= keep}


def train(examples: Sequence[Example], seed: int = SEED, threshold: float = DEFAULT_THRESHOLD,
          urgent_threshold: float = 0.5) -> Model:
    """The model of ``examples`` (heads: alert, urgent, one per alert class)."""
    prepared = [grams(prepare(e.text)) for e in examples]
    seen = Counter(g for feats in prepared for g in feats)
    kept = [(sorted(g for g in feats if seen[g] >= MIN_ROWS), weight_of(len(feats))) for feats in prepared]
    alert = [e.severity in ("urgent", "high") for e in examples]
    positives = sum(alert)
    balance = (len(examples) - positives) / positives if positives else 1.0
    bias: dict[str, float] = {}
    weights: dict[str, dict[str, float]] = {}
    rows: list[Row] = [(f, v, 1.0 if a else 0.0,
                        balance if a else (HARD_NEGATIVE_WEIGHT if e.hard_negative else 1.0))
                       for (f, v), a, e in zip(kept, alert, examples, strict=True)]
    bias["alert"], weights["alert"] = _fit(rows, seed, KEEP_ALERT)
    alerts = [(k, e) for k, a, e in zip(kept, alert, examples, strict=True) if a]
    heads = {"urgent": lambda e: e.severity == "urgent"}
    heads.update({c: (lambda e, c=c: e.cls == c) for c in ALERT_CLASSES})
    for i, (head, wanted) in enumerate(heads.items(), start=1):
        rows = [(f, v, 1.0 if wanted(e) else 0.0, 1.0) for (f, v), e in alerts]
        bias[head], weights[head] = _fit(rows, seed + i, KEEP_OTHER)
    classes = tuple(c for c in ALERT_CLASSES if any(e.cls == c for _k, e in alerts))
    return Model(threshold, urgent_threshold, bias, weights, classes)
