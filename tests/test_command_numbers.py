"""Numbers in commands and buttons: "²", "①" and other Unicode digits pass str.isdigit() but
not int(); each must get the same kind usage reply as any other bad number, never the apology."""

from __future__ import annotations

import logging

import pytest

from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person

CW, ADMIN = 201, 9001  # the bot fixture makes 9001 an admin
APOLOGY = "出了点问题"


@pytest.mark.parametrize("digit", ["²", "①", "٣"])
async def test_unicode_digits_in_command_arguments_get_a_kind_reply(
        bot: BotHandle, sandbox: SandboxHandle, digit: str,
        caplog: pytest.LogCaptureFixture) -> None:
    await bot.db.write(lambda s: add_family(s, caseworker_tg=CW))
    cw, boss = Person(sandbox, CW, "李主任"), Person(sandbox, ADMIN, "管理员")
    caplog.set_level(logging.ERROR)
    for command in (f"/family {digit}", f"/case {digit}", f"/case 1 {digit}",
                    f"/note {digit} 去家访了", f"/alerts {digit}"):
        (answer,) = await cw.say(command)
        assert APOLOGY not in answer["text"], (command, answer["text"])
    (answer,) = await boss.say(f"/assign {digit} 1")
    assert APOLOGY not in answer["text"]
    (menu,) = await cw.say("/menu")
    await sandbox.client.press(CW, menu["message_id"], f"a:ack:{digit}")
    (answer,) = await cw.read()
    assert APOLOGY not in answer["text"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
