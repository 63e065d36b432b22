"""Normal-level topics heard in a family's words, recorded for the weekly counts (the parents'
weekly message, the caseworker's digest). No words are kept: only family, topic and time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from db.store import Store
from flows.core.clock import to_iso
from flows.core.i18n import Translator
from flows.guardian.risk import Finding, topic_findings
from flows.guardian.risk_titles import TOPIC_LABELS


def record_topics(store: Store, now: datetime, family_ids: Sequence[int],
                  findings: Sequence[Finding]) -> list[str]:
    """Count the normal-level topics of one message for each family; returns their classes."""
    topics = [f.rule for f in topic_findings(findings)]
    for family_id in family_ids:
        for topic in topics:
            store.topics.add(family_id=family_id, topic=topic, at=to_iso(now))
    return topics


def topic_counts_text(_: Translator, counts: dict[str, int]) -> str:
    """"illness ×2、school ×1" in the reader's language ("" when nothing was mentioned)."""
    separator = "、" if _.locale.startswith("zh") else ", "
    return separator.join(f"{_(TOPIC_LABELS[t])} ×{n}" for t, n in counts.items() if t in TOPIC_LABELS)
