"""Plain-text descriptions of poses, shared by the command line and (in parts) the chat layer.

Every function returns text and touches nothing else, so a Telegram renderer can reuse the
wording (``describe_hold``, ``describe_effect``, …) and only change the markup around it.
"""

from __future__ import annotations

from bot.catalogue.catalogue import Catalogue
from bot.catalogue.models import Hold, Kind, Place, Pose, PoseCaution, Position, Variation
from bot.catalogue.safety import effective_cautions

KIND_WORDS: dict[Kind, str] = {
    "stretch": "stretch",
    "strength": "strength",
    "rest": "rest",
    "self_massage": "self-massage",
    "mobility_flow": "mobility flow",
}
POSITION_WORDS: dict[Position, str] = {
    "standing": "standing",
    "chair": "sitting on a chair",
    "seated_floor": "sitting on the floor",
    "kneeling": "kneeling",
    "tabletop": "on hands and knees",
    "prone": "lying face down",
    "supine": "lying on your back",
}
PLACE_WORDS: dict[Place, str] = {
    "floor": "on the floor",
    "desk": "at a desk",
    "chair": "on a chair",
    "wall": "at a wall",
}
_UNITS = {"breaths": ("breath", "breaths"), "seconds": ("second", "seconds")}


def describe_hold(hold: Hold, sided: bool) -> str:
    """How long to stay, as a person reads it: "Hold 8–10 breaths on each side"."""
    if hold.range is not None:
        low, high = hold.range
        count, plural = f"{low}–{high}", True
    else:
        count, plural = str(hold.amount), hold.amount != 1
    if hold.unit == "reps":
        text = "Do it once" if not plural else f"Repeat {count} times"
    elif hold.unit == "seconds" and hold.range is None and hold.amount % 60 == 0:
        minutes = hold.amount // 60
        text = f"Hold {minutes} minute{'s' if minutes != 1 else ''}"
    else:
        singular, plural_word = _UNITS[hold.unit]
        text = f"Hold {count} {plural_word if plural else singular}"
    return f"{text} on each side" if sided else text


def describe_effect(caution: PoseCaution, pose: Pose) -> str:
    """What a caution asks, in words: "leave this pose out", "do Figure-4 instead", …"""
    if caution.effect == "avoid":
        return "leave this pose out"
    if caution.effect == "modify":
        if caution.variation is not None:
            return f"do {pose.variation(caution.variation).name} instead"
        return "do it differently"
    return "go carefully"


def describe_kind_and_position(kind: Kind, position: Position, places: list[Place]) -> str:
    """One line: "Stretch · lying on your back · on the floor or at a wall"."""
    where = " or ".join(PLACE_WORDS[place] for place in places)
    return f"{KIND_WORDS[kind].capitalize()} · {POSITION_WORDS[position]} · {where}"


def pose_card(pose: Pose, catalogue: Catalogue, variation: str | None = None) -> str:
    """A pose (or one of its variations) as the bot shows it, in plain text."""
    chosen: Variation | None = pose.variation(variation) if variation is not None else None
    hold = chosen.hold if chosen is not None and chosen.hold is not None else pose.hold
    steps = chosen.steps if chosen is not None else pose.steps
    places = chosen.places if chosen is not None and chosen.places is not None else pose.places
    props = chosen.props if chosen is not None and chosen.props is not None else pose.props
    position = pose.position
    if chosen is not None and chosen.position is not None:
        position = chosen.position
    sources = chosen.sources if chosen is not None else pose.sources

    title = pose.name + (f" ({pose.sanskrit})" if pose.sanskrit else "")
    lines = [title]
    if chosen is not None:
        lines.append(f"Variation: {chosen.name} ({chosen.purpose}) — {chosen.summary}")
    elif pose.aliases:
        lines.append("Also called: " + ", ".join(pose.aliases))
    lines.append(describe_kind_and_position(pose.kind, position, places))
    hold_line = describe_hold(hold, pose.sided)
    if not hold.from_article:
        hold_line += " (Limber's suggestion; the articles give no time)"
    lines.append(hold_line)
    if props:
        lines.append("You need: " + ", ".join(props))

    lines += ["", "How to do it:"]
    lines += [f"{number}. {step}" for number, step in enumerate(steps, start=1)]
    lines += ["", "Why it helps:"]
    lines += [f"- {benefit}" for benefit in pose.benefits]

    cautions = effective_cautions(pose, chosen, catalogue.vocabulary)
    if cautions:
        lines += ["", "Take care:"]
        for caution in cautions:
            label = catalogue.tag(caution.tag).label
            lines.append(f"- {label}: {describe_effect(caution, pose)}. {caution.note}")

    others = [v for v in pose.variations if chosen is None or v.id != chosen.id]
    if others:
        lines += ["", "Variations:" if chosen is None else "Other variations:"]
        lines += [f"- {v.name} ({v.purpose}): {v.summary}" for v in others]

    lines += ["", "Sources:"]
    for source_id in sources:
        source = catalogue.source(source_id)
        lines.append(f"- {source.title}" + (f" ({source.author})" if source.author else ""))
    return "\n".join(lines)
