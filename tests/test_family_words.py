"""What a grandmother types outside a check-in (issue 17.4): a short reply gets a small menu of
what she can do (never the settings with 🗑), good news about the child is thanked for and kept
for the parents' week (not forwarded), and only a concern or a request to pass on reaches the
caseworker. Over a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from db.database import Database
from db.store import Store
from flows.core.ui import FlowContext, Reply
from flows.guardian.words import ask_for_a_call, handle_words, keyboard_key
from flows.parent.weekly import weekly_text
from tests.support.families import add_family

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 18, 0, tzinfo=SHANGHAI).astimezone(UTC)  # a Thursday evening
GRANDMA, FATHER, CASEWORKER = 101, 102, 201


def ctx(now: datetime = NOW) -> FlowContext:
    return FlowContext(now=now, default_tz="Asia/Shanghai", default_locale="zh_CN",
                       bot_username="KinBridgeBot")


@pytest.fixture
async def ids(db: Database) -> dict[str, int]:
    return await db.write(lambda s: add_family(s, guardian_tg=GRANDMA, parent_tg=FATHER,
                                               caseworker_tg=CASEWORKER))


async def say(db: Database, text: str, message_id: int = 1, tg: int = GRANDMA,
              now: datetime = NOW) -> list[Reply]:
    def flow(s: Store) -> list[Reply]:
        person = s.people.by_telegram_user(tg)
        assert person is not None
        return handle_words(s, ctx(now), person, chat_id=tg, message_id=message_id, text=text)
    return await db.write(flow)


async def to_caseworker(db: Database) -> list[str]:
    rows = await db.read(lambda s: s.conn.execute(
        "SELECT dedupe_key FROM outbox WHERE chat_id = ? ORDER BY id", (CASEWORKER,)).fetchall())
    return [r[0] for r in rows]


def datas(reply: Reply) -> list[str]:
    return [data for row in reply.buttons or [] for _label, data in row]


@pytest.mark.parametrize("short", ["去了", "没有", "1", "好", "？"])
async def test_a_short_reply_gets_the_small_menu_never_delete(db: Database, ids: dict[str, int],
                                                              short: str) -> None:
    (reply,) = await say(db, short)
    assert datas(reply)[:3] == ["m:checkin", "h:start", "m:contact"]
    assert "m:forget" not in datas(reply) and "🗑" not in str(reply.buttons)
    assert "没太明白" not in reply.text
    assert await to_caseworker(db) == []


async def test_good_news_is_thanked_for_kept_for_the_week_and_not_forwarded(
        db: Database, ids: dict[str, int]) -> None:
    (reply,) = await say(db, "孩子今天挺开心的，考试得了一百分")
    assert "记下了" in reply.text and "这周的消息" in reply.text  # a parent will read it
    assert await to_caseworker(db) == []  # the caseworker is not asked to act on good news
    kept = await db.read(lambda s: s.kept_words.between(ids["family"], "2026-11-26", "2026-11-26"))
    assert [(k.mood, k.text) for k in kept] == [("happy", "孩子今天挺开心的，考试得了一百分")]

    def week(s: Store) -> str:
        father = s.people.by_telegram_user(FATHER)
        assert father is not None
        return weekly_text(s, father, ids["family"], NOW + timedelta(days=3))
    text = await db.write(week)
    assert "奶奶说：“孩子今天挺开心的，考试得了一百分”" in text
    assert "周四挺开心" in text  # her words count as a good day in the story


@pytest.mark.parametrize("words", ["孩子这几天一直咳嗽，晚上睡不好", "他今天不太开心，一直哭",
                                   "小明最近老是玩手机到半夜"])
async def test_a_concern_is_forwarded(db: Database, ids: dict[str, int], words: str) -> None:
    (reply,) = await say(db, words, message_id=7)
    assert "转给" in reply.text or "转告" in reply.text
    assert any(key.startswith("fwd:") for key in await to_caseworker(db)), words
    kept = await db.read(lambda s: s.kept_words.between(ids["family"], "2026-11-01", "2026-12-31"))
    assert kept == []


@pytest.mark.parametrize("words", ["告诉主任明天我带孩子去镇上", "帮我转告一下，我下周不在家",
                                   "跟李主任说一声谢谢"])
async def test_what_she_asks_to_pass_on_is_forwarded(db: Database, ids: dict[str, int],
                                                     words: str) -> None:
    (reply,) = await say(db, words, message_id=8)
    assert "转给" in reply.text
    assert any(key.startswith("fwd:") for key in await to_caseworker(db)), words


async def test_contact_the_director_names_her_and_asks_her_to_call(db: Database,
                                                                   ids: dict[str, int]) -> None:
    def press_key(s: Store) -> list[Reply]:
        person = s.people.by_telegram_user(GRANDMA)
        assert person is not None
        return keyboard_key(s, ctx(), person, "contact")
    (reply,) = await db.write(press_key)
    assert "李主任" in reply.text and datas(reply) == ["m:callme"]

    def call_me(s: Store) -> list[Reply]:
        person = s.people.by_telegram_user(GRANDMA)
        assert person is not None
        return ask_for_a_call(s, ctx(), person)
    (done,) = await db.write(call_me)
    assert "李主任" in done.text
    rows = await db.read(lambda s: s.conn.execute(
        "SELECT payload, lane FROM outbox WHERE chat_id = ?", (CASEWORKER,)).fetchall())
    assert len(rows) == 1 and "回个电话" in rows[0]["payload"] and "奶奶" in rows[0]["payload"]
