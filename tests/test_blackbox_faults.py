"""Black-box: the real ``python bot.py run`` against an independent Bot API stand-in
(tests/blackbox/standin.py, written from the Bot API documentation, sharing no code with
sandbox/), with the faults of issue 13 injected. Judged only by what the stand-in received, what
the process printed and its exit status, and the SQLite file read afterwards."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from db.store import Store
from flows.core.clock import SystemClock, to_iso
from flows.outbox.due_work import sweep_chunk
from flows.staff.alert_desk import escalate_due
from tests.blackbox.botproc import RunningBot
from tests.blackbox.seed import (
    FAR_FUTURE,
    Village,
    build_village,
    checkin_due,
    introduce,
    seed,
    spend_attempts,
    urgent_alert,
)
from tests.blackbox.standin import StandIn

pytestmark = [pytest.mark.reliability, pytest.mark.e2e]

# What a stranger is told (and a known person never is): that joining needs an invitation.
STRANGER = re.compile(r"邀请|invitation", re.IGNORECASE)
# "could not be delivered" alerts (zh_CN and en), as a caseworker reads them.
UNDELIVERED = re.compile(r"无法送达|could not be delivered", re.IGNORECASE)
NETWORKISH = re.compile(r"network|timed ?out|connect|bad gateway|internal server|not found|"
                        r"invalidtoken|\b50\d\b|\b404\b|refused|reset|disconnect", re.IGNORECASE)


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    server = await StandIn().start()
    yield server
    await server.close()


def bot_for(standin: StandIn, db_path: Path | None, workdir: Path, name: str = "bot",
            **env: str) -> RunningBot:
    return RunningBot(standin.url, standin.token, db_path, workdir, name=name, extra_env=env)


async def started(standin: StandIn, bot: RunningBot, within: float = 30.0) -> None:
    """The process is up and polling (its first getUpdates reached the stand-in)."""
    await bot.start()
    polled = await standin.wait_for(lambda: standin.calls("getUpdates")
                                    or bot.returncode is not None, within)
    assert polled and bot.returncode is None, f"the bot did not start polling:\n{bot.tail()}"


async def reply_to(standin: StandIn, user_id: int, text: str, within: float) -> list[str]:
    """What the bot answered ``user_id`` within ``within`` seconds after they wrote ``text``."""
    mark = time.monotonic()
    standin.say(user_id, text)
    await standin.wait_for(lambda: standin.messages(user_id, since=mark), within)
    await asyncio.sleep(0.3)  # a reply may come in two messages
    return [m.words for m in standin.messages(user_id, since=mark)]


def rows(db_path: Path, sql: str, *args: object) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def no_traceback(text: str) -> bool:
    return "Traceback (most recent call last)" not in text


def explained(stderr: str, about: str) -> list[str]:
    """The bot's own lines on stderr that say ``about`` (a regex): not the library's log lines,
    not a traceback's."""
    return [line for line in stderr.splitlines()
            if line.strip() and not line[0].isspace() and "telegram.ext" not in line
            and not line.startswith(("Traceback", "telegram.error"))
            and re.search(about, line, re.IGNORECASE)]


ABOUT_TOKEN = r"token|令牌|botfather|401|unauthori[sz]ed"
ABOUT_INSTANCE = (r"another|instance|already|conflict|409|lock|running|elsewhere|twice|"
                  r"getUpdates|polled|另一个|其他|已经在运行|同时")
ABOUT_DATABASE = r"database|数据库|\.db\b|KINBRIDGE_DB|migrate"


