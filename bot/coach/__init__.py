"""Pure coaching logic: routines, schedule rules, input parsing and progress.

Imports neither ``telegram`` nor ``sqlalchemy``: everything here is a plain function call.
"""

from bot.coach.describe import describe_left_out, describe_routine, describe_step, hold_text
from bot.coach.duration import estimate_seconds
from bot.coach.routine import (
    MAX_MINUTES,
    MAX_ROUNDS,
    MIN_MINUTES,
    TOLERANCE,
    Focus,
    LeftOut,
    Routine,
    RoutinePlace,
    RoutineRequest,
    Step,
    build_routine,
)

__all__ = [
    "MAX_MINUTES",
    "MAX_ROUNDS",
    "MIN_MINUTES",
    "TOLERANCE",
    "Focus",
    "LeftOut",
    "Routine",
    "RoutinePlace",
    "RoutineRequest",
    "Step",
    "build_routine",
    "describe_left_out",
    "describe_routine",
    "describe_step",
    "estimate_seconds",
    "hold_text",
]
