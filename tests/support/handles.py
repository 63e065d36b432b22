"""What the sandbox and bot fixtures hand a test, and the settings that point a bot at the
sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from db.database import Database
from flows.core.clock import Clock
from flows.core.config import Settings
from flows.core.services import Services
from sandbox.client import SandboxClient
from sandbox.server import DEFAULT_TOKEN, Sandbox
from scheduler.ratelimit import ChatPacing


@dataclass
class SandboxHandle:
    sandbox: Sandbox
    url: str
    client: SandboxClient


@dataclass
class BotHandle:
    application: object
    services: Services
    db: Database
    clock: Clock


def sandbox_settings(url: str, db_path: Path, **overrides: object) -> Settings:
    base = {"token": DEFAULT_TOKEN, "api_url": url, "db_path": db_path, "admins": (9001,),
            "tz": "Asia/Shanghai", "locale": "zh_CN"}
    base.update(overrides)
    return Settings(**base)  # type: ignore[arg-type]


def unpaced_chats() -> ChatPacing:
    """Per-chat spacing so wide it never waits: for tests whose subject is not pacing (Telegram's
    one-a-second per chat made the property test sleep eight minutes for 2 000 replies)."""
    return ChatPacing(private_per_s=1e6, private_burst=1e6, group_per_s=1e6, group_burst=1e6)