# ---- the stand-in is trustworthy ---------------------------------------------------------------
async def test_standin_answers_as_the_bot_api_documents(standin: StandIn) -> None:
    """The stand-in itself, through a plain HTTP client: updates and offsets, long polling, 409 on
    overlapping polls, and each fault with the status and body Telegram (or a proxy) gives."""
    api = f"{standin.url}/bot{standin.token}"
    standin.user(1, "甲")
    standin.user(2, "乙")

    async def call(session: aiohttp.ClientSession, method: str, **params: object
                   ) -> tuple[int, dict[str, object] | str]:
        async with session.post(f"{api}/{method}", data={k: str(v) for k, v in params.items()}
                                ) as response:
            body = await response.text()
            try:
                return response.status, json.loads(body)
            except ValueError:
                return response.status, body

    async with aiohttp.ClientSession() as session:
        assert (await call(session, "getMe"))[1]["result"]["is_bot"]  # type: ignore[index]
        first, second = standin.say(1, "/start"), standin.say(2, "你好")
        status, body = await call(session, "getUpdates")
        assert [u["update_id"] for u in body["result"]] == [first, second]  # type: ignore[index]
        _, body = await call(session, "getUpdates", offset=second)
        assert [u["update_id"] for u in body["result"]] == [second]  # type: ignore[index]
        assert "entities" not in body["result"][0]["message"]  # type: ignore[index]
        _, body = await call(session, "getUpdates", offset=second + 1, timeout=0)
        assert body["result"] == []  # type: ignore[index]
        waiting = asyncio.ensure_future(call(session, "getUpdates", offset=second + 1, timeout=5))
        await asyncio.sleep(0.2)
        overlapping = asyncio.ensure_future(call(session, "getUpdates", offset=second + 1,
                                                 timeout=5))
        status, body = await waiting
        assert status == 409 and "terminated by other getUpdates" in body["description"]  # type: ignore[index]
        third = standin.say(2, "还在")
        status, body = await overlapping
        assert status == 200 and body["result"][0]["update_id"] == third  # type: ignore[index]

        status, body = await call(session, "sendMessage", chat_id=99, text="hi")
        assert (status, body["description"]) == (400, "Bad Request: chat not found")  # type: ignore[index]
        status, body = await call(session, "sendMessage", chat_id=1, text="hi", reply_markup=json.dumps(
            {"inline_keyboard": [[{"text": "x", "callback_data": "y" * 65}]]}))
        assert status == 400  # callback_data over 64 bytes
        standin.chat_429(1, 3)
        status, body = await call(session, "sendMessage", chat_id=1, text="hi")
        assert status == 429 and body["parameters"] == {"retry_after": 3}  # type: ignore[index]
        assert (await call(session, "sendMessage", chat_id=2, text="hi"))[0] == 200
        standin.global_429(2)
        assert (await call(session, "sendMessage", chat_id=2, text="hi"))[0] == 429
        assert (await call(session, "getMe"))[0] == 200  # only sending is limited
        standin.global_429(0)  # lifted
        standin.block(2)
        status, body = await call(session, "sendMessage", chat_id=2, text="hi")
        assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")  # type: ignore[index]
        for code in (502, 500, 404):
            standin.http_spell(code, 0.5)
            status, body = await call(session, "getMe")
            assert status == code and "<html>" in str(body)
            await asyncio.sleep(0.6)
        standin.http_spell(401, None, style="json")
        status, body = await call(session, "getMe")
        assert (status, body["description"]) == (401, "Unauthorized")  # type: ignore[index]
        standin.clear_spells()
        async with session.post(f"{standin.url}/bot1:wrong/getMe") as response:
            assert response.status == 401
        standin.conflict(0.5)
        assert (await call(session, "getUpdates"))[0] == 409
        await asyncio.sleep(0.6)
        port = standin.port
        await standin.refuse_connections(1.0)
        with pytest.raises(aiohttp.ClientConnectionError):
            await call(session, "getMe")
        await standin.wait_for(lambda: standin.outage_over, 5)
        assert standin.port == port and (await call(session, "getMe"))[0] == 200


