"""A staff invite opened by someone who cannot become staff that way (issue 13, point 16): a
family member is refused plainly, nothing changes, and the invite still works for the person
it was meant for."""

from __future__ import annotations

from db.store import Store
from flows.account.invites import create_invite
from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person

GRANDMA, NEWCOMER = 101, 3555


async def test_a_family_member_cannot_burn_a_staff_invite(bot: BotHandle,
                                                          sandbox: SandboxHandle) -> None:
    now = bot.clock.now()

    def setup(s: Store) -> str:
        add_family(s, guardian_tg=GRANDMA)
        return create_invite(s, now=now, kind="staff", role="caseworker", created_by=None,
                             invitee_name="新主任")
    code = await bot.db.write(setup)
    bot.services.forget_cached()
    grandma = Person(sandbox, GRANDMA, "奶奶")
    replies = await grandma.say(f"/start {code}")
    said = Person.texts(replies)
    # whatever she is shown, she goes on pressing "yes" and "中文" as far as it lets her
    for label in ("是", "中文"):
        last = (await sandbox.client.bot_messages(GRANDMA))[-1]
        if not (last.get("reply_markup") or {}).get("inline_keyboard"):
            break
        await grandma.press(last, label)
        said += Person.texts(await sandbox.client.bot_messages(GRANDMA))
    assert "您现在是" not in said, said
    assert "不能" in Person.texts(replies), Person.texts(replies)  # refused plainly, at once
    person = await bot.db.read(lambda s: s.people.by_telegram_user(GRANDMA))
    assert person is not None and person.role == "guardian"
    invite = await bot.db.read(lambda s: s.conn.execute(
        "SELECT used_at, used_by FROM invites").fetchone())
    assert tuple(invite) == (None, None)
    # the person it was meant for can still use it
    newcomer = Person(sandbox, NEWCOMER, "新主任")
    replies = await newcomer.say(f"/start {code}", expect=2)
    assert "孩子的情况" not in Person.texts(replies)  # not the families' consent text
    replies = await newcomer.press(replies[-1], "是")
    assert "儿童主任" in Person.texts(replies)
    joined = await bot.db.read(lambda s: s.people.by_telegram_user(NEWCOMER))
    assert joined is not None and joined.role == "caseworker"
