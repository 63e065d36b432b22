"""Typed button data: every family packs and unpacks to itself, refuses more than Telegram's 64
bytes, keeps the strings older releases put on the wire, and a forged or stale press becomes the
one kind reply (through the same code the turn middleware runs)."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from dataclasses import fields
from datetime import UTC, datetime

import pytest

from db.database import Database
from db.store import Store
from flows import dialogs
from flows.core import buttons as b
from flows.core.answering import run_turn
from flows.core.buttons import STALE_BUTTON, ButtonData, ButtonTooLong, StaleButton, parse
from flows.core.i18n import translator
from flows.core.turn import Turn
from flows.core.ui import Reply
from flows.parent.parent_actions import handle
from handlers import button_handlers
from tests.support.families import add_family
from tests.support.presses import met

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def sample(family: type[ButtonData]) -> ButtonData:
    """One instance of a family with every field filled (the last str with a ':', as a time)."""
    values: dict[str, object] = {}
    names = [f.name for f in fields(family)]
    for name, kind in family._types():
        values[name] = 7 if kind is int else ("08:00" if name == names[-1] else "x")
    return family(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("family", ButtonData.families, ids=lambda f: f.__name__)
def test_every_family_round_trips_and_is_picked_by_its_own_pattern(
        family: type[ButtonData]) -> None:
    button = sample(family)
    data = button.pack()
    assert family.unpack(data) == button
    assert parse(data) == button
    assert re.match(family.pattern(), data)
    # the handler PTB would try first for this data is this family's
    first = next(h for h in button_handlers() if h.pattern.match(data))
    assert first.pattern.pattern == family.pattern()


def test_prefixes_are_unique() -> None:
    prefixes = [f.prefix for f in ButtonData.families]
    assert len(prefixes) == len(set(prefixes))


def test_the_wire_is_what_older_releases_built() -> None:
    assert b.CheckinAnswer(12, "mood", "happy").pack() == "c:12:mood:happy"
    assert b.SosStart().pack() == "h:start"
    assert b.SosAnswer("danger", "y").pack() == "h:danger:y"
    assert b.MenuChoice("settings").pack() == "m:settings"
    assert b.AlertQueuePage(0).pack() == "a:q:0"
    assert b.TimelinePage(3, 1).pack() == "a:tl:3:1"
    assert b.FamilyEdit(3, "child").pack() == "f:edit:3:child"
    assert b.JoinAnswer("checkin_time", "08:00").pack() == "j:checkin_time:08:00"
    assert b.ReminderSnooze(5, 1764000000).pack() == "p:snooze:5:1764000000"
    assert b.VisitMonth(2, "202612", 0).pack() == "p:vm:2:202612:0"


def test_more_than_64_bytes_is_refused_when_packed() -> None:
    assert len(b.MenuChoice("x" * 62).pack()) == 64
    with pytest.raises(ButtonTooLong):
        b.MenuChoice("x" * 63).pack()
    with pytest.raises(ButtonTooLong):  # bytes, not characters: 21 Chinese characters are 63
        b.SettingsAnswer("tz", "时" * 21).pack()
    with pytest.raises(ButtonTooLong):  # a ':' inside a field would shift the ones after it
        b.CheckinAnswer(1, "mo:od", "happy").pack()


@pytest.mark.parametrize("data", [
    None, "", "zz", "c", "c:abc:mood:happy", "c:1:mood", "c:-1:mood:happy", "c:１:mood:happy",
    "a:ack:", "a:ack:1:2", "a:q:²", "p:", "p:called:" + "9" * 40, "m", "m:" + "x" * 70,
])
def test_forged_data_raises_the_one_exception(data: str | None) -> None:
    with pytest.raises(StaleButton):
        parse(data)


async def test_a_stale_press_gets_the_one_kind_reply_and_changes_nothing(db: Database) -> None:
    ids = await db.write(lambda s: add_family(s, guardian_tg=101))

    def press(data: str, tg: int) -> Awaitable[list[Reply]]:
        def flow(s: Store) -> list[Reply]:
            turn = met(Turn(now=NOW, default_tz="Asia/Shanghai", default_locale="zh_CN",
                            bot_username="KinBridgeBot"), s, tg)
            button = parse(data)
            if isinstance(button, b.CheckinAnswer):
                return run_turn(s, turn, lambda s, t: dialogs.answer_button(s, t, button))
            return run_turn(s, turn, lambda s, t: handle(s, t, button))
        return db.write(flow)

    for data, tg in (("c:1:mood:happy", 101),  # no check-in open
                     (f"p:called:{ids['family']}", 101)):  # a guardian pressing a parent's
        (reply,) = await press(data, tg)
        assert reply.text == translator("zh_CN")(STALE_BUTTON)
    assert await db.read(lambda s: s.calls.for_family(ids["family"])) == []
