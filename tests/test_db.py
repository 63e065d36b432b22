import asyncio
import sqlite3
import stat
from pathlib import Path

import pytest

from db.database import Database
from db.interactions import Interaction
from db.migrations import SCHEMA_VERSION

NOW = "2026-11-23T01:00:00.000000Z"


async def test_file_is_private_and_schema_current(tmp_path: Path) -> None:
    path = tmp_path / "kb.db"
    db = await Database.open(path)
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        version = await db.raw_write(lambda c: c.execute("PRAGMA user_version").fetchone()[0])
        assert version == SCHEMA_VERSION
        mode = await db.raw_write(lambda c: c.execute("PRAGMA journal_mode").fetchone()[0])
        assert mode == "wal"
        fk = await db.raw_write(lambda c: c.execute("PRAGMA foreign_keys").fetchone()[0])
        assert fk == 1
    finally:
        await db.close()
    # reopening does not migrate again and keeps data
    db = await Database.open(path)
    assert await db.migrate() == SCHEMA_VERSION
    await db.close()


async def test_failed_transaction_rolls_back_only_itself(db: Database) -> None:
    """Many concurrent writers on the one connection; a failing one undoes nothing of others."""

    async def good(i: int) -> None:
        await db.write(lambda s: s.people.add(role="guardian", now=NOW, display_name=f"g{i}"))

    async def bad(i: int) -> None:
        def work(s):  # type: ignore[no-untyped-def]
            s.people.add(role="parent", now=NOW, display_name=f"bad{i}")
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await db.write(work)

    before = db.batches
    await asyncio.gather(*(good(i) if i % 3 else bad(i) for i in range(90)))
    names = await db.read(lambda s: [p.display_name for p in s.people.with_role("guardian")])
    assert len(names) == 60
    assert await db.read(lambda s: s.people.with_role("parent")) == []
    assert db.batches - before < 90  # group commit: concurrent writes shared transactions


async def test_the_log_rides_along_and_survives_a_failing_write(db: Database) -> None:
    from db.interactions import Interaction

    pending = [Interaction(at=NOW, person_id=None, family_id=None, direction="in", kind="text")]

    def ride_along(store):  # type: ignore[no-untyped-def]
        store.interactions.add_many(pending)
        pending.clear()
    db.with_every_batch = ride_along

    def fails(s):  # type: ignore[no-untyped-def]
        s.people.add(role="parent", now=NOW, display_name="x")
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError):
        await db.write(fails)
    assert await db.read(lambda s: s.interactions.count()) == 1  # written though the write failed
    assert await db.read(lambda s: s.people.count()) == 0


async def test_foreign_keys_enforced(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await db.write(lambda s: s.families.add_member(999, 999, "grandmother", now=NOW))


async def test_family_records_round_trip(db: Database) -> None:
    def seed(s):  # type: ignore[no-untyped-def]
        cw = s.people.add(role="caseworker", now=NOW, display_name="李主任", tg_user_id=20)
        grandma = s.people.add(role="guardian", now=NOW, display_name="奶奶", tg_user_id=10)
        fam = s.families.add(village="青山村", now=NOW, caseworker_id=cw)
        s.families.add_child(fam, name="小明", now=NOW, birth_month="2016-03", grade="三年级")
        s.families.add_member(fam, grandma, "grandmother", now=NOW)
        return fam, grandma, cw

    fam, grandma, cw = await db.write(seed)
    children = await db.read(lambda s: s.families.children(fam))
    assert [c.name for c in children] == ["小明"]
    assert await db.read(lambda s: s.families.caseworker_of_person(grandma)) == cw
    person = await db.read(lambda s: s.people.by_telegram_user(10))
    assert person is not None and person.role == "guardian" and person.status == "active"
    with pytest.raises(sqlite3.IntegrityError):
        await db.write(lambda s: s.people.add(role="grandmother", now=NOW))


async def test_interaction_summaries_are_short(db: Database) -> None:
    await db.write(lambda s: s.interactions.add(
        Interaction(at=NOW, person_id=None, family_id=None, direction="in", kind="text",
                    summary="字" * 5000, tg_chat_id=5)))
    rows = await db.read(lambda s: s.interactions.for_chat(5))
    assert len(rows) == 1 and rows[0].summary is not None and len(rows[0].summary) <= 200


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        await Database.open(path)


async def test_the_dead_conversation_table_and_reminder_rows_are_dropped(tmp_path: Path) -> None:
    """Issue 15.7: an existing database loses the PTB persistence table and any schedule row of
    the removed generic "reminder" kind; other schedules stay."""
    from db.migrations import MIGRATIONS

    path = tmp_path / "old.db"
    drop = next(i for i, m in enumerate(MIGRATIONS) if any("conversation_states" in s and
                                                            s.startswith("DROP") for s in m))
    conn = sqlite3.connect(path)
    for statements in MIGRATIONS[:drop]:  # the database as the release before this one left it
        for statement in statements:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {drop}")
    conn.execute("INSERT INTO people (role, created_at) VALUES ('parent', ?)", (NOW,))
    for kind in ("reminder", "call_reminder"):
        conn.execute("INSERT INTO schedules (person_id, kind, next_run_at, created_at) "
                     "VALUES (1, ?, ?, ?)", (kind, NOW, NOW))
    conn.execute("INSERT INTO conversation_states (name, key, state) VALUES ('x', '[1]', '1')")
    conn.commit()
    conn.close()
    db = await Database.open(path)
    try:
        tables = await db.raw_write(lambda c: [r[0] for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()])
        kinds = await db.raw_write(lambda c: [r[0] for r in c.execute(
            "SELECT kind FROM schedules").fetchall()])
    finally:
        await db.close()
    assert "conversation_states" not in tables
    assert kinds == ["call_reminder"]


async def test_an_open_sos_dialog_keeps_its_place_across_the_kind_rename(tmp_path: Path) -> None:
    """The 🆘 dialog's kind was "help" (easily taken for /help, the manual); a 🆘 open while the
    bot is upgraded must still be an 🆘 afterwards (branch shape)."""
    from db.migrations import MIGRATIONS
    from flows.guardian import sos

    rename = next(i for i, steps in enumerate(MIGRATIONS) if any("'help'" in s for s in steps))
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for steps in MIGRATIONS[:rename]:
        for statement in steps:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {rename}")
    conn.execute("INSERT INTO dialogs (tg_user_id, kind, step, data, updated_at) "
                 "VALUES (7, 'help', 'more', '{}', ?)", (NOW,))
    conn.close()
    db = await Database.open(path)
    try:
        kind = await db.raw_write(
            lambda c: c.execute("SELECT kind FROM dialogs WHERE tg_user_id = 7").fetchone()[0])
    finally:
        await db.close()
    assert kind == sos.KIND == "sos"


async def test_roles_and_statuses_come_back_as_enums(db: Database) -> None:
    from db.models import PersonStatus, Role

    person = await db.write(lambda s: (s.people.ensure_admin(9001, now=NOW, locale="zh_CN",
                                                             tz="Asia/Shanghai"),
                                       s.people.by_telegram_user(9001))[1])
    assert person is not None
    assert person.role is Role.ADMIN and person.status is PersonStatus.ACTIVE
    assert person.role == "admin" and person.is_staff  # still equal to the stored string
