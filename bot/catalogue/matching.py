"""Turning what people type into keys the catalogue can look up, and scoring near misses.

The loader checks for collisions with the same key functions the lookups use, so "two poses
answer to the same name" is caught at start-up instead of surfacing as a wrong pose later.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from bot.catalogue.models import normalise

# Words that say nothing about *which* pose is meant: "pigeon" and "pigeon pose" are one pose.
GENERIC_POSE_WORDS = frozenset({"pose", "stretch", "yoga", "exercise", "posture", "the", "a"})

# Words around a caution that carry no meaning of their own ("my knees", "I have glaucoma").
# Negations and words like "loss" stay: they change what a phrase means.
FILLER_WORDS = frozenset(
    {
        *("i", "im", "ive", "me", "my", "a", "an", "the", "some", "bit", "of", "in", "on"),
        *("have", "has", "had", "got", "with", "am", "is", "are", "was", "been", "be"),
        *("it", "its", "to", "at", "from", "and", "or", "also", "plus", "currently", "still"),
    }
)

# How alike two words are when one starts the other ("down" / "downward").
PREFIX_SIMILARITY = 95.0

# Endings that keep a word's meaning ("numb" / "numbness", "fall" / "falling").
_SAME_STEM_ENDINGS = frozenset({"s", "es", "ed", "en", "ing", "ness", "y", "ful", "ly", "ies"})


def name_key(text: str) -> str:
    """The key a pose name is looked up by (a pose id reads as its words: "child_pose")."""
    return normalise(text.replace("_", " "))


def core_key(text: str) -> str:
    """A pose name without generic words; empty when nothing specific is left."""
    return " ".join(w for w in name_key(text).split() if w not in GENERIC_POSE_WORDS)


def _singular(word: str) -> str:
    # People type "knees" and "wrists"; vocabularies list "knee" and "wrist".
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def phrase_words(text: str) -> list[str]:
    """The words of a caution phrase that matter, in the form they are compared in."""
    return [_singular(w) for w in name_key(text).split() if w not in FILLER_WORDS]


def phrase_key(text: str) -> str:
    """The key a caution tag, label or synonym is looked up by."""
    return " ".join(phrase_words(text))


def same_stem(a: str, b: str) -> bool:
    """True when one word is the other plus a meaning-preserving ending."""
    short, long_ = sorted((a, b), key=len)
    ending = long_[len(short) :]
    return len(short) >= 4 and long_.startswith(short) and ending in _SAME_STEM_ENDINGS


def close_word(phrase_word: str, typed: str) -> bool:
    """Whether a typed word stands for a phrase's word: the same, the same stem, or a typo.

    Typos are only forgiven in longer words whose first letter is right: short words are too
    easily confused ("feel" / "fell", "ladder" / "bladder").
    """
    if phrase_word == typed or same_stem(phrase_word, typed):
        return True
    if len(phrase_word) < 5 or len(typed) < 4 or phrase_word[0] != typed[0]:
        return False
    allowed = 1 if len(phrase_word) < 8 else 2
    return OSA.distance(phrase_word, typed, score_cutoff=allowed) <= allowed


def word_similarity(a: str, b: str) -> float:
    """0-100: how alike two words are, counting a shared stem or a prefix as nearly equal."""
    if a == b:
        return 100.0
    shorter = min(len(a), len(b))
    if shorter >= 3 and (a.startswith(b) or b.startswith(a)):
        return PREFIX_SIMILARITY
    return fuzz.ratio(a, b)


def words_score(query: Sequence[str], name: Sequence[str]) -> float:
    """0-100: how well every typed word is found among a name's words ("down dog")."""
    if not query or not name:
        return 0.0
    return sum(max(word_similarity(q, n) for n in name) for q in query) / len(query)


def query_words(query: str) -> list[str]:
    """The words of a typed pose name (a name key) that say which pose is meant."""
    return core_key(query).split() or query.split()


def covers(words: Sequence[str], name: str) -> bool:
    """Whether every word is in a name key, whole or as the start of one of its words."""
    name_words = name.split()
    return bool(words) and all(
        any(word_similarity(word, n) >= PREFIX_SIMILARITY for n in name_words) for word in words
    )


def name_score(query: str, name: str) -> float:
    """0-100: how close a typed pose name (a name key) is to one of a pose's name keys.

    Generic words are left out on both sides, so "pose" in "chlid pose" brings no pose closer.
    """
    words = query_words(query)
    name_words = core_key(name).split() or name.split()
    whole = fuzz.token_sort_ratio(" ".join(words), " ".join(name_words))
    return max(whole, words_score(words, name_words))
