"""Comment tone: VADER compound per comment and a tone from its sentences.

VADER is a lexicon model (no weights to download, runs anywhere), but its general-purpose lexicon
misses how students praise and complain ("heavy", "rushed", "manageable"), so a small
course-evaluation lexicon is layered on top. A comment is *mixed* when at least one of its
sentences is clearly positive and another clearly negative; the comment-level compound alone
averages such comments into a bland positive."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

Tone = Literal["positive", "negative", "mixed", "neutral"]


TONES: tuple[Tone, ...] = ("positive", "negative", "mixed", "neutral")


NEUTRAL_BAND = 0.05
"""|compound| below this is neutral (VADER's own recommended cut-off)."""


CLEAR_SENTENCE = 0.25
"""A sentence counts as clearly positive or negative for *mixed* beyond this compound."""


# Course-evaluation words VADER's general lexicon lacks or scores against this domain (valence on
# VADER's -4..4 scale). Written from how students describe courses, not from any test corpus.
DOMAIN_LEXICON: dict[str, float] = {
    # workload and pace
    "heavy": -1.5,
    "overwhelming": -1.8,
    "excessive": -1.8,
    "tedious": -1.6,
    "busywork": -1.6,
    "rushed": -1.6,
    "crammed": -1.6,
    "dragged": -1.2,
    "manageable": 1.5,
    "reasonable": 1.2,
    "doable": 1.2,
    # organisation, clarity, feedback
    "disorganized": -2.0,
    "disorganised": -2.0,
    "unorganized": -2.0,
    "unstructured": -1.4,
    "organized": 1.6,
    "organised": 1.6,
    "structured": 1.2,
    "confusing": -1.6,
    "vague": -1.2,
    "dense": -0.8,
    "inconsistent": -1.4,
    "unanswered": -1.6,
    "unresponsive": -1.8,
    "crashed": -1.6,
    "glitchy": -1.5,
    "approachable": 1.8,
    "accessible": 1.2,
    "detailed": 1.0,
    "thorough": 1.4,
    "timely": 1.3,
    "promptly": 1.2,
    "smoothly": 1.4,
    "knowledgeable": 1.8,
    "informative": 1.5,
    "insightful": 1.8,
    "inclusive": 1.5,
    # engagement
    "monotone": -1.6,
    "uninterested": -1.6,
    "unengaging": -1.6,
    "contagious": 1.2,  # "her enthusiasm is contagious": praise in this domain
    "understanding": 0.8,  # "understanding about deadlines"
}


_NOT_SENTIMENT = ("super",)
"""Words VADER scores that students use as intensifiers ("super heavy" is not praise)."""


# Phrases that carry polarity only as a whole ("too many", "hard to follow"): added per match.
_PHRASES: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"\btoo (?:much|many|long|fast|slow|hard|difficult|dense)\b", re.I), -0.5),
    (re.compile(r"\b(?:not|never) enough\b", re.I), -0.4),
    (re.compile(r"\bhard to (?:follow|understand|know|keep up|stay|ask|prepare)\b", re.I), -0.5),
    (re.compile(r"\b(?:far|much|way) (?:longer|more) than\b", re.I), -0.4),
    (re.compile(r"\b(?:fell|falling|fall) behind\b", re.I), -0.4),
    (re.compile(r"\b(?:brushed|blown) off\b", re.I), -0.5),
    (re.compile(r"\bposted late\b|\bcame back late\b", re.I), -0.4),
    (re.compile(r"\bdid(?:n't| not) (?:reflect|match|explain|help|step in|respond)", re.I), -0.4),
    (re.compile(r"\btook (?:forever|ages|weeks|months|over a (?:week|month))\b", re.I), -0.5),
    (re.compile(r"\bhope (?:this|that|it|they) (?:changes?|improves?|gets? better)", re.I), -0.8),
    (re.compile(r"\bwould(?:n't| not| never) take (?:it |this |again)", re.I), -0.6),
    (re.compile(r"\bjust right\b|\bon time\b|\bwell (?:paced|run|used)\b", re.I), 0.4),
    (re.compile(r"\b(?:made (?:it|things)|it) click(?:ed)?\b", re.I), 0.5),
)


_MIXED_CUES = re.compile(
    r"\bmixed (?:feelings|bag)\b|\bsome good,? some bad\b|\bpros and cons\b|\bhit or miss\b"
    r"|\blove[- ]hate\b|\bon the fence\b|\bpros:.*\bcons:",
    re.I | re.S,
)


_NOTHING_TO_SAY = re.compile(
    r"^\W*(?:n/?a|none|nothing(?: (?:really|else|to add))?|no comments?|no|nope|-+)\W*$", re.I
)
"""Placeholders students type into required boxes: no opinion, whatever VADER makes of "no"."""


_ABBREVIATIONS = (
    r"(?<![Pp]rof\.)(?<![Dd]r\.)(?<![Mm]r\.)(?<![Mm]s\.)(?<![Mm]rs\.)"
    r"(?<!e\.g\.)(?<!i\.e\.)(?<!vs\.)"
)
"""A full stop after a title or an abbreviation ends no sentence ("Prof. Park slowed down")."""


