"""`limber console`: try the bot in a terminal, no token and no network."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.common import add_command
from bot.cli.server_commands import settings_or_exit

CONSOLE_DATABASE = "console.db"


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "console",
        "Talk to the bot in this terminal: what you type goes to the same handlers as a "
        "private chat; numbers press buttons. No token or network needed.",
        _console,
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database to use (default: console.db in STATE_DIR, kept apart from the bot's)",
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="holds last a tenth of their time, to see a whole routine quickly",
    )


def _console(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    url = args.database or f"sqlite+aiosqlite:///{settings.state_dir / CONSOLE_DATABASE}"
    settings = settings.model_copy(update={"database_url": url, "rate_limit": False})

    from bot.app import build_application
    from bot.console.repl import run_console
    from bot.log import configure_logging
    from bot.storage import migrations

    # Only problems are worth printing between the bot's messages.
    configure_logging("WARNING")
    migrations.upgrade(url)
    options = {"hold_scale": 0.1} if args.fast else {}

    def factory(token: str, base_url: str, base_file_url: str) -> Any:
        return build_application(
            settings,
            token,
            base_url=base_url,
            base_file_url=base_file_url,
            services_options=options,
        )

    try:
        return asyncio.run(run_console(factory))
    except KeyboardInterrupt:
        print()
        return 0
