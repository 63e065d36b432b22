"""``python bot.py sandbox``: the sandbox Bot API, the bot, and a seeded demo village.

``DemoRun`` is the demo as one object: it seeds the village into a fresh database, lets the
sandbox's people meet it, tells the sandbox where the clock's named jumps land (read from the
bot's own schedule rows), and starts over on the page's reset button. The demo tests use it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from db.database import Database
from db.store import Store
from flows.core.clock import OffsetClock
from flows.core.config import Settings
from flows.core.timeplan import next_occurrence, zone_named
from flows.staff import alerts as alert_rules
from sandbox.server import DEFAULT_TOKEN, Sandbox, start_sandbox
from sandbox.village import DEMO_PEOPLE, PERSONA_GUARDIAN, everyone, seed_full_village

log = logging.getLogger("kinbridge.demo")

# The clock's named jumps: (id, icon, whose schedule, kind, label zh, label en)
NAMED_JUMPS = (
    ("checkin", "🌙", 1001, "checkin", "奶奶的下一次问候", "Grandma's next check-in"),
    ("weekly-father", "📅", 1002, "weekly", "爸爸的每周消息", "Father's weekly message"),
    ("weekly-mother", "📅", 1003, "weekly", "妈妈的每周消息", "Mother's weekly message"),
    ("digest", "📊", 2001, "digest", "周一工作简报", "Monday digest"),
)


@dataclass(frozen=True)
class BotLifecycle:
    """bot.py's application factory and its start and stop, handed in by bot.py's CLI (and the
    tests) so the sandbox never imports bot.py: no import circle."""

    build: Callable[..., Any]
    start: Callable[..., Awaitable[None]]
    stop: Callable[[Any], Awaitable[None]]


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            candidate.unlink()


def named_jumps(store: Store, now: datetime) -> list[dict[str, Any]]:
    """Where each named jump lands: the next occurrence after ``now`` of that person's own
    schedule row, in their own zone (so the mother's lands on Dubai's Sunday 20:00)."""
    found = []
    for jump_id, icon, tg_user_id, kind, zh, en in NAMED_JUMPS:
        person = store.people.by_telegram_user(tg_user_id)
        rows = store.schedules.for_person(person.id, kind) if person else []
        if person is None or not rows or rows[0].local_time is None:
            continue
        zone = zone_named(person.tz)
        target = next_occurrence(now, zone, rows[0].local_time, rows[0].weekdays)
        found.append({"id": jump_id, "icon": icon, "label": {"zh": zh, "en": en},
                      "target": target.isoformat(), "zone": str(zone)})
    return found


class DemoRun:
    """The bot and the seeded village on one sandbox; ``reset`` brings back the first state."""

    def __init__(self, sandbox: Sandbox, settings: Settings, bot: BotLifecycle, *,
                 poll_timeout: int = 10, fresh: bool = True,
                 start_at: datetime | None = None) -> None:
        self.sandbox = sandbox
        self.bot = bot
        self.start_at = start_at  # tests: the village's first moment (default: now)
        self.fresh = fresh  # False: keep the database the person named (--db)
        self.settings = settings
        self.poll_timeout = poll_timeout
        self.db: Database | None = None
        self.application: Any = None
        self.families: dict[str, int] = {}
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        if self.fresh:
            remove_db(self.settings.db_path)
        self.db = await Database.open(self.settings.db_path)
        offset = timedelta(0) if self.start_at is None else self.start_at - datetime.now(UTC)
        self.sandbox.clock_offset_s = offset.total_seconds()
        clock = OffsetClock(offset)
        seeded = await self.db.read(lambda s: s.people.by_telegram_user(PERSONA_GUARDIAN))
        if seeded is None:
            self.families = await self.db.write(lambda s: seed_full_village(s, now=clock.now()))
        self._meet_the_people()
        self.sandbox.jump_source = self._jumps
        self.sandbox.reset_hook = self.reset
        self.application = self.bot.build(self.settings, db=self.db, clock=clock,
                                          sandbox_mode=True)
        await self.bot.start(self.application, poll_timeout=self.poll_timeout)

    def _meet_the_people(self) -> None:
        for person in everyone():
            self.sandbox.world.user(person.tg_user_id, person.name, "zh-hans")
            self.sandbox.notes[person.tg_user_id] = person.description
            self.sandbox.persona_meta[person.tg_user_id] = {
                "note_zh": person.note_zh, "note_en": person.description, "tz": person.tz,
                "group": "persona" if person in DEMO_PEOPLE else "villager"}

    async def _jumps(self, now: datetime) -> list[dict[str, Any]]:
        if self.db is None:
            return []
        return await self.db.read(lambda s: named_jumps(s, now))

    async def stop(self) -> None:
        if self.application is not None:
            await self.bot.stop(self.application)
            self.application = None
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def reset(self) -> None:
        """Start over: stop the bot, forget every chat and the clock, reseed, start again."""
        async with self._lock:
            await self.stop()
            self.sandbox.start_over()
            self.fresh = True
            await self.start()


def print_guide(base: str, waits: alert_rules.Waits = None) -> None:
    print(f"\nKinBridge demo is running: open {base}/ in a browser  (Ctrl-C stops everything)")
    for line in guide_lines(waits):
        print(line)
    print("", flush=True)


def _hours(severity: str, waits: alert_rules.Waits = None) -> str:
    minutes = int(alert_rules.wait_for(waits, severity).total_seconds() // 60)
    return f"{minutes} minutes" if minutes < 120 else f"{minutes // 60} hours"


def guide_lines(waits: alert_rules.Waits = None) -> list[str]:
    """The printed guide; tests/test_browser.py follows it step by step and checks each claim.
    The ladder's waits are read from the settings in force, so the guide stays true."""
    return [
        "青山村 has six families. You play 小明's: 奶奶 (grandmother), 爸爸 (father, Shenzhen), "
        "妈妈 (mother, Dubai);",
        "李主任 is the village children's director, 王督导 her supervisor. The page is in "
        "Chinese; EN switches it to English.",
        "  1. As 李主任, send /alerts: four alerts to triage: 小丽's urgent one (10 minutes old), "
        "小兰's family silent",
        "     for a week, 王爸爸 (小刚) without a call for three weeks, and 小军's sad streak she "
        "is already following.",
        f"  2. Press ⏱ +1 hour: nobody acknowledged 小丽's urgent alert within {_hours('urgent', waits)}, "
        "so it climbs to 王督导",
        f"     (a high alert climbs after {_hours('high', waits)}). As 王督导, press ✅ to acknowledge it.",
        "  3. As 奶奶, press 🌙 (her next check-in: each clock button shows where it lands), "
        "answer it and say",
        "     小明 is 😢 sad and 🤕 hurt: 李主任 gets a 🟠 alert at once.",
        "  4. As 爸爸, press 📅 his weekly message: the week at a glance, a tip and buttons. "
        "妈妈's lands on Dubai's 20:00.",
        "  5. ⏩ A week: the other families answer their evenings themselves; 奶奶's skipped "
        "evenings count as calm days,",
        "     so the jump raises no false silence alert. 📊 brings 李主任's Monday digest; "
        "↺ starts the village over.",
    ]


async def run_demo(settings: Settings, bot: BotLifecycle, *, port: int = 8080,
                   fresh_db: bool = True) -> int:
    if fresh_db:
        settings = replace(settings, db_path=Path("demo.db"))
    try:
        sandbox, runner, real_port = await start_sandbox("127.0.0.1", port, token=DEFAULT_TOKEN)
    except OSError as exc:
        print(f"kinbridge: cannot listen on 127.0.0.1:{port} ({exc.strerror}); "
              f"try 'make demo PORT=8091' (or 'python bot.py sandbox --port 8091').")
        return 2
    base = f"http://127.0.0.1:{real_port}"
    settings = replace(settings, token=DEFAULT_TOKEN, api_url=base,
                       admins=tuple({*settings.admins, 9001}))
    demo = DemoRun(sandbox, settings, bot, fresh=fresh_db)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await demo.start()
        print_guide(base, settings.escalation_after)
        await stop.wait()
    finally:
        await demo.stop()
        await runner.cleanup()
    return 0
