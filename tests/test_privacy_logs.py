"""Privacy in the logs: a whole day's traffic (joining-free: check-in with free text, a voice
note, 🆘, the caseworker's alert, /forget) logged at INFO and above holds no token, no names,
no chat ids and none of the free text. The database and its WAL files are private (0600)."""

from __future__ import annotations

import logging
import os
import re
import stat

import pytest

from sandbox.server import DEFAULT_TOKEN
from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person

pytestmark = pytest.mark.reliability

GRANDMA, FATHER, CASEWORKER = 7654321, 7654322, 7654323
SECRETS = ("奶奶", "爸爸", "李主任", "小明", "青山村", "13912345678", "孩子说他不想活了",
           str(GRANDMA), str(FATHER), str(CASEWORKER), DEFAULT_TOKEN, DEFAULT_TOKEN.split(":")[1])


async def test_nothing_personal_reaches_the_logs(bot: BotHandle, sandbox: SandboxHandle,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await bot.db.write(lambda s: add_family(s, guardian_tg=GRANDMA, parent_tg=FATHER,
                                            caseworker_tg=CASEWORKER))
    grandma, cw = Person(sandbox, GRANDMA, "奶奶"), Person(sandbox, CASEWORKER, "李主任")
    for person in (grandma, cw, Person(sandbox, FATHER, "爸爸")):
        await sandbox.client.user(person.user_id, person.name, "zh-hans")
    # a 429 on the way (replies are now paced per chat, so none comes by itself): its log
    # line must hold nothing personal either
    await sandbox.client.fault("http429", count=1, chat_id=GRANDMA, retry_after=1)
    (mood,) = await grandma.say("/checkin")
    assert "心情" in mood["text"]
    await grandma.say("孩子说他不想活了，电话 13912345678")
    await grandma.voice()
    await grandma.say("/help_now", expect=1)
    await cw.read_until("🔴")
    await grandma.read_until("已经收到")  # told once it arrived: not a reply to /forget
    (confirm,) = await grandma.say("/forget")
    await grandma.press(confirm, "删掉")
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert records, "the scenario logged something"
    for record in records:
        text = record.getMessage() + (record.exc_text or "")
        for secret in SECRETS:
            assert not re.search(re.escape(secret), text), (secret, record.name, text[:200])


def test_the_database_files_are_private(tmp_path: pytest.TempPathFactory) -> None:
    import asyncio

    from db.database import Database

    async def scenario() -> dict[str, int]:
        db = await Database.open(tmp_path / "private.db")  # type: ignore[operator]
        await db.write(lambda s: add_family(s))
        modes = {p: stat.S_IMODE(os.stat(p).st_mode) for p in
                 [str(db.path)] + [f"{db.path}{x}" for x in ("-wal", "-shm")]}
        await db.close()
        return modes
    modes = asyncio.run(scenario())
    assert len(modes) == 3  # the database and, while open, its WAL and shared-memory files
    for path, mode in modes.items():
        assert mode & 0o077 == 0, (path, oct(mode))
