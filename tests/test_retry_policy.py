"""The pure retry policy with fabricated errors: what each failure costs a message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from flows.outbox.retry_policy import (
    Action,
    ErrorKind,
    Policy,
    SendFailure,
    backoff,
    decide,
    expired,
)
from scheduler.sender import RateLimitWatch, classify

NOW = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
POLICY = Policy(max_attempts=8, backoff_base_s=1.0, backoff_cap_s=300.0)


@pytest.mark.parametrize("kind", [ErrorKind.NETWORK, ErrorKind.SERVER, ErrorKind.NOT_FOUND])
@pytest.mark.parametrize("attempts", [1, 8, 500])
def test_channel_errors_while_the_channel_is_down_never_cost_the_message(
        kind: ErrorKind, attempts: int) -> None:
    decision = decide(SendFailure(kind, "x"), attempts, now=NOW, channel_up=False, policy=POLICY)
    assert decision.action is Action.PAUSE_CHANNEL and not decision.counts_attempt


def test_a_message_failing_while_the_channel_answers_spends_its_attempts() -> None:
    failure = SendFailure(ErrorKind.SERVER, "Internal Server Error")
    first = decide(failure, 1, now=NOW, channel_up=True, policy=POLICY, jitter=1.0)
    assert first.action is Action.RETRY_AT and first.counts_attempt
    assert first.at == NOW + timedelta(seconds=1)
    fourth = decide(failure, 4, now=NOW, channel_up=True, policy=POLICY, jitter=1.0)
    assert fourth.at == NOW + timedelta(seconds=8)
    last = decide(failure, 8, now=NOW, channel_up=True, policy=POLICY)
    assert last.action is Action.FAIL and "Internal Server Error" in last.reason


def test_backoff_is_capped() -> None:
    assert backoff(40, POLICY, jitter=1.5) == 300.0
    assert 0.5 <= backoff(1, POLICY) <= 1.5


@pytest.mark.parametrize(("kind", "action"), [
    (ErrorKind.BAD_REQUEST, Action.FAIL),
    (ErrorKind.FORBIDDEN, Action.UNREACHABLE),
    (ErrorKind.UNAUTHORIZED, Action.STOP),
])
def test_errors_about_this_message_or_the_token(kind: ErrorKind, action: Action) -> None:
    for up in (True, False):
        assert decide(SendFailure(kind, "x"), 1, now=NOW, channel_up=up).action is action


def test_a_chats_429_pauses_that_chat_and_a_global_one_everyone() -> None:
    chat = decide(SendFailure(ErrorKind.RATE_LIMITED, "x", retry_after_s=7), 1, now=NOW,
                  channel_up=True)
    assert chat.action is Action.PAUSE_CHAT and chat.at == NOW + timedelta(seconds=7)
    assert not chat.counts_attempt
    overall = decide(SendFailure(ErrorKind.RATE_LIMITED, "x", retry_after_s=2, chat_scoped=False),
                     1, now=NOW, channel_up=True)
    assert overall.action is Action.PAUSE_ALL


def test_a_prompt_past_its_moment_is_dropped_but_an_alert_never() -> None:
    past = NOW - timedelta(minutes=1)
    for kind in (ErrorKind.NETWORK, ErrorKind.RATE_LIMITED):
        failure = SendFailure(kind, "x", retry_after_s=1)
        prompt = decide(failure, 1, now=NOW, channel_up=False, expires_at=past)
        assert prompt.action is Action.DROP_EXPIRED and prompt.reason.startswith("expired")
        alert = decide(failure, 1, now=NOW, channel_up=False, expires_at=past, is_alert=True)
        assert alert.action is not Action.DROP_EXPIRED
    assert not expired(NOW, past, is_alert=True) and expired(NOW, past, is_alert=False)
    assert not expired(NOW, None, is_alert=False)
    assert not expired(NOW, NOW + timedelta(seconds=1), is_alert=False)


@pytest.mark.parametrize(("exc", "kind"), [
    (NetworkError("Bad Gateway"), ErrorKind.NETWORK),
    (TimedOut(), ErrorKind.NETWORK),
    (ConnectionRefusedError(), ErrorKind.NETWORK),
    (InvalidToken("Not Found"), ErrorKind.NOT_FOUND),
    (BadRequest("chat not found"), ErrorKind.BAD_REQUEST),
    (Forbidden("bot was blocked by the user"), ErrorKind.FORBIDDEN),
])
def test_bot_api_errors_become_neutral_failures(exc: Exception, kind: ErrorKind) -> None:
    assert classify(exc).kind is kind


def test_retry_after_is_read() -> None:
    failure = classify(RetryAfter(12))
    assert failure.kind is ErrorKind.RATE_LIMITED and failure.retry_after_s == 12


def test_several_chats_refused_at_once_is_a_global_limit() -> None:
    watch = RateLimitWatch(window_s=1.0, chats_for_global=3)
    assert watch.chat_scoped(1, now=0.0)
    assert watch.chat_scoped(1, now=0.2)  # the same chat again: still that chat's limit
    assert watch.chat_scoped(2, now=0.3)
    assert not watch.chat_scoped(3, now=0.4)  # a third chat within a second: overall limit
    assert watch.chat_scoped(4, now=5.0)  # long after: one chat again
