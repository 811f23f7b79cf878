"""``limber poses``, ``limber pose`` and ``limber cautions``: the catalogue from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any, get_args

from bot.catalogue import Catalogue, CatalogueError, get_catalogue, pose_card
from bot.catalogue.models import Kind, Place, Position
from bot.cli.common import add_command

# Exit status for a catalogue that fails validation: distinct from "not found" (1).
EXIT_INVALID_CATALOGUE = 2


def register(subparsers: Any) -> None:
    """Add ``poses``, ``pose`` and ``cautions``."""
    poses = add_command(subparsers, "poses", "List the poses in the catalogue.", _with(_poses))
    poses.add_argument("--place", choices=get_args(Place), help="only poses doable here")
    poses.add_argument("--kind", choices=get_args(Kind), help="only poses of this kind")
    poses.add_argument("--position", choices=get_args(Position), help="only this position")
    poses.add_argument(
        "--json", action="store_true", help="print the whole validated catalogue as JSON"
    )

    pose = add_command(subparsers, "pose", "Show one pose as the bot shows it.", _with(_pose))
    pose.add_argument("name", nargs="+", help="a pose id, name, alias or Sanskrit name")
    pose.add_argument("--variation", help="show this variation of the pose (its id)")

    cautions = add_command(
        subparsers,
        "cautions",
        "Show the caution vocabulary: tags, synonyms, rules and red flags.",
        _with(_cautions),
    )
    cautions.add_argument("--json", action="store_true", help="print it as JSON")


def _with(
    command: Callable[[argparse.Namespace, Catalogue], int],
) -> Callable[[argparse.Namespace], int]:
    """Load the catalogue for a command; an invalid catalogue is a message, not a traceback."""

    def handler(args: argparse.Namespace) -> int:
        try:
            catalogue = get_catalogue()
        except CatalogueError as error:
            print(f"limber: the catalogue is invalid: {error}", file=sys.stderr)
            return EXIT_INVALID_CATALOGUE
        return command(args, catalogue)

    return handler


def _poses(args: argparse.Namespace, catalogue: Catalogue) -> int:
    if args.json:
        print(
            json.dumps(
                {
                    "poses": [pose.model_dump(mode="json") for pose in catalogue.poses],
                    "sources": [source.model_dump(mode="json") for source in catalogue.sources],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    poses = catalogue.filter(place=args.place, kind=args.kind, position=args.position)
    if not poses:
        print("No poses match.")
        return 0
    rows = [("ID", "NAME", "KIND", "POSITION", "PLACES")]
    rows += [
        (pose.id, pose.name, pose.kind, pose.position, ", ".join(pose.places)) for pose in poses
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))
    return 0


def _pose(args: argparse.Namespace, catalogue: Catalogue) -> int:
    text = " ".join(args.name)
    match = catalogue.find_pose(text)
    if match.pose is None:
        message = f"No pose called {text!r}."
        if match.suggestions:
            names = ", ".join(pose.name for pose in match.suggestions)
            message += f" Did you mean: {names}?"
        else:
            message += " See `limber poses` for the list."
        print(message, file=sys.stderr)
        return 1
    variation = args.variation or match.variation
    if variation is not None and variation not in {v.id for v in match.pose.variations}:
        known = ", ".join(v.id for v in match.pose.variations) or "none"
        print(
            f"{match.pose.name} has no variation {variation!r} (it has: {known}).",
            file=sys.stderr,
        )
        return 1
    print(pose_card(match.pose, catalogue, variation=variation))
    return 0


def _cautions(args: argparse.Namespace, catalogue: Catalogue) -> int:
    vocabulary = catalogue.vocabulary
    if args.json:
        print(json.dumps(vocabulary.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return 0
    print("Caution tags (what people can type for each):")
    for tag in vocabulary.tags:
        print(f"- {tag.tag}: {tag.label}. {tag.explanation}")
        if tag.synonyms:
            print(f"    typed as: {', '.join(tag.synonyms)}")
    if vocabulary.rules:
        print("\nRules (a pose's own caution for the tag overrides them):")
        for rule in vocabulary.rules:
            print(f"- {rule.exposure} -> {rule.tag}: {rule.effect}. {rule.note}")
    print("\nRed flags (never stored as cautions; the bot gives this advice instead):")
    for flag in vocabulary.red_flags:
        print(f"- {flag.id}: {flag.label}")
        print(f"    recognised from: {', '.join(flag.phrases)}")
    print(f"\nAdvice: {vocabulary.red_flag_advice}")
    return 0
