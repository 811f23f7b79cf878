"""Settings, read from the environment and ``.env`` (pydantic-settings).

Every setting is listed with a comment in ``.env.example``. A wrong value stops start-up with
a message that names the setting; the bot token is a secret and never appears in a message.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Telegram tokens are "<bot id>:<35 url-safe characters>"; checking the shape locally turns a
# pasted half-token into a clear message instead of a 404 from the API.
TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def default_state_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "limber"


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it and says what to do."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    # Where the SQLite database lives when DATABASE_URL is not set.
    state_dir: Path = Field(default_factory=default_state_dir)
    database_url: str = ""
    telegram_api_base_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"  # a webhook server must accept outside calls
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # One indexed query a tick when nothing is due; a second keeps nudges at most ~1 s late.
    nudge_tick_seconds: float = Field(default=1.0, gt=0, le=3600)
    nudge_batch_size: int = Field(default=200, ge=1, le=10_000)
    # Minutes a nudge may be late and still be sent; older slots are skipped, not sent.
    nudge_fresh_minutes: int = Field(default=5, ge=1, le=120)
    rate_limit: bool = True
    # Reads of a large SQLite file without a system call each (bot/storage/db.py).
    sqlite_mmap_mb: int = Field(default=0, ge=0, le=1_048_576)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("telegram_api_base_url", "webhook_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token", "webhook_secret", mode="before")
    @classmethod
    def _blank_secret_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value:
            return value
        scheme, sep, rest = value.partition("://")
        if not sep or scheme.lower() not in _DRIVERS:
            raise ValueError(
                f"unknown database scheme {scheme!r}; use sqlite+aiosqlite:///path/limber.db "
                "or postgresql+asyncpg://user@host/dbname"
            )
        return f"{_DRIVERS[scheme.lower()]}://{rest}"

    @field_validator("telegram_api_base_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value.rstrip("/") if value else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram only accepts 1-256 characters of A-Z, a-z, 0-9, _ and - as a secret token.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("must be 1-256 characters of letters, digits, _ and -")
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.state_dir / 'limber.db'}"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def require_token(self) -> str:
        """The bot token, or a SettingsError saying how to get and set one."""
        if self.telegram_bot_token is None:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set.\n"
                "Get a token from @BotFather in Telegram (send /newbot), then put it in .env:\n"
                "  TELEGRAM_BOT_TOKEN=123456789:AA...\n"
                "or export it in your shell. To try Limber without a token: limber console"
            )
        token = self.telegram_bot_token.get_secret_value().strip()
        if not TOKEN_PATTERN.match(token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token "
                "(expected digits, a colon, then about 35 letters, digits, _ or -).\n"
                "Copy the whole token that @BotFather gave you into .env as "
                "TELEGRAM_BOT_TOKEN=..."
            )
        return token


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and .env, or a SettingsError naming the bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = ".".join(str(part) for part in item["loc"]).upper() or "settings"
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise SettingsError("Invalid setting — " + "; ".join(problems)) from None
