from pathlib import Path

import pytest

from flows.core.config import ConfigError, Settings

TOKEN = "123456789:AAE-secret-token-value"


def test_defaults_from_a_minimal_environment() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.api_url == "https://api.telegram.org"
    assert settings.db_path == Path("./kinbridge.db")
    assert settings.tz == "Asia/Shanghai"
    assert settings.locale == "zh_CN"
    assert settings.admins == ()
    assert settings.bot_base_url == "https://api.telegram.org/bot"


def test_missing_token_is_one_clear_sentence() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({})
    assert len(info.value.problems) == 1
    assert "TELEGRAM_BOT_TOKEN" in info.value.problems[0]


def test_token_not_required_for_migrate_or_sandbox() -> None:
    assert Settings.from_env({}, require_token=False).token == ""


def test_every_problem_is_reported_at_once() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "KINBRIDGE_TZ": "Mars/Olympus",
           "KINBRIDGE_ADMINS": "12, abc", "KINBRIDGE_LOCALE": "fr", "TELEGRAM_API_URL": "ftp://x"}
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env)
    text = "\n".join(info.value.problems)
    assert len(info.value.problems) == 4
    assert "Mars/Olympus" in text and "'abc'" in text and "'fr'" in text and "ftp://x" in text


def test_the_token_never_shows_in_errors_or_repr() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "KINBRIDGE_ADMINS": "1,2"})
    assert TOKEN not in repr(settings)
    assert settings.admins == (1, 2)
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "not a token"})
    assert "not a token" not in str(info.value)


def test_db_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "KINBRIDGE_DB": str(tmp_path / "no" / "x.db")})


ESCALATE = {"KINBRIDGE_ESCALATE_URGENT_MIN": "5", "KINBRIDGE_ESCALATE_HIGH_MIN": "60",
            "KINBRIDGE_ESCALATE_NORMAL_MIN": "600"}


def test_escalation_minutes_come_from_the_environment() -> None:
    default = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert dict(default.escalation) == {"urgent": 30, "high": 240, "normal": 1440}
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **ESCALATE})
    assert dict(settings.escalation) == {"urgent": 5, "high": 60, "normal": 600}


def test_a_bad_escalation_setting_is_named() -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "KINBRIDGE_ESCALATE_URGENT_MIN": "0",
           "KINBRIDGE_ESCALATE_HIGH_MIN": "soon", "KINBRIDGE_ESCALATE_NORMAL_MIN": "20000"}
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env)
    assert len(info.value.problems) == 3
    text = "\n".join(info.value.problems)
    assert all(f"KINBRIDGE_ESCALATE_{s}_MIN" in text for s in ("URGENT", "HIGH", "NORMAL"))


async def test_the_bot_climbs_after_the_configured_minutes(tmp_path: Path) -> None:
    """The settings reach the ladder: a bot built with them schedules an urgent alert's climb
    5 minutes after it is raised and a high one's 60 minutes after, not the defaults."""
    from datetime import UTC, datetime, timedelta

    from bot import build_application, parts_of
    from db.database import Database
    from flows.core.clock import from_iso
    from flows.staff import alerts
    from sandbox.offline import OfflineBotApi
    from tests.support.families import add_family

    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "KINBRIDGE_DB": str(tmp_path / "esc.db"), **ESCALATE}
    settings = Settings.from_env(env)
    db = await Database.open(settings.db_path)
    try:
        application = build_application(settings, db=db, request=OfflineBotApi(),
                                        get_updates_request=OfflineBotApi(), send_rate_per_s=None)
        parts = parts_of(application)
        # the waits are passed, not patched into a module: a turn (run_flow) and the sweeps take
        # them from the bot's Services, the sender from its own copy
        waits = parts.services.settings.escalation_after
        assert parts.sender is not None and parts.sender.escalation == waits
        now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

        def raise_two(s):  # type: ignore[no-untyped-def]
            ids = add_family(s)
            return [alerts.raise_alert(s, now=now, family_id=ids["family"], person_id=None,
                                       rule=rule, severity=severity, evidence=None, waits=waits)
                    for rule, severity in (("sos", "urgent"), ("injury", "high"))]
        urgent, high = await db.write(raise_two)
        climbs = await db.read(lambda s: [from_iso(s.alerts.get(a).next_escalation_at) - now
                                          for a in (urgent, high)])
        assert climbs == [timedelta(minutes=5), timedelta(minutes=60)]
    finally:
        await db.close()
