"""Run the real bot as a separate process (for kill -9 tests)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from sandbox.server import DEFAULT_TOKEN

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    def __init__(self, api_url: str, db_path: Path, log_path: Path, *,
                 create_db: bool = False) -> None:
        self.api_url = api_url
        self.db_path = db_path
        self.log_path = log_path
        self.args = ["--create-db"] if create_db else []
        self.process: asyncio.subprocess.Process | None = None
        self._polls_before = 0

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KINBRIDGE_"))}
        env.update({"TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN, "TELEGRAM_API_URL": self.api_url,
                    "KINBRIDGE_DB": str(self.db_path), "KINBRIDGE_LOG_LEVEL": "INFO",
                    "PYTHONUNBUFFERED": "1"})
        self._polls_before = self.log().count("KinBridge is polling")
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bot.py"), "run", *self.args, env=env,
            cwd=self.db_path.parent,
            stdout=log, stderr=asyncio.subprocess.STDOUT)
        log.close()

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode or 0

    async def wait_polling(self, within: float = 60.0) -> None:
        """Until the bot says it polls (or it exits: then the log says why)."""
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self.log().count("KinBridge is polling") <= self._polls_before:
            if self.process.returncode is not None or loop.time() > deadline:
                raise AssertionError(f"the bot did not start polling:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.05)

    async def exited(self, within: float = 60.0) -> int | None:
        """The exit status once the process ends by itself (None if it is still running)."""
        assert self.process is not None
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            return None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
