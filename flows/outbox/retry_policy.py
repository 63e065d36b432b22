"""What to do with an outbox message whose send failed: one pure function, no I/O, no Telegram.

The sender turns a Bot API error into a neutral ``SendFailure`` and asks ``decide``; it then
records the decision with one write. The rule behind it (DESIGN decision 10): an outage is the
channel's state, not the message's. Network errors, 5xx and a 404 (a proxy or a wrong path: a
revoked token answers 401) pause the whole channel and cost the message nothing, however long
they last; only an error about *this* message (400, 403) ends it. A message that keeps failing
while the channel is proven up (its own probe answered) spends its attempts and then fails with
the reason. A prompt whose moment has passed is dropped quietly; an alert never is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class ErrorKind(StrEnum):
    NETWORK = "network"            # refused, reset, timed out: no answer at all
    SERVER = "server"              # 5xx
    NOT_FOUND = "not_found"        # 404: a proxy or a wrong path, not the token
    UNAUTHORIZED = "unauthorized"  # 401 confirmed by the probe: the token was revoked
    RATE_LIMITED = "rate_limited"  # 429 with retry_after
    BAD_REQUEST = "bad_request"    # 400: this message can never be sent as it is
    FORBIDDEN = "forbidden"        # 403: the person blocked the bot or left


class Action(StrEnum):
    RETRY_AT = "retry_at"            # back to pending, not before ``at``
    PAUSE_CHANNEL = "pause_channel"  # back to pending at no cost; the sender pauses and probes
    PAUSE_CHAT = "pause_chat"        # back to pending at no cost; only this chat waits
    PAUSE_ALL = "pause_all"          # back to pending at no cost; a global limit: everyone waits
    FAIL = "fail"                    # recorded as failed with the reason
    UNREACHABLE = "unreachable"      # the person is unreachable; the caseworker hears of it
    DROP_EXPIRED = "drop_expired"    # pointless now: cancelled quietly and counted
    STOP = "stop"                    # the token is revoked: nothing can be sent; stop the bot


CHANNEL_KINDS = frozenset({ErrorKind.NETWORK, ErrorKind.SERVER, ErrorKind.NOT_FOUND})


@dataclass(frozen=True)
class SendFailure:
    kind: ErrorKind
    detail: str = ""
    retry_after_s: float | None = None
    # a 429 that answered one chat's pace (the sender sees one chat refused, others pass)
    chat_scoped: bool = True


@dataclass(frozen=True)
class Policy:
    max_attempts: int = 8
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 300.0


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    at: datetime | None = None   # RETRY_AT / PAUSE_*: not before this time
    counts_attempt: bool = False  # whether the attempt just made is kept on the row


def expired(now: datetime, expires_at: datetime | None, *, is_alert: bool) -> bool:
    """Alerts never expire; other messages may carry a moment after which they are pointless."""
    return not is_alert and expires_at is not None and now >= expires_at


def backoff(attempts: int, policy: Policy, jitter: float | None = None) -> float:
    """Capped exponential back-off with jitter (0.5x..1.5x) for the ``attempts``-th failure."""
    delay = min(policy.backoff_cap_s, policy.backoff_base_s * 2 ** max(0, attempts - 1))
    factor = random.uniform(0.5, 1.5) if jitter is None else jitter
    return min(policy.backoff_cap_s, delay * factor)


def decide(
    failure: SendFailure,
    attempts: int,
    *,
    now: datetime,
    channel_up: bool,
    is_alert: bool = False,
    expires_at: datetime | None = None,
    policy: Policy = Policy(),
    jitter: float | None = None,
) -> Decision:
    """``attempts`` counts this one. ``channel_up``: the sender's probe answered right after the
    failure, so a channel-kind error may be about this message after all."""
    reason = f"{failure.kind}: {failure.detail}"[:200]
    if failure.kind is ErrorKind.UNAUTHORIZED:
        return Decision(Action.STOP, reason)
    if failure.kind is ErrorKind.FORBIDDEN:
        return Decision(Action.UNREACHABLE, reason, counts_attempt=True)
    if failure.kind is ErrorKind.BAD_REQUEST:
        return Decision(Action.FAIL, reason, counts_attempt=True)
    if expired(now, expires_at, is_alert=is_alert):
        return Decision(Action.DROP_EXPIRED, f"expired while waiting ({reason})"[:200])
    if failure.kind is ErrorKind.RATE_LIMITED:
        wait = timedelta(seconds=max(0.0, failure.retry_after_s or 1.0))
        action = Action.PAUSE_CHAT if failure.chat_scoped else Action.PAUSE_ALL
        return Decision(action, reason, at=now + wait)
    # network, 5xx, 404: the channel's state unless the channel is proven up
    if not channel_up:
        return Decision(Action.PAUSE_CHANNEL, reason, at=now)
    if attempts >= policy.max_attempts:
        return Decision(Action.FAIL, f"{reason} (after {attempts} attempts while the Bot API "
                        "answered other requests)"[:200], counts_attempt=True)
    delay = backoff(attempts, policy, jitter)
    return Decision(Action.RETRY_AT, reason, at=now + timedelta(seconds=delay),
                    counts_attempt=True)
