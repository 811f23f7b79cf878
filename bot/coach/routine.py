"""Building a routine: which poses, delivered how, in which order, held how long.

The builder is pure and deterministic for a request (its seed included). The chat layer and
the nudge dispatcher call it with what they loaded and store the result as the run's plan.

Safety comes before everything else: a pose is a candidate only once ``assess`` has cleared
it (or the variation it asks for) for every one of the person's cautions, and only then do
place, focus, time, flow, balance and variety choose among the candidates.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, TypeVar, get_args

from bot.catalogue import Catalogue, assess
from bot.catalogue.models import Exposure, Hold, Kind, Place, Pose, Position, SpineMovement
from bot.catalogue.models import Variation as PoseVariation
from bot.coach.duration import estimate_seconds, minutes_text
from bot.coach.flow import POSITION_ORDER, order_for_flow, releases_follow_strength

RoutinePlace = Literal["desk", "floor"]
Focus = Literal["stretch", "strength", "balanced", "wind_down"]
Side = Literal["left", "right"]
# Why a pose was left out: the person's cautions, their report of pain, the place (a desk has
# no room to lie down) or the focus (a wind-down has no strength or balance work).
LeftOutKind = Literal["caution", "painful", "place", "focus"]

MIN_MINUTES = 2
MAX_MINUTES = 30
# How far the estimate may stray from the minutes asked before the routine explains itself.
TOLERANCE = 0.15
# From this length on a routine moves the spine every way the cautions allow.
SPINE_BALANCE_MINUTES = 8
SPINE_MOVEMENTS: tuple[SpineMovement, ...] = get_args(SpineMovement)

T = TypeVar("T")

# Preference for each kind of pose under each focus; the seeded noise is worth up to 1.
_KIND_WEIGHT: dict[Focus, dict[Kind, float]] = {
    "stretch": {
        "stretch": 1.5,
        "mobility_flow": 1.2,
        "rest": 0.8,
        "self_massage": 0.8,
        "strength": 0.0,
    },
    "strength": {
        "strength": 2.0,
        "stretch": 0.8,
        "mobility_flow": 0.8,
        "rest": 0.5,
        "self_massage": 0.5,
    },
    "balanced": {
        "stretch": 1.0,
        "strength": 1.0,
        "mobility_flow": 1.0,
        "rest": 0.5,
        "self_massage": 0.6,
    },
    "wind_down": {
        "rest": 1.5,
        "stretch": 1.0,
        "self_massage": 1.0,
        "mobility_flow": 0.6,
        "strength": 0.0,
    },
}
# Winding down favours settling low: lying and sitting poses over standing ones.
_WIND_DOWN_POSITION_BONUS: dict[Position, float] = {
    "supine": 0.6,
    "seated_floor": 0.5,
    "chair": 0.4,
    "prone": 0.2,
    "kneeling": 0.2,
    "tabletop": 0.0,
    "standing": 0.0,
}
# Done in the last days: penalised harder than any preference, so yesterday's poses come back
# only when nothing else fits. The most recent ones weigh a little more.
_RECENT_PENALTY = 3.0
_RECENT_EXTRA = 0.5
# A harder variation is offered only when the pose itself cannot be done.
_HARDER_PENALTY = 0.3
_VARIATION_ORDER = {"easier": 0, "alternative": 1, "harder": 2}
# Holds are lengthened or shortened within an article's range by these amounts at a time.
_HOLD_INCREMENT = {"breaths": 1, "reps": 1, "seconds": 5}
# The most of a routine's time its finishing pose should take, when there is a choice.
_FINISHER_SHARE = 0.4
# Exposures that do not belong in a wind-down whatever the cautions.
_NOT_WINDING_DOWN: frozenset[Exposure] = frozenset({"one_leg_balance"})
# Places a desk routine can use; a wall only when one is free.
_DESK_PLACES: frozenset[Place] = frozenset({"desk", "chair"})
_DESK_POSITIONS: frozenset[Position] = frozenset({"standing", "chair"})


@dataclass(frozen=True, kw_only=True)
class RoutineRequest:
    """What a person asks for, and what Limber knows about them."""

    minutes: int
    place: RoutinePlace
    seed: int
    # A free wall at hand (for wall-supported poses).
    wall: bool = False
    focus: Focus = "balanced"
    # Caution tag ids (already parsed from what the person typed).
    cautions: frozenset[str] = frozenset()
    # Pose ids done in the last days, most recent first.
    recent: tuple[str, ...] = ()
    # Pose ids the person reported as painful and has not allowed again.
    painful: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if (
            isinstance(self.minutes, bool)
            or not isinstance(self.minutes, int)
            or not MIN_MINUTES <= self.minutes <= MAX_MINUTES
        ):
            raise ValueError(
                f"minutes must be a whole number from {MIN_MINUTES} to {MAX_MINUTES}, "
                f"got {self.minutes!r}"
            )
        if self.place not in get_args(RoutinePlace):
            raise ValueError(f"place must be desk or floor, got {self.place!r}")
        if self.focus not in get_args(Focus):
            raise ValueError(
                f"focus must be one of {', '.join(get_args(Focus))}, got {self.focus!r}"
            )
        # Callers pass sets and lists; the request stays hashable and immutable regardless.
        object.__setattr__(self, "cautions", frozenset(self.cautions))
        object.__setattr__(self, "painful", frozenset(self.painful))
        object.__setattr__(self, "recent", tuple(self.recent))

    @property
    def target_seconds(self) -> int:
        return self.minutes * 60


@dataclass(frozen=True)
class Step:
    """One thing to do: a pose (or its variation) on one side, held for a while."""

    pose_id: str
    pose_name: str
    variation_id: str | None
    variation_name: str | None
    kind: Kind
    position: Position
    # The effective hold (the variation's when it has one), possibly lengthened or shortened
    # within the article's range to fit the minutes asked.
    hold: Hold
    # Seconds of one hold; a sided pose is two steps, each holding this long.
    hold_seconds: int
    side: Side | None
    # What to do, in order: the variation's steps when a variation is delivered.
    cues: tuple[str, ...]
    # Care notes and modification instructions for the person's cautions.
    notes: tuple[str, ...]

    @property
    def title(self) -> str:
        """The name to show: the variation's when one is delivered."""
        return self.variation_name or self.pose_name


