"""The real ``python bot.py run`` as a child process, with stdout and stderr kept apart so a test
can read what the operator would read."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class RunningBot:
    def __init__(self, api_url: str, token: str, db_path: Path | None, workdir: Path,
                 name: str = "bot", extra_env: dict[str, str] | None = None) -> None:
        self.api_url = api_url
        self.token = token
        self.db_path = db_path
        self.workdir = workdir
        self.out_path = workdir / f"{name}.stdout"
        self.err_path = workdir / f"{name}.stderr"
        self.extra_env = extra_env or {}
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> RunningBot:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KINBRIDGE_"))}
        env.update({"TELEGRAM_BOT_TOKEN": self.token, "TELEGRAM_API_URL": self.api_url,
                    "KINBRIDGE_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
                    "PYTHONPATH": str(ROOT)})
        if self.db_path is not None:
            env["KINBRIDGE_DB"] = str(self.db_path)
        env.update(self.extra_env)
        with self.out_path.open("ab") as out, self.err_path.open("ab") as err:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, str(ROOT / "bot.py"), "run", env=env, cwd=self.workdir,
                stdout=out, stderr=err, stdin=asyncio.subprocess.DEVNULL)
        return self

    @property
    def returncode(self) -> int | None:
        assert self.process is not None
        return self.process.returncode

    async def wait_exit(self, within: float) -> int | None:
        """The exit status if the process ends within ``within`` seconds, else None."""
        assert self.process is not None
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            return None

    async def stop(self, grace: float = 20.0) -> int:
        """SIGTERM (as systemd would), SIGKILL if it does not end within ``grace`` seconds
        (then the status is -9)."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            if await self.wait_exit(grace) is None:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode if self.process.returncode is not None else -1

    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace") if self.err_path.exists() else ""

    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace") if self.out_path.exists() else ""

    def output(self) -> str:
        return self.stdout() + self.stderr()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])