# ---- the bot through the stand-in, no fault ------------------------------------------------
async def test_standin_carries_the_bot(standin: StandIn, tmp_path: Path) -> None:
    """Not a fault: the baseline every fault check relies on (start-up, /start from a known
    person, a due check-in prompt, a button press answered)."""
    db_path = tmp_path / "kb.db"

    def build(store: Store, now: datetime) -> Village:
        village = build_village(store, now, base=10_000, families=1)
        checkin_due(store, village.families[0], now)
        return village
    village = await seed(db_path, build)
    introduce(standin, village)
    grandma = village.families[0].guardian_tg
    bot = bot_for(standin, db_path, tmp_path)
    await started(standin, bot)
    try:
        assert standin.commands, "the command menu was set"
        prompt = await standin.wait_for(lambda: [m for m in standin.messages(grandma)
                                                 if m.buttons()], 15)
        assert prompt, f"the due check-in prompt was sent\n{bot.tail()}"
        answer = await reply_to(standin, grandma, "/start", 10)
        assert answer and not any(STRANGER.search(t) for t in answer), answer
        before = len(standin.messages(grandma))
        standin.press(grandma, prompt[0].message_id, "😊")
        await standin.wait_for(lambda: len(standin.messages(grandma)) > before, 10)
        assert len(standin.messages(grandma)) > before, "the button press was answered"
        assert standin.callback_answers, "the button's spinner was stopped"
    finally:
        assert await bot.stop() == 0, bot.tail()
    assert rows(db_path, "SELECT mood FROM checkins") == [("happy",)]


# ---- helpers for the outbox, read from the file the way an operator would --------------------
SETTLED_WAIT_S = 45.0


def outbox(db_path: Path) -> list[tuple[str, str, str | None, int]]:
    """(dedupe_key, status, last_error, in_doubt) of every outbox row."""
    return rows(db_path, "SELECT dedupe_key, status, last_error, in_doubt FROM outbox")


def failed_rows(db_path: Path) -> list[tuple[str, str | None]]:
    return [(key, error) for key, status, error, _ in outbox(db_path) if status == "failed"]


def unsettled(db_path: Path) -> list[str]:
    return [key for key, status, _, _ in outbox(db_path) if status in ("pending", "sending")]


async def settle(standin: StandIn, db_path: Path, fault_over: object) -> None:
    """Until the fault is over and every outbox row is settled, or a row has failed (then the
    outcome is known), or SETTLED_WAIT_S after the fault ended."""
    await standin.wait_for(fault_over, 120)  # type: ignore[arg-type]
    deadline = time.monotonic() + SETTLED_WAIT_S
    while time.monotonic() < deadline:
        if failed_rows(db_path) or not unsettled(db_path):
            return
        await asyncio.sleep(0.5)


def duplicates(standin: StandIn, chats: list[int]) -> int:
    """Messages a chat received more than once (same text), beyond the first."""
    count = Counter((m.chat_id, m.words) for c in chats for m in standin.messages(c))
    return sum(n - 1 for n in count.values())


def in_doubt(db_path: Path) -> int:
    return sum(1 for *_, doubt in outbox(db_path) if doubt)


def undelivered_notices(standin: StandIn, village: Village) -> list[str]:
    return [m.words for c in (*village.caseworkers, village.supervisor_tg)
            for m in standin.messages(c) if UNDELIVERED.search(m.words)]


def now_iso() -> str:
    return to_iso(SystemClock().now())


# ---- a. an outage: nothing fails for a network reason, no false alarm, alerts delivered after --
OUTAGE_S = 25.0
# Two minutes of refused connections cost a row seven attempts (1+2+4+…+64 s of back-off). Rather
# than wait them out, the rows carried over from earlier in the outage start with those attempts
# spent (exactly as the sender records a network failure), parked until the outage is under way.
ATTEMPTS_IN_TWO_MINUTES = 7


