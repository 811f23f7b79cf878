"""How long a routine takes: every timing assumption lives here, so the estimate shown to a
person, the builder's fit to the minutes asked and the tests all agree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.catalogue.models import Position

# Reading the next step and settling into the pose.
SECONDS_BETWEEN_POSES = 5
# Unwinding one side and setting up the other is quicker than starting a new pose.
SECONDS_TO_SWITCH_SIDES = 3
# Changing position costs a base plus a share for each level of height crossed: getting down
# from standing to lying on the back takes longer than rolling from the front to the back.
SECONDS_TO_CHANGE_POSITION = 8
SECONDS_PER_LEVEL = 6

# How far above the floor each position is, in levels.
POSITION_HEIGHT: dict[Position, int] = {
    "standing": 3,
    "chair": 2,
    "kneeling": 1,
    "tabletop": 1,
    "seated_floor": 0,
    "prone": 0,
    "supine": 0,
}


def transition_seconds(before: Position, after: Position) -> int:
    """Seconds to get from one position into another (nothing when they are the same)."""
    if before == after:
        return 0
    levels = abs(POSITION_HEIGHT[before] - POSITION_HEIGHT[after])
    return SECONDS_TO_CHANGE_POSITION + SECONDS_PER_LEVEL * levels


class TimedStep(Protocol):
    """What the estimate needs to know about a step."""

    @property
    def pose_id(self) -> str: ...

    @property
    def position(self) -> Position: ...

    @property
    def hold_seconds(self) -> int: ...

    @property
    def side(self) -> str | None: ...


def estimate_seconds(steps: Sequence[TimedStep]) -> int:
    """Estimated seconds for steps done in order: holds, side switches and position changes."""
    total = 0
    previous: TimedStep | None = None
    for step in steps:
        total += step.hold_seconds
        switching_sides = (
            previous is not None
            and step.side == "right"
            and previous.side == "left"
            and previous.pose_id == step.pose_id
        )
        if switching_sides:
            total += SECONDS_TO_SWITCH_SIDES
        else:
            total += SECONDS_BETWEEN_POSES
            if previous is not None:
                total += transition_seconds(previous.position, step.position)
        previous = step
    return total


def minutes_text(seconds: int) -> str:
    """A rough length in whole minutes, the way a person would say it ("about 3 minutes")."""
    minutes = max(1, round(seconds / 60))
    return f"about {minutes} minute" if minutes == 1 else f"about {minutes} minutes"


def clock_text(seconds: int) -> str:
    """A length to the nearest five seconds: "40 s", "3 min", "9 min 45 s"."""
    rounded = 5 * round(seconds / 5)
    minutes, rest = divmod(rounded, 60)
    if minutes == 0:
        return f"{rest} s"
    if rest == 0:
        return f"{minutes} min"
    return f"{minutes} min {rest} s"
