"""The question as text that readers consume: accents folded, matched spans masked out."""

from __future__ import annotations

import functools
import re
import unicodedata

from rag.answer.vocabulary import FUNCTION_WORDS


def fold(text: str) -> str:
    """Strip accents and straighten quotes, keeping case and (for precomposed text) length."""
    text = text.replace("’", "'").replace("‘", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class QuestionText:
    """The question with a mask: matched spans are blanked so later extractors skip them."""

    def __init__(self, question: str):
        self.original = " ".join(fold(question).split())
        self.masked = self.original

    def consume(self, start: int, end: int) -> None:
        self.masked = self.masked[:start] + " " * (end - start) + self.masked[end:]

    def finditer(self, pattern: str | re.Pattern[str]) -> list[re.Match[str]]:
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, re.I)
        return list(regex.finditer(self.masked))


WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


SEASON_WORDS = {"fall", "spring", "summer", "winter", "full"}


TITLES = {"prof", "professor", "dr", "mr", "mrs", "ms", "instructor", "teacher"}


COMMON_WORDS = {
    "which", "what", "when", "where", "who", "how", "average", "overall", "course", "class",
    "section", "instructor", "professor", "rating", "ratings", "score", "scores", "compare",
    "department", "trend", "distribution", "hours", "week", "spring", "fall", "summer",
    "winter", "term", "semester", "year", "since", "between", "and", "show", "give", "list",
    "park", "brown", "baker", "young", "king", "white", "black", "green", "hall", "wood",
    "rose", "long", "may", "bell", "hill", "ward", "cook", "lane", "page", "little", "mark",
    "case", "price", "banks", "cole", "fox", "best", "worst", "most", "least", "top", "feedback",
}  # fmt: skip
"""Words that must not be read as a surname by fuzzy or lower-case matching."""


ENGLISH_WORDS = COMMON_WORDS | FUNCTION_WORDS | {
    "all", "any", "are", "bad", "big", "but", "can", "day", "did", "due", "end", "far", "few",
    "fun", "had", "has", "her", "him", "his", "hot", "how", "its", "key", "lab", "let", "lot",
    "low", "man", "new", "not", "now", "off", "old", "one", "our", "out", "own", "put", "ran",
    "run", "saw", "say", "see", "set", "she", "six", "ten", "the", "too", "top", "two", "use",
    "war", "was", "way", "who", "why", "yes", "yet", "you", "ta", "tas", "gpa", "ml", "ai",
    "cs", "ds", "na", "n", "vs", "per", "hrs", "avg", "std", "dev", "sd",
}  # fmt: skip
"""Short English words a lower-case surname of fewer than four letters must not be."""

ENGLISH_FREQUENCY = 1000
"""Occurrences in pyspellchecker's English word list above which a word is read as the English
word it is ("charts", "away", "caring"), not as a misspelling of a reader's word or a
surname after "prof" ("which prof tops the charts"). Typos of the
readers' words ("overal", "clairty", "responce", "enrollement") occur 0 times there."""


@functools.cache
def _english() -> dict[str, int]:
    from spellchecker import SpellChecker  # a 0.1 s load, once, on the first misspelling

    return dict(SpellChecker(language="en").word_frequency.dictionary)


def is_english(word: str) -> bool:
    """Whether a lower-case word is a common English word."""
    return _english().get(word, 0) >= ENGLISH_FREQUENCY


_STOP_WORDS = """a an the of in on for to at by with and or vs versus than about from into over per
    which who whom whose what when where how many much is are was were be been did do does
    had has have get got show give tell list me my i we our us their them they it its this
    that these those there here please can could would should will all any each every
    highest lowest best worst poorest top bottom most least rank ranked ranking ranks order
    average averages mean means avg median score scores scored value values number count
    trend trends over years changed change changes history evolution progression
    distribution breakdown spread histogram compare compared comparison relative against
    department departments dept university univ college school
    instructor instructors professor professors prof profs teacher teachers faculty taught teach
    teaching-wise course courses class classes module modules section sections term terms semester
    semesters year student students spend spent spending devote devoted report reports
    trace evaluations evaluation result results data like look looks looked
    since between before after until through during last this latest recent previous
    small include including included even"""


STOP = set(_STOP_WORDS.split())
