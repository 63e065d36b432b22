"""Risk heard wherever text arrives, through the real application over the sandbox (issue 14,
points 4 and 5): typed in the middle of joining or settings, a photo caption during a check-in,
an edited message, the words after 🆘; normal topics shown on the forwarded message and counted
in the weekly message and the digest, without an alert."""

from __future__ import annotations

from flows.account.invites import create_invite
from flows.parent.weekly import weekly_text
from flows.staff.digest import digest_text
from tests.support.families import add_family
from tests.support.handles import BotHandle, SandboxHandle
from tests.support.people import Person
from tests.support.waiting import eventually

GRANDMA, FATHER, CASEWORKER, GRANDPA = 101, 102, 201, 103


async def family(sandbox: SandboxHandle, bot: BotHandle) -> tuple[Person, Person, dict[str, int]]:
    ids = await bot.db.write(lambda s: add_family(s, guardian_tg=GRANDMA, parent_tg=FATHER,
                                                  caseworker_tg=CASEWORKER))
    grandma, caseworker = Person(sandbox, GRANDMA, "奶奶"), Person(sandbox, CASEWORKER, "李主任")
    for person in (grandma, caseworker):
        await sandbox.client.user(person.user_id, person.name, "zh-hans")
    return grandma, caseworker, ids


async def alerts(bot: BotHandle) -> list[tuple[str, str]]:
    return [(a.rule, a.severity) for a in await bot.db.read(lambda s: s.alerts.all())]


async def test_risk_typed_while_joining_is_heard_and_joining_goes_on(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    _grandma, caseworker, ids = await family(sandbox, bot)
    now = bot.clock.now()
    code = await bot.db.write(lambda s: create_invite(
        s, now=now, kind="family", role="guardian", created_by=ids["caseworker"],
        family_id=ids["family"], relation="grandfather"))
    grandpa = Person(sandbox, GRANDPA, "爷爷")
    await grandpa.say(f"/start {code}", expect=2)
    (thanks, go_on) = await grandpa.say("孩子从昨晚到现在都没回家 到处找不到", expect=2)
    assert "转告负责孩子的工作人员" in thanks["text"] and "上面的问题" in go_on["text"]
    assert "不见了或找不到" in await caseworker.read_until("🔴")
    assert await alerts(bot) == [("missing", "urgent")]
    dialog = await bot.db.read(lambda s: s.dialogs.get(GRANDPA))
    assert dialog is not None and (dialog.kind, dialog.step) == ("join", "confirm")
    (consent,) = await grandpa.say("对")  # the exchange goes on where it stopped
    assert "儿童主任" in consent["text"] and "可以吗" in consent["text"]


async def test_risk_beats_an_exchange_and_stop(bot: BotHandle, sandbox: SandboxHandle) -> None:
    grandma, caseworker, _ids = await family(sandbox, bot)
    await grandma.say("/settings")
    (thanks, _go_on) = await grandma.say("别再发了 孩子说他不想活了", expect=2)
    assert "转告负责孩子的工作人员" in thanks["text"]
    assert "自伤或轻生" in await caseworker.read_until("🔴")
    person = await bot.db.read(lambda s: s.people.by_telegram_user(GRANDMA))
    assert person is not None and person.status == "active"


async def test_a_caption_during_a_check_in_raises_its_alert(bot: BotHandle,
                                                            sandbox: SandboxHandle) -> None:
    grandma, caseworker, _ids = await family(sandbox, bot)
    await grandma.say("/checkin")
    await sandbox.client.photo(GRANDMA, caption="孙子爬树摔下来了 胳膊肿得老高")
    (thanks, _go_on) = await grandma.read(expect=2)
    assert "转告负责孩子的工作人员" in thanks["text"]
    assert "受伤" in await caseworker.read_until("🟠")
    assert await alerts(bot) == [("injury", "high")]
    dialog = await bot.db.read(lambda s: s.dialogs.get(GRANDMA))
    assert dialog is not None and (dialog.kind, dialog.step) == ("checkin", "mood")


async def test_an_edited_message_is_read_again(bot: BotHandle, sandbox: SandboxHandle) -> None:
    grandma, caseworker, _ids = await family(sandbox, bot)
    sent = await sandbox.client.send(GRANDMA, "今天孩子挺好的，吃了两碗饭", first_name="奶奶")
    await grandma.read()
    assert await alerts(bot) == []
    await sandbox.client.edit(GRANDMA, sent["message"]["message_id"], "孩子割了自己的手腕，流了好多血")
    (reply,) = await grandma.read()
    assert "转告负责孩子的工作人员" in reply["text"]
    assert "自伤或轻生" in await caseworker.read_until("🔴")
    assert ("self_harm", "urgent") in await alerts(bot)


async def test_words_after_sos_follow_the_alert_and_raise_their_class(
        bot: BotHandle, sandbox: SandboxHandle) -> None:
    grandma, caseworker, _ids = await family(sandbox, bot)
    (question,) = await grandma.say("🆘 孩子被一个陌生人骗上车带走了")
    assert "危险" in question["text"]
    found = await alerts(bot)
    assert ("sos", "urgent") in found and ("missing", "urgent") in found
    assert "陌生人骗上车" in await caseworker.read_until("陌生人骗上车")


async def test_a_normal_topic_is_shown_and_counted_not_alerted(bot: BotHandle,
                                                               sandbox: SandboxHandle) -> None:
    grandma, _caseworker, ids = await family(sandbox, bot)
    (reply,) = await grandma.say("孩子这两天发烧咳嗽 村医开了药")
    assert "转给负责孩子的工作人员" in reply["text"]  # passed on, not alerted
    # passed on through the outbox (it waits for the caseworker's quiet hours to end)
    queued = await bot.db.read(lambda s: [row[0] for row in s.conn.execute(
        "SELECT payload FROM outbox WHERE chat_id = ?", (CASEWORKER,))])
    assert any("话题：生病" in payload and "发烧" in payload for payload in queued)
    assert await alerts(bot) == []
    now = bot.clock.now()

    async def counted() -> bool:
        return await bot.db.write(lambda s: "生病 ×1" in weekly_text(
            s, s.people.get(ids["parent"]), ids["family"], now))  # type: ignore[arg-type]
    assert await eventually(counted)
    digest = await bot.db.read(lambda s: digest_text(
        s, s.people.get(ids["caseworker"]), now))  # type: ignore[arg-type]
    assert "生病 ×1" in digest

