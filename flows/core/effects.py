"""What a turn asks the channel to do after its transaction commits (RapidPro's post-commit
hooks): typed values a flow appends to ``turn.effects``, run by the turn middleware only once the
answer is stored. Never a network call or a cache change inside the transaction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ForgetCachedPerson:
    """A person's row changed (joined, paused, resumed, forgotten, new language): drop the cached
    copy; ``None`` drops every cached person."""

    tg_user_id: int | None


@dataclass(frozen=True)
class WakeOutbox:
    """Messages were queued: the sender should look now rather than at its next sweep."""


@dataclass(frozen=True)
class CodeAttemptsThrottled:
    """Too many invite-code attempts from one chat: worth a warning in the log (no personal data)."""


Effect = ForgetCachedPerson | WakeOutbox | CodeAttemptsThrottled
