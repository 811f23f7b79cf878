"""A routine as it is stored in a run and shown step by step.

The plan is written into the run when the routine starts, with everything needed to show
each step, so a restarted bot (or another worker) carries on without rebuilding it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bot.chat.texts import escaped
from bot.coach.describe import hold_text
from bot.coach.duration import clock_text
from bot.coach.routine import Routine

PLAN_VERSION = 1
# In the plan of a run that asks about pain: {"before": answer, "after": answer}, each None
# until answered, then a 0-10 score or "skip". The scores themselves go to the activity log.
PAIN_KEY = "pain"


@dataclass(frozen=True)
class PlannedStep:
    pose_id: str
    title: str
    side: str | None
    hold_seconds: int
    hold_text: str
    cues: tuple[str, ...]
    notes: tuple[str, ...]
    # Which time through the poses this is, when a routine repeats them.
    round: int = 1
    rounds: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "pose_id": self.pose_id,
            "title": self.title,
            "side": self.side,
            "hold_seconds": self.hold_seconds,
            "hold_text": self.hold_text,
            "cues": list(self.cues),
            "notes": list(self.notes),
            "round": self.round,
            "rounds": self.rounds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlannedStep:
        return cls(
            pose_id=str(data["pose_id"]),
            title=str(data["title"]),
            side=data.get("side"),
            hold_seconds=int(data["hold_seconds"]),
            hold_text=str(data["hold_text"]),
            cues=tuple(str(c) for c in data.get("cues", ())),
            notes=tuple(str(n) for n in data.get("notes", ())),
            round=int(data.get("round", 1)),
            rounds=int(data.get("rounds", 1)),
        )


def plan_from_routine(routine: Routine) -> dict[str, Any]:
    steps = [
        PlannedStep(
            pose_id=step.pose_id,
            title=step.title,
            side=step.side,
            hold_seconds=step.hold_seconds,
            hold_text=hold_text(step.hold),
            cues=step.cues,
            notes=step.notes,
            round=step.round,
            rounds=routine.rounds,
        )
        for step in routine.steps
    ]
    return {
        "version": PLAN_VERSION,
        "minutes": routine.request.minutes,
        "place": routine.request.place,
        "focus": routine.request.focus,
        "estimated_seconds": routine.estimated_seconds,
        "steps": [s.to_json() for s in steps],
        "skipped": [],
    }


def steps_of(plan: dict[str, Any]) -> list[PlannedStep]:
    return [PlannedStep.from_json(s) for s in plan.get("steps", [])]


def seconds_done(plan: dict[str, Any], upto: int) -> int:
    """Seconds of holds done (not skipped) among the first ``upto`` steps."""
    skipped = set(plan.get("skipped", []))
    return sum(s.hold_seconds for i, s in enumerate(steps_of(plan)[:upto]) if i not in skipped)


def minutes_text(seconds: int) -> str:
    return clock_text(seconds) if seconds else "0 min"


def routine_intro(routine: Routine) -> str:
    request = routine.request
    focus = request.focus.replace("_", "-")
    poses = len(routine.pose_ids)
    through = {1: "", 2: ", twice through", 3: ", three times through"}.get(routine.rounds, "")
    lines = [
        f"<b>A {request.minutes}-minute {request.place} break</b> ({focus}): {poses} "
        f"pose{'s' if poses != 1 else ''}{through}, "
        f"about {clock_text(routine.estimated_seconds)}."
    ]
    if routine.shortfall:
        lines.append(escaped(routine.shortfall))
    elif routine.rounds_note:
        lines.append(escaped(routine.rounds_note))
    cautions = [item for item in routine.left_out if item.kind in {"caution", "painful"}]
    if cautions:
        left = ", ".join(f"{escaped(i.pose_name)} ({escaped(i.reason)})" for i in cautions[:8])
        more = f" and {len(cautions) - 8} more" if len(cautions) > 8 else ""
        lines.append(f"Left out for you: {left}{more}.")
    lines.append("Move gently; stop if anything hurts.")
    return "\n".join(lines)


def step_message(
    step: PlannedStep, number: int, total: int, remaining: float | None, finished: bool
) -> str:
    """One pose as a message: name, side, cues, hold (with the countdown) and notes."""
    title = f"<b>{number}/{total} · {escaped(step.title)}</b>"
    if step.side:
        title += f" — {escaped(step.side)} side"
    if step.rounds > 1:
        title += f" (round {step.round} of {step.rounds})"
    lines = [title]
    lines += [f"{i}. {escaped(cue)}" for i, cue in enumerate(step.cues, start=1)]
    hold = escaped(step.hold_text[0].upper() + step.hold_text[1:])
    if finished:
        lines.append(f"⏱ {hold} — <b>done</b>. Tap Next when you're ready.")
    elif remaining is not None:
        lines.append(f"⏱ {hold} — {math.ceil(max(remaining, 0))} s left")
    else:
        lines.append(f"⏱ {hold}")
    lines += [f"⚠️ {escaped(note)}" for note in step.notes]
    return "\n".join(lines)


def done_line(step: PlannedStep, skipped: bool) -> str:
    mark = "↷ skipped" if skipped else "✓"
    side = f" — {escaped(step.side)} side" if step.side else ""
    return f"{mark} {escaped(step.title)}{side}"


def summary(plan: dict[str, Any], upto: int, finished: bool) -> str:
    steps = steps_of(plan)[:upto]
    skipped = set(plan.get("skipped", []))
    poses = len({s.pose_id for i, s in enumerate(steps) if i not in skipped})
    seconds = seconds_done(plan, upto)
    head = "<b>Well done!</b> " if finished else ""
    return (
        f"{head}{poses} pose{'s' if poses != 1 else ''}, "
        f"{minutes_text(seconds)} of holds. See you at the next break."
    )