async def test_outage_fails_nothing_and_raises_no_false_alarm(standin: StandIn,
                                                              tmp_path: Path) -> None:
    db_path = tmp_path / "kb.db"

    def build(store: Store, now: datetime) -> tuple[Village, list[str]]:
        village = build_village(store, now, base=20_000, families=6)
        a, b = village.families[0], village.families[1]
        # carried over: family A's urgent alert (the caseworker's copy and, on the ladder, the
        # supervisor's copy) and two check-in prompts, each two minutes into the outage
        for family in village.families[2:4]:
            checkin_due(store, family, now)
        sweep_chunk(store, now)
        urgent_alert(store, a, now - timedelta(hours=1))
        escalate_due(store, now)
        carried = [key for (key,) in store.outbox.conn.execute(
            "SELECT dedupe_key FROM outbox WHERE status = 'pending'")]
        for key in carried:
            spend_attempts(store, key, ATTEMPTS_IN_TWO_MINUTES,
                           "NetworkError: aiohttp.ClientConnectorError: Connect call failed",
                           now + FAR_FUTURE)
        # due when the bot starts: family B's urgent alert climbs to the supervisor at the
        # first sweep, and two more prompts go out, all while connections are refused
        urgent_alert(store, b, now - timedelta(hours=1))
        for family in village.families[4:6]:
            checkin_due(store, family, now)
        return village, carried
    village, carried = await seed(db_path, build)
    assert len(carried) == 4, carried
    introduce(standin, village)
    standin.on_first("getUpdates", lambda: standin.refuse_connections(OUTAGE_S))
    bot = bot_for(standin, db_path, tmp_path)
    await bot.start()
    try:
        assert await standin.wait_for(lambda: standin.outages, 30), bot.tail()
        outage_began = standin.outages[0][0]
        conn = sqlite3.connect(db_path, timeout=10)
        with conn:
            conn.executemany("UPDATE outbox SET not_before = ? WHERE dedupe_key = ?",
                             [(now_iso(), key) for key in carried])
        conn.close()
        await settle(standin, db_path, lambda: standin.outage_over)
        outage_ended = standin.outages[0][1]
        assert bot.returncode is None, f"the bot died in the outage:\n{bot.tail()}"
    finally:
        await bot.stop()

    before = [m for m in standin.received if m.at < outage_began]
    assert not [m for m in before if m.chat_id == village.supervisor_tg
                or m.chat_id in village.guardians], "precondition: the work fell due in the outage"
    failed = failed_rows(db_path)
    assert not failed, f"marked failed in an outage ({OUTAGE_S:g} s of refused connections): " \
                       f"{failed}"
    assert not undelivered_notices(standin, village), "a false 'could not be delivered' alert"
    assert rows(db_path, "SELECT COUNT(*) FROM alerts WHERE rule = 'undelivered'") == [(0,)]
    assert not unsettled(db_path), f"still waiting {SETTLED_WAIT_S:g} s after the outage: " \
                                   f"{unsettled(db_path)}"
    to_supervisor = [m for m in standin.messages(village.supervisor_tg) if m.at >= outage_ended]
    for family in village.families[:2]:
        assert [m for m in to_supervisor if family.village in m.words], \
            f"the supervisor's copy of {family.village}'s urgent alert arrived after the outage"
    assert [m for m in standin.messages(village.families[0].caseworker_tg)
            if village.families[0].village in m.words], "the caseworker's copy arrived"
    chats = [*village.guardians, *village.caseworkers, village.supervisor_tg]
    assert duplicates(standin, chats) <= in_doubt(db_path)
    for guardian in village.guardians[2:]:
        assert len(standin.messages(guardian)) <= 1 + in_doubt(db_path)


# ---- b. a proxy's 404 is an outage, not a revoked token; a real 401 stops the bot clearly -----
SPELL_S = 10.0


async def test_a_404_spell_is_an_outage_not_a_revoked_token(standin: StandIn,
                                                             tmp_path: Path) -> None:
    db_path = tmp_path / "kb.db"

    def build(store: Store, now: datetime) -> Village:
        village = build_village(store, now, base=30_000, families=3)
        for family in village.families:
            checkin_due(store, family, now)
        urgent_alert(store, village.families[0], now - timedelta(hours=1))
        return village
    village = await seed(db_path, build)
    introduce(standin, village)
    spell: list[float] = []

    def proxy_breaks() -> None:
        spell.append(time.monotonic() + SPELL_S)
        standin.http_spell(404, SPELL_S, style="html")
    standin.on_first("getUpdates", proxy_breaks)
    bot = bot_for(standin, db_path, tmp_path)
    await bot.start()
    try:
        await settle(standin, db_path,
                     lambda: spell and time.monotonic() > spell[0])
        failed = failed_rows(db_path)
        assert not failed, f"a 404 spell of {SPELL_S:g} s failed messages: {failed}"
        assert bot.returncode is None, f"the bot stopped over a proxy's 404:\n{bot.tail()}"
        answer = await reply_to(standin, village.families[1].parent_tg, "/start", 40)
        assert answer, "the bot answers again once the proxy is repaired (still polling)"
        assert not unsettled(db_path), unsettled(db_path)
        assert [m for m in standin.messages(village.supervisor_tg)
                if village.families[0].village in m.words], "the due escalation was delivered"
        for guardian in village.guardians:
            assert standin.messages(guardian), "every due prompt was delivered"
        assert not undelivered_notices(standin, village)
    finally:
        await bot.stop()


