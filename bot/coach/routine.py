"""Building a routine: which poses, delivered how, in which order, held how long.

The builder is pure and deterministic for a request (its seed included). The chat layer and
the nudge dispatcher call it with what they loaded and store the result as the run's plan.

Safety comes before everything else: a pose is a candidate only once ``assess`` has cleared
it (or the variation it asks for) for every one of the person's cautions, and only then do
place, focus, time, flow, balance and variety choose among the candidates.

When the candidates run out before the time does (at a desk the articles give only a few
minutes of poses), the routine goes through its poses again, in the same order, up to
``MAX_ROUNDS`` times, but only where that keeps the flow: all in one position, with no calm
floor finish to come back from.
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
from bot.coach.duration import clock_text, estimate_seconds, minutes_text
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
# When the poses that suit a request run out before the time does, the routine goes through
# them again, as the articles themselves repeat ("repeat 5-10 times"), at most this often.
MAX_ROUNDS = 3

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
    # Which time through the poses this is, from 1 (see ``Routine.rounds``).
    round: int = 1

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
    # Why the estimate is not within the tolerance of the minutes asked (naming the rounds
    # when there are several); None when it is.
    shortfall: str | None
    # How many times the routine goes through its poses, in the same order each time: more
    # than once only when the poses that suit the request run out before the time does.
    rounds: int = 1
    # Why the poses come round again; None with one round.
    rounds_note: str | None = None

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
                    "round": step.round,
                }
                for step in self.steps
            ],
            "rounds": self.rounds,
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
            "rounds_note": self.rounds_note,
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


@dataclass(frozen=True)
class _Fit:
    """The poses in order, their hold amounts, and how many times the routine goes through
    them."""

    rounds: int
    ordered: tuple[_Candidate, ...]
    amounts: dict[str, int]
    # Every pose chosen for the whole time done once, and how many poses that is: what there
    # was before anything came round again.
    once_seconds: int
    once_poses: int


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

    plan = _choose(candidates, request, target, high)
    fit = _fit(candidates, request, plan)
    steps = tuple(_steps(fit.ordered, fit.amounts, fit.rounds))
    estimated = estimate_seconds(steps)
    shortfall = None
    if not low <= estimated <= high:
        shortfall = _shortfall(request, steps, fit, left_out, bool(candidates))
    return Routine(
        request=request,
        steps=steps,
        estimated_seconds=estimated,
        target_seconds=target,
        left_out=tuple(left_out),
        shortfall=shortfall,
        rounds=fit.rounds,
        rounds_note=None if fit.rounds == 1 else _rounds_note(request, steps, fit, left_out),
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


def _choose(
    candidates: list[_Candidate], request: RoutineRequest, target: int, high: int
) -> _Plan:
    """The poses for one time through, aiming at ``target`` seconds and never over ``high``."""
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


# Timing and rounds


def _duration(plan: _Plan, amount: int) -> int:
    ordered = plan.ordered()
    amounts = {c.id: c.amounts()[amount] for c in ordered}
    return estimate_seconds(list(_steps(ordered, amounts)))


def _repeatable(plan: _Plan, ordered: Sequence[_Candidate]) -> bool:
    """Whether going through the poses again keeps the flow: only when every pose is done in
    one position, so a new round never has to get back up, and the routine has no calm
    finisher, which belongs once at the very end (in practice: desk routines)."""
    return plan.finisher is None and len({c.position for c in ordered}) == 1


def _fit(candidates: list[_Candidate], request: RoutineRequest, plan: _Plan) -> _Fit:
    """How many rounds, of which poses in order, held how long.

    One round, with the holds tuned within their ranges, unless that falls short and the
    poses can be repeated. Then the poses go round again, up to ``MAX_ROUNDS`` in all: the
    number of rounds whose estimate comes closest to the target without going over the
    upper bound. When no number of rounds of every chosen pose lands within bounds (two
    rounds of all the desk poses are too short for six minutes and three too long), the
    poses are also chosen afresh for each round's share of the time, and a smaller choice
    gone through more often may come closer, as long as it keeps what the full choice has.
    Ties go to fewer rounds, then to the full choice.
    """
    target = request.target_seconds
    low, high = _bounds(target)
    ordered = tuple(plan.ordered())
    options = [(1, ordered, _tune(ordered, target, low, high))]
    once = _total(*options[0])
    # A floor routine ends on a calm pose, once, at the very end: it is not repeated while
    # any calm pose is there to end it.
    calm_end = request.place == "floor" and any(c.calm for c in candidates)
    if once < low and not calm_end and _repeatable(plan, ordered):
        options.extend(
            (rounds, ordered, _tune(ordered, target, low, high, rounds))
            for rounds in range(2, MAX_ROUNDS + 1)
        )
        if not any(low <= _total(*option) <= high for option in options):
            for rounds in range(2, MAX_ROUNDS + 1):
                smaller = _choose(candidates, request, round(target / rounds), high // rounds)
                fewer = tuple(smaller.ordered())
                if (
                    smaller.ids() != plan.ids()
                    and _repeatable(smaller, fewer)
                    and _keeps_promises(fewer, ordered, request)
                ):
                    options.append((rounds, fewer, _tune(fewer, target, low, high, rounds)))
    fitting = [option for option in options if _total(*option) <= high] or options[:1]
    # The first of the closest: fewer rounds, and every chosen pose before a smaller choice.
    rounds, chosen, amounts = min(
        fitting, key=lambda option: (abs(_total(*option) - target), option[0])
    )
    return _Fit(rounds, chosen, amounts, once_seconds=once, once_poses=len(ordered))


def _total(rounds: int, ordered: Sequence[_Candidate], amounts: dict[str, int]) -> int:
    return estimate_seconds(list(_steps(ordered, amounts, rounds)))


def _keeps_promises(
    fewer: Sequence[_Candidate], full: Sequence[_Candidate], request: RoutineRequest
) -> bool:
    """Whether a smaller choice keeps what the full one promises: the strength and stretch
    work it has, every way it moves the spine from ``SPINE_BALANCE_MINUTES`` on, and its
    variety: no pose from the last days that the full choice could leave out."""
    work: set[Kind] = {"strength", "stretch"}
    if not {c.kind for c in full} & work <= {c.kind for c in fewer}:
        return False
    if not {c.id for c in fewer if c.recent} <= {c.id for c in full if c.recent}:
        return False
    if request.minutes < SPINE_BALANCE_MINUTES:
        return True
    return {m for c in full for m in c.spine} <= {m for c in fewer for m in c.spine}


def _tune(
    ordered: Sequence[_Candidate], target: int, low: int, high: int, rounds: int = 1
) -> dict[str, int]:
    """Usual holds, lengthened or shortened within their ranges when the total (over all the
    rounds) is out of bounds, a little at a time across all poses so none is stretched out
    of proportion."""
    amounts = {c.id: c.hold.amount for c in ordered}

    def total() -> int:
        return estimate_seconds(list(_steps(ordered, amounts, rounds)))

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


def _steps(
    ordered: Sequence[_Candidate], amounts: dict[str, int], rounds: int = 1
) -> Iterable[Step]:
    """The steps of the poses in order, each sided pose left then right, and the whole
    sequence again for each further round (the estimate counts the move back to the first
    pose like any other change of pose)."""
    for round_ in range(1, rounds + 1):
        for candidate in ordered:
            hold = candidate.hold
            if amounts[candidate.id] != hold.amount:
                hold = hold.model_copy(update={"amount": amounts[candidate.id]})
            sided = candidate.pose.sided
            sides: tuple[Side | None, ...] = ("left", "right") if sided else (None,)
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
                    round=round_,
                )


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _number(count: int) -> str:
    return _NUMBER_WORDS[count] if 0 <= count < len(_NUMBER_WORDS) else str(count)


def _times(rounds: int) -> str:
    """How often the poses are gone through, in words: "twice", "three times"."""
    return "twice" if rounds == 2 else f"{_number(rounds)} times"


def _limits(request: RoutineRequest, left_out: list[LeftOut]) -> str | None:
    """What narrowed the choice of poses, as said after "suit": "your cautions (knee)"."""
    limits: list[str] = []
    if request.cautions:
        tags = ", ".join(sorted(tag.replace("_", " ") for tag in request.cautions))
        limits.append(f"your cautions ({tags})")
    if any(item.kind == "painful" for item in left_out):
        limits.append("the poses you reported painful left out")
    if request.focus == "wind_down":
        limits.append("a wind-down")
    return " and ".join(limits) or None


def _repeating(
    request: RoutineRequest, steps: tuple[Step, ...], fit: _Fit, left_out: list[LeftOut]
) -> str:
    """How little there is and what goes round again: "Only about 3 minutes of different
    desk poses suit your cautions (knee), so this goes through them twice" (or "through
    three of them", when fewer poses fit the time better)."""
    # To the five seconds: rounded to whole minutes, 2 min 31 s would read as about the
    # 3 minutes asked, and repeating it would make no sense.
    once = f"about {clock_text(fit.once_seconds)}"
    what = _limits(request, left_out)
    place = request.place
    if what is None:
        little = f"There are only {once} of different {place} poses"
    else:
        little = f"Only {once} of different {place} poses suit {what}"
    poses = len({step.pose_id for step in steps})
    them = "them" if poses == fit.once_poses else f"{_number(poses)} of them"
    return f"{little}, so this goes through {them} {_times(fit.rounds)}"