@dataclass(frozen=True)
class LeftOut:
    """A pose the routine could not use, and why."""

    pose_id: str
    pose_name: str
    kind: LeftOutKind
    # Short enough to read after the name: "knee, pregnancy", "reported painful".
    reason: str
    # The caution tags that ruled it out (for ``kind == "caution"``).
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Routine:
    request: RoutineRequest
    steps: tuple[Step, ...]
    estimated_seconds: int
    target_seconds: int
    left_out: tuple[LeftOut, ...]
    # Why the estimate is not within the tolerance of the minutes asked; None when it is.
    shortfall: str | None

    @property
    def pose_ids(self) -> tuple[str, ...]:
        """Each pose once, in the order it is done (what ``recent`` remembers)."""
        return tuple(dict.fromkeys(step.pose_id for step in self.steps))

    def to_json(self) -> dict[str, object]:
        """The plan for tools: plain JSON types only."""
        request = self.request
        return {
            "request": {
                "minutes": request.minutes,
                "place": request.place,
                "wall": request.wall,
                "focus": request.focus,
                "cautions": sorted(request.cautions),
                "recent": list(request.recent),
                "painful": sorted(request.painful),
                "seed": request.seed,
            },
            "steps": [
                {
                    "pose": step.pose_id,
                    "variation": step.variation_id,
                    "hold_seconds": step.hold_seconds,
                    "hold": {"unit": step.hold.unit, "amount": step.hold.amount},
                    "side": step.side,
                    "position": step.position,
                    "notes": list(step.notes),
                }
                for step in self.steps
            ],
            "estimated_seconds": self.estimated_seconds,
            "target_seconds": self.target_seconds,
            "left_out": [
                {
                    "pose": item.pose_id,
                    "name": item.pose_name,
                    "kind": item.kind,
                    "reason": item.reason,
                    "tags": list(item.tags),
                }
                for item in self.left_out
            ],
            "shortfall": self.shortfall,
        }


