"""Declining consent keeps nothing and ends the exchange (a guardian joining, a caseworker
building a family file), and invite codes are stored only as hashes (issue 15.9: these could
not fail before)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from db.database import Database
from db.store import Store
from flows.account.invites import check_code, create_invite
from flows.account.joining import answer_join, begin_join
from flows.core.ui import FlowContext, Reply
from flows.staff.family_file import answer_family, begin_new_family
from tests.support.families import add_family

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
CTX = FlowContext(now=START, default_tz="Asia/Shanghai", default_locale="zh_CN",
                  bot_username="KinBridgeBot")
NEWCOMER = 555


def _counts(s: Store) -> dict[str, int]:
    return {t: s.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("people", "families", "children", "memberships")}


async def _invite(db: Database) -> tuple[dict[str, int], str]:
    ids = await db.write(add_family)
    code = await db.write(lambda s: create_invite(
        s, now=START, kind="family", role="guardian", created_by=ids["caseworker"],
        family_id=ids["family"], relation="grandmother", invitee_name="王奶奶"))
    return ids, code


async def _answer_join(db: Database, value: str) -> list[Reply]:
    def answer(s: Store) -> list[Reply]:
        dialog = s.dialogs.get(NEWCOMER)
        assert dialog is not None and dialog.kind == "join"
        return answer_join(s, CTX, dialog, chat_id=NEWCOMER, first_name="王奶奶", value=value)
    return await db.write(answer)


async def test_a_guardian_who_declines_keeps_nothing_and_the_invite_stays_usable(
        db: Database) -> None:
    _ids, code = await _invite(db)
    before = await db.read(_counts)
    await db.write(lambda s: begin_join(s, CTX, tg_user_id=NEWCOMER, code=code))
    await _answer_join(db, "y")  # "您是小明的奶奶，对吗？" first, then the consent
    (reply,) = await _answer_join(db, "n")
    assert "没有保存" in reply.text and not reply.buttons  # she is told, and not asked on
    assert await db.read(lambda s: s.dialogs.get(NEWCOMER)) is None  # the exchange ended
    assert await db.read(_counts) == before
    assert await db.read(lambda s: s.people.by_telegram_user(NEWCOMER)) is None
    audit = await db.read(lambda s: [r[0] for r in s.conn.execute(
        "SELECT action FROM audit_log").fetchall()])
    assert "consent_given" not in audit
    # she may change her mind: the same invitation still opens
    check = await db.write(lambda s: check_code(s, tg_user_id=NEWCOMER, code=code, now=START))
    assert check.outcome == "ok" and check.invite is not None and check.invite.used_at is None


async def test_a_guardian_who_agrees_goes_on_to_the_next_question(db: Database) -> None:
    """The counterpart, so the test above cannot pass by ending every exchange."""
    _ids, code = await _invite(db)
    await db.write(lambda s: begin_join(s, CTX, tg_user_id=NEWCOMER, code=code))
    await _answer_join(db, "y")  # "您是小明的奶奶，对吗？"
    (reply,) = await _answer_join(db, "y")
    dialog = await db.read(lambda s: s.dialogs.get(NEWCOMER))  # no language question: Chinese
    assert dialog is not None and dialog.step == "checkin_time" and reply.buttons
    assert dialog.data.get("consent_at")


async def _new_family_up_to_consent(db: Database) -> int:
    ids = await db.write(add_family)

    def run(s: Store, *, text: str | None = None, value: str | None = None) -> list[Reply]:
        person = s.people.get(ids["caseworker"])
        assert person is not None
        dialog = s.dialogs.get(201)
        assert dialog is not None
        return answer_family(s, CTX, person, dialog, text=text, value=value)

    def begin(s: Store) -> list[Reply]:
        person = s.people.get(ids["caseworker"])
        assert person is not None
        return begin_new_family(s, CTX, person, 201)
    await db.write(begin)
    for text in ("白云村", "小芳", "2015-05", "-", "-"):
        await db.write(lambda s, t=text: run(s, text=t))
    await db.write(lambda s: run(s, value="n"))  # no more children
    dialog = await db.read(lambda s: s.dialogs.get(201))
    assert dialog is not None and dialog.step == "consent", dialog
    return ids["caseworker"]


async def test_a_caseworker_without_the_guardians_consent_saves_no_family(db: Database) -> None:
    caseworker = await _new_family_up_to_consent(db)
    before = await db.read(_counts)

    def decline(s: Store) -> list[Reply]:
        person, dialog = s.people.get(caseworker), s.dialogs.get(201)
        assert person is not None and dialog is not None
        return answer_family(s, CTX, person, dialog, value="n")
    (reply,) = await db.write(decline)
    assert "没有保存" in reply.text, reply.text
    assert await db.read(_counts) == before
    assert await db.read(lambda s: s.conn.execute(
        "SELECT COUNT(*) FROM children WHERE name = '小芳'").fetchone()[0]) == 0
    assert await db.read(lambda s: s.dialogs.get(201)) is None


async def test_with_consent_the_family_file_is_saved(db: Database) -> None:
    """The counterpart of the refusal above."""
    caseworker = await _new_family_up_to_consent(db)

    def agree(s: Store) -> list[Reply]:
        person, dialog = s.people.get(caseworker), s.dialogs.get(201)
        assert person is not None and dialog is not None
        return answer_family(s, CTX, person, dialog, value="y")
    await db.write(agree)
    assert await db.read(lambda s: s.conn.execute(
        "SELECT COUNT(*) FROM children WHERE name = '小芳'").fetchone()[0]) == 1


async def test_invite_codes_are_stored_only_as_hashes(db: Database) -> None:
    _ids, code = await _invite(db)
    rows = await db.read(lambda s: [dict(r) for r in s.conn.execute(
        "SELECT * FROM invites").fetchall()])
    (row,) = rows
    stored = " ".join(str(v) for v in row.values())
    assert code not in stored and code.lower() not in stored
    assert row["code_hash"] == hashlib.sha256(code.encode()).hexdigest()
    # the code still opens the invitation, as typed by hand (spaces, lower case)
    found = await db.read(lambda s: s.invites.by_code(f"  {code.lower()} "))
    assert found is not None and found.id == row["id"]
