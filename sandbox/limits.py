"""Telegram's documented sending limits, enforced by the sandbox with 429 + retry_after."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    rate: float
    capacity: float
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity

    def take(self, now: float) -> float:
        """Take one token; returns 0 when allowed, else seconds until one is available."""
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.stamp = max(self.stamp, now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


@dataclass
class SlidingWindow:
    limit: int
    window: float
    stamps: deque[float] = field(default_factory=deque)

    def take(self, now: float) -> float:
        while self.stamps and now - self.stamps[0] >= self.window:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            self.stamps.append(now)
            return 0.0
        return self.window - (now - self.stamps[0])


@dataclass
class LimitSettings:
    enabled: bool = True
    overall_per_s: float = 30.0
    private_per_s: float = 1.0
    # Telegram tolerates short bursts in a private chat (a reply right after a question).
    private_burst: float = 5.0
    group_per_min: int = 20


class RateLimits:
    def __init__(self, settings: LimitSettings | None = None) -> None:
        self.configure(settings or LimitSettings())

    def configure(self, settings: LimitSettings) -> None:
        self.settings = settings
        self.overall = TokenBucket(rate=settings.overall_per_s, capacity=settings.overall_per_s)
        self.private: dict[int, TokenBucket] = {}
        self.groups: dict[int, SlidingWindow] = {}
        self.throttled = 0

    def check(self, chat_id: int, now: float | None = None) -> int:
        """0 when the send may go; otherwise the retry_after seconds to answer with."""
        if not self.settings.enabled:
            return 0
        now = time.monotonic() if now is None else now
        if chat_id < 0:
            window = self.groups.setdefault(
                chat_id, SlidingWindow(limit=self.settings.group_per_min, window=60.0)
            )
            wait = window.take(now)
        else:
            bucket = self.private.setdefault(
                chat_id,
                TokenBucket(rate=self.settings.private_per_s, capacity=self.settings.private_burst),
            )
            wait = bucket.take(now)
        if wait == 0.0:
            wait = self.overall.take(now)
            if wait > 0.0:
                # the chat's share was taken but the message is refused: give it back
                if chat_id < 0:
                    self.groups[chat_id].stamps.pop()
                else:
                    self.private[chat_id].tokens += 1.0
        if wait > 0.0:
            self.throttled += 1
            return max(1, math.ceil(wait))
        return 0
