"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
from typing import Any


def add_command(
    subparsers: Any, name: str, help_text: str, handler: Any
) -> argparse.ArgumentParser:
    """Add one subcommand whose ``handler(args) -> int`` runs it."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=help_text
    )
    parser.set_defaults(handler=handler)
    return parser