@dataclass(frozen=True)
class _Candidate:
    """A pose cleared for this request, delivered as ``variation`` when that is set."""

    pose: Pose
    variation: PoseVariation | None
    position: Position
    kind: Kind
    hold: Hold
    spine: frozenset[SpineMovement]
    notes: tuple[str, ...]
    score: float
    primary: bool
    # Done in the last days.
    recent: bool

    @property
    def id(self) -> str:
        return self.pose.id

    @property
    def calm(self) -> bool:
        """Fit to finish a floor routine: a rest, or a gentle stretch lying on the back."""
        return self.kind == "rest" or (self.kind == "stretch" and self.position == "supine")

    def amounts(self) -> tuple[int, int, int]:
        """The shortest, usual and longest hold amounts."""
        low, high = self.hold.range or (self.hold.amount, self.hold.amount)
        return low, self.hold.amount, high


@dataclass(frozen=True)
class _Plan:
    """Candidates chosen so far; the finisher goes last whatever else is added."""

    chosen: tuple[_Candidate, ...] = ()
    finisher: _Candidate | None = None

    def ids(self) -> set[str]:
        ids = {c.id for c in self.chosen}
        if self.finisher is not None:
            ids.add(self.finisher.id)
        return ids

    def ordered(self) -> list[_Candidate]:
        by_preference = sorted(self.chosen, key=lambda c: (-c.score, c.id))
        return order_for_flow(by_preference, self.finisher)

    def adding(self, *candidates: _Candidate) -> _Plan:
        return replace(self, chosen=(*self.chosen, *candidates))


# Which hold amount a duration is worked out with: 0 the shortest, 1 the usual, 2 the longest.
_SHORTEST, _USUAL, _LONGEST = 0, 1, 2


def build_routine(catalogue: Catalogue, request: RoutineRequest) -> Routine:
    """Build the routine for a request from the catalogue."""
    known = {tag.tag for tag in catalogue.vocabulary.tags}
    unknown = sorted(request.cautions - known)
    if unknown:
        raise ValueError(f"unknown caution tag(s): {', '.join(unknown)}")

    candidates, left_out = _candidates(catalogue, request)
    target = request.target_seconds
    low, high = _bounds(target)

    plan = _choose(candidates, request, high)
    ordered = plan.ordered()
    amounts = _tune(ordered, target, low, high)
    steps = tuple(_steps(ordered, amounts))
    estimated = estimate_seconds(steps)
    shortfall = None
    if not low <= estimated <= high:
        shortfall = _shortfall(request, steps, target, left_out, bool(candidates))
    return Routine(
        request=request,
        steps=steps,
        estimated_seconds=estimated,
        target_seconds=target,
        left_out=tuple(left_out),
        shortfall=shortfall,
    )


def _bounds(target: int) -> tuple[int, int]:
    return math.ceil(target * (1 - TOLERANCE)), math.floor(target * (1 + TOLERANCE))


# Candidates: what is safe, fits the place and suits the focus


def _candidates(
    catalogue: Catalogue, request: RoutineRequest
) -> tuple[list[_Candidate], list[LeftOut]]:
    candidates: list[_Candidate] = []
    left_out: list[LeftOut] = []
    recency = {pose_id: index for index, pose_id in reversed(list(enumerate(request.recent)))}
    for pose in catalogue.poses:
        if pose.id in request.painful:
            left_out.append(LeftOut(pose.id, pose.name, "painful", "reported painful"))
            continue
        outcome = _clear(pose, request, catalogue)
        if isinstance(outcome, LeftOut):
            left_out.append(outcome)
            continue
        variation, notes = outcome
        candidates.append(_candidate(pose, variation, notes, request, recency))
    return candidates, left_out


