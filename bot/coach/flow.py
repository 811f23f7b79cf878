"""The order a routine moves in: down towards the floor and never back up, each strength pose
followed by a release, a calm pose last."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from bot.catalogue.models import Kind, Position

# Standing, then sitting on the chair, then onto the knees, then sitting on the floor, then
# lying down: a routine in this order gets down once and never has to get back up.
POSITION_ORDER: dict[Position, int] = {
    "standing": 0,
    "chair": 1,
    "tabletop": 2,
    "kneeling": 3,
    "seated_floor": 4,
    "prone": 5,
    "supine": 6,
}


class Placed(Protocol):
    @property
    def position(self) -> Position: ...

    @property
    def kind(self) -> Kind: ...


P = TypeVar("P", bound=Placed)


def is_release(item: Placed) -> bool:
    """Whether an item lets the body release after a strength pose."""
    return item.kind != "strength"


def order_for_flow(items: Sequence[P], finisher: P | None = None) -> list[P]:
    """Order items by position, pairing each strength pose with a release where it can.

    ``items`` come in order of preference; within a position that order is kept as far as the
    pairing allows. ``finisher`` (not among ``items``) goes last.
    """
    ordered: list[P] = []
    positions = sorted({i.position for i in items} | _positions(finisher), key=_rank)
    for position in positions:
        block = [i for i in items if i.position == position]
        strength = [i for i in block if not is_release(i)]
        releases = [i for i in block if is_release(i)]
        after_strength = bool(ordered) and not is_release(ordered[-1])
        # Open with a release when there are releases to spare (a warm-up before the first
        # strength pose) or when the block before ended on a strength pose.
        if releases and (after_strength or len(releases) > len(strength)):
            ordered.append(releases.pop(0))
        while strength:
            ordered.append(strength.pop(0))
            if releases:
                ordered.append(releases.pop(0))
        ordered.extend(releases)
        if finisher is not None and finisher.position == position:
            ordered.append(finisher)
    return ordered


def releases_follow_strength(items: Sequence[Placed]) -> bool:
    """Whether every strength pose in an ordered routine is followed by a release."""
    return all(
        is_release(item) or (index + 1 < len(items) and is_release(items[index + 1]))
        for index, item in enumerate(items)
    )


def _rank(position: Position) -> int:
    return POSITION_ORDER[position]


def _positions(item: Placed | None) -> set[Position]:
    return set() if item is None else {item.position}
