"""The compound cache changes no score: a cached text scores as VADER scores it afresh."""

from __future__ import annotations

from enrichment import sentiment
from enrichment.sentiment import score_comment, split_sentences

TEXTS = [
    "Great class.",
    "Great class. The workload was too much and the exams felt rushed.",
    "Lectures were disorganized; office hours were helpful!",
    "Great class.",
    "Pros: 1) clear slides 2) fair exams Cons: 1) heavy homework",
]


def _uncached(text: str) -> float:
    return sentiment._compound.__wrapped__(text)


def test_cached_compound_equals_a_fresh_one() -> None:
    sentiment._compound.cache_clear()
    for text in TEXTS:
        scored = score_comment(text)
        assert scored.compound == _uncached(text)
        assert scored.sentences == tuple(_uncached(s) for s in split_sentences(text))


def test_a_repeated_text_is_scored_from_the_cache() -> None:
    sentiment._compound.cache_clear()
    first = score_comment("Great class.")
    misses = sentiment._compound.cache_info().misses
    again = score_comment("Great class.")
    info = sentiment._compound.cache_info()
    assert again == first
    assert info.misses == misses  # nothing scored again
    assert info.hits >= 2  # the comment and its one sentence
