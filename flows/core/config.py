"""Settings from the environment, validated once at start-up with one clear line per problem."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.core.i18n import SUPPORTED_LOCALES

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DB = "./kinbridge.db"
DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_LOCALE = "zh_CN"


class ConfigError(Exception):
    """Raised with every problem found, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    db_path: Path = Path(DEFAULT_DB)
    admins: tuple[int, ...] = ()
    tz: str = DEFAULT_TZ
    locale: str = DEFAULT_LOCALE
    # minutes an unacknowledged alert waits before it climbs the ladder, per severity
    escalation: tuple[tuple[str, int], ...] = (("urgent", 30), ("high", 240), ("normal", 1440))

    @property
    def escalation_after(self) -> dict[str, timedelta]:
        """How long an unacknowledged alert waits before it climbs, per severity: passed to the
        flows that raise and escalate alerts (FlowContext.escalation, the sweeps, the sender)."""
        return {severity: timedelta(minutes=minutes) for severity, minutes in self.escalation}

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def bot_base_url(self) -> str:
        """PTB appends the token to this (``<root>/bot<token>/<method>``)."""
        return f"{self.api_url.rstrip('/')}/bot"

    @property
    def bot_file_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/file/bot"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, require_token: bool = True
    ) -> Settings:
        env = os.environ if env is None else env
        problems: list[str] = []

        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if require_token and not token:
            problems.append(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it "
                "(or try the local demo with 'make demo')."
            )
        elif token and (":" not in token or any(c.isspace() for c in token)):
            problems.append(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (expected '<digits>:<text>')."
            )

        api_url = env.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
        parsed = urlparse(api_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problems.append(
                f"TELEGRAM_API_URL must be an http(s) URL such as {DEFAULT_API_URL}, "
                f"not {api_url!r}."
            )

        db_path = Path(env.get("KINBRIDGE_DB", "").strip() or DEFAULT_DB)
        if db_path.exists() and db_path.is_dir():
            problems.append(f"KINBRIDGE_DB points at a folder ({db_path}); give a file path.")
        elif not db_path.parent.exists():
            problems.append(f"KINBRIDGE_DB's folder does not exist: {db_path.parent}.")

        admins: list[int] = []
        for raw in env.get("KINBRIDGE_ADMINS", "").split(","):
            item = raw.strip()
            if not item:
                continue
            if item.lstrip("-").isdigit():
                admins.append(int(item))
            else:
                problems.append(
                    f"KINBRIDGE_ADMINS must be comma-separated Telegram user ids; {item!r} "
                    "is not a number."
                )

        tz = env.get("KINBRIDGE_TZ", "").strip() or DEFAULT_TZ
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"KINBRIDGE_TZ {tz!r} is not a known time zone (e.g. Asia/Shanghai).")

        locale = env.get("KINBRIDGE_LOCALE", "").strip() or DEFAULT_LOCALE
        if locale not in SUPPORTED_LOCALES:
            problems.append(
                f"KINBRIDGE_LOCALE {locale!r} is not supported; use one of "
                f"{', '.join(SUPPORTED_LOCALES)}."
            )

        escalation = []
        for severity, default in (("urgent", 30), ("high", 240), ("normal", 1440)):
            name = f"KINBRIDGE_ESCALATE_{severity.upper()}_MIN"
            raw = env.get(name, "").strip() or str(default)
            if raw.isdigit() and 0 < int(raw) <= 7 * 24 * 60:
                escalation.append((severity, int(raw)))
            else:
                problems.append(f"{name} must be a number of minutes between 1 and 10080, not "
                                f"{raw!r}.")

        if problems:
            raise ConfigError(problems)
        return cls(
            escalation=tuple(escalation),
            token=token,
            api_url=api_url,
            db_path=db_path,
            admins=tuple(admins),
            tz=tz,
            locale=locale,
        )