async def test_a_revoked_token_stops_the_bot_with_one_sentence(standin: StandIn,
                                                               tmp_path: Path) -> None:
    db_path = tmp_path / "kb.db"
    village = await seed(db_path, lambda s, now: build_village(s, now, base=31_000, families=1))
    introduce(standin, village)
    bot = bot_for(standin, db_path, tmp_path)
    await started(standin, bot)
    try:
        standin.http_spell(401, None, style="json")  # the token was revoked at @BotFather
        status = await bot.wait_exit(15)
    finally:
        stopped = await bot.stop(grace=5)
    assert status is not None, f"still running 15 s after the token was revoked (SIGTERM then " \
                               f"gave {stopped}):\n{bot.tail()}"
    assert status != 0
    assert no_traceback(bot.stderr()), bot.stderr()[-3000:]
    assert explained(bot.stderr(), ABOUT_TOKEN), bot.stderr()[-2000:]
    print(f"revoked token: {explained(bot.stderr(), ABOUT_TOKEN)}")


# ---- c. one chat's 429 does not hold the others back ---------------------------------------
CHAT_RETRY_AFTER_S = 10


async def test_one_chats_429_does_not_hold_other_chats(standin: StandIn, tmp_path: Path) -> None:
    db_path = tmp_path / "kb.db"

    def build(store: Store, now: datetime) -> Village:
        village = build_village(store, now, base=40_000, families=9)
        urgent_alert(store, village.families[0], now)  # to caseworker X, due at start
        for family in village.families[1:]:
            checkin_due(store, family, now)
        return village
    village = await seed(db_path, build)
    introduce(standin, village)
    limited = village.families[0].caseworker_tg
    standin.chat_429(limited, CHAT_RETRY_AFTER_S)
    bystanders = village.guardians[1:]
    bot = bot_for(standin, db_path, tmp_path)
    await bot.start()
    try:
        def first_429() -> list[float]:
            return [r.at for r in standin.requests if r.chat_id == limited and r.status == 429]
        assert await standin.wait_for(first_429, 30), f"the bot never wrote to X\n{bot.tail()}"
        lifted = first_429()[0] + CHAT_RETRY_AFTER_S
        parent = village.families[1].parent_tg
        mark = time.monotonic()
        standin.say(parent, "/start")
        await standin.wait_for(lambda: all(standin.messages(g) for g in bystanders)
                               and standin.messages(parent, since=mark), CHAT_RETRY_AFTER_S + 10)
        got = await standin.wait_for(lambda: standin.messages(limited), CHAT_RETRY_AFTER_S + 20)
        assert got, "X's alert was delivered once X's limit lifted"
    finally:
        await bot.stop()
    late = {g: round(standin.messages(g)[0].at - (lifted - CHAT_RETRY_AFTER_S), 1)
            for g in bystanders if not standin.messages(g) or standin.messages(g)[0].at >= lifted}
    print(f"bystander prompts: {len(bystanders)}, held until X's limit lifted: {len(late)}")
    assert not late, f"other chats held back by one chat's 429 (seconds after it): {late}"
    reply = standin.messages(parent, since=mark)
    assert reply and reply[0].at < lifted, "a direct reply to another chat waited for X's limit"
    assert len(standin.messages(limited)) <= 1 + in_doubt(db_path)
    assert not failed_rows(db_path)


# ---- d. 🆘 while the caseworker has blocked the bot -----------------------------------------
# A done deed (已/了, received, passed on) or her promise to call; "正在通知" (notifying now) is not.
CLAIM = re.compile(r"已|了|收到|会尽快联系|会联系|has been told|have alerted|has your|passed|"
                   r"will contact", re.I)
