"""`limber run` and `limber migrate`: the bot process and its database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

from bot.cli.common import add_command
from bot.config import Settings, SettingsError, load_settings
from bot.log import configure_logging

log = logging.getLogger("limber")

EXIT_CONFIG = 2


def register(subparsers: Any) -> None:
    run = add_command(subparsers, "run", "Start the bot (long polling, or a webhook).", _run)
    run.add_argument(
        "--webhook",
        action="store_true",
        help="serve Telegram's webhook at WEBHOOK_URL instead of polling",
    )
    add_command(subparsers, "migrate", "Upgrade the database to the newest schema.", _migrate)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        print(f"limber: {error}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None


def migrate_database(settings: Settings) -> str | None:
    """Upgrade to the newest schema and say so in the log; returns the revision."""
    from bot.storage import migrations

    migrations.upgrade(settings.database_url)
    head = migrations.current_head()
    log.info("Database upgraded to revision %s (%s)", head, _describe(settings))
    return head


def _describe(settings: Settings) -> str:
    # The URL may hold a password; name only the kind of store and where it is.
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if settings.is_sqlite:
        return f"SQLite at {url.database}"
    return f"PostgreSQL at {url.host}:{url.port or 5432}/{url.database}"


def _migrate(_args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    configure_logging(settings.log_level)
    migrate_database(settings)
    print(f"Database is up to date ({_describe(settings)}).")
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    configure_logging(settings.log_level)
    try:
        token = settings.require_token()
        webhook = args.webhook or settings.webhook_url is not None
        if webhook and settings.webhook_url is None:
            raise SettingsError("WEBHOOK_URL is not set; --webhook needs the public HTTPS URL.")
        if webhook and settings.webhook_secret is None:
            raise SettingsError(
                "WEBHOOK_SECRET is not set; a webhook needs a secret so that only Telegram "
                "can call it (1-256 letters, digits, _ or -)."
            )
    except SettingsError as error:
        print(f"limber: {error}", file=sys.stderr)
        return EXIT_CONFIG

    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application, check_token, run_application

    # Ask Telegram about the token before anything else, so a rejected token is one clear
    # line and not python-telegram-bot's retry loop and traceback.
    try:
        username = asyncio.run(check_token(settings, token))
    except InvalidToken:
        print(REJECTED_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    except NetworkError as error:
        where = settings.telegram_api_base_url or "api.telegram.org"
        print(f"limber: could not reach Telegram at {where}: {error.message}", file=sys.stderr)
        return 1
    log.info("Telegram knows this bot as @%s", username)
    migrate_database(settings)
    application = build_application(settings, token)
    try:
        run_application(application, settings, webhook=webhook)
    except InvalidToken:
        print(REJECTED_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    return 0


REJECTED_TOKEN = (
    "limber: Telegram rejected TELEGRAM_BOT_TOKEN. Check that you copied the whole token from "
    "@BotFather (or ask it for a new one with /token) and set it in .env."
)