def _clear(
    pose: Pose, request: RoutineRequest, catalogue: Catalogue
) -> tuple[PoseVariation | None, tuple[str, ...]] | LeftOut:
    """The first way of doing a pose that is safe here, or why there is none."""
    options: list[PoseVariation | None] = [
        None,
        *sorted(pose.variations, key=lambda v: _VARIATION_ORDER[v.purpose]),
    ]
    somewhere = False
    ruled_out_by: set[str] = set()
    off_focus = False
    for option in options:
        if not _place_fits(pose, option, request.place, request.wall):
            continue
        somewhere = True
        assessment = assess(
            pose,
            request.cautions,
            catalogue.vocabulary,
            variation=None if option is None else option.id,
        )
        if assessment.verdict == "avoided":
            ruled_out_by.update(assessment.reasons or request.cautions)
            continue
        delivered = option
        if assessment.variation is not None and (
            option is None or assessment.variation != option.id
        ):
            delivered = pose.variation(assessment.variation)
            # The swap must itself be doable here and safe for every caution, not only for
            # the one that asked for it.
            recheck = assess(pose, request.cautions, catalogue.vocabulary, variation=delivered.id)
            if (
                not _place_fits(pose, delivered, request.place, request.wall)
                or recheck.verdict == "avoided"
                or recheck.variation not in (None, delivered.id)
            ):
                ruled_out_by.update(assessment.reasons or recheck.reasons or request.cautions)
                continue
        if not _focus_fits(pose, delivered, request.focus):
            off_focus = True
            continue
        return delivered, assessment.notes
    if not somewhere:
        wall_would_do = not request.wall and any(
            _place_fits(pose, option, request.place, wall=True) for option in options
        )
        if wall_would_do:
            reason = "needs a wall"
        elif request.place == "desk":
            reason = "needs the floor"
        else:
            reason = "cannot be done here"
        return LeftOut(pose.id, pose.name, "place", reason)
    if off_focus:
        return LeftOut(pose.id, pose.name, "focus", _off_focus_reason(request.focus))
    tags = tuple(sorted(ruled_out_by))
    return LeftOut(pose.id, pose.name, "caution", ", ".join(tags), tags)


def _place_fits(
    pose: Pose, variation: PoseVariation | None, place: RoutinePlace, wall: bool
) -> bool:
    position = _effective(variation, "position", pose.position)
    places = set(_effective(variation, "places", pose.places))
    props = _effective(variation, "props", pose.props)
    if "wall" in props and not wall:
        return False
    usable: set[Place] = {"wall"} if wall else set()
    if place == "desk":
        return position in _DESK_POSITIONS and bool(places & (_DESK_PLACES | usable))
    return bool(places & ({"floor", "desk", "chair"} | usable))


def _focus_fits(pose: Pose, variation: PoseVariation | None, focus: Focus) -> bool:
    if focus != "wind_down":
        return True
    exposures = set(_effective(variation, "exposures", pose.exposures))
    return pose.kind != "strength" and not exposures & _NOT_WINDING_DOWN


def _off_focus_reason(focus: Focus) -> str:
    return "not for winding down" if focus == "wind_down" else f"not for a {focus} focus"


def _effective(variation: PoseVariation | None, name: str, default: T) -> T:
    """A variation's own value for a field, or the pose's when the variation leaves it None."""
    if variation is None:
        return default
    value: T | None = getattr(variation, name)
    return default if value is None else value


def _candidate(
    pose: Pose,
    variation: PoseVariation | None,
    notes: tuple[str, ...],
    request: RoutineRequest,
    recency: dict[str, int],
) -> _Candidate:
    position = _effective(variation, "position", pose.position)
    # Each pose draws its own noise, so adding a pose to the catalogue does not reshuffle the
    # others for the same seed.
    score = random.Random(f"{request.seed}/{pose.id}").random()
    score += _KIND_WEIGHT[request.focus][pose.kind]
    if request.focus == "wind_down":
        score += _WIND_DOWN_POSITION_BONUS[position]
    if pose.id in recency:
        score -= _RECENT_PENALTY + _RECENT_EXTRA * (1 - recency[pose.id] / len(request.recent))
    if variation is not None and variation.purpose == "harder":
        score -= _HARDER_PENALTY
    # A stretch focus turns to strength poses only when stretches cannot fill the time.
    primary = not (request.focus == "stretch" and pose.kind == "strength")
    return _Candidate(
        pose=pose,
        variation=variation,
        position=position,
        kind=pose.kind,
        hold=_effective(variation, "hold", pose.hold),
        spine=frozenset(pose.spine),
        notes=notes,
        score=score,
        primary=primary,
        recent=pose.id in recency,
    )


# Choosing: finisher, essentials, spine balance, then filling the time


