"""Subcommands of ``limber``; each module registers one or more with argparse.

Every module exposes ``register(subparsers)``, which adds its subcommands and sets
``handler`` (a function from the parsed arguments to an exit status) as a default.
"""

from __future__ import annotations

from types import ModuleType

from bot.cli import catalogue_commands, console_command, routine_command, server_commands

COMMANDS: tuple[ModuleType, ...] = (
    server_commands,
    console_command,
    catalogue_commands,
    routine_command,
)
