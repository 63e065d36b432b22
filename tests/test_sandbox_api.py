"""The sandbox speaks the Bot API closely enough that a real PTB Bot parses every answer,
and refuses what Telegram refuses (a wrong shape fails here, not patched in the bot)."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.request import HTTPXRequest

from sandbox.server import DEFAULT_TOKEN
from tests.support.handles import SandboxHandle


@pytest.fixture
async def ptb_bot(sandbox: SandboxHandle):  # type: ignore[no-untyped-def]
    bot = Bot(DEFAULT_TOKEN, base_url=f"{sandbox.url}/bot", base_file_url=f"{sandbox.url}/file/bot",
              request=HTTPXRequest(connection_pool_size=8, read_timeout=5))
    async with bot:
        yield bot


async def test_get_me_and_commands(ptb_bot: Bot, sandbox: SandboxHandle) -> None:
    me = await ptb_bot.get_me()
    assert me.is_bot and me.username == "KinBridgeSandboxBot"
    assert await ptb_bot.set_my_commands([("start", "开始")], language_code="zh")
    commands = await ptb_bot.get_my_commands(language_code="zh")
    assert [c.command for c in commands] == ["start"]
    with pytest.raises(BadRequest):
        await ptb_bot.set_my_commands([("Bad Command", "x")])


async def test_messages_buttons_edits_and_callbacks(ptb_bot: Bot, sandbox: SandboxHandle) -> None:
    client = sandbox.client
    await client.send(501, "hello 👋")
    updates = await ptb_bot.get_updates(timeout=1)
    assert updates[0].message is not None and updates[0].message.text == "hello 👋"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("😊", callback_data="m:1")]])
    sent = await ptb_bot.send_message(501, "<b>今天</b>心情？", parse_mode="HTML",
                                      reply_markup=keyboard)
    assert isinstance(sent, Message) and sent.text == "今天心情？"
    assert sent.reply_markup is not None
    pressed = await client.press(501, sent.message_id, "m:1")
    updates = await ptb_bot.get_updates(offset=updates[-1].update_id + 1, timeout=1)
    query = updates[0].callback_query
    assert query is not None and query.data == "m:1" and query.from_user.id == 501
    assert query.id == pressed["callback_query_id"]
    assert await query.get_bot().answer_callback_query(query.id, text="谢谢")
    edited = await ptb_bot.edit_message_text("谢谢！", chat_id=501, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.text == "谢谢！"
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await ptb_bot.edit_message_text("谢谢！", chat_id=501, message_id=sent.message_id)
    # confirmed updates are gone
    rest = await ptb_bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    assert rest == ()
    chat = await client.messages(501)
    assert [m["text"] for m in chat] == ["hello 👋", "谢谢！"]


async def test_commands_carry_entities(ptb_bot: Bot, sandbox: SandboxHandle) -> None:
    await sandbox.client.send(502, "/start abc123")
    (update,) = await ptb_bot.get_updates(timeout=1)
    assert update.message is not None
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start")


async def test_files_voice_forward_and_copy(ptb_bot: Bot, sandbox: SandboxHandle) -> None:
    client = sandbox.client
    await client.limits(enabled=False)
    await client.user(601, "主任")
    voice = await client.voice(600, duration=5)
    photo = await ptb_bot.send_photo(601, photo=b"\x89PNG\r\n\x1a\nfake", caption="二维码")
    assert photo.photo and photo.caption == "二维码"
    document = await ptb_bot.send_document(601, document=b"a,b\n1,2\n", filename="export.csv")
    assert document.document is not None and document.document.file_name == "export.csv"
    sent_voice = await ptb_bot.send_voice(601, voice=voice["message"]["voice"]["file_id"])
    assert sent_voice.voice is not None
    forwarded = await ptb_bot.forward_message(601, from_chat_id=600,
                                              message_id=voice["message"]["message_id"])
    assert forwarded.voice is not None and forwarded.forward_origin is not None
    copied = await ptb_bot.copy_message(601, from_chat_id=600,
                                        message_id=voice["message"]["message_id"])
    assert copied.message_id > forwarded.message_id
    file = await ptb_bot.get_file(document.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"


async def test_refusals_like_telegram(ptb_bot: Bot, sandbox: SandboxHandle) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await ptb_bot.send_message(999_999, "hi")
    await sandbox.client.user(700, "x")
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await ptb_bot.send_message(700, "字" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)parse entities"):
        await ptb_bot.send_message(700, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await ptb_bot.send_message(700, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("x", callback_data="d" * 65)]]))
    with pytest.raises(BadRequest, match=r"(?i)empty"):
        await ptb_bot.send_message(700, "   ")


async def test_rate_limits_answer_429(ptb_bot: Bot, sandbox: SandboxHandle) -> None:
    await sandbox.client.user(800, "x")
    await sandbox.client.limits(private_burst=1)
    await ptb_bot.send_message(800, "one")
    with pytest.raises(RetryAfter) as info:
        await ptb_bot.send_message(800, "two")
    assert info.value.retry_after.total_seconds() >= 1
    # overall 30/s: 40 distinct chats at once, some refused
    await sandbox.client.limits(private_burst=3)
    for uid in range(900, 940):
        await sandbox.client.user(uid, "x")
    results = await asyncio.gather(*(ptb_bot.send_message(uid, "hi") for uid in range(900, 940)),
                                   return_exceptions=True)
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert 5 <= len(refused) <= 12
    stats = await sandbox.client.stats()
    assert stats["http_429"] == len(refused) + 1


async def test_injected_faults(ptb_bot: Bot, sandbox: SandboxHandle) -> None:
    client = sandbox.client
    await client.user(810, "x")
    await client.block(810)
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await ptb_bot.send_message(810, "hi")
    await client.block(810, blocked=False)
    await client.fault("http500", method="sendMessage")
    with pytest.raises(NetworkError):
        await ptb_bot.send_message(810, "hi")
    await client.fault("drop", method="sendMessage")
    with pytest.raises(NetworkError):
        await ptb_bot.send_message(810, "hi")
    await client.fault("http429", method="sendMessage", retry_after=3)
    with pytest.raises(RetryAfter):
        await ptb_bot.send_message(810, "hi")
    await client.fault("slow", method="sendMessage", delay=0.5)
    delivered = await ptb_bot.send_message(810, "slow but fine")
    assert delivered.text == "slow but fine"
    sent = await client.sent()
    assert [s["text"] for s in sent] == ["slow but fine"]  # nothing from the failed attempts


async def test_unknown_token_and_method(sandbox: SandboxHandle) -> None:
    from telegram.error import InvalidToken

    bot = Bot("1:wrong", base_url=f"{sandbox.url}/bot")
    with pytest.raises(InvalidToken):
        await bot.get_me()
    good = Bot(DEFAULT_TOKEN, base_url=f"{sandbox.url}/bot")
    async with good:
        with pytest.raises(Exception, match=r"(?i)ot Found|not found"):
            await good.do_api_request("noSuchMethod")


async def test_the_sandbox_is_loopback_only_and_refuses_run_mode(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sandbox.server import start_sandbox as start

    with pytest.raises(ValueError):
        await start("0.0.0.0", 0)
    monkeypatch.setenv("KINBRIDGE_MODE", "run")
    with pytest.raises(RuntimeError):
        await start("127.0.0.1", 0)


async def test_the_demo_clock_jumps_forward_only(sandbox: SandboxHandle) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.post(f"{sandbox.url}/sandbox/clock", json={"jump": "sunday"}) as resp:
            sunday = await resp.json()
        assert "Sun 20:00" in sunday["local"] and sunday["offset_s"] > 0
        async with http.post(f"{sandbox.url}/sandbox/clock", json={"offset_s": 0}) as resp:
            assert resp.status == 400
        async with http.get(f"{sandbox.url}/") as resp:
            page = await resp.text()
        assert "personas" in page and 'id="jumps"' in page
        async with http.get(f"{sandbox.url}/web/../../bot.py") as resp:
            assert resp.status == 404


async def test_the_clock_offers_relative_jumps_that_land_where_they_say(
        sandbox: SandboxHandle) -> None:
    from datetime import datetime, timedelta

    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sandbox.url}/sandbox/clock") as resp:
            before = await resp.json()
        said = {j["id"]: datetime.fromisoformat(j["target"]) for j in before["jumps"]}
        assert list(said) == ["hour", "day", "week"]  # no demo plugged in: no named jumps
        async with http.post(f"{sandbox.url}/sandbox/clock", json={"jump": "day"}) as resp:
            after = await resp.json()
        landed = datetime.fromisoformat(after["now"])
        assert timedelta(0) <= landed - said["day"] < timedelta(seconds=30)
        async with http.post(f"{sandbox.url}/sandbox/clock", json={"jump": "nope"}) as resp:
            assert resp.status == 400


async def test_the_voice_note_is_a_real_opus_file_with_its_duration(
        sandbox: SandboxHandle) -> None:
    sent = await sandbox.client.voice(600)
    voice = sent["message"]["voice"]
    assert voice["duration"] == 11 and voice["file_size"] > 10_000
    session = sandbox.client.session
    async with session.get(f"{sandbox.url}/sandbox/files/{voice['file_id']}") as resp:
        data = await resp.read()
        assert resp.content_type == "audio/ogg"
    assert data[:4] == b"OggS" and b"OpusHead" in data[:200]
    photo = (await sandbox.client.photo(600))["message"]["photo"][-1]
    async with session.get(f"{sandbox.url}/sandbox/files/{photo['file_id']}") as resp:
        assert resp.content_type == "image/jpeg" and (await resp.read())[:2] == b"\xff\xd8"


async def test_start_over_without_a_demo_clears_the_world_and_the_clock(
        sandbox: SandboxHandle) -> None:
    await sandbox.client.send(700, "你好")
    await sandbox.client.advance_clock(3600)
    session = sandbox.client.session
    async with session.post(f"{sandbox.url}/sandbox/demo/reset", json={}) as resp:
        state = await resp.json()
    assert state["offset_s"] == 0 and [j["id"] for j in state["jumps"]] == ["hour", "day", "week"]
    assert await sandbox.client.messages(700) == []


def test_the_page_chrome_is_chinese_first_with_every_word_in_english_too() -> None:
    import json
    import re
    from pathlib import Path

    web = Path(__file__).resolve().parent.parent / "sandbox" / "web"
    words = json.loads((web / "i18n.json").read_text(encoding="utf-8"))
    assert set(words["zh"]) == set(words["en"])
    page = (web / "index.html").read_text(encoding="utf-8")
    script = (web / "chat.js").read_text(encoding="utf-8")
    used = set(re.findall(r'data-i18n(?:-title|-placeholder)?="([a-z_]+)"', page))
    used |= set(re.findall(r'\bt\("([a-z_]+)"\)', script))
    assert used and used <= set(words["zh"]), used - set(words["zh"])
    # the text the page shows before the script runs is the Chinese one
    for key, text in re.findall(r'data-i18n="([a-z_]+)"[^>]*>([^<]*)<', page):
        assert text == words["zh"][key], key
