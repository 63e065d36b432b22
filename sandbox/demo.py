"""``python bot.py sandbox``: the sandbox Bot API, the bot, and a seeded demo village."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path

from db.database import Database
from flows.clock import SystemClock, to_iso
from flows.config import Settings
from sandbox.server import DEFAULT_TOKEN, start_sandbox
from sandbox.village import DEMO_PEOPLE, seed_demo_village

log = logging.getLogger("kinbridge.demo")


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            candidate.unlink()


async def run_demo(settings: Settings, *, port: int = 8080, fresh_db: bool = True) -> int:
    from bot import serve

    if fresh_db:
        settings = replace(settings, db_path=Path("demo.db"))
        _remove_db(settings.db_path)
    try:
        sandbox, runner, real_port = await start_sandbox("127.0.0.1", port, token=DEFAULT_TOKEN)
    except OSError as exc:
        print(f"kinbridge: cannot listen on 127.0.0.1:{port} ({exc.strerror}); "
              f"try 'python bot.py sandbox --port 8081'.")
        return 2
    base = f"http://127.0.0.1:{real_port}"
    settings = replace(settings, token=DEFAULT_TOKEN, api_url=base,
                       admins=tuple({*settings.admins, 9001}))

    db = await Database.open(settings.db_path)
    await db.write(lambda s: seed_demo_village(s, now=to_iso(SystemClock().now())))
    await db.close()
    for person in DEMO_PEOPLE:
        sandbox.world.user(person.tg_user_id, person.name, "zh-hans")
        sandbox.notes[person.tg_user_id] = person.description

    print(f"\nKinBridge demo is running: open {base}/ in a browser  (Ctrl-C stops everything)")
    print("The demo village 青山村: 奶奶 (grandmother), 爸爸 (father in Shenzhen), 妈妈 (mother in "
          "Dubai), 李主任 (儿童主任), 王督导 (her supervisor). Try this:")
    print("  1. As 奶奶, press 🌙 This evening 19:00, answer the check-in and say 小明 is 😢 and hurt.")
    print("  2. As 李主任, see the alert and press ✅ Acknowledge "
          "(press ⏱ +1 hour first and it climbs to 王督导).")
    print("  3. As 爸爸, press 📅 Sunday 20:00: his weekly message shows the week, a tip and buttons.",
          flush=True)
    stop = asyncio.Event()
    try:
        await serve(settings, sandbox_mode=True, stop=stop)
    finally:
        await runner.cleanup()
    return 0
