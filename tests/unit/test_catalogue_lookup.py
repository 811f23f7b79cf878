"""What people type finds the pose or the caution they mean, and red flags are never missed."""

from __future__ import annotations

import pytest

from bot.catalogue import (
    Catalogue,
    CautionParse,
    RedFlagFound,
    TagFound,
    UnknownCaution,
)

# -- poses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "pose_id"),
    [
        ("child_pose", "child_pose"),
        ("Child's Pose", "child_pose"),
        ("CHILDS POSE", "child_pose"),
        ("Apanasana", "apanasana"),
        ("  pigeon  ", "pigeon"),
    ],
)
def test_a_pose_is_found_by_id_name_alias_or_sanskrit(
    catalogue: Catalogue, typed: str, pose_id: str
) -> None:
    match = catalogue.find_pose(typed)
    assert match.pose is not None
    assert (match.pose.id, match.exact, match.suggestions) == (pose_id, True, ())


def test_every_name_of_every_pose_finds_that_pose(catalogue: Catalogue) -> None:
    for pose in catalogue.poses:
        for name in pose.names:
            found = catalogue.find_pose(name).pose
            assert found is not None, name
            assert found.id == pose.id, name


def test_down_dog_is_downward_dog(catalogue: Catalogue) -> None:
    match = catalogue.find_pose("down dog")
    assert match.pose is not None
    assert match.pose.id == "downward_dog"


def test_a_name_typed_short_but_unmistakable_is_taken(catalogue: Catalogue) -> None:
    match = catalogue.find_pose("child pose")
    assert match.pose is not None
    assert match.pose.id == "child_pose"


def test_a_misspelt_pose_is_suggested_not_assumed(catalogue: Catalogue) -> None:
    match = catalogue.find_pose("chlid pose")
    assert match.pose is None
    assert match.suggestions
    assert match.suggestions[0].id == "child_pose"
    assert len(match.suggestions) <= 3


def test_nonsense_finds_no_pose_and_suggests_nothing(catalogue: Catalogue) -> None:
    assert (
        catalogue.find_pose("xyzzy")
        == catalogue.find_pose("")
        == type(catalogue.find_pose("xyzzy"))(pose=None)
    )


def test_a_word_shared_by_several_poses_offers_them_instead_of_picking_one(
    tiny_catalogue: Catalogue,
) -> None:
    # Two poses end in "fold"; neither is more "fold" than the other.
    match = tiny_catalogue.find_pose("fold")
    assert match.pose is None
    assert {pose.id for pose in match.suggestions} >= {"desk_fold", "hanging_fold"}


def test_naming_a_variation_finds_its_pose_and_the_variation(
    tiny_catalogue: Catalogue,
) -> None:
    match = tiny_catalogue.find_pose("lying figure four")
    assert match.pose is not None
    assert (match.pose.id, match.variation) == ("hip_opener", "lying_figure_four")


def test_filter_by_place_kind_and_position(catalogue: Catalogue) -> None:
    at_the_desk = catalogue.filter(place="desk")
    assert at_the_desk
    assert all("desk" in pose.places for pose in at_the_desk)
    assert {pose.id for pose in catalogue.filter(kind="rest", position="kneeling")} >= {
        "child_pose"
    }
    assert catalogue.filter() == list(catalogue.poses)


def test_lookups_by_id_raise_for_unknown_ids(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError):
        catalogue.pose("no_such_pose")
    with pytest.raises(KeyError):
        catalogue.tag("no_such_tag")
    with pytest.raises(KeyError):
        catalogue.source("no_such_source")


# -- cautions -----------------------------------------------------------------------------


def _tag_of(parsed: CautionParse) -> str:
    assert isinstance(parsed, TagFound), parsed
    return parsed.tag.tag


