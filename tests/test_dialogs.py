"""The dialog registry: who may be in which dialog, which answers each takes, and that a pressed
option counts only at its own step. Real SQLite file, real flows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from db.database import Database
from db.store import Store
from flows import dialogs
from flows.account import account
from flows.core.answering import run_turn
from flows.core.buttons import SettingsAnswer, StaleButton
from flows.core.turn import Turn
from flows.core.ui import Reply
from flows.dialogs import DIALOGS, Answer
from flows.staff import family_file
from tests.support.families import add_family
from tests.support.presses import met

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
GRANDMA, STRANGER = 101, 999


def turn(store: Store, tg: int) -> Turn:
    return met(Turn(now=NOW, default_tz="Asia/Shanghai", default_locale="zh_CN",
                    bot_username="KinBridgeBot"), store, tg)


def test_every_dialog_kind_is_declared_once_with_its_own_button_family() -> None:
    families = [d.button for d in DIALOGS.values() if d.button is not None]
    assert len(families) == len(set(families))
    assert all(kind == d.kind for kind, d in DIALOGS.items())


def answered(tg: int, kind: str, step: str, given: Answer):  # type: ignore[no-untyped-def]
    """A transaction: ``tg`` is in dialog ``kind`` at ``step`` and answers ``given``; gives
    (the replies, the step the dialog is at afterwards or None if it ended)."""
    def flow(s: Store) -> tuple[list[Reply] | None, str | None]:
        s.dialogs.put(tg, kind, step, {"children": []}, now="x")
        dialog = s.dialogs.get(tg)
        assert dialog is not None
        replies = dialogs.answer(s, turn(s, tg), dialog, given)
        kept = s.dialogs.get(tg)
        return replies, kept.step if kept else None
    return flow


async def test_a_guardian_in_a_staff_dialog_is_taken_out_of_it(db: Database) -> None:
    await db.write(lambda s: add_family(s, guardian_tg=GRANDMA))
    assert await db.write(answered(GRANDMA, family_file.KIND, "village",
                                   Answer(text="青山村"))) == (None, None)


async def test_a_stranger_in_a_members_dialog_is_taken_out_of_it(db: Database) -> None:
    assert await db.write(answered(STRANGER, account.SETTINGS, "menu",
                                   Answer(text="1"))) == (None, None)


async def test_a_voice_note_goes_only_to_dialogs_that_take_one(db: Database) -> None:
    await db.write(lambda s: add_family(s, guardian_tg=GRANDMA))
    # passed on to the general handling; the settings stay where they were
    assert await db.write(answered(GRANDMA, account.SETTINGS, "menu",
                                   Answer(voice=(GRANDMA, 5)))) == (None, "menu")


async def test_an_option_counts_only_at_its_own_step(db: Database) -> None:
    await db.write(lambda s: add_family(s, guardian_tg=GRANDMA))

    def flow(s: Store) -> list[Reply]:
        s.dialogs.put(GRANDMA, account.SETTINGS, "menu", {}, now="x")
        with pytest.raises(StaleButton):  # the language question is not the one open
            dialogs.answer_button(s, turn(s, GRANDMA), SettingsAnswer("language", "en"))
        return run_turn(s, turn(s, GRANDMA),
                        lambda s, t: dialogs.answer_button(s, t, SettingsAnswer("menu", "language")))
    (reply,) = await db.write(flow)
    assert "语言" in reply.text
