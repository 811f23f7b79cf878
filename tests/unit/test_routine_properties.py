"""Whatever a person asks, the routine from the real catalogue keeps the product's promises.

The checks here read the catalogue themselves rather than asking the builder, so a builder
that forgot a rule could not vouch for itself.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any, get_args

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalogue import Pose, Variation, get_catalogue
from bot.catalogue.models import Effect, PoseCaution
from bot.coach import Focus, Routine, RoutineRequest, Step, build_routine, estimate_seconds

CATALOGUE = get_catalogue()
TAGS = sorted(tag.tag for tag in CATALOGUE.vocabulary.tags)
POSE_IDS = [pose.id for pose in CATALOGUE.poses]
SPINE = ("flexion", "extension", "side_bend", "rotation")
# Getting up is what a routine should do as little as possible: it only ever goes lower.
HEIGHT = {
    "standing": 0,
    "chair": 1,
    "tabletop": 2,
    "kneeling": 2,
    "seated_floor": 3,
    "prone": 4,
    "supine": 4,
}
SEVERITY: dict[Effect, int] = {"care": 0, "modify": 1, "avoid": 2}

requests = st.builds(
    RoutineRequest,
    minutes=st.integers(min_value=2, max_value=30),
    place=st.sampled_from(["desk", "floor"]),
    wall=st.booleans(),
    focus=st.sampled_from(get_args(Focus)),
    cautions=st.frozensets(st.sampled_from(TAGS), max_size=4),
    recent=st.lists(st.sampled_from(POSE_IDS), unique=True, max_size=8).map(tuple),
    painful=st.frozensets(st.sampled_from(POSE_IDS), max_size=3),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
bounded = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def delivered(step: Step) -> tuple[Pose, Variation | None]:
    pose = CATALOGUE.pose(step.pose_id)
    return pose, None if step.variation_id is None else pose.variation(step.variation_id)


def caution_for(pose: Pose, variation: Variation | None, tag: str) -> PoseCaution | None:
    """What the catalogue says about ``tag`` for the pose as delivered: the variation's own
    entry, else the pose's (unless that entry is the very swap to this variation), else the
    strictest rule on what the pose does to the body."""
    if variation is not None:
        for caution in variation.cautions:
            if caution.tag == tag:
                return caution
    for caution in pose.cautions:
        if caution.tag == tag and not (variation and caution.variation == variation.id):
            return caution
    exposures = pose.exposures
    if variation is not None and variation.exposures is not None:
        exposures = variation.exposures
    rules = [
        rule
        for rule in CATALOGUE.vocabulary.rules
        if rule.tag == tag and rule.exposure in exposures
    ]
    if not rules:
        return None
    strictest = max(rules, key=lambda rule: SEVERITY[rule.effect])
    return PoseCaution(tag=tag, effect=strictest.effect, note=strictest.note)


def ways(pose: Pose) -> list[Variation | None]:
    return [None, *pose.variations]


def position(pose: Pose, variation: Variation | None) -> str:
    return variation.position if variation and variation.position else pose.position


def fits_place(pose: Pose, variation: Variation | None, asked: RoutineRequest) -> bool:
    places = set(variation.places if variation and variation.places else pose.places)
    props = variation.props if variation and variation.props is not None else pose.props
    if "wall" in props and not asked.wall:
        return False
    usable = {"desk", "chair"} | ({"wall"} if asked.wall else set())
    if asked.place == "desk":
        return position(pose, variation) in ("standing", "chair") and bool(places & usable)
    return bool(places & (usable | {"floor"}))


def safe(pose: Pose, variation: Variation | None, cautions: frozenset[str]) -> bool:
    for tag in cautions:
        caution = caution_for(pose, variation, tag)
        if caution is None:
            continue
        if caution.effect == "avoid":
            return False
        if caution.effect == "modify" and caution.variation is not None:
            # Delivered as is, the pose would skip the modification it needs.
            return False
    return True


def suits_focus(pose: Pose, variation: Variation | None, focus: str) -> bool:
    exposures = variation.exposures if variation and variation.exposures else pose.exposures
    return focus != "wind_down" or (pose.kind != "strength" and "one_leg_balance" not in exposures)


def usable_ways(pose: Pose, asked: RoutineRequest) -> list[Variation | None]:
    """Every way of doing a pose that this request could have used."""
    if pose.id in asked.painful:
        return []
    return [
        way
        for way in ways(pose)
        if fits_place(pose, way, asked)
        and safe(pose, way, asked.cautions)
        and suits_focus(pose, way, asked.focus)
    ]


def is_calm(pose: Pose, variation: Variation | None) -> bool:
    return pose.kind == "rest" or (
        pose.kind == "stretch" and position(pose, variation) == "supine"
    )


@bounded
@given(requests)
def test_no_routine_holds_a_pose_the_persons_cautions_rule_out(asked: RoutineRequest) -> None:
    routine = build_routine(CATALOGUE, asked)

    for step in routine.steps:
        pose, variation = delivered(step)
        assert pose.id not in asked.painful
        assert safe(pose, variation, asked.cautions), (step.pose_id, step.variation_id)
        for tag in asked.cautions:
            caution = caution_for(pose, variation, tag)
            if caution is not None and caution.effect in ("care", "modify"):
                assert caution.note in step.notes, (step.pose_id, tag)


@bounded
@given(requests)
def test_what_is_left_out_for_safety_is_named_with_its_reason(asked: RoutineRequest) -> None:
    routine = build_routine(CATALOGUE, asked)
    reasons = {item.pose_id: item for item in routine.left_out}

    for pose in CATALOGUE.poses:
        if pose.id in asked.painful:
            assert reasons[pose.id].reason == "reported painful"
            continue
        placeable = [way for way in ways(pose) if fits_place(pose, way, asked)]
        if placeable and not any(safe(pose, way, asked.cautions) for way in placeable):
            item = reasons[pose.id]
            assert item.kind == "caution"
            assert item.tags
            assert set(item.tags) <= asked.cautions
            assert item.reason == ", ".join(item.tags)


@bounded
@given(requests.filter(lambda asked: asked.place == "desk"))
def test_desk_routines_never_go_down_to_the_floor(asked: RoutineRequest) -> None:
    routine = build_routine(CATALOGUE, asked)

    for step in routine.steps:
        assert step.position in ("standing", "chair")
        assert position(*delivered(step)) == step.position


@bounded
@given(requests)
def test_every_pose_can_be_done_where_the_person_is(asked: RoutineRequest) -> None:
    routine = build_routine(CATALOGUE, asked)

    for step in routine.steps:
        assert fits_place(*delivered(step), asked), (step.pose_id, step.variation_id)


@bounded
@given(requests)
def test_the_time_is_within_fifteen_percent_or_the_routine_says_why(
    asked: RoutineRequest,
) -> None:
    routine = build_routine(CATALOGUE, asked)
    target = asked.minutes * 60

    within = 0.85 * target <= routine.estimated_seconds <= 1.15 * target
    assert within or routine.shortfall
    assert within == (routine.shortfall is None)
    assert routine.target_seconds == target
    holding = sum(step.hold_seconds for step in routine.steps)
    assert holding <= routine.estimated_seconds <= holding + 40 * len(routine.steps)
    for step in routine.steps:
        assert step.hold_seconds == step.hold.seconds
        low, high = step.hold.range or (step.hold.amount, step.hold.amount)
        assert low <= step.hold.amount <= high


@bounded
@given(requests)
def test_sided_poses_are_done_on_both_sides_one_after_the_other(asked: RoutineRequest) -> None:
    routine = build_routine(CATALOGUE, asked)
    done = [(step.pose_id, step.side) for step in routine.steps]

    for at, (pose_id, side) in enumerate(done):
        if CATALOGUE.pose(pose_id).sided:
            if side == "left":
                assert done[at + 1] == (pose_id, "right")
            else:
                assert side == "right"
                assert done[at - 1] == (pose_id, "left")
        else:
            assert side is None
    assert len(routine.pose_ids) == len({pose_id for pose_id, _ in done})
    # Each side once in each round.
    by_round = [(step.round, step.pose_id, step.side) for step in routine.steps]
    assert len(by_round) == len(set(by_round))


@bounded
@given(requests)
def test_the_body_moves_sensibly(asked: RoutineRequest) -> None:
    routine = build_routine(CATALOGUE, asked)
    steps = routine.steps

    heights = [HEIGHT[step.position] for step in steps]
    assert heights == sorted(heights), "goes back up"
    positions = [step.position for step in steps]
    runs = [p for at, p in enumerate(positions) if at == 0 or positions[at - 1] != p]
    assert len(runs) == len(set(runs)), "comes back to a position it left"
    for at, here in enumerate(steps):
        after = steps[at + 1] if at + 1 < len(steps) else None
        if here.kind == "strength" and (after is None or after.pose_id != here.pose_id):
            assert after is not None and after.kind != "strength", "no release after strength"
    if asked.focus == "wind_down":
        for step in steps:
            pose, variation = delivered(step)
            assert suits_focus(pose, variation, "wind_down")
    if asked.place == "floor" and steps and not routine.shortfall:
        any_calm = any(
            is_calm(pose, way) for pose in CATALOGUE.poses for way in usable_ways(pose, asked)
        )
        assert not any_calm or is_calm(*delivered(steps[-1])), "no calm finish"


@bounded
@given(requests.filter(lambda asked: asked.minutes >= 8))
def test_eight_minutes_move_the_spine_every_way_the_cautions_allow(
    asked: RoutineRequest,
) -> None:
    routine = build_routine(CATALOGUE, asked)
    moved = {m for pose_id in routine.pose_ids for m in CATALOGUE.pose(pose_id).spine}

    for movement in SPINE:
        possible = any(
            movement in pose.spine for pose in CATALOGUE.poses if usable_ways(pose, asked)
        )
        assert movement in moved or not possible, movement


@settings(max_examples=60, deadline=None)
@given(requests)
def test_the_same_request_gives_the_same_routine(asked: RoutineRequest) -> None:
    assert build_routine(CATALOGUE, asked) == build_routine(CATALOGUE, asked)


@bounded
@given(requests.filter(lambda asked: asked.focus == "balanced" and asked.minutes >= 5))
def test_a_balanced_routine_mixes_stretch_and_strength(asked: RoutineRequest) -> None:
    routine = build_routine(CATALOGUE, asked)
    kinds = {step.kind for step in routine.steps}

    def usable(kind: str) -> bool:
        return any(pose.kind == kind and usable_ways(pose, asked) for pose in CATALOGUE.poses)

    if usable("strength") and usable("stretch"):
        assert {"strength", "stretch"} <= kinds


def rounds_of(routine: Routine) -> list[list[Step]]:
    return [
        [step for step in routine.steps if step.round == number]
        for number in range(1, routine.rounds + 1)
    ]


def done_as(steps: list[Step]) -> list[tuple[str, str | None, str | None, int]]:
    return [(s.pose_id, s.variation_id, s.side, s.hold_seconds) for s in steps]


@bounded
@given(requests)
def test_rounds_repeat_the_same_poses_in_the_same_order(asked: RoutineRequest) -> None:
    routine = build_routine(CATALOGUE, asked)
    rounds = rounds_of(routine)

    assert 1 <= routine.rounds <= 3
    assert [step.round for step in routine.steps] == sorted(step.round for step in routine.steps)
    assert all(1 <= step.round <= routine.rounds for step in routine.steps)
    assert sum(len(steps) for steps in rounds) == len(routine.steps)
    for before, after in pairwise(rounds):
        assert done_as(after) == done_as(before)
    plan: dict[str, Any] = routine.to_json()
    assert plan["rounds"] == routine.rounds
    assert [step["round"] for step in plan["steps"]] == [s.round for s in routine.steps]
    if routine.rounds == 1:
        assert routine.rounds_note is None
        return
    assert routine.rounds_note
    # Going round again never means getting back up, nor resting in the middle of a floor
    # routine that could end calm.
    assert len({step.position for step in routine.steps}) == 1
    if asked.place == "floor":
        assert not any(
            is_calm(pose, way) for pose in CATALOGUE.poses for way in usable_ways(pose, asked)
        )
    # Only when one time through falls short: the catalogue has run out of different poses.
    assert estimate_seconds(rounds[0]) < 0.85 * asked.minutes * 60
    if routine.shortfall is None:
        assert "going through" not in routine.rounds_note
    else:
        assert "times" in routine.shortfall or "twice" in routine.shortfall


def unused(routine: Routine) -> set[str]:
    """Poses the routine could have had and did not; a stretch focus turns to strength poses
    only when the stretches run out, so when they did not, those are not a choice."""
    ruled_out = {item.pose_id for item in routine.left_out}
    left = set(POSE_IDS) - ruled_out - set(routine.pose_ids)
    if routine.request.focus == "stretch" and "strength" not in {s.kind for s in routine.steps}:
        left = {pose_id for pose_id in left if CATALOGUE.pose(pose_id).kind != "strength"}
    return left


@bounded
@given(requests)
def test_consecutive_days_differ_when_the_catalogue_allows(asked: RoutineRequest) -> None:
    yesterday = build_routine(CATALOGUE, asked)
    today = build_routine(
        CATALOGUE,
        RoutineRequest(
            minutes=asked.minutes,
            place=asked.place,
            wall=asked.wall,
            focus=asked.focus,
            cautions=asked.cautions,
            painful=asked.painful,
            recent=yesterday.pose_ids,
            seed=asked.seed + 1,
        ),
    )

    if yesterday.steps and unused(yesterday):
        assert today.steps != yesterday.steps
