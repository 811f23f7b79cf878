"""The catalogue's shape: poses, their variations and cautions, the caution vocabulary.

Everything here is plain pydantic; the catalogue is data (``data/``), and these models are
the contract every layer above relies on. Models are frozen so a loaded catalogue can be
shared between handlers without anyone changing it under their feet.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

SnakeId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

Kind = Literal["stretch", "strength", "rest", "self_massage", "mobility_flow"]
Position = Literal["standing", "chair", "seated_floor", "kneeling", "tabletop", "prone", "supine"]
# Where a pose can be done. ``desk`` means standing at (or holding on to) a desk; ``chair`` is
# sitting on one; ``wall`` needs a free wall; ``floor`` needs room to lie down on a mat.
Place = Literal["floor", "desk", "chair", "wall"]
Prop = Literal["strap", "block", "blanket", "wall", "chair", "ball"]
SpineMovement = Literal["flexion", "extension", "side_bend", "rotation"]
Effect = Literal["avoid", "modify", "care"]
HoldUnit = Literal["breaths", "seconds", "reps"]
# What a pose does to the body that a caution rule can key on.
Exposure = Literal[
    "weight_on_wrists",
    "head_below_heart",
    "inversion",
    "lying_prone",
    "one_leg_balance",
    "kneeling",
]
VariationPurpose = Literal["easier", "harder", "alternative"]

# Seconds a breath takes when a hold is counted in breaths, and a repetition when in reps.
SECONDS_PER_BREATH = 5
SECONDS_PER_REP = 6


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Hold(Frozen):
    """How long a pose is held, as an article gives it (or a sensible default)."""

    unit: HoldUnit
    amount: int = Field(gt=0, le=600)
    # The range an article gives ("10-30 breaths"), when it gives one; ``amount`` lies in it.
    range: tuple[int, int] | None = None
    per_side: bool = False
    # False when no article gives a duration and Limber chose one.
    from_article: bool = True

    @model_validator(mode="after")
    def _amount_in_range(self) -> Hold:
        if self.range is not None:
            low, high = self.range
            if not 0 < low <= high:
                raise ValueError(f"range must be low <= high, got {low}-{high}")
            if not low <= self.amount <= high:
                raise ValueError(f"amount {self.amount} lies outside range {low}-{high}")
        return self

    @property
    def seconds(self) -> int:
        """Seconds one hold takes (one side, for a sided pose)."""
        if self.unit == "breaths":
            return self.amount * SECONDS_PER_BREATH
        if self.unit == "reps":
            return self.amount * SECONDS_PER_REP
        return self.amount


class PoseCaution(Frozen):
    """What a pose asks of someone with a given caution tag."""

    tag: SnakeId
    effect: Effect
    # What the person is told: the warning (care), the change (modify) or why it is left out.
    note: Text
    # For ``modify``: the id of the pose's variation delivered instead; None when the note
    # itself is the modification (an instruction such as "keep the knees bent").
    variation: SnakeId | None = None

    @model_validator(mode="after")
    def _variation_only_for_modify(self) -> PoseCaution:
        if self.variation is not None and self.effect != "modify":
            raise ValueError("only a 'modify' caution may name a variation")
        return self


class Variation(Frozen):
    """A progression, regression or alternative a routine can swap in for its pose."""

    id: SnakeId
    name: Text
    purpose: VariationPurpose
    summary: Text
    steps: list[Text] = Field(min_length=1)
    # Fields left None inherit the pose's value.
    position: Position | None = None
    places: list[Place] | None = None
    props: list[Prop] | None = None
    exposures: list[Exposure] | None = None
    hold: Hold | None = None
    # Extra cautions of the variation itself; they override the pose's for the same tag.
    cautions: list[PoseCaution] = Field(default_factory=list)
    sources: list[SnakeId] = Field(min_length=1)


class Pose(Frozen):
    id: SnakeId
    name: Text
    sanskrit: Text | None = None
    aliases: list[Text] = Field(default_factory=list)
    kind: Kind
    position: Position
    places: list[Place] = Field(min_length=1)
    props: list[Prop] = Field(default_factory=list)
    spine: list[SpineMovement] = Field(default_factory=list)
    areas: list[Text] = Field(min_length=1)
    exposures: list[Exposure] = Field(default_factory=list)
    # Done once on each side (left then right), each side taking a full hold.
    sided: bool = False
    hold: Hold
    steps: list[Text] = Field(min_length=1)
    benefits: list[Text] = Field(min_length=1)
    cautions: list[PoseCaution] = Field(default_factory=list)
    variations: list[Variation] = Field(default_factory=list)
    sources: list[SnakeId] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Pose:
        variation_ids = [v.id for v in self.variations]
        duplicates = {v for v in variation_ids if variation_ids.count(v) > 1}
        if duplicates:
            raise ValueError(f"duplicate variation id(s): {', '.join(sorted(duplicates))}")
        for caution in [*self.cautions, *(c for v in self.variations for c in v.cautions)]:
            if caution.variation is not None and caution.variation not in variation_ids:
                raise ValueError(
                    f"caution {caution.tag!r} points to variation {caution.variation!r}, "
                    f"which this pose does not have"
                )
        tags = [c.tag for c in self.cautions]
        repeated = {t for t in tags if tags.count(t) > 1}
        if repeated:
            raise ValueError(f"caution tag(s) listed twice: {', '.join(sorted(repeated))}")
        if self.hold.per_side and not self.sided:
            raise ValueError("hold.per_side is set but the pose is not sided")
        return self

    def variation(self, variation_id: str) -> Variation:
        for v in self.variations:
            if v.id == variation_id:
                return v
        raise KeyError(variation_id)

    @property
    def names(self) -> list[str]:
        """Every name a person might type for this pose."""
        names = [self.name, *self.aliases]
        if self.sanskrit:
            names.append(self.sanskrit)
        return names


class CautionTag(Frozen):
    tag: SnakeId
    label: Text
    explanation: Text
    # What people type: "knees", "bad knee", "high bp".
    synonyms: list[Text] = Field(default_factory=list)


class CautionRule(Frozen):
    """Attach a caution to every pose with an exposure, unless the pose says otherwise."""

    exposure: Exposure
    tag: SnakeId
    effect: Effect
    note: Text

    @model_validator(mode="after")
    def _no_variation_modify(self) -> CautionRule:
        # A rule cannot name a variation, so "modify" would have nothing to deliver.
        if self.effect == "modify":
            raise ValueError("a rule's effect must be 'avoid' or 'care'")
        return self


class RedFlag(Frozen):
    id: SnakeId
    label: Text
    # Phrases that identify the symptom in what a person types.
    phrases: list[Text] = Field(min_length=1)


class CautionVocabulary(Frozen):
    tags: list[CautionTag] = Field(min_length=1)
    rules: list[CautionRule] = Field(default_factory=list)
    red_flags: list[RedFlag] = Field(min_length=1)
    # What the bot says to a red flag: seek care now, do not exercise.
    red_flag_advice: Text


class Source(Frozen):
    id: SnakeId
    title: Text
    author: Text | None = None
    # The seed file the content was written from.
    seed: Text
    summary: Text


_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case words joined by single spaces: the form names and synonyms are compared in."""
    return " ".join(_WORD.findall(text.lower().replace("’", "'").replace("'", "")))
