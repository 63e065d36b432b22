"""Faults the sandbox can inject on request: 500s, dropped connections, stalls, 429 storms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FAULT_KINDS = ("http500", "drop", "slow", "http429")
# a second instance polling with the same token: Telegram answers getUpdates with 409 (process)
FAULT_KINDS = (*FAULT_KINDS, "http409")


@dataclass
class FaultRule:
    kind: str
    count: int = 1
    method: str | None = None
    chat_id: int | None = None
    delay: float = 0.0
    retry_after: int = 1

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        kind = str(data.get("kind", ""))
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {FAULT_KINDS}")
        return cls(
            kind=kind,
            count=int(data.get("count", 1)),
            method=data.get("method"),
            chat_id=int(data["chat_id"]) if data.get("chat_id") is not None else None,
            delay=float(data.get("delay", 0.0)),
            retry_after=int(data.get("retry_after", 1)),
        )

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.count <= 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return not (self.chat_id is not None and self.chat_id != chat_id)


class FaultPlan:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.injected: dict[str, int] = {k: 0 for k in FAULT_KINDS}

    def add(self, rule: FaultRule) -> None:
        self.rules.append(rule)

    def clear(self) -> None:
        self.rules.clear()

    def take(self, method: str, chat_id: int | None) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method, chat_id):
                rule.count -= 1
                self.injected[rule.kind] += 1
                return rule
        return None


# ---- spells: faults that last a number of (real) seconds rather than a number of requests ----
SPELL_KINDS = ("refuse", "http404", "chat429")


@dataclass
class FaultSpell:
    """``refuse``: every Bot API connection is closed unanswered (the server is down);
    ``http404``: every Bot API call answers 404 (a proxy in front of it lost its route);
    ``chat429``: every send to ``chat_id`` answers 429 with ``retry_after`` (that chat's limit)."""

    kind: str
    until: float
    chat_id: int | None = None
    retry_after: int = 1

    @classmethod
    def from_json(cls, data: dict[str, Any], now: float) -> FaultSpell:
        kind = str(data.get("kind", ""))
        if kind not in SPELL_KINDS:
            raise ValueError(f"unknown spell kind {kind!r}; use one of {SPELL_KINDS}")
        chat_id = int(data["chat_id"]) if data.get("chat_id") is not None else None
        if kind == "chat429" and chat_id is None:
            raise ValueError("chat429 needs a chat_id")
        return cls(kind=kind, until=now + float(data.get("seconds", 1.0)), chat_id=chat_id,
                   retry_after=int(data.get("retry_after", 1)))

    def matches(self, now: float, chat_id: int | None) -> bool:
        if now >= self.until:
            return False
        return self.kind != "chat429" or chat_id == self.chat_id


class FaultSpells:
    def __init__(self) -> None:
        self.spells: list[FaultSpell] = []
        self.injected: dict[str, int] = {k: 0 for k in SPELL_KINDS}

    def add(self, spell: FaultSpell) -> None:
        self.spells.append(spell)

    def clear(self) -> None:
        self.spells.clear()

    def active(self, now: float, chat_id: int | None) -> FaultSpell | None:
        self.spells = [s for s in self.spells if now < s.until]
        for spell in self.spells:
            if spell.matches(now, chat_id):
                self.injected[spell.kind] += 1
                return spell
        return None