def _choose(candidates: list[_Candidate], request: RoutineRequest, high: int) -> _Plan:
    target = request.target_seconds
    ranked = sorted(candidates, key=lambda c: (-c.score, c.id))
    plan = _Plan()

    if request.place == "floor":
        plan = _with_finisher(plan, ranked, target, high)
    reachable = [c for c in ranked if _below_finisher(c, plan)]

    def add_first(pool: Iterable[_Candidate]) -> None:
        nonlocal plan
        found = _first_fitting(plan, list(pool), reachable, high)
        if found is not None:
            plan = found

    if request.focus in ("balanced", "strength"):
        add_first(c for c in reachable if c.kind == "strength")
    if request.focus == "balanced":
        add_first(c for c in reachable if c.kind in ("stretch", "mobility_flow"))
    if request.minutes >= SPINE_BALANCE_MINUTES:
        plan = _cover_spine(plan, reachable, high)

    primary = [c for c in reachable if c.primary]
    plan = _fill(plan, primary, reachable, target, high)
    if _duration(plan, _LONGEST) < _bounds(target)[0]:
        plan = _fill(plan, reachable, reachable, target, high)
    if not plan.ids() and ranked:
        plan = _shortest_alone(ranked)
    return plan


def _with_finisher(plan: _Plan, ranked: list[_Candidate], target: int, high: int) -> _Plan:
    """Pick the calm pose a floor routine ends on: one that leaves time for the rest of the
    routine, as low to the floor as there is (everything else has to come before it), not
    done in the last days, a rest rather than a stretch."""

    def too_long(candidate: _Candidate) -> bool:
        return _duration(_Plan(finisher=candidate), _USUAL) > _FINISHER_SHARE * target

    calm = sorted(
        (c for c in ranked if c.calm),
        key=lambda c: (
            too_long(c),
            -POSITION_ORDER[c.position],
            c.recent,
            c.kind != "rest",
            # Both sides at once closes a routine more evenly than one side after the other.
            c.pose.sided,
            -c.score,
            c.id,
        ),
    )
    for amount in (_USUAL, _SHORTEST):
        for candidate in calm:
            trial = replace(plan, finisher=candidate)
            if _duration(trial, amount) <= high:
                return trial
    return plan


def _below_finisher(candidate: _Candidate, plan: _Plan) -> bool:
    # Nothing may come after the finisher, and the order never climbs back up.
    if plan.finisher is None:
        return True
    if candidate.id == plan.finisher.id:
        return False
    return POSITION_ORDER[candidate.position] <= POSITION_ORDER[plan.finisher.position]


def _first_fitting(
    plan: _Plan, pool: list[_Candidate], reachable: list[_Candidate], high: int
) -> _Plan | None:
    """The plan with the first of ``pool`` that fits at its usual hold, else at its shortest."""
    for amount in (_USUAL, _SHORTEST):

        def fits(trial: _Plan, amount: int = amount) -> bool:
            return _duration(trial, amount) <= high

        for candidate in pool:
            found = _adding(plan, candidate, reachable, fits)
            if found is not None:
                return found
    return None


def _adding(
    plan: _Plan,
    candidate: _Candidate,
    reachable: list[_Candidate],
    accept: Callable[[_Plan], bool],
) -> _Plan | None:
    """The plan with the candidate added, bringing a release along for a strength pose that
    would otherwise have none after it; None when it breaks the flow or is not accepted."""
    if candidate.id in plan.ids():
        return None
    trial = plan.adding(candidate)
    if _flows(trial):
        return trial if accept(trial) else None
    if candidate.kind != "strength":
        return None
    taken = plan.ids() | {candidate.id}
    releases = sorted(
        (c for c in reachable if c.kind != "strength" and c.id not in taken),
        key=lambda c: (c.position != candidate.position, -c.score, c.id),
    )
    for release in releases:
        paired = plan.adding(candidate, release)
        if _flows(paired) and accept(paired):
            return paired
    return None


def _flows(plan: _Plan) -> bool:
    return releases_follow_strength(plan.ordered())


def _cover_spine(plan: _Plan, reachable: list[_Candidate], high: int) -> _Plan:
    """Add poses until the spine has moved every way some safe pose here can move it."""
    while True:
        moved = {m for c in (*plan.chosen, plan.finisher) if c is not None for m in c.spine}
        missing = set(SPINE_MOVEMENTS) - moved
        pool = sorted(
            (c for c in reachable if c.spine & missing and c.id not in plan.ids()),
            key=lambda c: (-len(c.spine & missing), not c.primary, -c.score, c.id),
        )
        found = _first_fitting(plan, pool, reachable, high) if pool else None
        if found is None:
            return plan
        plan = found