def _rounds_note(
    request: RoutineRequest, steps: tuple[Step, ...], fit: _Fit, left_out: list[LeftOut]
) -> str:
    total = clock_text(estimate_seconds(steps))
    return f"{_repeating(request, steps, fit, left_out)}; about {total} in all."


def _shortfall(
    request: RoutineRequest,
    steps: tuple[Step, ...],
    fit: _Fit,
    left_out: list[LeftOut],
    any_candidates: bool,
) -> str:
    estimated = estimate_seconds(steps)
    place = f"{request.place} poses"
    what = _limits(request, left_out) or "this request"
    if not any_candidates:
        return f"No {place} suit {what}; try another place or focus."
    if not steps:
        return (
            f"The only {place} that suit {what} are strength poses, and a strength pose "
            "needs a stretch after it; try another place or focus."
        )
    if estimated > request.target_seconds:
        return (
            f"Even the shortest safe pose takes {minutes_text(estimated)}, "
            f"more than the {request.minutes} minutes asked."
        )
    if fit.rounds > 1:
        return (
            f"{_repeating(request, steps, fit, left_out)}, and even so it comes to only "
            f"about {clock_text(estimated)} of the {request.minutes} minutes asked."
        )
    return f"Only {minutes_text(estimated)} of {place} suit {what}; here is what there is."
