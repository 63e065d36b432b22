"""Issue 13.6: one person flooding the bot is throttled with one kind word, loses nothing that
matters, holds nobody else up, and her 🆘 is never throttled."""

from __future__ import annotations

import asyncio

from handlers.update_order import InboundThrottle
from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.waiting import eventually

GRANDMA, CW, OTHER = 101, 201, 111


async def test_a_flood_is_throttled_with_one_kind_word_and_sos_still_goes(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    await bot.db.write(lambda s: add_family(s, guardian_tg=GRANDMA, caseworker_tg=CW))
    await bot.db.write(lambda s: add_family(s, guardian_tg=OTHER, parent_tg=112,
                                            caseworker_tg=202, village="白云村"))
    for user in (GRANDMA, CW, OTHER, 112, 202):
        await sandbox.client.user(user, f"u{user}", "zh-hans")
    await sandbox.client.limits(enabled=False)
    flood = 300
    await asyncio.gather(*[sandbox.client.send(GRANDMA, f"你好{i}") for i in range(flood)])
    await sandbox.client.send(GRANDMA, "🆘 紧急求助")
    await sandbox.client.send(OTHER, "/menu")

    async def sos_reached_caseworker() -> bool:
        return any("🔴" in (m.get("text") or "") for m in await sandbox.client.bot_messages(CW))
    assert await eventually(sos_reached_caseworker, within=30)
    assert await eventually(lambda: _replied(sandbox, OTHER), within=10)

    async def inbox_done() -> bool:
        left = await bot.db.read(lambda s: s.conn.execute(
            "SELECT COUNT(*) FROM inbox WHERE done_at IS NULL").fetchone()[0])
        return left == 0
    ok = await eventually(inbox_done, within=60)  # every update handled or throttled
    assert ok, "some updates were neither handled nor throttled"
    to_her = [m.get("text") or "" for m in await sandbox.client.bot_messages(GRANDMA)]
    kind_words = [t for t in to_her if "太快" in t]
    assert len(kind_words) == 1, to_her[:5]
    assert len(to_her) < flood // 2  # she was not answered message by message
    processor = bot.application.update_processor  # type: ignore[attr-defined]
    assert processor.throttle.throttled >= flood // 2


async def _replied(sandbox: SandboxHandle, user: int) -> bool:
    return bool(await sandbox.client.bot_messages(user))


def test_the_throttle_lets_a_burst_through_then_a_steady_pace() -> None:
    throttle = InboundThrottle(rate_per_s=0.5, burst=5)
    assert [throttle.admit(1, now=0.0) for _ in range(7)] == [True] * 5 + [False] * 2
    assert throttle.admit(2, now=0.0)  # another person is not affected
    assert throttle.admit(1, now=2.0) and not throttle.admit(1, now=2.1)
    assert throttle.should_warn(1, now=0.0) and not throttle.should_warn(1, now=5.0)
    assert throttle.should_warn(1, now=0.0 + throttle.warn_every_s + 1)


async def test_sos_does_not_wait_behind_the_persons_own_queue() -> None:
    """The 🆘 update is handled while her earlier (slow) updates are still queued."""
    from telegram import Update

    from handlers.update_order import PerPersonUpdateProcessor

    def update(update_id: int, text: str) -> Update:
        return Update.de_json({"update_id": update_id, "message": {
            "message_id": update_id, "date": 0, "text": text,
            "chat": {"id": 7, "type": "private"},
            "from": {"id": 7, "is_bot": False, "first_name": "u"}}}, None)  # type: ignore[arg-type]

    processor = PerPersonUpdateProcessor(8)
    release = asyncio.Event()
    done: list[int] = []

    async def slow(i: int) -> None:
        await release.wait()
        done.append(i)

    async def fast(i: int) -> None:
        done.append(i)

    jobs = [asyncio.create_task(processor.process_update(update(i, "你好"), slow(i)))
            for i in range(3)]
    await asyncio.sleep(0.01)
    await processor.process_update(update(99, "🆘 紧急求助"), fast(99))
    assert done == [99]
    release.set()
    await asyncio.gather(*jobs)
    assert done == [99, 0, 1, 2]
