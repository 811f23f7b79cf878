"""``limber routine``: build a routine and print it as the bot would say it (or as JSON)."""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any, get_args

from bot.catalogue import (
    Catalogue,
    CatalogueError,
    RedFlagFound,
    UnknownCaution,
    get_catalogue,
    load_catalogue,
)
from bot.cli.common import add_command
from bot.coach import MAX_MINUTES, MIN_MINUTES, RoutineRequest, build_routine, describe_routine
from bot.coach.routine import Focus

# Exit status for input a person got wrong (argparse uses the same).
USAGE_ERROR = 2


class InputError(Exception):
    """Something typed on the command line that the catalogue does not know."""


class RedFlag(Exception):
    """A caution that is a symptom needing a clinician: no routine is built."""


def register(subparsers: Any) -> None:
    """Add ``limber routine``."""
    parser = add_command(
        subparsers,
        "routine",
        "Build a stretch routine and print it as the bot would say it.",
        run,
    )
    parser.add_argument(
        "--minutes",
        type=_minutes,
        default=5,
        help=f"minutes available, {MIN_MINUTES} to {MAX_MINUTES} (default 5)",
    )
    parser.add_argument(
        "--place",
        choices=("desk", "floor"),
        default="desk",
        help="desk: standing or on a chair; floor: a mat (default desk)",
    )
    parser.add_argument("--wall", action="store_true", help="a free wall is at hand")
    parser.add_argument(
        "--focus",
        type=_focus,
        choices=get_args(Focus),
        default="balanced",
        help="stretch, strength, balanced or wind-down (default balanced)",
    )
    parser.add_argument(
        "--caution",
        action="append",
        default=[],
        metavar="TEXT",
        help='a caution as a person would type it ("bad knee", "high bp"); repeatable',
    )
    parser.add_argument(
        "--painful",
        action="append",
        default=[],
        metavar="POSE",
        help="a pose reported as painful, left out; repeatable",
    )
    parser.add_argument(
        "--recent",
        action="append",
        default=[],
        metavar="POSE",
        help="a pose done in the last days, most recent first; repeatable",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="the same seed gives the same routine"
    )
    parser.add_argument("--json", action="store_true", help="print the plan as JSON for tools")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="catalogue directory (default: data/)"
    )


def run(args: argparse.Namespace) -> int:
    """Build and print the routine; unknown cautions or poses are a usage error."""
    try:
        catalogue = load_catalogue(args.data_dir) if args.data_dir else get_catalogue()
    except CatalogueError as error:
        print(f"limber routine: {error}", file=sys.stderr)
        return 1
    try:
        cautions = _cautions(catalogue, args.caution)
        painful = frozenset(_pose_id(catalogue, text) for text in args.painful)
        recent = tuple(_pose_id(catalogue, text) for text in args.recent)
    except RedFlag as flag:
        # Advice for the person, not a usage message: no program name in front of it.
        print(flag, file=sys.stderr)
        return USAGE_ERROR
    except InputError as error:
        print(f"limber routine: {error}", file=sys.stderr)
        return USAGE_ERROR
    request = RoutineRequest(
        minutes=args.minutes,
        place=args.place,
        wall=args.wall,
        focus=args.focus,
        cautions=cautions,
        recent=recent,
        painful=painful,
        # Without a seed each run differs, like the bot; the JSON shows the seed to replay it.
        seed=args.seed if args.seed is not None else random.SystemRandom().randrange(2**31),
    )
    routine = build_routine(catalogue, request)
    if args.json:
        print(json.dumps(routine.to_json(), indent=2, ensure_ascii=False))
    else:
        print(describe_routine(routine))
    return 0


def _minutes(text: str) -> int:
    try:
        minutes = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of minutes: {text!r}") from None
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise argparse.ArgumentTypeError(
            f"{minutes} minutes is outside {MIN_MINUTES} to {MAX_MINUTES}"
        )
    return minutes


def _focus(text: str) -> str:
    # People write "wind-down"; the focus is called wind_down inside.
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def _cautions(catalogue: Catalogue, texts: list[str]) -> frozenset[str]:
    tags: set[str] = set()
    for text in texts:
        parsed = catalogue.parse_caution(text)
        if isinstance(parsed, RedFlagFound):
            raise RedFlag(f"{parsed.red_flag.label}. {catalogue.vocabulary.red_flag_advice}")
        if isinstance(parsed, UnknownCaution):
            hint = (
                f"Did you mean: {', '.join(parsed.closest)}?"
                if parsed.closest
                else f"Known cautions: {', '.join(t.tag for t in catalogue.vocabulary.tags)}."
            )
            raise InputError(f"unknown caution {text.strip()!r}. {hint}")
        tags.add(parsed.tag.tag)
    return frozenset(tags)


def _pose_id(catalogue: Catalogue, text: str) -> str:
    match = catalogue.find_pose(text)
    if match.pose is not None:
        return match.pose.id
    hint = (
        f" Did you mean: {', '.join(p.name for p in match.suggestions)}?"
        if match.suggestions
        else ""
    )
    raise InputError(f"unknown pose {text.strip()!r}.{hint}")
