"""``limber routine``: the routine on the command line, as the bot says it and as JSON."""

from __future__ import annotations

import json

import pytest

from bot.__main__ import main
from bot.catalogue import get_catalogue
from bot.coach import RoutineRequest, build_routine

CATALOGUE = get_catalogue()
FLOOR_TEN = ["routine", "--minutes", "10", "--place", "floor", "--focus", "balanced"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_prints_the_routine_as_the_bot_would_say_it(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, *FLOOR_TEN, "--caution", "knee", "--caution", "pregnancy", "--seed", "3"
    )

    assert status == 0
    assert err == ""
    assert out.startswith("Your 10-minute floor routine (balanced), about ")
    assert "Adapted for your cautions: knee, pregnancy." in out
    assert "\n1. " in out
    assert "Left out: " in out
    assert "Child's pose (knee)" in out


def test_json_gives_tools_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, *FLOOR_TEN, "--caution", "knee", "--caution", "pregnancy", "--seed", "3", "--json"
    )
    plan = json.loads(out)

    assert status == 0
    expected = build_routine(
        CATALOGUE,
        RoutineRequest(
            minutes=10, place="floor", cautions=frozenset({"knee", "pregnancy"}), seed=3
        ),
    )
    assert plan == expected.to_json()
    assert [(s["pose"], s["variation"], s["hold_seconds"], s["side"]) for s in plan["steps"]] == [
        (s.pose_id, s.variation_id, s.hold_seconds, s.side) for s in expected.steps
    ]
    assert plan["estimated_seconds"] == expected.estimated_seconds
    assert {"pose": "child_pose", "reason": "knee"}.items() <= next(
        item for item in plan["left_out"] if item["pose"] == "child_pose"
    ).items()


def test_a_desk_break_that_goes_round_twice_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("routine", "--minutes", "5", "--place", "desk", "--seed", "1")
    status, out, _ = run(capsys, *args)
    _, as_json, _ = run(capsys, *args, "--json")
    plan = json.loads(as_json)

    assert status == 0
    assert out.startswith("Your 5-minute desk routine (balanced), about 5 min in all.")
    assert "so this goes through them twice" in out
    assert out.index("— Round 1 of 2 —") < out.index("\n1. ") < out.index("— Round 2 of 2 —")
    assert "As in round 1." in out
    assert plan["rounds"] == 2
    assert plan["shortfall"] is None
    assert {step["round"] for step in plan["steps"]} == {1, 2}
    first = [s["pose"] for s in plan["steps"] if s["round"] == 1]
    assert [s["pose"] for s in plan["steps"] if s["round"] == 2] == first


def test_cautions_are_read_as_people_type_them(capsys: pytest.CaptureFixture[str]) -> None:
    _, typed, _ = run(
        capsys, *FLOOR_TEN, "--caution", "bad knees", "--caution", "expecting", "--seed", "3"
    )
    _, tags, _ = run(
        capsys, *FLOOR_TEN, "--caution", "knee", "--caution", "pregnancy", "--seed", "3"
    )

    assert typed == tags


def test_an_unknown_caution_is_an_error_that_suggests_the_closest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, *FLOOR_TEN, "--caution", "knie", "--seed", "3")

    assert status == 2
    assert out == ""
    assert "unknown caution 'knie'. Did you mean: knee?" in err


def test_a_red_flag_gets_the_advice_and_no_routine(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, *FLOOR_TEN, "--caution", "numb groin", "--seed", "3")

    assert status == 2
    assert out == ""
    assert CATALOGUE.vocabulary.red_flag_advice in err


def test_painful_poses_are_named_and_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, *FLOOR_TEN, "--painful", "child pose", "--seed", "3", "--json")

    assert status == 0
    plan = json.loads(out)
    assert "child_pose" not in {step["pose"] for step in plan["steps"]}
    assert {"pose": "child_pose", "kind": "painful", "reason": "reported painful"}.items() <= (
        next(item for item in plan["left_out"] if item["pose"] == "child_pose").items()
    )


def test_a_wind_down_can_be_asked_for_the_way_people_write_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(
        capsys, "routine", "--minutes", "6", "--place", "floor", "--focus", "wind-down", "--json"
    )

    assert status == 0
    assert json.loads(out)["request"]["focus"] == "wind_down"


@pytest.mark.parametrize("minutes", ["1", "31", "ten"])
def test_minutes_outside_two_to_thirty_are_refused(
    capsys: pytest.CaptureFixture[str], minutes: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["routine", "--minutes", minutes])

    assert exit_.value.code == 2
    assert "minutes" in capsys.readouterr().err
