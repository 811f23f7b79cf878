"""Which poses a person's cautions leave out, change or warn about — the safety core.

Pure functions over the catalogue models, so every rule here is tested with plain calls.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import Literal

from bot.catalogue.models import CautionVocabulary, Effect, Pose, PoseCaution, Variation

Verdict = Literal["ok", "modified", "avoided"]

# When two rules give one tag different effects for a pose, the stricter one stands.
_SEVERITY: dict[Effect, int] = {"care": 0, "modify": 1, "avoid": 2}


@dataclass(frozen=True)
class Assessment:
    pose_id: str
    verdict: Verdict
    # The variation to deliver: the one swapped in (modified), else the one asked for or None.
    variation: str | None
    # Care notes and modify instructions to show with the step; for "avoided", why.
    notes: tuple[str, ...]
    # Tags that rule the pose out (avoided) or changed it (modified).
    reasons: tuple[str, ...]


def effective_cautions(
    pose: Pose, variation: Variation | None, vocabulary: CautionVocabulary
) -> list[PoseCaution]:
    """The cautions that apply when ``pose`` (or its ``variation``) is delivered, one per tag.

    Rules attach cautions to what the pose (or the variation, when it sets its own
    exposures) does to the body; the pose's own entry for a tag overrides a rule. When a
    variation is delivered, the pose's entries that swap *to* this variation are dropped — the
    variation is their remedy — and the variation's own entries override the rest.
    """
    exposures = pose.exposures
    if variation is not None and variation.exposures is not None:
        exposures = variation.exposures
    by_tag: dict[str, PoseCaution] = {}
    for rule in vocabulary.rules:
        if rule.exposure not in exposures:
            continue
        current = by_tag.get(rule.tag)
        if current is None or _SEVERITY[rule.effect] > _SEVERITY[current.effect]:
            by_tag[rule.tag] = PoseCaution(tag=rule.tag, effect=rule.effect, note=rule.note)
    for caution in pose.cautions:
        if variation is not None and caution.variation == variation.id:
            by_tag.pop(caution.tag, None)
        else:
            by_tag[caution.tag] = caution
    if variation is not None:
        for caution in variation.cautions:
            by_tag[caution.tag] = caution
    return list(by_tag.values())


def assess(
    pose: Pose,
    tags: Collection[str],
    vocabulary: CautionVocabulary,
    variation: str | None = None,
) -> Assessment:
    """What to do with ``pose`` (or its ``variation``) for someone with caution ``tags``.

    Any effective "avoid" for one of the tags leaves the pose out. Otherwise a "modify" that
    names a variation swaps that variation in, and the variation is assessed in turn (it may
    itself be ruled out). Modify instructions and care notes travel with the step, modify
    instructions first, each group in the order the cautions are listed.
    """
    assessment = _assess(pose, frozenset(tags), vocabulary, variation, chain=())
    if assessment.verdict == "avoided":
        # Left out is left out, whichever swapped-in version was ruled out on the way.
        return replace(assessment, variation=variation)
    return assessment


def _assess(
    pose: Pose,
    tags: frozenset[str],
    vocabulary: CautionVocabulary,
    variation_id: str | None,
    chain: tuple[PoseCaution, ...],
) -> Assessment:
    """``chain`` holds the swaps that led to ``variation_id``, to notice going round in circles."""
    variation = pose.variation(variation_id) if variation_id is not None else None
    relevant = [
        caution
        for caution in effective_cautions(pose, variation, vocabulary)
        if caution.tag in tags
    ]
    avoid = [c for c in relevant if c.effect == "avoid"]
    if avoid:
        return _avoided(pose, variation_id, avoid)

    swaps = [c for c in relevant if c.effect == "modify" and c.variation is not None]
    if swaps:
        swap = swaps[0]
        if swap.variation in {variation_id, *(c.variation for c in chain)}:
            # Cautions that send the person round between versions, each ruled out by another
            # caution: no version of this pose suits them all.
            return _avoided(pose, variation_id, [*chain, swap])
        swapped = _assess(pose, tags, vocabulary, swap.variation, (*chain, swap))
        if swapped.verdict == "avoided":
            return swapped
        return Assessment(
            pose_id=pose.id,
            verdict="modified",
            variation=swapped.variation,
            notes=_unique((swap.note, *swapped.notes)),
            reasons=_unique((swap.tag, *swapped.reasons)),
        )

    instructions = [c for c in relevant if c.effect == "modify"]
    care = [c for c in relevant if c.effect == "care"]
    return Assessment(
        pose_id=pose.id,
        verdict="modified" if instructions else "ok",
        variation=variation_id,
        notes=_unique(c.note for c in [*instructions, *care]),
        reasons=_unique(c.tag for c in instructions),
    )


def _avoided(pose: Pose, variation_id: str | None, cautions: list[PoseCaution]) -> Assessment:
    return Assessment(
        pose_id=pose.id,
        verdict="avoided",
        variation=variation_id,
        notes=_unique(c.note for c in cautions),
        reasons=_unique(c.tag for c in cautions),
    )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