NOT_A_CLAIM = re.compile(r"没|未|不|无法|可以|could not|cannot|can't|not", re.I)


def claims_caseworker_told(text: str) -> list[str]:
    """Sentences telling the family that the children's director (儿童主任) has been told (or
    will call them): untrue while she cannot be reached."""
    return [s for s in re.split(r"[。！？!?\n]", text)
            if re.search(r"儿童主任|children's director", s, re.I) and CLAIM.search(s)
            and not NOT_A_CLAIM.search(s)]


async def test_sos_reaches_the_supervisor_when_the_caseworker_blocked_the_bot(
        standin: StandIn, tmp_path: Path) -> None:
    db_path = tmp_path / "kb.db"
    village = await seed(db_path, lambda s, now: build_village(s, now, base=50_000, families=1))
    introduce(standin, village)
    family = village.families[0]
    standin.block(family.caseworker_tg)
    bot = bot_for(standin, db_path, tmp_path)
    await started(standin, bot)
    try:
        mark = time.monotonic()
        standin.say(family.guardian_tg, "/help_now")
        reached = await standin.wait_for(lambda: [m for m in standin.messages(
            village.supervisor_tg) if family.village in m.words and "🆘" in m.words], 12)
        question = [m for m in standin.messages(family.guardian_tg, since=mark) if m.buttons()]
        if question:  # "is the child in danger now?": yes
            standin.press(family.guardian_tg, question[-1].message_id, "🚨")
            await asyncio.sleep(3)
        told = [m.words for m in standin.messages(family.guardian_tg, since=mark)]
    finally:
        await bot.stop()
    assert told, "the guardian was answered"
    problems = []
    if not reached:
        problems.append("the 🆘 did not reach the supervisor at once (the caseworker cannot be "
                        "reached)")
    false_claims = [c for t in told for c in claims_caseworker_told(t)]
    if false_claims:
        problems.append(f"the guardian was told the caseworker got it: {false_claims}")
    assert not problems, problems


# ---- e. one instance at a time --------------------------------------------------------------
async def test_a_second_instance_exits_at_once_and_the_first_keeps_working(
        standin: StandIn, tmp_path: Path) -> None:
    db_path = tmp_path / "kb.db"
    village = await seed(db_path, lambda s, now: build_village(s, now, base=60_000, families=1))
    introduce(standin, village)
    first = bot_for(standin, db_path, tmp_path, name="first")
    second = bot_for(standin, db_path, tmp_path, name="second")
    await started(standin, first)
    try:
        await second.start()
        status = await second.wait_exit(12)
        await second.stop()
        answer = await reply_to(standin, village.families[0].guardian_tg, "/start", 30)
        assert first.returncode is None, f"the first instance stopped:\n{first.tail()}"
    finally:
        await first.stop()
    assert status is not None, f"a second 'bot.py run' on the same database kept running:\n" \
                               f"{second.tail()}"
    assert status != 0
    assert no_traceback(second.stderr()), second.stderr()[-2000:]
    assert explained(second.stderr(), ABOUT_INSTANCE), second.stderr()[-2000:]
    print(f"second instance said: {explained(second.stderr(), ABOUT_INSTANCE)}")
    assert answer, "the first instance still answers"


async def test_repeated_409_conflict_stops_the_bot_with_one_sentence(standin: StandIn,
                                                                     tmp_path: Path) -> None:
    db_path = tmp_path / "kb.db"
    village = await seed(db_path, lambda s, now: build_village(s, now, base=61_000, families=1))
    introduce(standin, village)
    bot = bot_for(standin, db_path, tmp_path)
    await started(standin, bot)
    try:
        standin.conflict(None)  # another instance somewhere else polls with this token
        status = await bot.wait_exit(30)
        conflicts = len([r for r in standin.calls("getUpdates") if r.status == 409])
    finally:
        await bot.stop()
    assert status is not None, f"still running after {conflicts} × 409 Conflict:\n{bot.tail()}"
    assert no_traceback(bot.stderr()), bot.stderr()[-2000:]
    assert explained(bot.stderr(), ABOUT_INSTANCE), bot.stderr()[-2000:]
    print(f"after {conflicts} conflicts the bot said: {explained(bot.stderr(), ABOUT_INSTANCE)}")


