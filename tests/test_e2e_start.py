"""End to end over HTTP: the real application polls the sandbox; a person sends /start."""

from __future__ import annotations

import re

from tests.support.handles import BotHandle, SandboxHandle
from tests.support.waiting import eventually

CHINESE = re.compile(r"[\u4e00-\u9fff]")


async def test_unknown_person_gets_a_polite_chinese_answer(bot: BotHandle, sandbox: SandboxHandle) -> None:
    sent = await sandbox.client.send(4242, "/start")
    reply = await sandbox.client.wait_reply(4242, after=sent["message"]["message_id"])
    assert CHINESE.search(reply["text"]), reply["text"]
    assert "邀请" in reply["text"]  # tells them they need an invitation

    async def logged():  # type: ignore[no-untyped-def]
        rows = await bot.db.read(lambda s: s.interactions.for_chat(4242))
        return rows if len(rows) >= 2 else None

    rows = await eventually(logged)
    assert rows is not None
    assert [(r.direction, r.kind) for r in rows] == [("in", "command"), ("out", "text")]
    assert rows[0].summary == "/start" and rows[0].tg_message_id == sent["message"]["message_id"]
    assert rows[1].tg_message_id == reply["message_id"]
    assert rows[0].person_id is None  # an unknown person leaves no person record


async def test_english_speaker_gets_english(bot: BotHandle, sandbox: SandboxHandle) -> None:
    sent = await sandbox.client.send(4343, "/help", language_code="en")
    reply = await sandbox.client.wait_reply(4343, after=sent["message"]["message_id"])
    assert "KinBridge keeps" in reply["text"]
    assert not CHINESE.search(reply["text"].replace("中文", ""))


async def test_command_menu_set_per_language(bot: BotHandle, sandbox: SandboxHandle) -> None:
    commands = await sandbox.client.commands()
    assert {"", "en", "zh"} <= set(commands)
    assert CHINESE.search(commands[""][0]["description"])
    assert not CHINESE.search(commands["en"][0]["description"])


async def test_bootstrap_admin_recorded(bot: BotHandle) -> None:
    admin = await bot.db.read(lambda s: s.people.by_telegram_user(9001))
    assert admin is not None and admin.role == "admin"


async def test_sweeps_run_as_tasks_on_the_monotonic_clock(bot: BotHandle) -> None:
    """Not APScheduler interval jobs (planned on the wall clock): see test_sweep_clock.py."""
    from scheduler.jobs import SWEEPS

    tasks = bot.application.bot_data.scheduler.tasks  # type: ignore[attr-defined]
    assert sorted(t.get_name() for t in tasks) == sorted(s.name for s in SWEEPS)
    assert {"due-work", "escalation", "silence", "log-flush"} <= {t.get_name() for t in tasks}
    assert not any(t.done() for t in tasks)
