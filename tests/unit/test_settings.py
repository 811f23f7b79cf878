"""Settings: what a wrong value says, and that secrets stay secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

TOKEN = "123456789:" + "A" * 35


def test_the_default_database_is_an_sqlite_file_in_the_state_dir(tmp_path: Path) -> None:
    settings = load_settings(state_dir=tmp_path / "state")
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'state' / 'limber.db'}"
    assert settings.is_sqlite


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_get_their_async_driver(given: str, expected: str) -> None:
    assert load_settings(database_url=given).database_url == expected


def test_an_unknown_database_scheme_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/limber")
    with pytest.raises(SettingsError, match="DATABASE_URL: unknown database scheme 'mysql'"):
        load_settings()


def test_a_tick_interval_that_is_not_a_number_names_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NUDGE_TICK_SECONDS", "often")
    with pytest.raises(SettingsError, match="NUDGE_TICK_SECONDS"):
        load_settings()


def test_settings_are_read_from_a_dot_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=debug\n")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.require_token() == TOKEN
    assert settings.log_level == "DEBUG"


def test_a_missing_token_says_how_to_get_one() -> None:
    with pytest.raises(SettingsError, match="@BotFather"):
        load_settings().require_token()


def test_a_malformed_token_is_refused_without_repeating_it() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(telegram_bot_token="12345:secretbutshort").require_token()
    assert "secretbutshort" not in str(raised.value)


def test_the_token_never_shows_in_the_settings_repr() -> None:
    settings = load_settings(telegram_bot_token=TOKEN, webhook_secret="s3cr3t_value")
    assert "A" * 35 not in repr(settings)
    assert "s3cr3t_value" not in repr(settings)


def test_a_webhook_secret_telegram_would_refuse_is_caught_early() -> None:
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        load_settings(webhook_secret="has spaces!")


def test_an_api_base_url_must_be_http() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_API_BASE_URL"):
        load_settings(telegram_api_base_url="ftp://example")
    assert load_settings(telegram_api_base_url="http://127.0.0.1:8081/").telegram_api_base_url == (
        "http://127.0.0.1:8081"
    )


def test_a_negative_sqlite_memory_map_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLITE_MMAP_MB", "-5")
    with pytest.raises(SettingsError, match="SQLITE_MMAP_MB"):
        load_settings()
