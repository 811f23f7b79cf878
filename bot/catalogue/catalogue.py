"""The loaded catalogue: poses, caution vocabulary and sources, looked up by what people type."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from rapidfuzz import fuzz

from bot.catalogue.matching import (
    close_word,
    core_key,
    covers,
    name_key,
    name_score,
    phrase_key,
    phrase_words,
    query_words,
)
from bot.catalogue.models import (
    CautionTag,
    CautionVocabulary,
    Kind,
    Place,
    Pose,
    Position,
    RedFlag,
    Source,
)

SUGGESTED_POSE_SCORE = 65.0
MAX_SUGGESTIONS = 3
# A caution typed with a typo ("kneee", "glaucome") still finds its tag at or above this.
TAG_TYPO_SCORE = 85.0
CLOSEST_TAG_SCORE = 65.0

_CAUTION_SEPARATORS = re.compile(r"[,;/&+\n]+|\b(?:and|plus|also)\b", re.IGNORECASE)


def pose_names(pose: Pose) -> Iterator[tuple[str, str]]:
    """Each name a person may type for a pose, with the field it comes from."""
    yield "id", pose.id
    yield "name", pose.name
    for i, alias in enumerate(pose.aliases):
        yield f"aliases.{i}", alias
    if pose.sanskrit:
        yield "sanskrit", pose.sanskrit


def tag_phrases(tag: CautionTag) -> Iterator[tuple[str, str]]:
    """Each phrase that names a caution tag, with the field (inside the tag) it comes from."""
    yield "tag", tag.tag
    yield "label", tag.label
    for i, synonym in enumerate(tag.synonyms):
        yield f"synonyms.{i}", synonym


@dataclass(frozen=True)
class PoseMatch:
    """What a typed pose name resolved to.

    ``pose`` is set when the name was found (``exact``) or a near miss was confidently one
    pose; otherwise ``suggestions`` holds the closest poses, best first (maybe none).
    ``variation`` is set when the text named one of the pose's variations ("cobra").
    """

    pose: Pose | None
    suggestions: tuple[Pose, ...] = ()
    exact: bool = False
    variation: str | None = None


@dataclass(frozen=True)
class TagFound:
    tag: CautionTag


@dataclass(frozen=True)
class RedFlagFound:
    """A symptom that needs a clinician, not a stretch routine; never stored as a caution."""

    red_flag: RedFlag


@dataclass(frozen=True)
class UnknownCaution:
    text: str
    # Tag ids that come closest, best first.
    closest: tuple[str, ...]


CautionParse = TagFound | RedFlagFound | UnknownCaution


@dataclass(frozen=True)
class _Index:
    poses: dict[str, Pose]
    names: dict[str, str]
    # A core key names a pose only when exactly one pose has it; None marks an ambiguous one.
    cores: dict[str, str | None]
    variations: dict[str, tuple[str, str] | None]
    name_choices: tuple[tuple[str, str], ...]
    sources: dict[str, Source]
    tags: dict[str, CautionTag]
    phrases: dict[str, str]
    red_flags: tuple[tuple[tuple[str, ...], RedFlag], ...]


K = TypeVar("K")
V = TypeVar("V")


def _first_or_ambiguous(pairs: Iterator[tuple[K, V]]) -> dict[K, V | None]:
    found: dict[K, V | None] = {}
    for key, value in pairs:
        if key in found and found[key] != value:
            found[key] = None
        else:
            found.setdefault(key, value)
    return found


def _build_index(
    poses: tuple[Pose, ...], vocabulary: CautionVocabulary, sources: tuple[Source, ...]
) -> _Index:
    names: dict[str, str] = {}
    choices: dict[tuple[str, str], None] = {}
    for pose in poses:
        for _, name in pose_names(pose):
            names.setdefault(name_key(name), pose.id)
            choices[name_key(name), pose.id] = None
    cores = _first_or_ambiguous(
        (core, pose.id)
        for pose in poses
        for _, name in pose_names(pose)
        if (core := core_key(name))
    )
    variations = _first_or_ambiguous(
        (key, (pose.id, variation.id))
        for pose in poses
        for variation in pose.variations
        for text in (variation.id, variation.name)
        for key in (name_key(text), core_key(text))
        if key
    )
    phrases: dict[str, str] = {}
    for tag in vocabulary.tags:
        for _, phrase in tag_phrases(tag):
            if key := phrase_key(phrase):
                phrases.setdefault(key, tag.tag)
    red_flags = tuple(
        (tuple(words), red_flag)
        for red_flag in vocabulary.red_flags
        for phrase in red_flag.phrases
        if (words := phrase_words(phrase))
    )
    return _Index(
        poses={pose.id: pose for pose in poses},
        names=names,
        cores=cores,
        variations=variations,
        name_choices=tuple(choices),
        sources={source.id: source for source in sources},
        tags={tag.tag: tag for tag in vocabulary.tags},
        phrases=phrases,
        red_flags=red_flags,
    )


@dataclass(frozen=True)
class Catalogue:
    """Every pose, the caution vocabulary and the source articles, validated and indexed.

    Build one with :func:`bot.catalogue.load_catalogue`, which checks the cross-references
    (tags, sources, colliding names) this class relies on.
    """

    poses: tuple[Pose, ...]
    vocabulary: CautionVocabulary
    sources: tuple[Source, ...]
    _index: _Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _build_index(self.poses, self.vocabulary, self.sources))

    def pose(self, pose_id: str) -> Pose:
        return self._index.poses[pose_id]

    def source(self, source_id: str) -> Source:
        return self._index.sources[source_id]

    def tag(self, tag: str) -> CautionTag:
        return self._index.tags[tag]

    def filter(
        self,
        place: Place | None = None,
        kind: Kind | None = None,
        position: Position | None = None,
    ) -> list[Pose]:
        """Poses that can be done at ``place``, of ``kind``, in ``position`` (None: any)."""
        return [
            pose
            for pose in self.poses
            if (place is None or place in pose.places)
            and (kind is None or pose.kind == kind)
            and (position is None or pose.position == position)
        ]

    # -- poses by name ------------------------------------------------------------------

    def find_pose(self, text: str) -> PoseMatch:
        """Resolve a typed pose name: id, name, alias or Sanskrit name, forgiving typos."""
        index = self._index
        key = name_key(text)
        if not key:
            return PoseMatch(pose=None)
        if key in index.names:
            return PoseMatch(pose=self.pose(index.names[key]), exact=True)
        core = core_key(text)
        if core and (pose_id := index.cores.get(core)):
            return PoseMatch(pose=self.pose(pose_id), exact=True)
        for variation_key in (key, core):
            if variation_key and (found := index.variations.get(variation_key)):
                pose_id, variation_id = found
                return PoseMatch(pose=self.pose(pose_id), exact=True, variation=variation_id)

        # Every typed word found whole (or as the start of a word: "down dog") in the names of
        # exactly one pose is taken as meant; a misspelt word ("chlid") only earns suggestions.
        words = query_words(key)
        covering = list(
            dict.fromkeys(
                pose_id for choice, pose_id in index.name_choices if covers(words, choice)
            )
        )
        if len(covering) == 1:
            return PoseMatch(pose=self.pose(covering[0]), exact=False)
        best: dict[str, float] = {pose_id: 100.0 for pose_id in covering}
        for choice, pose_id in index.name_choices:
            best[pose_id] = max(best.get(pose_id, 0.0), name_score(key, choice))
        # Ties keep catalogue order, so the same text always gives the same answer.
        ranked = [pose_id for pose_id, score in best.items() if score >= SUGGESTED_POSE_SCORE]
        ranked.sort(key=lambda pose_id: -best[pose_id])
        return PoseMatch(
            pose=None,
            suggestions=tuple(self.pose(pose_id) for pose_id in ranked[:MAX_SUGGESTIONS]),
        )

    # -- cautions by what people type ---------------------------------------------------

    def red_flag(self, text: str) -> RedFlag | None:
        """The red flag ``text`` describes: every meaningful word of one of its phrases
        appears in the text, in any order, allowing small typos ("numb groin")."""
        typed = phrase_words(text)
        for words, red_flag in self._index.red_flags:
            if all(any(close_word(word, t) for t in typed) for word in words):
                return red_flag
        return None

    def parse_caution(self, text: str) -> CautionParse:
        """Read one caution as typed ("bad knee", "high BP", "glaucome")."""
        if red_flag := self.red_flag(text):
            return RedFlagFound(red_flag)
        found = self._exact_or_typo(phrase_key(text))
        if found is None:
            tags = {item.tag for item in self._segment(text) if isinstance(item, CautionTag)}
            # One tag among other words ("knee replacement") is that tag; two are a list.
            found = tags.pop() if len(tags) == 1 else None
        if found is None:
            return UnknownCaution(text.strip(), self.closest_tags(text))
        return TagFound(self.tag(found))

    def parse_cautions(self, text: str) -> list[CautionParse]:
        """Read a list of cautions ("knee, pregnancy and wrists", "knee pregnancy").

        A red flag anywhere in the text is the only answer: nothing is stored alongside it.
        """
        if red_flag := self.red_flag(text):
            return [RedFlagFound(red_flag)]
        # A phrase may itself contain a separator word; the whole text is tried first.
        if (tag := self._index.phrases.get(phrase_key(text))) is not None:
            return [TagFound(self.tag(tag))]
        results: list[CautionParse] = []
        for chunk in _CAUTION_SEPARATORS.split(text):
            if not phrase_key(chunk):
                continue
            parsed = self.parse_caution(chunk)
            if isinstance(parsed, UnknownCaution):
                items = self._segment(chunk)
                if any(isinstance(item, CautionTag) for item in items):
                    results.extend(
                        TagFound(item)
                        if isinstance(item, CautionTag)
                        else UnknownCaution(item, self.closest_tags(item))
                        for item in items
                    )
                    continue
            results.append(parsed)
        return _without_repeated_tags(results)

    def closest_tags(self, text: str) -> tuple[str, ...]:
        """Up to three tag ids whose phrases come closest to ``text``, best first."""
        key = phrase_key(text) or name_key(text)
        if not key:
            return ()
        scores: dict[str, float] = {}
        for phrase, tag in self._index.phrases.items():
            scores[tag] = max(scores.get(tag, 0.0), fuzz.WRatio(key, phrase))
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        return tuple(tag for tag, score in ranked if score >= CLOSEST_TAG_SCORE)[:MAX_SUGGESTIONS]

    def _exact_or_typo(self, key: str) -> str | None:
        if not key:
            return None
        phrases = self._index.phrases
        if key in phrases:
            return phrases[key]
        best_score, best_tag = 0.0, None
        for phrase, tag in phrases.items():
            score = fuzz.ratio(key, phrase)
            if score > best_score:
                best_score, best_tag = score, tag
        return best_tag if best_score >= TAG_TYPO_SCORE else None

    def _segment(self, text: str) -> list[CautionTag | str]:
        """Split typed words into tags and runs of words no tag claims (as text), in order.

        The longest known phrase at each position wins, so "high blood pressure" is one tag
        and not a mention of "pressure".
        """
        words = phrase_words(text)
        phrases = self._index.phrases
        items: list[CautionTag | str] = []
        unclaimed: list[str] = []

        def flush() -> None:
            if unclaimed:
                items.extend(self._typo_items(unclaimed))
                unclaimed.clear()

        i = 0
        while i < len(words):
            for j in range(len(words), i, -1):
                if (tag := phrases.get(" ".join(words[i:j]))) is not None:
                    flush()
                    items.append(self.tag(tag))
                    i = j
                    break
            else:
                unclaimed.append(words[i])
                i += 1
        flush()
        return items

    def _typo_items(self, words: list[str]) -> list[CautionTag | str]:
        """Tags for a run of unclaimed words, allowing typos; what stays unclaimed, as text."""
        if (tag := self._exact_or_typo(" ".join(words))) is not None:
            return [self.tag(tag)]
        items: list[CautionTag | str] = []
        rest: list[str] = []
        for word in words:
            tag = self._exact_or_typo(word) if len(word) >= 4 else None
            if tag is None:
                rest.append(word)
                continue
            if rest:
                items.append(" ".join(rest))
                rest = []
            items.append(self.tag(tag))
        if rest:
            items.append(" ".join(rest))
        return items


def _without_repeated_tags(results: list[CautionParse]) -> list[CautionParse]:
    seen: set[str] = set()
    kept: list[CautionParse] = []
    for result in results:
        if isinstance(result, TagFound):
            if result.tag.tag in seen:
                continue
            seen.add(result.tag.tag)
        kept.append(result)
    return kept
