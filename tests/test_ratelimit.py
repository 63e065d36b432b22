"""Issue 13.6: direct replies are paced per chat, and one chat's 429 waits only in that chat."""

from __future__ import annotations

import asyncio

from telegram.ext import ExtBot

from scheduler.aiohttp_request import AiohttpRequest
from scheduler.pacer import Pacer
from scheduler.ratelimit import SharedRateLimiter
from tests.support.handles import SandboxHandle
from tests.support.waiting import eventually


async def _refused(sandbox: SandboxHandle) -> bool:
    return bool((await sandbox.client.stats())["http_429"])


async def reply_bot(sandbox: SandboxHandle, pacer: Pacer) -> ExtBot[SharedRateLimiter]:
    bot = ExtBot(sandbox.sandbox.token, base_url=f"{sandbox.url}/bot", request=AiohttpRequest(),
                 rate_limiter=SharedRateLimiter(pacer))
    await bot.initialize()
    return bot


async def test_a_burst_of_replies_to_one_chat_is_paced_not_refused(sandbox: SandboxHandle) -> None:
    await sandbox.client.limits(private_burst=5)  # Telegram's tolerance: a short burst, then 1/s
    await sandbox.client.user(5100, "x")
    bot = await reply_bot(sandbox, Pacer(30.0))
    try:
        await asyncio.gather(*[bot.send_message(5100, f"r{i}") for i in range(8)])
    finally:
        await bot.shutdown()
    records = await sandbox.client.sent()
    assert len(records) == 8
    assert (await sandbox.client.stats())["http_429"] == 0


async def test_one_chats_retry_after_does_not_hold_other_chats_replies(
        sandbox: SandboxHandle) -> None:
    await sandbox.client.limits(enabled=False)
    for chat in (5200, 5201, 5202):
        await sandbox.client.user(chat, "x")
    await sandbox.client.fault("chat429", chat_id=5200, seconds=3.0, retry_after=3)
    pacer = Pacer(30.0)
    bot = await reply_bot(sandbox, pacer)
    try:
        slow = asyncio.create_task(bot.send_message(5200, "slow"))
        assert await eventually(lambda: _refused(sandbox), within=10)
        await bot.send_message(5201, "b1")
        await bot.send_message(5202, "b2")
        assert pacer.paused_for == 0.0
        await slow
    finally:
        await bot.shutdown()
    order = [r["text"] for r in await sandbox.client.sent()]
    assert order == ["b1", "b2", "slow"]