# ---- f. one unstorable update does not make the bot deaf -----------------------------------
async def test_a_lone_surrogate_does_not_make_the_bot_deaf(standin: StandIn,
                                                           tmp_path: Path) -> None:
    db_path = tmp_path / "kb.db"
    village = await seed(db_path, lambda s, now: build_village(s, now, base=70_000, families=1))
    introduce(standin, village)
    stranger, marker_name = 70_900, "Zhuyin测试名"
    standin.user(stranger, marker_name)
    grandma = village.families[0].guardian_tg
    bot = bot_for(standin, db_path, tmp_path)
    await started(standin, bot)
    try:
        assert await reply_to(standin, grandma, "/start", 15), "precondition: the bot answers"
        bad = standin.say(stranger, "孩子不见了 \ud800 秘密词")  # raw JSON "\ud800": a lone surrogate
        answer = await reply_to(standin, grandma, "/start", 15)
        acknowledged = standin.confirmed_offset > bad
    finally:
        await bot.stop()
    assert answer, f"deaf after one bad update (offset stuck at {standin.confirmed_offset}, bad " \
                   f"update {bad})"
    assert acknowledged
    assert marker_name not in bot.output() and "秘密词" not in bot.output(), \
        "the bad update's name or words reached the log"


# ---- g. a missing database is never silently replaced ---------------------------------------
async def test_a_deleted_database_never_turns_families_into_strangers(standin: StandIn,
                                                                      tmp_path: Path) -> None:
    db_path = tmp_path / "kb.db"
    village = await seed(db_path, lambda s, now: build_village(s, now, base=80_000, families=1))
    introduce(standin, village)
    grandma = village.families[0].guardian_tg
    bot = bot_for(standin, db_path, tmp_path)
    await started(standin, bot)
    try:
        known = await reply_to(standin, grandma, "/start", 15)
        assert known and not any(STRANGER.search(t) for t in known), \
            f"precondition: she is known {known}"
        db_path.unlink()  # someone removes kinbridge.db while the bot runs
        await asyncio.sleep(2)
        after_delete = await reply_to(standin, grandma, "/start", 6)
    finally:
        await bot.stop()
    again = bot_for(standin, db_path, tmp_path, name="restart")
    await again.start()
    try:
        status = await again.wait_exit(12)
        on_restart = [] if status is not None else await reply_to(standin, grandma, "/start", 6)
    finally:
        await again.stop()
    assert not [t for t in after_delete if STRANGER.search(t)], \
        f"greeted as a stranger after the file was deleted: {after_delete}"
    assert not [t for t in on_restart if STRANGER.search(t)], \
        f"greeted as a stranger by a restart on an empty database: {on_restart}"
    assert status is not None and status != 0, \
        f"'run' started on a missing database:\n{again.tail()}"
    assert not db_path.exists(), "'run' created a new, empty database"
    assert no_traceback(again.stderr()), again.stderr()[-2000:]
    assert explained(again.stderr(), ABOUT_DATABASE), again.stderr()[-2000:]


async def test_run_refuses_to_create_a_database_from_another_folder(standin: StandIn,
                                                                    tmp_path: Path) -> None:
    elsewhere = tmp_path / "another-folder"
    elsewhere.mkdir()
    bot = bot_for(standin, None, elsewhere)  # KINBRIDGE_DB unset: the default ./kinbridge.db
    await bot.start()
    try:
        status = await bot.wait_exit(10)
    finally:
        await bot.stop()
    assert status is not None and status != 0, f"'run' started on a new database:\n{bot.tail()}"
    assert not (elsewhere / "kinbridge.db").exists(), "'run' created ./kinbridge.db"
    assert no_traceback(bot.stderr()), bot.stderr()[-2000:]
    assert explained(bot.stderr(), ABOUT_DATABASE), bot.stderr()[-2000:]
    print(f"run without a database said: {explained(bot.stderr(), ABOUT_DATABASE)}")
