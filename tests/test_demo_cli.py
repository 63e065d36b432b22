"""``python bot.py sandbox --port N`` (what ``make demo PORT=N`` runs) as a newcomer starts it: it
listens where it was told, prints the guide the browser tests follow, serves the seeded village,
and stops cleanly on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from sandbox.demo import guide_lines

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_demo_listens_on_the_port_it_is_given_and_prints_its_guide(
        tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KINBRIDGE_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), "sandbox", "--port", str(port), env=env,
        cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while not any("KinBridge demo is running" in line for line in lines):
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            assert line, "the demo stopped before it printed its guide:\n" + "".join(lines)
            lines.append(line.decode())
        for _ in guide_lines():
            lines.append((await asyncio.wait_for(process.stdout.readline(), 10)).decode())
        url = re.search(r"open (http://127\.0\.0\.1:(\d+))/", "".join(lines))
        assert url is not None and int(url.group(2)) == port
        printed = [line.rstrip("\n") for line in lines]
        assert all(line in printed for line in guide_lines())
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{url.group(1)}/sandbox/personas") as resp:
                people = (await resp.json())["personas"]
        assert len(people) == 16 and {"奶奶", "李主任", "赵外公"} <= {p["name"] for p in people}
        assert (tmp_path / "demo.db").exists()  # a fresh database in the working folder
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