def _fill(
    plan: _Plan, pool: list[_Candidate], reachable: list[_Candidate], target: int, high: int
) -> _Plan:
    """Add candidates in order of preference while each brings the time closer to the target."""
    for candidate in pool:
        current = abs(_duration(plan, _USUAL) - target)

        def closer(trial: _Plan, current: int = current) -> bool:
            usual = _duration(trial, _USUAL)
            return usual <= high and abs(usual - target) < current

        plan = _adding(plan, candidate, reachable, closer) or plan
    return plan


def _shortest_alone(ranked: list[_Candidate]) -> _Plan:
    """When nothing fits the time, the one pose that comes closest; never a strength pose,
    which would have no release after it."""
    releases = [c for c in ranked if c.kind != "strength"]
    if not releases:
        return _Plan()
    return _Plan(chosen=(min(releases, key=lambda c: (_duration(_Plan((c,)), _SHORTEST), c.id)),))


# Timing


def _duration(plan: _Plan, amount: int) -> int:
    ordered = plan.ordered()
    amounts = {c.id: c.amounts()[amount] for c in ordered}
    return estimate_seconds(list(_steps(ordered, amounts)))


def _tune(ordered: list[_Candidate], target: int, low: int, high: int) -> dict[str, int]:
    """Usual holds, lengthened or shortened within their ranges when the total is out of
    bounds, a little at a time across all poses so none is stretched out of proportion."""
    amounts = {c.id: c.hold.amount for c in ordered}

    def total() -> int:
        return estimate_seconds(list(_steps(ordered, amounts)))

    if low <= total() <= high:
        return amounts
    longer = total() < target
    changed = True
    while changed and (total() < target if longer else total() > target):
        changed = False
        for candidate in ordered:
            shortest, _, longest = candidate.amounts()
            increment = _HOLD_INCREMENT[candidate.hold.unit]
            now = amounts[candidate.id]
            new = min(now + increment, longest) if longer else max(now - increment, shortest)
            if new != now:
                amounts[candidate.id] = new
                changed = True
                if (total() >= target) if longer else (total() <= target):
                    break
    return amounts


def _steps(ordered: Sequence[_Candidate], amounts: dict[str, int]) -> Iterable[Step]:
    for candidate in ordered:
        hold = candidate.hold
        if amounts[candidate.id] != hold.amount:
            hold = hold.model_copy(update={"amount": amounts[candidate.id]})
        sides: tuple[Side | None, ...] = ("left", "right") if candidate.pose.sided else (None,)
        variation = candidate.variation
        cues = tuple(variation.steps if variation is not None else candidate.pose.steps)
        for side in sides:
            yield Step(
                pose_id=candidate.id,
                pose_name=candidate.pose.name,
                variation_id=None if variation is None else variation.id,
                variation_name=None if variation is None else variation.name,
                kind=candidate.kind,
                position=candidate.position,
                hold=hold,
                hold_seconds=hold.seconds,
                side=side,
                cues=cues,
                notes=candidate.notes,
            )


def _shortfall(
    request: RoutineRequest,
    steps: tuple[Step, ...],
    target: int,
    left_out: list[LeftOut],
    any_candidates: bool,
) -> str:
    estimated = estimate_seconds(steps)
    place = f"{request.place} poses"
    limits: list[str] = []
    if request.cautions:
        tags = ", ".join(sorted(tag.replace("_", " ") for tag in request.cautions))
        limits.append(f"your cautions ({tags})")
    if any(item.kind == "painful" for item in left_out):
        limits.append("the poses you reported painful left out")
    if request.focus == "wind_down":
        limits.append("a wind-down")
    what = " and ".join(limits) or "this request"
    if not any_candidates:
        return f"No {place} suit {what}; try another place or focus."
    if not steps:
        return (
            f"The only {place} that suit {what} are strength poses, and a strength pose "
            "needs a stretch after it; try another place or focus."
        )
    if estimated > target:
        return (
            f"Even the shortest safe pose takes {minutes_text(estimated)}, "
            f"more than the {request.minutes} minutes asked."
        )
    return f"Only {minutes_text(estimated)} of {place} suit {what}; here is what there is."
