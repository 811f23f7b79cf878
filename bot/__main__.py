"""The ``limber`` command line (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="limber",
        description="Limber: a Telegram coach for short, safe stretch breaks at the desk.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run one subcommand and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
    except BrokenPipeError:
        # `limber poses --json | head` closed the pipe early: that is not an error.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
