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
