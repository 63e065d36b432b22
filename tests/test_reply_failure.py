"""A direct reply that fails is not lost (issue 13, point 4).

The answer is committed before the reply is sent; when the Bot API then fails (5xx, a dropped
connection), the reply goes to the outbox in a follow-up transaction and the sender delivers it
when the channel is back. The guardian never answers a question she did not see: her next typed
message after such a failure brings the current question again instead of being taken as its
answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person
from tests.support.waiting import eventually

pytestmark = pytest.mark.reliability

GRANDMA, CASEWORKER = 101, 201


@pytest.mark.parametrize("kind", ["http500", "drop"])
async def test_a_failed_reply_reaches_her_through_the_outbox(bot: BotHandle,
                                                             sandbox: SandboxHandle,
                                                             kind: str) -> None:
    await bot.db.write(lambda s: add_family(s, guardian_tg=GRANDMA, caseworker_tg=CASEWORKER))
    grandma = Person(sandbox, GRANDMA, "奶奶")
    await sandbox.client.user(GRANDMA, "奶奶", "zh-hans")
    (mood,) = await grandma.say("/checkin")
    # the next reply to her fails once: the answer is stored, the question must still come
    await sandbox.client.fault(kind, method="sendMessage", chat_id=GRANDMA, count=1)
    (health,) = await grandma.press(mood, "开心")
    assert "身体" in health["text"] and health.get("reply_markup"), health

    async def deferred() -> list[tuple[str, int]]:
        rows = await bot.db.read(lambda s: s.conn.execute(
            "SELECT status, lane FROM outbox WHERE dedupe_key LIKE 'reply:%'").fetchall())
        return [tuple(r) for r in rows]
    assert await eventually(lambda: _delivered(deferred)) == [("delivered", 1)]
    row = await bot.db.read(lambda s: s.checkins.for_family(1)[-1])
    assert row.mood == "happy" and row.health is None

    # her next message after the failure: the question again, not an answer to it
    (again,) = await grandma.say("好")
    assert "身体" in again["text"]
    row = await bot.db.read(lambda s: s.checkins.for_family(1)[-1])
    assert row.health is None, "a question she may not have seen is not answered for her"
    (school,) = await grandma.say("好")
    assert "身体" not in school["text"]
    row = await eventually(lambda: _health(bot))
    assert row == "well"


async def test_risk_words_after_a_failure_are_still_passed_on(bot: BotHandle,
                                                              sandbox: SandboxHandle) -> None:
    await bot.db.write(lambda s: add_family(s, guardian_tg=GRANDMA, caseworker_tg=CASEWORKER))
    grandma, cw = Person(sandbox, GRANDMA, "奶奶"), Person(sandbox, CASEWORKER, "李主任")
    for person in (grandma, cw):
        await sandbox.client.user(person.user_id, person.name, "zh-hans")
    (mood,) = await grandma.say("/checkin")
    await sandbox.client.fault("http500", method="sendMessage", chat_id=GRANDMA, count=1)
    await grandma.press(mood, "开心")
    await grandma.say("孩子被打了，身上都是伤")
    assert "打" in await cw.read_until("打")


async def _delivered(rows: Callable[[], Awaitable[list[tuple[str, int]]]]
                     ) -> list[tuple[str, int]] | None:
    found = await rows()
    return found if found and all(r[0] == "delivered" for r in found) else None


async def _health(bot: BotHandle) -> str | None:
    row = await bot.db.read(lambda s: s.checkins.for_family(1)[-1])
    return row.health
