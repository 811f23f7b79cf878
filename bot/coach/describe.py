"""A routine in words: what the bot says, and what ``limber routine`` prints.

Plain text; the Telegram layer escapes it for HTML and may send it step by step.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.catalogue.models import Hold, Position
from bot.coach.duration import clock_text
from bot.coach.routine import LeftOut, Routine, Step

POSITION_TEXT: dict[Position, str] = {
    "standing": "Standing",
    "chair": "Sitting on your chair",
    "tabletop": "On hands and knees",
    "kneeling": "Kneeling",
    "seated_floor": "Sitting on the floor",
    "prone": "Lying on your front",
    "supine": "Lying on your back",
}
FOCUS_TEXT = {
    "stretch": "stretch",
    "strength": "strength",
    "balanced": "balanced",
    "wind_down": "wind-down",
}


def hold_text(hold: Hold) -> str:
    """How long to hold, as said to a person: "hold 8 breaths (about 40 s)", "hold 30 s"."""
    if hold.unit == "seconds":
        return f"hold {clock_text(hold.seconds)}"
    if hold.unit == "breaths":
        breaths = "breath" if hold.amount == 1 else "breaths"
        return f"hold {hold.amount} {breaths} (about {clock_text(hold.seconds)})"
    reps = "rep" if hold.amount == 1 else "reps"
    return f"{hold.amount} {reps} (about {clock_text(hold.seconds)})"


def step_title(step: Step) -> str:
    """The pose, the variation delivered and the side: "Low Lunge (knee down), left side";
    only the variation when its name already says the pose: "Warrior III holding a support"."""
    title = step.pose_name
    if step.variation_name is not None:
        if step.pose_name.casefold() in step.variation_name.casefold():
            title = step.variation_name
        else:
            title += f" ({step.variation_name})"
    if step.side is not None:
        title += f", {step.side} side"
    return title


def describe_step(
    step: Step, number: int, *, second_side: bool = False, repeated: bool = False
) -> str:
    """One numbered step with its hold, cues and notes; the second side of a sided pose says
    only that it is the same again, as its cues and notes came with the first, and a pose
    ``repeated`` from the first round only points back to it."""
    lines = [f"{number}. {step_title(step)} — {hold_text(step.hold)}"]
    if second_side:
        lines.append(f"   Same again on the {step.side} side.")
        return "\n".join(lines)
    if repeated:
        lines.append("   As in round 1.")
        return "\n".join(lines)
    lines.extend(f"   • {cue}" for cue in step.cues)
    lines.extend(f"   ⚠ {note}" for note in step.notes)
    return "\n".join(lines)


def describe_routine(routine: Routine) -> str:
    """The whole routine as the bot says it."""
    request = routine.request
    header = (
        f"Your {request.minutes}-minute {request.place} routine "
        f"({FOCUS_TEXT[request.focus]}), about {clock_text(routine.estimated_seconds)} in all."
    )
    parts = [header]
    if request.cautions:
        parts.append(f"Adapted for your cautions: {tags_text(request.cautions)}.")
    # The shortfall names the rounds itself when even the last round falls short.
    explained = routine.shortfall or routine.rounds_note
    if explained is not None:
        parts.append(explained)

    lines: list[str] = []
    previous: Step | None = None
    for number, step in enumerate(routine.steps, start=1):
        if previous is None or previous.position != step.position:
            lines.append(f"— {POSITION_TEXT[step.position]} —")
        if routine.rounds > 1 and (previous is None or previous.round != step.round):
            if previous is not None:
                lines.append("")
            lines.append(f"— Round {step.round} of {routine.rounds} —")
        second_side = (
            previous is not None
            and previous.pose_id == step.pose_id
            and previous.side == "left"
            and step.side == "right"
        )
        lines.append(describe_step(step, number, second_side=second_side, repeated=step.round > 1))
        previous = step
    if lines:
        parts.append("\n".join(lines))

    left_out = describe_left_out(routine.left_out)
    if left_out:
        parts.append(left_out)
    return "\n\n".join(parts)


def describe_left_out(left_out: tuple[LeftOut, ...]) -> str:
    """Each pose left out for the person's cautions or pain by name; those the place or the
    focus rules out only counted, as they would not be in this kind of routine anyway."""
    lines: list[str] = []
    named = [item for item in left_out if item.kind in ("caution", "painful")]
    if named:
        lines.append(
            "Left out: " + ", ".join(f"{item.pose_name} ({_why(item)})" for item in named) + "."
        )
    for kind, intro in (("place", "Not possible here"), ("focus", "Not in this focus")):
        counted = [item for item in left_out if item.kind == kind]
        if not counted:
            continue
        by_reason: dict[str, int] = {}
        for item in counted:
            by_reason[item.reason] = by_reason.get(item.reason, 0) + 1
        summary = ", ".join(
            f"1 pose {reason}" if count == 1 else f"{count} poses {_plural_verb(reason)}"
            for reason, count in sorted(by_reason.items())
        )
        lines.append(f"{intro}: {summary}.")
    return "\n".join(lines)


def tags_text(tags: Iterable[str]) -> str:
    """Caution tags as a person reads them: "high blood pressure, knee"."""
    return ", ".join(sorted(tag.replace("_", " ") for tag in tags))


def _why(item: LeftOut) -> str:
    return tags_text(item.tags) if item.tags else item.reason


def _plural_verb(reason: str) -> str:
    # Reasons are written for one pose ("needs the floor"); a count of several needs "need".
    verb, _, rest = reason.partition(" ")
    if verb.endswith("s") and rest:
        return f"{verb[:-1]} {rest}"
    return reason
