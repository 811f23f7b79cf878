"""``limber poses``, ``limber pose`` and ``limber cautions`` as a person at a shell sees them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.catalogue import DATA_DIR_ENV, Catalogue


@pytest.fixture(autouse=True)
def _real_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)


def test_a_misspelt_pose_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["pose", "chlid pose"])
    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""
    assert err.startswith("No pose called 'chlid pose'. Did you mean: Child's pose")


def test_an_unknown_pose_says_where_to_look(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pose", "xyzzy"]) == 1
    assert capsys.readouterr().err.strip() == (
        "No pose called 'xyzzy'. See `limber poses` for the list."
    )


def test_a_pose_is_shown_as_the_bot_shows_it(
    capsys: pytest.CaptureFixture[str], catalogue: Catalogue
) -> None:
    assert main(["pose", "child's", "pose"]) == 0
    out = capsys.readouterr().out
    child = catalogue.pose("child_pose")
    assert out.splitlines()[0] == child.name
    assert f"1. {child.steps[0]}" in out
    assert "- Knee problems: leave this pose out." in out


def test_a_variation_can_be_shown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pose", "cobra"]) == 0
    assert "Variation: Cobra" in capsys.readouterr().out
    assert main(["pose", "pigeon", "--variation", "no_such_thing"]) == 1
    assert "has no variation 'no_such_thing'" in capsys.readouterr().err


def test_poses_lists_every_pose(capsys: pytest.CaptureFixture[str], catalogue: Catalogue) -> None:
    assert main(["poses"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "KIND", "POSITION", "PLACES"]
    assert [line.split()[0] for line in lines[1:]] == [pose.id for pose in catalogue.poses]


def test_poses_can_be_filtered(capsys: pytest.CaptureFixture[str], catalogue: Catalogue) -> None:
    assert main(["poses", "--place", "desk", "--kind", "stretch"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert listed == [pose.id for pose in catalogue.filter(place="desk", kind="stretch")]
    assert "child_pose" not in listed


def test_poses_json_is_the_whole_validated_catalogue(
    capsys: pytest.CaptureFixture[str], catalogue: Catalogue
) -> None:
    assert main(["poses", "--json"]) == 0
    dumped = json.loads(capsys.readouterr().out)
    assert [pose["id"] for pose in dumped["poses"]] == [pose.id for pose in catalogue.poses]
    assert [source["id"] for source in dumped["sources"]] == [s.id for s in catalogue.sources]
    child = next(pose for pose in dumped["poses"] if pose["id"] == "child_pose")
    assert {"steps", "hold", "variations", "sources", "exposures"} <= set(child)
    cautions = [caution for pose in dumped["poses"] for caution in pose["cautions"]]
    assert cautions
    assert all(caution["tag"] and caution["effect"] for caution in cautions)
    assert any(c["tag"] == "knee" and c["effect"] == "avoid" for c in child["cautions"])


def test_cautions_lists_tags_rules_and_red_flags(
    capsys: pytest.CaptureFixture[str], catalogue: Catalogue
) -> None:
    assert main(["cautions"]) == 0
    out = capsys.readouterr().out
    assert "- knee: Knee problems." in out
    assert "carpal tunnel" in out
    assert "head_below_heart -> high_blood_pressure: avoid." in out
    assert catalogue.vocabulary.red_flag_advice in out
    assert main(["cautions", "--json"]) == 0
    dumped = json.loads(capsys.readouterr().out)
    assert {flag["id"] for flag in dumped["red_flags"]} >= {"saddle_numbness"}


def test_an_invalid_catalogue_stops_the_command_with_a_message(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    valid_fixture_dir: Path,
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(valid_fixture_dir, broken)
    pose_file = broken / "poses" / "hanging_fold.yaml"
    text = pose_file.read_text(encoding="utf-8")
    pose_file.write_text(text.replace("hold: {unit: breaths, amount: 5}", "hold: 30"))
    monkeypatch.setenv(DATA_DIR_ENV, str(broken))
    for command in (["poses"], ["pose", "fold"], ["cautions", "--json"]):
        assert main(command) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith("limber: the catalogue is invalid: ")
        assert "poses/hanging_fold.yaml: hold: hold 30 has no unit" in err
        assert "Traceback" not in err
