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
