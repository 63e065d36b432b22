"""Property-based: random sequences of updates from random people (invited or not, any role):
text of any length up to 4 096 characters, emoji, RTL, zero-width characters, injection
strings, stale and forged buttons, unknown commands, edited messages, group messages, photos and
stickers where text was expected. Invariants: no unhandled exception, every reply is valid for
the Bot API, and nothing of one family ever reaches a person outside it."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot import build_application
from db.database import Database
from db.store import Store
from flows.core.clock import to_iso
from sandbox.offline import OfflineBotApi, Updates
from tests.support.clock import daytime_clock
from tests.support.families import add_family
from tests.support.handles import sandbox_settings, unpaced_chats

pytestmark = pytest.mark.reliability

FAMILY_ONE = {101, 102, 201}  # 奶奶, 爸爸, 李主任: family #1 (小明, 青山村)
FAMILY_TWO = {111, 112, 202}  # family #2 (小芳, 白云村)
ADMIN = 9001
PEOPLE = sorted(FAMILY_ONE | FAMILY_TWO | {ADMIN, 5555, 6666})
SECRETS_TWO = ("小芳", "白云村")
INJECTIONS = ["'; DROP TABLE people; --", "<b>bold</b><script>alert(1)</script>",
              "*_[link](http://x)`code`_*", "%(name)s %s {0}", "\u202e反向\u202c", "a\u200bb\u200d",
              "𝓗𝓮𝓵𝓵𝓸", "孩子说想死", "/start AAAAAAAAAAAA", "１", "没去", "不开心", "🆘"]
COMMANDS = ["/start", "/menu", "/help", "/settings", "/language", "/stop", "/forget", "/cancel",
            "/checkin", "/help_now", "/alerts", "/families", "/case 1", "/case 2", "/note 2 x",
            "/export", "/family 2", "/newfamily", "/invite_staff caseworker x", "/assign 1 2",
            "/staff", "/nonsense"]
BUTTONS = ["c:1:mood:happy", "c:2:mood:sad", "h:start", "h:danger:y", "h:more:skip",
           "a:ack:1", "a:ack:2", "a:tl:2:0", "a:call:2", "a:res:2", "a:out:2:called", "a:q:0",
           "p:called:2", "p:visit:2", "p:vd:2:20991231:0", "p:tip:2", "p:rtime:2:today:2000",
           "m:checkin", "m:families", "m:forget", "x:confirm:y", "s:menu:language",
           "f:edit:2:village", "j:consent:y", "zz", "a:", "p:called:" + "9" * 50]


class World:
    """One application and database for the whole run; state builds up as in real life."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.tmp = tempfile.TemporaryDirectory()
        self.errors: list[logging.LogRecord] = []
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        path = Path(self.tmp.name) / "prop.db"
        self.db = await Database.open(path)
        clock = daytime_clock()
        now = clock.now()

        def setup(s: Store) -> None:
            one = add_family(s, guardian_tg=101, parent_tg=102, caseworker_tg=201)
            two = s.people.add(role="caseworker", now=to_iso(now), display_name="张主任",
                               tg_user_id=202, tg_chat_id=202)
            family = s.families.add(village="白云村", now=to_iso(now), caseworker_id=two)
            s.families.add_child(family, name="小芳", now=to_iso(now), birth_month="2015-05")
            for tg, role, relation in ((111, "guardian", "grandfather"), (112, "parent", "mother")):
                pid = s.people.add(role=role, now=to_iso(now), display_name="外公" if tg == 111
                                   else "妈妈", tg_user_id=tg, tg_chat_id=tg)
                s.families.add_member(family, pid, relation, now=to_iso(now))
            s.people.add(role="admin", now=to_iso(now), display_name="管理员", tg_user_id=ADMIN,
                         tg_chat_id=ADMIN)
            assert one["family"] == 1 and family == 2
        await self.db.write(setup)
        self.api = OfflineBotApi()
        cfg = sandbox_settings("http://127.0.0.1:9", path, admins=(ADMIN,))
        self.app = build_application(cfg, db=self.db, request=self.api, clock=clock,
                                     get_updates_request=OfflineBotApi(), send_rate_per_s=None,
                                     chat_pacing=unpaced_chats())
        await self.app.initialize()
        self.updates = Updates(self.app.bot)
        world = self

        class Catch(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if record.levelno >= logging.ERROR:
                    world.errors.append(record)
        self.catch = Catch()
        logging.getLogger().addHandler(self.catch)
        self.processed = 0

    def run(self, update: Update) -> None:
        self.loop.run_until_complete(self.app.process_update(update))
        self.processed += 1


    def close(self) -> None:
        async def stop() -> None:
            await self.app.shutdown()
            await self.db.close()
        self.loop.run_until_complete(stop())
        self.loop.close()
        logging.getLogger().removeHandler(self.catch)
        self.tmp.cleanup()


@pytest.fixture
def world() -> Iterator[World]:
    """One world for all of Hypothesis's examples (it is closed when the test ends)."""
    instance = World()
    yield instance
    instance.close()
    assert instance.processed >= 200, instance.processed  # Hypothesis really ran many examples
    print(f"hypothesis: {instance.processed} updates in random sequences")


def make_update(w: World, kind: str, person: int, payload: Any) -> Update:
    u = w.updates
    if kind == "text":
        return u.text(person, payload)
    if kind == "press":
        return u.press(person, payload)
    if kind == "group":
        return u.text(person, payload, chat_id=-4242)
    raw = u.text(person, "x").to_dict()
    message = raw["message"]
    message.pop("text", None)
    message.pop("entities", None)
    if kind == "edited":
        raw["edited_message"] = {**raw.pop("message"), "text": payload, "edit_date": 1}
    elif kind == "photo":
        message["photo"] = [{"file_id": "p1", "file_unique_id": "p1", "width": 1, "height": 1}]
        message["caption"] = payload[:1024]
    elif kind == "sticker":
        message["sticker"] = {"file_id": "s1", "file_unique_id": "s1", "width": 1, "height": 1,
                              "is_animated": False, "is_video": False, "type": "regular",
                              "emoji": "😊"}
    elif kind == "voice":
        message["voice"] = {"file_id": "v1", "file_unique_id": "v1", "duration": 3}
    return Update.de_json(raw, w.app.bot)


texts = st.one_of(st.text(max_size=200), st.text(min_size=4000, max_size=4096),
                  st.sampled_from(INJECTIONS + COMMANDS))
steps = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(PEOPLE), texts),
    st.tuples(st.just("press"), st.sampled_from(PEOPLE),
              st.one_of(st.sampled_from(BUTTONS), st.text(max_size=64))),
    st.tuples(st.sampled_from(["group", "edited", "photo", "sticker", "voice"]),
              st.sampled_from(PEOPLE), texts),
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(steps, min_size=1, max_size=12))
def test_random_sequences_keep_every_invariant(world: World,
                                               sequence: list[tuple[str, int, Any]]) -> None:
    w = world
    for kind, person, payload in sequence:
        marks = {chat: len(msgs) for chat, msgs in w.api.sent.items()}
        w.run(make_update(w, kind, person, payload))
        assert not w.errors, [r.getMessage() for r in w.errors]
        for chat, messages in w.api.sent.items():
            for message in messages[marks.get(chat, 0):]:
                text = str(message.get("text") or message.get("caption") or "")
                assert "出了点问题" not in text  # the apology means an unhandled exception
                assert "parse_mode" not in message
                if message["method"] == "sendMessage":
                    assert 0 < len(text) <= 4096
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                    for button in row:
                        assert len(button["callback_data"].encode()) <= 64
                if chat not in FAMILY_TWO | {ADMIN}:
                    assert not any(secret in text for secret in SECRETS_TWO), (chat, text[:200])
