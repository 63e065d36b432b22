"""At DEBUG, PTB logs whole updates and API calls (names, texts, phone numbers, chat ids): the
log is redacted whatever the level (issue 13, point 13)."""

from __future__ import annotations

import logging

import pytest

from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person

GRANDMA, CASEWORKER = 101, 201
SECRETS = ("王秀英", "孩子在河边玩水", "13812345678")


async def test_debug_logging_holds_no_names_texts_or_numbers(
        bot: BotHandle, sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture) -> None:
    await bot.db.write(lambda s: add_family(s, guardian_tg=GRANDMA, caseworker_tg=CASEWORKER))
    grandma = Person(sandbox, GRANDMA, "王秀英")
    await sandbox.client.user(GRANDMA, "王秀英", "zh-hans")
    caplog.set_level(logging.DEBUG)
    for name in ("telegram", "httpx", "httpcore", "apscheduler", "aiohttp"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        await grandma.say("孩子在河边玩水，电话13812345678")
        await grandma.say("/checkin")
    finally:
        for name in ("telegram", "httpx", "httpcore", "apscheduler", "aiohttp"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(debug) > 20, "DEBUG was really on"
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in SECRETS:
        assert secret not in text
    assert f"'id': {GRANDMA}" not in text and f"chat_id={GRANDMA}" not in text