@pytest.mark.parametrize(
    ("typed", "tag"),
    [
        ("knee", "knee"),
        ("Knees", "knee"),
        ("bad knee", "knee"),
        ("my knees", "knee"),
        ("carpal tunnel", "wrists"),
        ("high BP", "high_blood_pressure"),
        ("high blood pressure", "high_blood_pressure"),
        ("high_blood_pressure", "high_blood_pressure"),
        ("slipped disc", "disc"),
        ("pregnant", "pregnancy"),
        ("I'm pregnant", "pregnancy"),
        ("knee replacement", "knee"),
    ],
)
def test_what_people_type_finds_the_caution(catalogue: Catalogue, typed: str, tag: str) -> None:
    assert _tag_of(catalogue.parse_caution(typed)) == tag


@pytest.mark.parametrize(
    ("typed", "tag"),
    [
        ("kneee", "knee"),
        ("glaucome", "glaucoma"),
        ("carpel tunnel", "wrists"),
        ("pregnent", "pregnancy"),
    ],
)
def test_a_caution_with_a_typo_still_finds_its_tag(
    catalogue: Catalogue, typed: str, tag: str
) -> None:
    assert _tag_of(catalogue.parse_caution(typed)) == tag


@pytest.mark.parametrize(
    ("typed", "red_flag"),
    [
        ("I can't control my bladder", "bladder_bowel_control"),
        ("numb groin", "saddle_numbness"),
        ("numbness in my groin", "saddle_numbness"),
        ("my groin went numb", "saddle_numbness"),
        ("fever and back pain", "fever"),
        ("fell down the stairs and now my back hurts", "fall_or_accident"),
        ("numbnes in my gorin", "saddle_numbness"),
    ],
)
def test_red_flags_are_recognised_and_never_become_cautions(
    catalogue: Catalogue, typed: str, red_flag: str
) -> None:
    parsed = catalogue.parse_caution(typed)
    assert isinstance(parsed, RedFlagFound), parsed
    assert parsed.red_flag.id == red_flag
    # Even inside a list of ordinary cautions, a red flag is the only answer.
    listed = catalogue.parse_cautions(f"knee, {typed}")
    assert listed == [RedFlagFound(parsed.red_flag)]


@pytest.mark.parametrize("typed", ["knee", "tight hips", "sciatica", "I feel stiff", "back pain"])
def test_ordinary_complaints_are_not_red_flags(catalogue: Catalogue, typed: str) -> None:
    assert catalogue.red_flag(typed) is None


def test_an_unknown_caution_comes_back_with_the_closest_tags(catalogue: Catalogue) -> None:
    parsed = catalogue.parse_caution("glauc")
    assert isinstance(parsed, UnknownCaution)
    assert parsed.text == "glauc"
    assert parsed.closest[0] == "glaucoma"
    assert len(parsed.closest) <= 3


def test_an_unknown_word_with_nothing_close_offers_nothing(tiny_catalogue: Catalogue) -> None:
    assert tiny_catalogue.parse_caution("xyzzy") == UnknownCaution("xyzzy", ())


@pytest.mark.parametrize(
    ("typed", "tags"),
    [
        ("knee, pregnancy and wrists", ["knee", "pregnancy", "wrists"]),
        ("knee pregnancy", ["knee", "pregnancy"]),
        ("carpal tunnel; high blood pressure", ["wrists", "high_blood_pressure"]),
        ("high blood pressure and carpal tunnel", ["high_blood_pressure", "wrists"]),
        ("bad knees and bad knee", ["knee"]),
        ("glaucome and kneee", ["glaucoma", "knee"]),
    ],
)
def test_a_list_of_cautions_is_read_in_order(
    catalogue: Catalogue, typed: str, tags: list[str]
) -> None:
    assert [_tag_of(parsed) for parsed in catalogue.parse_cautions(typed)] == tags


def test_a_list_keeps_what_it_could_not_read(catalogue: Catalogue) -> None:
    parsed = catalogue.parse_cautions("knee, xyzzy")
    assert _tag_of(parsed[0]) == "knee"
    assert isinstance(parsed[1], UnknownCaution)
    assert parsed[1].text == "xyzzy"


def test_an_empty_list_of_cautions_is_empty(catalogue: Catalogue) -> None:
    assert catalogue.parse_cautions(" , and ") == []
