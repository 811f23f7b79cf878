"""A pose reads, in plain text, the way the bot shows it."""

from __future__ import annotations

import pytest

from bot.catalogue import Catalogue, Hold, describe_hold, pose_card


@pytest.mark.parametrize(
    ("hold", "sided", "text"),
    [
        (
            Hold(unit="breaths", amount=8, range=(8, 10), per_side=True),
            True,
            "Hold 8–10 breaths on each side",
        ),
        (Hold(unit="breaths", amount=1), False, "Hold 1 breath"),
        (Hold(unit="seconds", amount=20, range=(20, 30)), False, "Hold 20–30 seconds"),
        (Hold(unit="seconds", amount=60), False, "Hold 1 minute"),
        (Hold(unit="seconds", amount=120), True, "Hold 2 minutes on each side"),
        (Hold(unit="reps", amount=5, range=(5, 10)), False, "Repeat 5–10 times"),
        (Hold(unit="reps", amount=1), False, "Do it once"),
    ],
)
def test_a_hold_reads_as_a_person_would_say_it(hold: Hold, sided: bool, text: str) -> None:
    assert describe_hold(hold, sided) == text


def test_a_pose_card_shows_what_to_do_and_what_to_watch(tiny_catalogue: Catalogue) -> None:
    card = pose_card(tiny_catalogue.pose("folded_leaf"), tiny_catalogue)
    lines = card.splitlines()
    assert lines[0] == "Folded leaf (Balasana)"
    assert "Rest · kneeling · on the floor" in lines
    assert "Hold 8–10 breaths" in lines
    assert "1. Kneel." in lines
    assert "2. Sit back on the heels and fold forward." in lines
    assert "- Rests the back." in lines
    # The pose's own cautions and the ones its exposures bring, with their effect in words.
    assert "- Knee problems: leave this pose out. Left out with a knee injury." in lines
    assert (
        "- Pregnancy: do it differently. Keep the knees wide apart to make room for the belly."
        in lines
    )
    assert (
        "- Wrists or carpal tunnel: go carefully. "
        "Spread the fingers and ease off if the wrists hurt." in lines
    )
    assert lines[-1] == "- Article One (A. Writer)"


def test_a_card_names_the_variation_a_caution_swaps_in(tiny_catalogue: Catalogue) -> None:
    card = pose_card(tiny_catalogue.pose("hip_opener"), tiny_catalogue)
    assert "- Knee problems: do Lying figure four instead." in card
    assert "Hold 6 breaths on each side" in card
    assert "- Lying figure four (alternative): The same hip stretch lying on the back." in card


def test_a_variation_card_shows_the_variation_with_what_it_inherits(
    tiny_catalogue: Catalogue,
) -> None:
    card = pose_card(
        tiny_catalogue.pose("hip_opener"), tiny_catalogue, variation="lying_figure_four"
    )
    assert "Variation: Lying figure four (alternative)" in card
    assert "Stretch · lying on your back · on the floor" in card
    assert "1. Lie on your back." in card
    assert "Hold 6 breaths on each side" in card
    assert "Knee problems" not in card, "the caution that led here is not repeated"
    assert "- Pregnancy: leave this pose out." in card
    assert card.endswith("- Article Two")


def test_every_real_pose_renders(catalogue: Catalogue) -> None:
    for pose in catalogue.poses:
        for variation in [None, *(v.id for v in pose.variations)]:
            card = pose_card(pose, catalogue, variation)
            assert card.startswith(pose.name)
            assert "1. " in card
