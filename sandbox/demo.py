"""``python bot.py sandbox``: the sandbox Bot API, the bot, and a seeded demo village."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path

from db.database import Database
from flows.clock import SystemClock, to_iso
from flows.config import Settings
from flows.demo_village import DEMO_PEOPLE, seed_demo_village
from sandbox.server import DEFAULT_TOKEN, start_sandbox

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

    send = f"curl -s {base}/sandbox/send -d"
    print(f"\nKinBridge demo is running. Sandbox Bot API: {base}/  (Ctrl-C stops everything)")
    print("Demo village 青山村 (Telegram user ids to play them through the sandbox):")
    for person in DEMO_PEOPLE:
        print(f"  {person.tg_user_id}  {person.name:<4} {person.description}")
    print("Try this (each reply appears in the person's chat: "
          f"curl -s {base}/sandbox/chats/<id>/messages):\n"
          f"  1. as 李主任, open the family file:  {send} '{{\"user_id\":2001,\"text\":\"/family 1\"}}'\n"
          f"  2. as 李主任, start a new one:        {send} '{{\"user_id\":2001,\"text\":\"/newfamily\"}}'\n"
          f"  3. as 奶奶, answer a check-in:       {send} '{{\"user_id\":1001,\"text\":\"/checkin\"}}'\n",
          flush=True)
    stop = asyncio.Event()
    try:
        await serve(settings, sandbox_mode=True, stop=stop)
    finally:
        await runner.cleanup()
    return 0
