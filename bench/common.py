"""Shared benchmark plumbing: a sandbox in its own process, JSON on the last line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class SandboxProcess:
    """The sandbox Bot API in a separate process, so it does not share our event loop."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> SandboxProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("SANDBOX_PORT="):
            raise RuntimeError(f"sandbox did not start: {line!r}")
        self.url = f"http://127.0.0.1:{line.split('=', 1)[1]}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result, ensure_ascii=False))


def rss_mb(pid: int | None = None) -> float:
    path = f"/proc/{pid or os.getpid()}/status"
    for line in Path(path).read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0