_SENTENCE_END = re.compile(
    r"(?<=[.!?;])" + _ABBREVIATIONS + r"\s+|\s+(?=(?:Pros|Cons):)|\s+(?=\d\)\s)"
)


@dataclass(frozen=True)
class Sentiment:
    """A comment's VADER compound (-1..1), its tone, and the per-sentence compounds behind it."""

    compound: float
    tone: Tone
    sentences: tuple[float, ...]


@functools.lru_cache(maxsize=1)
def analyzer() -> SentimentIntensityAnalyzer:
    """One VADER analyzer per process with the domain lexicon merged in (loading parses a file)."""
    vader = SentimentIntensityAnalyzer()
    vader.lexicon.update(DOMAIN_LEXICON)
    for word in _NOT_SENTIMENT:
        vader.lexicon.pop(word, None)
    return vader


def split_sentences(text: str) -> list[str]:
    """Sentences, plus the items of "Pros: 1) … Cons: 1) …" lists, which have no full stops."""
    parts = (p.strip() for p in _SENTENCE_END.split(text))
    return [p for p in parts if any(ch.isalnum() for ch in p)]


COMPOUND_CACHE = 65_536
"""Texts whose compound a process remembers: students repeat themselves ("Great class."), and a
one-sentence comment is scored as its sentence and as itself. VADER is pure Python: scoring the
5,017 comments of 300 generated reports took 1.53 s uncached, 1.01 s with the cache."""


@functools.lru_cache(maxsize=COMPOUND_CACHE)
def _compound(text: str) -> float:
    """VADER's compound with the domain phrases' shifts, clipped to -1..1 (pure: cached)."""
    score = float(analyzer().polarity_scores(text)["compound"])
    for pattern, shift in _PHRASES:
        score += shift * len(pattern.findall(text))
    return max(-1.0, min(1.0, score))


def tone_of(compound: float, sentences: Sequence[float], *, mixed_cue: bool = False) -> Tone:
    """Mixed when clearly positive and clearly negative sentences meet; else the compound's sign."""
    if mixed_cue or (
        any(s >= CLEAR_SENTENCE for s in sentences) and any(s <= -CLEAR_SENTENCE for s in sentences)
    ):
        return "mixed"
    if compound >= NEUTRAL_BAND:
        return "positive"
    if compound <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


_STRENGTHS = re.compile(r"\bstrengths?\b", re.I)


_IMPROVE = re.compile(r"\b(?:better|improve\w*)\b", re.I)


_FIRST_PERSON = re.compile(r"\b(?:I|myself)\b")


def prompt_polarity(prompt: str | None) -> Tone | None:
    """The tone a prompt asks for: "strengths" positive, "better"/"improve" negative.

    None for a prompt that asks for both ("strengths and/or areas for improvement"), for
    neither, or in the first person (a student's reflection on their own conduct).
    """
    if not prompt or _FIRST_PERSON.search(prompt):
        return None
    strengths, improve = bool(_STRENGTHS.search(prompt)), bool(_IMPROVE.search(prompt))
    if strengths != improve:
        return "positive" if strengths else "negative"
    return None


def score_comment(text: str, *, prompt: str | None = None) -> Sentiment:
    """Compound and tone of one comment; `prompt`, the prompt it answers, settles a neutral one.

    An answer to "What could the instructor do to make this course better?" that VADER finds
    neutral ("Very dry lectures.", "Feedback on homework is minimal.") is a complaint, and a
    neutral answer to "What were the strengths …?" is praise: the prompt's polarity
    (`prompt_polarity`) is the tone of such an answer. The compound is VADER's either way.
    """
    if _NOTHING_TO_SAY.match(text.strip()):
        return Sentiment(0.0, "neutral", ())
    sentences = tuple(_compound(s) for s in split_sentences(text))
    compound = _compound(text)
    mixed_cue = bool(_MIXED_CUES.search(text))
    tone = tone_of(compound, sentences, mixed_cue=mixed_cue)
    if tone == "neutral":
        tone = prompt_polarity(prompt) or tone
    return Sentiment(compound, tone, sentences)


def mean_tone(sentiments: Iterable[Sentiment]) -> tuple[float | None, Tone | None]:
    """A group's mean compound and its tone: the majority tone, or mixed when none dominates."""
    items = list(sentiments)
    if not items:
        return None, None
    mean = sum(s.compound for s in items) / len(items)
    return mean, tone_of_counts(Counter(s.tone for s in items))


def tone_of_counts(counts: Mapping[str, int]) -> Tone:
    """A group's tone from how many of its comments have each tone (see mean_tone)."""
    polar = counts.get("positive", 0) + counts.get("negative", 0) + counts.get("mixed", 0)
    if polar == 0:
        return "neutral"
    majority: tuple[Tone, ...] = ("positive", "negative")
    for tone in majority:
        if counts.get(tone, 0) / polar >= 0.6:
            return tone
    return "mixed"
