"""Entity resolution for the quantitative route: which course, who, when and which metric.

Everything is matched against the catalogue the reports produced (never a fixed list), so a
name or code the reports do not hold is reported as unknown instead of guessed. The metric is
found by embedding similarity to the stored question texts, so departments' own questions work.
"""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from core.db import Conn
from core.report import SEASONS, parse_term
from embeddings.base import Embedder, embed_texts
from rag.vocabulary import (
    EXCLUDE,
    FUNCTION_WORDS,
    KNOWN_WORDS,
    correct_spelling,
    read_early,
    read_vocabulary,
)

METRIC_THRESHOLD = 0.42
"""Blend of full-text cosine and word coverage; off-topic phrases score ≤ 0.32 on MiniLM-L6."""
WORD_FLOOR = 0.40
"""A word of the ask must come this close to some question or window (or share a stem with
one): on MiniLM-L6 "salary", "tuition", "cost" reach ≤ 0.40, rating words ("clarity",
"workload", "quality") 0.52 or more."""
PHRASE_CACHE = 2048
"""Asks and their words whose vectors a metric index keeps (people ask the same things)."""
MATCH_CANDIDATES = 3
"""Targets tried, best first, for one that understands every word of the ask."""
STRONG_COVER = 0.7
"""A word this close (cosine) to a question or one of its windows is about it; below it a
word must share a stem or a long prefix with the question's words, or be a SYNONYMS word."""
KIN_PREFIX = 7
SYNONYMS = {
    "clarity": "clear",
    "clearness": "clear",
    "explain": "clearly",
    "explains": "clearly",
    "explaining": "clearly",
    "explanation": "clearly",
    "explanations": "clearly",
    "grading": "evaluated",
    "graders": "evaluated",
    "grader": "evaluated",
    "marking": "evaluated",
    "helpfulness": "helpful",
    "usefulness": "helpful",
    "difficulty": "challenging",
    "difficult": "challenging",
    "demanding": "challenging",
    "rigor": "challenging",
    "rigour": "challenging",
    "rigorous": "challenging",
    "preparedness": "prepared",
    "punctuality": "prepared",
    "respect": "respectful",
    "inclusion": "inclusive",
    "inclusivity": "inclusive",
    "diversity": "inclusive",
    "energy": "enthusiasm",
    "energetic": "enthusiasm",
    "passion": "enthusiasm",
    "passionate": "enthusiasm",
    "engagement": "enthusiasm",
    "engaging": "enthusiasm",
    "excitement": "enthusiasm",
    "excited": "enthusiasm",
    "accessibility": "available",
    "accessible": "available",
    "approachable": "available",
    "approachability": "available",
    "lecture": "sessions",
    "lectures": "sessions",
    "lecturing": "sessions",
    "homework": "assignments",
    "homeworks": "assignments",
    "psets": "assignments",
    "projects": "assignments",
    "readings": "materials",
    "resources": "materials",
    "outline": "syllabus",
    "job": "career",
    "jobs": "career",
    "management": "effectively",
    "usage": "effectively",
}
"""Everyday words for what rating questions ask (general English, never the data's own words):
each is read as the word on the right before matching."""
GENERIC = frozenset(
    [
        "clear",
        "clearly",
        "helpful",
        "useful",
        "good",
        "effective",
        "quality",
        "level",
        "amount",
        "degree",
        "extent",
        "standard",
        "overall",
        "general",
    ]
)
"""Evaluative words that modify what is rated ("how clear the syllabus was"); dropped when the
whole phrase matches nothing."""
FUZZY_NAME_RATIO = 0.8
"""difflib ratio for a misspelt surname (one wrong letter in a 5+ letter name passes)."""


@dataclass(frozen=True)
class CourseRef:
    code: str
    subject: str
    number: str
    title: str


@dataclass(frozen=True)
class TermRef:
    label: str
    season: str
    year: int
    sort_key: int


@dataclass(frozen=True)
class QuestionRef:
    id: int
    text: str
    heading: str | None


class InstructorRef(BaseModel):
    id: int
    last: str
    first: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Catalog:
    """What the reports hold, loaded once per answer so names resolve to real rows."""

    courses: tuple[CourseRef, ...]
    subjects: tuple[str, ...]
    instructors: tuple[InstructorRef, ...]
    terms: tuple[TermRef, ...]
    questions: tuple[QuestionRef, ...]
    prompts: tuple[str, ...]

    @classmethod
    def load(cls, conn: Conn) -> Catalog:
        courses = conn.execute(
            "SELECT code, subject, number, title FROM courses ORDER BY code"
        ).fetchall()
        people = conn.execute(
            "SELECT id, last_name, first_name FROM instructors ORDER BY id"
        ).fetchall()
        terms = conn.execute(
            "SELECT label, season, year, sort_key FROM terms ORDER BY sort_key"
        ).fetchall()
        questions = conn.execute("SELECT id, text, heading FROM questions ORDER BY id").fetchall()
        prompts = conn.execute(
            "SELECT DISTINCT prompt FROM frequency_counts ORDER BY prompt"
        ).fetchall()
        return cls(
            courses=tuple(CourseRef(**r) for r in courses),
            subjects=tuple(sorted({r["subject"] for r in courses})),
            instructors=tuple(
                InstructorRef(id=r["id"], last=r["last_name"], first=r["first_name"])
                for r in people
            ),
            terms=tuple(TermRef(**r) for r in terms),
            questions=tuple(QuestionRef(**r) for r in questions),
            prompts=tuple(r["prompt"] for r in prompts),
        )

    @property
    def newest(self) -> TermRef | None:
        return self.terms[-1] if self.terms else None


class MetricRef(BaseModel):
    """A rating question (by id) or the hours-per-week frequency block (by prompt)."""

    kind: Literal["question", "hours"]
    question_id: int | None = None
    text: str
    phrase: str = Field(description="The words of the question that matched")
    similarity: float


class Intent(BaseModel):
    """What the previous turn computed, so a bare follow-up ("and in Spring 2024?") repeats it."""

    kind: str
    entity: str | None = None
    order: str | None = None
    what: str | None = None


class Entities(BaseModel):
    courses: list[str] = Field(default_factory=list, description="Course codes such as CS5800")
    unknown_courses: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)
    instructors: list[InstructorRef] = Field(default_factory=list)
    terms: list[str] = Field(default_factory=list, description="Exact term labels")
    term_from: int | None = Field(default=None, description="First term sort key (inclusive)")
    term_to: int | None = Field(default=None, description="Last term sort key (inclusive)")
    sections: list[str] = Field(default_factory=list)
    metric: MetricRef | None = None
    metric_phrase: str | None = Field(
        default=None, description="Words left for the metric; set with metric None = no match"
    )
    intent: Intent | None = None
    # What the vocabulary read (rag.vocabulary): printed figures, statistics, scope phrases.
    figure: str | None = Field(default=None, description="enrollment, responses, declines, ...")
    statistic: str | None = Field(default=None, description="mean, median, std_dev, ...")
    options: list[int] = Field(default_factory=list, description="Scale options asked, 5 first")
    hours: bool = False
    hours_focus: str | None = Field(default=None, description="A bin ('17-20') or '13+' asked")
    versus_dept: bool = False
    breakdown: str | None = Field(default=None, description="term or section")
    aggregate: bool = False
    overall_word: bool = False
    small_excluded: bool = False
    future: bool = False
    outside: bool = False
    unprinted: bool = Field(default=False, description="Asks for what no report prints (grades)")
    exclude_courses: list[str] = Field(default_factory=list)
    exclude_subjects: list[str] = Field(default_factory=list)
    exclude_instructors: list[InstructorRef] = Field(default_factory=list)
    exclude_sections: list[str] = Field(default_factory=list)
    other_section: bool = False
    same_term: bool = False
    season_of_that_year: str | None = None
    versus_previous: bool = False
    narrow: bool = Field(default=False, description="'only in CS2500': narrows the last scope")
    all_terms: bool = Field(default=False, description="'across all terms': no term is inherited")
    all_sections: bool = Field(default=False, description="'both sections': none is inherited")
    leftover: list[str] = Field(
        default_factory=list, description="Content words nothing above understood"
    )
    evaluative: bool = Field(default=False, description="Words of an open question ('good')")
    difficulty: bool = Field(default=False, description="'hardest', 'easier': how challenging")
    challenge: MetricRef | None = Field(
        default=None, description="The question about challenge, for rankings by difficulty"
    )
    topic: str | None = Field(
        default=None, description="The opinion question a comments follow-up keeps asking"
    )

    def names_measure(self) -> bool:
        """Whether the question says what to measure (else a follow-up repeats the last one)."""
        return bool(
            self.metric
            or self.metric_phrase
            or self.figure
            or self.statistic
            or self.hours
            or self.options
        )

    def names_scope(self) -> bool:
        return bool(
            self.courses
            or self.unknown_courses
            or self.subjects
            or self.instructors
            or self.terms
            or self.term_from is not None
            or self.term_to is not None
            or self.sections
        )


# ---------------------------------------------------------------- text helpers


def fold(text: str) -> str:
    """Strip accents and straighten quotes, keeping case and (for precomposed text) length."""
    text = text.replace("’", "'").replace("‘", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class _Text:
    """The question with a mask: matched spans are blanked so later extractors skip them."""

    def __init__(self, question: str):
        self.original = " ".join(fold(question).split())
        self.masked = self.original

    def consume(self, start: int, end: int) -> None:
        self.masked = self.masked[:start] + " " * (end - start) + self.masked[end:]

    def finditer(self, pattern: str | re.Pattern[str]) -> list[re.Match[str]]:
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, re.I)
        return list(regex.finditer(self.masked))


_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_SEASON_WORDS = {"fall", "spring", "summer", "winter", "full"}
_TITLES = {"prof", "professor", "dr", "mr", "mrs", "ms", "instructor", "teacher"}
_COMMON = {
    "which", "what", "when", "where", "who", "how", "average", "overall", "course", "class",
    "section", "instructor", "professor", "rating", "ratings", "score", "scores", "compare",
    "department", "trend", "distribution", "hours", "week", "spring", "fall", "summer",
    "winter", "term", "semester", "year", "since", "between", "and", "show", "give", "list",
    "park", "brown", "baker", "young", "king", "white", "black", "green", "hall", "wood",
    "rose", "long", "may", "bell", "hill", "ward", "cook", "lane", "page", "little", "mark",
    "case", "price", "banks", "cole", "fox", "best", "worst", "most", "least", "top", "feedback",
}  # fmt: skip
"""Words that must not be read as a surname by fuzzy or lower-case matching."""
_ENGLISH = _COMMON | FUNCTION_WORDS | {
    "all", "any", "are", "bad", "big", "but", "can", "day", "did", "due", "end", "far", "few",
    "fun", "had", "has", "her", "him", "his", "hot", "how", "its", "key", "lab", "let", "lot",
    "low", "man", "new", "not", "now", "off", "old", "one", "our", "out", "own", "put", "ran",
    "run", "saw", "say", "see", "set", "she", "six", "ten", "the", "too", "top", "two", "use",
    "war", "was", "way", "who", "why", "yes", "yet", "you", "ta", "tas", "gpa", "ml", "ai",
    "cs", "ds", "na", "n", "vs", "per", "hrs", "avg", "std", "dev", "sd",
}  # fmt: skip
"""Short English words a lower-case surname of fewer than four letters must not be."""


# ---------------------------------------------------------------- courses and subjects

_CODE = re.compile(r"\b([A-Za-z]{2,8})[ \-]?(\d{4})(?:-(\d{1,2})\b)?\b")
_NOT_LETTERS = _SEASON_WORDS | {"in", "of", "to", "for", "from", "and", "since", "the", "spring"}
_GENERIC_TITLE_WORDS = frozenset(
    [
        "introduction",
        "intro",
        "fundamentals",
        "foundations",
        "principles",
        "topics",
        "special",
        "general",
        "advanced",
        "computer",
        "science",
        "management",
        "processing",
        "technology",
        "organization",
        "organisation",
        "design",
        "values",
        "human",
        "data",
        "systems",
        "theory",
        "methods",
        "applied",
        "seminar",
        "research",
        "project",
        "studies",
    ]
)
"""Words of course titles too common to name one course on their own."""


def subject_of(word: str, subjects: Sequence[str]) -> str | None:
    """The subject a spoken abbreviation means: "psych" is PSYC, "bio" is BIOL, "econ" ECON."""
    w = fold(word).upper()
    if w in subjects:
        return w
    if len(w) < 3:
        return None
    found = [s for s in subjects if s.startswith(w) or (w.startswith(s) and len(s) >= 3)]
    return found[0] if len(found) == 1 else None


def _courses(text: _Text, catalog: Catalog, ent: Entities) -> None:
    known = {c.code for c in catalog.courses}
    for m in text.finditer(_CODE):
        letters, number = m.group(1), m.group(2)
        if letters.lower() in _NOT_LETTERS:
            continue
        subject = subject_of(letters, catalog.subjects) if len(letters) > 4 else None
        code = (subject or letters.upper()) + number
        if code in known:
            ent.courses.append(code)
        elif (near := _near_code(letters, number, catalog)) is not None:
            ent.courses.append(near)  # "ECE 2322" for EECE2322: one course with that number
        elif subject is None and (alias := subject_of(letters, catalog.subjects)) is not None:
            if alias + number not in known:
                ent.unknown_courses.append(alias + number)
            else:
                ent.courses.append(alias + number)
        elif len(letters) <= 4 and (
            letters.isupper() or (letters.upper() in catalog.subjects and " " not in m.group(0))
        ):
            ent.unknown_courses.append(code)
        else:
            continue
        if m.group(3):
            ent.sections.append(m.group(3).zfill(2))
        text.consume(m.start(), m.end())
    titles = sorted(catalog.courses, key=lambda c: -len(c.title))
    for course in titles:
        words = re.findall(r"[a-z0-9]+", fold(course.title).lower())
        pattern = re.compile(r"\b" + r"\W+".join(words) + r"\b", re.I)
        for m in text.finditer(pattern):
            if course.code not in ent.courses:
                ent.courses.append(course.code)
            text.consume(m.start(), m.end())
    _title_parts(text, catalog, ent)
    _bare_numbers(text, catalog, ent)
    for m in text.finditer(re.compile(r"\b([A-Z]{2,4})\b")):
        if m.group(1) in catalog.subjects and m.group(1) not in ent.subjects:
            ent.subjects.append(m.group(1))
            text.consume(m.start(), m.end())
    if not ent.courses:  # "any good professors in cs": a subject code after "in" or "of"
        for m in text.finditer(
            re.compile(r"\b(?:in|of)\s+(?:the\s+)?([a-z]{2,4})\b(?=\s*[?.!,]?\s*$)")
        ):
            subject = m.group(1).upper()
            if subject in catalog.subjects and subject not in ent.subjects:
                ent.subjects.append(subject)
                text.consume(m.start(1), m.end(1))


def _near_code(letters: str, number: str, catalog: Catalog) -> str | None:
    """The one known course with this number whose letters are one edit away ("ECE", "EECE")."""
    found = [c for c in catalog.courses if c.number == number]
    if len(found) != 1 or len(letters) < 2:
        return None
    want, have = letters.upper(), found[0].subject
    close = difflib.SequenceMatcher(None, want, have).ratio() >= 0.75 or want in have
    return found[0].code if close and want != have else None


def _bare_numbers(text: _Text, catalog: Catalog, ent: Entities) -> None:
    """ "the 5800 class": a four-digit number that is one course's number and no year."""
    if ent.courses:
        return
    for m in text.finditer(re.compile(r"(?<![\w'’-])(\d{4})(?![\w-])")):
        number = int(m.group(1))
        if 1900 <= number <= 2099:
            continue
        found = [c for c in catalog.courses if c.number == m.group(1)]
        if len(found) == 1:
            ent.courses.append(found[0].code)
            text.consume(m.start(), m.end())


def _title_parts(text: _Text, catalog: Catalog, ent: Entities) -> None:
    """A run of title words that names one course only: "digital design", "biology".

    Runs of two or more words, or one long word, that no other title shares and that are not
    generic ("fundamentals", "introduction"); a course already named by code needs none.
    """
    if ent.courses:
        return
    asked = {w for q in catalog.questions for w in re.findall(r"[a-z]+", fold(q.text).lower())}
    runs: dict[str, set[str]] = {}
    for course in catalog.courses:
        words = re.findall(r"[a-z0-9]+", fold(course.title).lower())
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                run = words[start : start + size]
                content = [w for w in run if w not in _STOP and w not in _GENERIC_TITLE_WORDS]
                if not content or run[0] in _STOP or run[-1] in _STOP:
                    continue
                if size == 1 and (len(run[0]) < 7 or run[0] in asked):
                    continue
                runs.setdefault(" ".join(run), set()).add(course.code)
    for words_run in sorted(runs, key=lambda r: (-len(r.split()), -len(r))):
        codes = runs[words_run]
        if len(codes) != 1:
            continue
        pattern = re.compile(r"\b" + r"\W+".join(words_run.split()) + r"\b", re.I)
        for m in text.finditer(pattern):
            code = next(iter(codes))
            if code not in ent.courses:
                ent.courses.append(code)
            text.consume(m.start(), m.end())


# ---------------------------------------------------------------- terms

_SEASON_RE = r"(full\s+summer|summer\s*(?:1|2|i{1,2})?|fall|autumn|spring|winter)"
_EXPLICIT = re.compile(_SEASON_RE + r"\s*(?:of\s+)?('?\d{2}|\d{4})\b", re.I)
_YEAR_FIRST = re.compile(r"\b((?:19|20)\d{2})\s+" + _SEASON_RE + r"(?!\s*['’]?\d)", re.I)
_ABBREV = re.compile(
    r"\b(fa|fl|f|sp|spr|s|su1|su2|su|sum1|sum2|s1|s2|wi|wn|w)\s?['’]?(\d{4}|\d{2})\b", re.I
)
_RELATIVE = re.compile(r"\b(last|this|past|previous|most\s+recent)\s+" + _SEASON_RE + r"\b", re.I)
_LAST_TERM = re.compile(r"\b(?:last|latest|most\s+recent|this|current)\s+(?:term|semester)\b", re.I)
_YEAR = r"((?:19|20)\d{2})"
_RANGE = re.compile(
    r"\b(?:between|from)\s+" + _YEAR + r"\s+(?:and|to|through|until|-)\s+" + _YEAR + r"\b"
    r"|\b" + _YEAR + r"\s*(?:-|–|to|through)\s*" + _YEAR + r"\b",
    re.I,
)
_ACADEMIC_YEAR = re.compile(
    r"\b(?:(?:the\s+)?(?:academic|school)\s+year\s+)?((?:19|20)\d{2})\s*[-–/]\s*(\d{2})\b"
    r"(?:\s+(?:academic|school)\s+year)?",
    re.I,
)
_SINCE = re.compile(r"\b(since|after|from|before|until|through)\s+" + _YEAR + r"\b", re.I)
_BARE_YEAR = re.compile(r"\b" + _YEAR + r"\b")
_BOUNDS = {"since", "from", "after", "before", "until", "through"}


def _seasons_of(word: str) -> list[str]:
    """Season names a spoken season means; a plain "summer" means every summer session."""
    w = " ".join(word.lower().split())
    if w.startswith("full"):
        return ["Full Summer"]
    if w.startswith("summer") or w in ("su",):
        tail = w.removeprefix("summer").strip()
        if tail in ("1", "i"):
            return ["Summer 1"]
        if tail in ("2", "ii"):
            return ["Summer 2"]
        return ["Summer 1", "Summer 2", "Full Summer"]
    return {
        "fall": ["Fall"],
        "autumn": ["Fall"],
        "fa": ["Fall"],
        "fl": ["Fall"],
        "f": ["Fall"],
        "spr": ["Spring"],
        "s": ["Spring"],
        "w": ["Winter"],
        "sum1": ["Summer 1"],
        "sum2": ["Summer 2"],
        "spring": ["Spring"],
        "sp": ["Spring"],
        "winter": ["Winter"],
        "wi": ["Winter"],
        "wn": ["Winter"],
        "su1": ["Summer 1"],
        "s1": ["Summer 1"],
        "su2": ["Summer 2"],
        "s2": ["Summer 2"],
    }.get(w, [])


def _year(text: str) -> int:
    digits = text.lstrip("'")
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _add_terms(ent: Entities, seasons: list[str], year: int, catalog: Catalog) -> None:
    """Add the labels; of several summer sessions keep those with data (all if none has)."""
    labels = [f"{s} {year}" for s in seasons]
    present = {t.label for t in catalog.terms}
    if len(labels) > 1 and any(label in present for label in labels):
        labels = [label for label in labels if label in present]
    ent.terms += [label for label in labels if label not in ent.terms]


_THAT_TERM = re.compile(r"\b(?:that|the\s+same|this)\s+(?:term|semester)\b", re.I)
_SEASON_OF_THAT_YEAR = re.compile(
    r"\b(?:the\s+)?" + _SEASON_RE + r"\s+(?:of\s+|in\s+)?(?:that|the\s+same)\s+year\b", re.I
)
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "2": 2, "3": 3, "4": 4,
                 "5": 5, "6": 6}  # fmt: skip
_LAST_YEARS = re.compile(
    r"\b(?:(?:in|over|during|for)\s+)?(?:the\s+)?(?:last|past|previous|recent)\s+"
    r"(two|three|four|five|six|[2-6])\s+(years|terms|semesters)\b",
    re.I,
)
_NEXT_TERM = re.compile(r"\bnext\s+(?:term|semester|year)\b", re.I)


def _terms(text: _Text, catalog: Catalog, ent: Entities) -> None:
    newest = catalog.newest
    for m in text.finditer(_NEXT_TERM):
        ent.future = True
        text.consume(m.start(), m.end())
    for m in text.finditer(_SEASON_OF_THAT_YEAR):
        seasons = _seasons_of(m.group(1))
        ent.season_of_that_year = seasons[0] if seasons else None
        text.consume(m.start(), m.end())
    for m in text.finditer(_THAT_TERM):
        ent.same_term = True
        text.consume(m.start(), m.end())
    for m in text.finditer(_LAST_YEARS):
        count = _NUMBER_WORDS[m.group(1).lower()]
        if newest is not None and m.group(2).lower() == "years":
            ent.term_from = (newest.year - count + 1) * 10
        elif newest is not None:
            keys = [t.sort_key for t in catalog.terms][-count:]
            ent.term_from = keys[0]
        text.consume(m.start(), m.end())
    for m in text.finditer(_RELATIVE):
        if newest is not None:
            for season in _seasons_of(m.group(2)):
                year = newest.year
                if SEASONS.index(season) > SEASONS.index(newest.season):
                    year -= 1
                _add_terms(ent, [season], year, catalog)
        text.consume(m.start(), m.end())
    for m in text.finditer(_LAST_TERM):
        if newest is not None and newest.label not in ent.terms:
            ent.terms.append(newest.label)
        text.consume(m.start(), m.end())
    for m in text.finditer(_YEAR_FIRST):  # "2023 fall"
        _add_terms(ent, _seasons_of(m.group(2)), int(m.group(1)), catalog)
        text.consume(m.start(), m.end())
    for regex in (_EXPLICIT, _ABBREV):
        for m in text.finditer(regex):
            seasons, year = _seasons_of(m.group(1)), _year(m.group(2))
            before = text.masked[: m.start()].split()
            bound = before[-1].lower() if before else ""
            if bound in _BOUNDS and seasons:
                keys = [year * 10 + SEASONS.index(s) for s in seasons]
                if bound in ("since", "from", "after"):
                    ent.term_from = min(keys) + (1 if bound == "after" else 0)
                else:
                    ent.term_to = max(keys) - (1 if bound == "before" else 0)
                prefix = text.masked[: m.start()].rstrip()
                text.consume(len(prefix) - len(before[-1]), m.end())
                continue
            _add_terms(ent, seasons, year, catalog)
            text.consume(m.start(), m.end())
    for m in text.finditer(_ACADEMIC_YEAR):  # "2023-24": Fall 2023 through the summer of 2024
        first = int(m.group(1))
        if int(m.group(2)) == (first + 1) % 100:
            ent.term_from, ent.term_to = first * 10 + SEASONS.index("Fall"), (first + 1) * 10 + 3
            text.consume(m.start(), m.end())
    for m in text.finditer(_RANGE):
        years = sorted(int(y) for y in m.groups() if y)
        ent.term_from, ent.term_to = years[0] * 10, years[-1] * 10 + 9
        text.consume(m.start(), m.end())
    for m in text.finditer(_SINCE):
        word, year = m.group(1).lower(), int(m.group(2))
        if word in ("since", "from"):
            ent.term_from = year * 10
        elif word == "after":
            ent.term_from = (year + 1) * 10
        elif word == "before":
            ent.term_to = year * 10 - 1
        else:
            ent.term_to = year * 10 + 9
        text.consume(m.start(), m.end())
    for m in text.finditer(_BARE_YEAR):
        year = int(m.group(1))
        ent.term_from, ent.term_to = year * 10, year * 10 + 9
        text.consume(m.start(), m.end())
    for label in ent.terms:  # keep labels canonical for exact filtering
        assert parse_term(label) is not None, label


def _sections(text: _Text, ent: Entities) -> None:
    for m in text.finditer(r"\bsec(?:tion)?s?\.?\s+(one|two|three|four|five|six)\b"):
        index = ("one", "two", "three", "four", "five", "six").index(m.group(1).lower())
        ent.sections.append(f"{index + 1:02d}")
        text.consume(m.start(), m.end())
    for m in text.finditer(
        r"\bsec(?:tion)?s?\.?\s*#?\s*(\d{1,3})(?:\s*(?:and|&|or|vs\.?|versus|,)\s*"
        r"(?:sec(?:tion)?\.?\s*#?\s*)?(\d{1,3}))?\b"
    ):
        for number in (g for g in m.groups() if g):
            label = number.zfill(2) if len(number) < 2 else number
            if label not in ent.sections:
                ent.sections.append(label)
        text.consume(m.start(), m.end())
    for m in text.finditer(r"\b(?:the\s+)?other\s+(?:sections?|one)\b"):
        ent.other_section = True
        text.consume(m.start(), m.end())


# ---------------------------------------------------------------- instructors


def _name_pattern(name: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[\s.]+", fold(name)) if p]
    return re.compile(r"(?<![\w'])" + r"[\s.]+".join(parts) + r"(?!\w|'(?!s\b)\w)", re.I)


def _instructors(text: _Text, catalog: Catalog, ent: Entities) -> None:
    found: dict[int, InstructorRef] = {}
    by_last: dict[str, list[InstructorRef]] = {}
    for person in catalog.instructors:
        by_last.setdefault(fold(person.last).lower(), []).append(person)
    # Exact surnames (multi-word ones first, so "van der Berg" wins over a bare "Berg").
    for last in sorted(by_last, key=lambda s: -len(s)):
        for m in text.finditer(_name_pattern(last)):
            before = text.masked[: m.start()].split()
            titled = bool(before) and before[-1].rstrip(".").lower() in _TITLES
            word = m.group(0)
            capital = word[:1].isupper()
            if not (titled or capital or " " in last) and last in _COMMON:
                continue
            if not (titled or capital) and len(last) < 4 and last in _ENGLISH:
                continue
            people = by_last[last]
            chosen = _by_first_name(people, text.masked) if len(people) > 1 else people
            found.update((p.id, p) for p in chosen)
            text.consume(m.start(), m.end())
            _consume_first_names(text, chosen, m.start())
            tokens = list(_WORD.finditer(text.masked[: m.start()]))
            _consume_given_name(text, tokens, len(tokens))
    # Misspelt surnames: only after a title, or capitalised mid-sentence, never common words.
    singles = {last: people for last, people in by_last.items() if " " not in last}
    tokens = list(_WORD.finditer(text.masked))
    for index, tok in enumerate(tokens):
        word = tok.group(0)
        prev = [t.group(0).rstrip(".").lower() for t in tokens[max(0, index - 2) : index]]
        gap = text.masked[tokens[index - 1].end() : tok.start()] if index else ""
        titled = any(p in _TITLES for p in prev)
        mid_capital = word[:1].isupper() and index > 0 and not gap.strip().endswith((".", "?"))
        if not (titled or mid_capital) or word.lower() in _COMMON or len(word) < 4:
            continue
        best = max(
            singles,
            key=lambda last: difflib.SequenceMatcher(None, word.lower(), last).ratio(),
            default=None,
        )
        if best is None:
            continue
        ratio = difflib.SequenceMatcher(None, word.lower(), best).ratio()
        if ratio >= (FUZZY_NAME_RATIO if titled else 0.85):
            found.update((p.id, p) for p in singles[best])
            text.consume(tok.start(), tok.end())
            _consume_given_name(text, tokens, index)
    if not found:  # "Hannah's overall rating": a given name that only one person has
        by_first: dict[str, list[InstructorRef]] = {}
        for person in catalog.instructors:
            by_first.setdefault(fold(person.first).lower(), []).append(person)
        for first, people in by_first.items():
            if len({p.last for p in people}) != 1 or len(first) < 4 or first in _ENGLISH:
                continue
            for m in text.finditer(_name_pattern(first)):
                if not m.group(0)[:1].isupper():
                    continue
                found.update((p.id, p) for p in people)
                text.consume(m.start(), m.end())
    ent.instructors = sorted(found.values(), key=lambda p: p.id)
    for m in text.finditer(re.compile(r"\b(?:prof(?:essor)?|dr|mrs?|ms)\b\.?", re.I)):
        text.consume(m.start(), m.end())


def _consume_given_name(text: _Text, tokens: list[re.Match[str]], index: int) -> None:
    """ "Dr. Olivia Silva": a capitalised word between a title and the surname is a given name."""
    if index >= 2:
        given, title = tokens[index - 1], tokens[index - 2]
        if given.group(0)[:1].isupper() and title.group(0).rstrip(".").lower() in _TITLES:
            text.consume(given.start(), given.end())


def _by_first_name(people: list[InstructorRef], masked: str) -> list[InstructorRef]:
    """Several people share the surname: keep those whose first name is also written."""
    low = masked.lower()
    named = [p for p in people if fold(p.first).split()[0].lower() in low.split()]
    return named or people


def _consume_first_names(text: _Text, people: Sequence[InstructorRef], before: int) -> None:
    for person in people:
        for m in text.finditer(_name_pattern(person.first)):
            if m.end() <= before:
                text.consume(m.start(), m.end())


# ---------------------------------------------------------------- metric


_STOP_WORDS = """a an the of in on for to at by with and or vs versus than about from into over per
    which who whom whose what when where how many much is are was were be been did do does
    had has have get got show give tell list me my i we our us their them they it its this
    that these those there here please can could would should will all any each every
    highest lowest best worst top bottom most least rank ranked ranking ranks order
    average averages mean means avg median score scores scored value values number count
    trend trends over years changed change changes history evolution progression
    distribution breakdown spread histogram compare compared comparison relative against
    department departments dept university univ college school
    instructor instructors professor professors prof teacher teachers faculty taught teach
    teaching-wise course courses class classes section sections term terms semester
    semesters year student students spend spent spending devote devoted report reports
    trace evaluations evaluation result results data like look looks looked
    since between before after until through during last this latest recent previous
    small include including included even"""
_STOP = set(_STOP_WORDS.split())


def metric_words(masked: str) -> str:
    """The words left once entities and intent words are gone: the thing being measured.

    Hyphenated words count as their parts ("career-skills"), and superlatives as their
    adjective ("clearest" is "clear", "heaviest" "heavy")."""
    words = [w.lower().strip("'-").removesuffix("'s") for w in _WORD.findall(masked)]
    parts = [part for w in words for part in w.split("-")]
    return " ".join(_positive(w) for w in parts if w and w not in _STOP)


def _positive(word: str) -> str:
    if word.endswith("iest") and len(word) > 6:
        return word[:-4] + "y"
    if word.endswith("est") and len(word) > 6 and word not in ("interest", "honest", "request"):
        return word[:-3]
    return word


@dataclass(frozen=True)
class _Target:
    kind: Literal["question", "hours"]
    question_id: int | None
    text: str
    heading: str | None = None


class MetricIndex:
    """Question texts and their short phrases, embedded once; phrases match short asks.

    A question scores the mean of two similarities: the phrase's cosine to its full text
    (robust to off-topic words) and how well it covers the phrase word by word: each word's
    best cosine to one of its 1-3 word windows ("feedback", "overall rating"), or 1.0 when the
    question uses the same word stem ("fair" in "fairly"). Word by word, because a two-word ask
    must be about both words: "fair grading" is the fairly-evaluated question, not "Problem sets
    were graded promptly", which a whole-phrase window match ("graded") would pick. An ask with
    a word that nothing in the reports comes close to ("salary") matches nothing.
    """

    def __init__(
        self,
        embedder: Embedder,
        targets: Sequence[_Target],
        *,
        threshold: float,
        word_floor: float = WORD_FLOOR,
    ):
        self.threshold = threshold
        self.word_floor = word_floor
        self.targets = tuple(targets)
        texts, owners = [], []
        for index, target in enumerate(self.targets):
            for item in [target.text, *_windows(target.text)]:
                texts.append(item)
                owners.append(index)
        self._owners = np.array(owners, dtype=np.int64)
        self._full = np.array([owners.index(i) for i in range(len(self.targets))], dtype=np.int64)
        self._stems = [_stems(target.text) for target in self.targets]
        self._words = [  # the heading a question is printed under speaks for it too
            _content_words(f"{target.text} {target.heading or ''}") for target in self.targets
        ]
        self._word_stems = [frozenset(_stem(w) for w in words) for words in self._words]
        self._vectors = embed_texts(embedder, texts)
        self._embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def build(
        cls, catalog: Catalog, embedder: Embedder, *, threshold: float = METRIC_THRESHOLD
    ) -> MetricIndex:
        """Cached per embedder and question set: rebuilding embeds a few hundred phrases."""
        targets = tuple(
            _Target("question", q.id, q.text, q.heading) for q in catalog.questions
        ) + tuple(_Target("hours", None, p) for p in catalog.prompts)
        return _cached_index(embedder, targets, threshold)

    def _embed(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Vectors of the texts (an ask and its words), those not cached embedded in one batch."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        vectors: list[np.ndarray] = list(self._embedder.embed_batch(missing)) if missing else []
        with self._lock:
            self._cache.update(zip(missing, vectors, strict=True))
            out = [self._cache[t] for t in texts]
            for text in texts:
                self._cache.move_to_end(text)
            while len(self._cache) > PHRASE_CACHE:
                self._cache.popitem(last=False)
        return out

    def word_cover(self, word: str, vector: np.ndarray | None = None) -> np.ndarray:
        """Per target, how well it speaks of the word: 1.0 for a shared stem, else the word's
        best cosine to the target's full text or any of its windows."""
        vector = self._embed([word])[0] if vector is None else vector
        cover = np.full(len(self.targets), -1.0, dtype=np.float32)
        np.maximum.at(cover, self._owners, self._vectors @ vector)
        stem = _stem(word)
        for index, stems in enumerate(self._stems):
            if stem in stems:
                cover[index] = 1.0
        return cover

    def _covers(self, phrase: str) -> tuple[np.ndarray, np.ndarray]:
        """(the phrase's cosine to each full text, each word's cover: words × targets)."""
        words = phrase.split()
        vectors = self._embed([phrase, *words])
        full = self._vectors[self._full] @ vectors[0]
        covers = np.array([self.word_cover(w, v) for w, v in zip(words, vectors[1:], strict=True)])
        return np.asarray(full), covers

    def scores(self, phrase: str) -> np.ndarray:
        """One blended similarity per target."""
        full, covers = self._covers(phrase)
        return np.asarray((full + covers.mean(axis=0)) / 2)

    def foreign_words(self, phrase: str) -> list[str]:
        """Words of the phrase that no question or window of the reports comes close to."""
        _, covers = self._covers(phrase)
        return [w for w, c in zip(phrase.split(), covers, strict=True) if c.max() < self.word_floor]

    def match(self, phrase: str) -> MetricRef | None:
        """The best target whose words cover every word of the phrase, or None.

        A target must clear the blended threshold, and each word of the ask must be understood
        by it: the same stem or a shared long prefix ("availability", "available"), a word of
        SYNONYMS, or a close cosine (STRONG_COVER). "parking availability" is then not the
        availability question: "parking" is understood by none.
        """
        if not phrase or not self.targets:
            return None
        phrase = _normalise(phrase)
        found = self._match(phrase)
        words = phrase.split()
        kept = [w for w in words if w not in GENERIC]
        if found is None and kept and len(kept) < len(words):
            found = self._match(" ".join(kept))
        return found

    def _match(self, phrase: str) -> MetricRef | None:
        full, covers = self._covers(phrase)
        scores = (full + covers.mean(axis=0)) / 2
        words = phrase.split()
        for top in [int(i) for i in np.argsort(-scores)[:MATCH_CANDIDATES]]:
            if float(scores[top]) < self.threshold:
                break
            if float(covers.max(axis=1).min()) < self.word_floor:
                break
            if all(
                self.understands(top, w, float(c[top])) for w, c in zip(words, covers, strict=True)
            ):
                target = self.targets[top]
                return MetricRef(
                    kind=target.kind,
                    question_id=target.question_id,
                    text=target.text,
                    phrase=phrase,
                    similarity=round(float(scores[top]), 3),
                )
        return None

    def understands(self, index: int, word: str, cover: float) -> bool:
        """Whether target `index` speaks of `word` (see match)."""
        if cover >= STRONG_COVER:
            return True
        word = SYNONYMS.get(word, word)
        if _stem(word) in self._stems[index] or _stem(word) in self._word_stems[index]:
            return True
        return any(_kin(word, other) for other in self._words[index])

    def unknown_words(self, phrase: str) -> list[str]:
        """The words of a phrase that the best-scoring target does not understand."""
        if not phrase or not self.targets:
            return phrase.split()
        phrase = _normalise(phrase)
        full, covers = self._covers(phrase)
        top = int(np.argmax((full + covers.mean(axis=0)) / 2))
        return [
            w
            for w, c in zip(phrase.split(), covers, strict=True)
            if not self.understands(top, w, float(c[top]))
        ]


_SUFFIXES = ("ation", "ness", "ally", "ity", "ies", "ing", "ed", "ly", "al", "es", "s", "e")


def _stem(word: str) -> str:
    """A crude suffix-stripping stem ("fairly" and "fair", "graded" and "grading" agree,
    "availability" and "available")."""
    word = word.lower().strip("'-")
    word = word.removesuffix("'s")
    for long, short in (("ability", "able"), ("ibility", "ible")):
        if word.endswith(long):
            word = word[: -len(long)] + short
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
    return word


def _normalise(phrase: str) -> str:
    """The phrase with everyday words replaced by the words rating questions use."""
    phrase = re.sub(r"\bproblem sets?\b", "assignments", phrase)
    return " ".join(SYNONYMS.get(w, w) for w in phrase.split())


def _content_words(text: str) -> frozenset[str]:
    """A question's content words, hyphenated words also as their parts ("co-op": co, op)."""
    words = re.findall(r"[a-z][a-z'\-]*", fold(text).lower())
    parts = {part for w in words for part in [w, *w.split("-")] if part}
    return frozenset(w for w in parts if w not in _WINDOW_STOP)


def _stems(text: str) -> frozenset[str]:
    """Stems of a question's content words."""
    return frozenset(_stem(w) for w in _content_words(text))


def _kin(word: str, other: str) -> bool:
    """Words of one family: a shared prefix of KIN_PREFIX letters ("enthusiastic",
    "enthusiasm"; "organization", "organized"; "availability", "available")."""
    return len(word) >= KIN_PREFIX and word[:KIN_PREFIX] == other[:KIN_PREFIX]


_INDEXES: dict[tuple[int, tuple[_Target, ...], float], tuple[Embedder, MetricIndex]] = {}
_INDEX_LOCK = threading.Lock()


def _cached_index(
    embedder: Embedder, targets: tuple[_Target, ...], threshold: float
) -> MetricIndex:
    key = (id(embedder), targets, threshold)
    with _INDEX_LOCK:
        hit = _INDEXES.get(key)
    if hit is not None and hit[0] is embedder:
        return hit[1]
    index = MetricIndex(embedder, targets, threshold=threshold)
    with _INDEX_LOCK:
        if len(_INDEXES) >= 16:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[key] = (embedder, index)
    return index


_WINDOW_STOP = _STOP | {"instructor's", "course's", "e", "g", "helped", "used", "was", "i"}


def _windows(text: str) -> list[str]:
    """Contiguous 1-3 word phrases of a question that start and end on a content word."""
    words = re.findall(r"[a-z][a-z'\-/]*", fold(text).lower())
    out: list[str] = []
    for size in (1, 2, 3):
        for start in range(len(words) - size + 1):
            window = words[start : start + size]
            if window[0] in _WINDOW_STOP or window[-1] in _WINDOW_STOP:
                continue
            phrase = " ".join(window)
            if phrase not in out:
                out.append(phrase)
    return out


# ---------------------------------------------------------------- resolve


def resolve(
    question: str,
    catalog: Catalog,
    *,
    metric_index: MetricIndex | None,
    previous: Entities | None = None,
) -> Entities:
    """Read every entity the question names; `previous` fills what a follow-up leaves out."""
    text = _Text(question)
    text.masked = correct_spelling(text.masked, *_known_words(catalog))
    ent = Entities()
    read_early(text, ent)
    _exclusions(text, catalog, ent)
    _courses(text, catalog, ent)
    _named_titles(text, catalog, ent)
    _terms(text, catalog, ent)
    _sections(text, ent)
    _instructors(text, catalog, ent)
    _descriptors(text, catalog, ent)
    read_vocabulary(text, catalog, ent)
    phrase = " ".join(w for w in metric_words(text.masked).split() if w not in FUNCTION_WORDS)
    if not phrase and ent.overall_word and not (ent.figure or ent.hours):
        phrase = "overall"  # "okafor vs lee overall": the overall rating
    if ent.difficulty and metric_index is not None:
        ent.challenge = metric_index.match("challenging")
    if ent.hours and catalog.prompts:  # time outside class: the hours block, whatever else
        prompt = next((p for p in catalog.prompts if "hour" in p.lower()), catalog.prompts[0])
        ent.metric = MetricRef(kind="hours", text=prompt, phrase="hours", similarity=1.0)
    elif phrase:
        ent.metric_phrase = phrase
        if metric_index is not None:
            ent.metric = metric_index.match(phrase)
            if ent.metric is None and not ent.unprinted:
                ent.leftover = metric_index.unknown_words(phrase) or phrase.split()
    if previous is not None:
        ent = _follow_up(ent, previous)
    return ent


def _known_words(catalog: Catalog) -> tuple[frozenset[str], frozenset[str]]:
    """Words a question may use, for spelling correction: the readers', the function words and
    the catalogue's texts (question texts, headings, prompts, titles), then its names."""
    texts = [q.text for q in catalog.questions] + [q.heading or "" for q in catalog.questions]
    texts += list(catalog.prompts) + [c.title for c in catalog.courses]
    words = {w for t in texts for w in re.findall(r"[a-z]+", fold(t).lower())}
    words |= {s.lower() for s in catalog.subjects}
    names = {
        w
        for p in catalog.instructors
        for w in re.findall(r"[a-z]+", fold(f"{p.first} {p.last}").lower())
    }
    general = KNOWN_WORDS | FUNCTION_WORDS | _STOP | frozenset(SYNONYMS) | frozenset(words)
    return general, frozenset(names)


def _exclusions(text: _Text, catalog: Catalog, ent: Entities) -> None:
    """ "leave out psych", "except CS5800", "other than Okafor": what a scope must not hold."""
    for m in text.finditer(EXCLUDE):
        tail = text.masked[m.end() :]
        stop = re.search(r"[,.;?!]|\b(?:in|for|during|since|from)\b", tail)
        end = m.end() + (stop.start() if stop else len(tail))
        clause = _Text(text.masked[m.end() : end])
        found = Entities()
        _courses(clause, catalog, found)
        for word in _WORD.finditer(clause.masked):
            subject = subject_of(word.group(0), catalog.subjects)
            if subject is not None and subject not in found.subjects:
                found.subjects.append(subject)
                clause.consume(word.start(), word.end())
        _instructors(clause, catalog, found)
        if not (found.courses or found.subjects or found.instructors):
            continue
        ent.exclude_courses += found.courses
        ent.exclude_subjects += found.subjects
        ent.exclude_instructors += found.instructors
        text.consume(m.start(), end)


_POSSESSED_COURSE = re.compile(
    r"(?:'s?|\b(?:his|her|their))\s+((?:[a-z][a-z\-]*\s+){1,3}?)courses?\b", re.I
)
_SUBJECT_NOUN = re.compile(r"\b([a-z]{3,8})\s+(?:courses?|class(?:es)?|department|dept)\b", re.I)


def _descriptors(text: _Text, catalog: Catalog, ent: Entities) -> None:
    """Words that describe a course a person teaches ("Dubois's biology course", "her online
    ethics class") or name a subject ("econ class") say which course, not what to measure."""
    for m in text.finditer(_POSSESSED_COURSE):
        if ent.instructors or ent.courses:
            text.consume(m.start(1), m.end(1))
    for m in text.finditer(_SUBJECT_NOUN):
        subject = subject_of(m.group(1), catalog.subjects)
        if subject is None:
            continue
        if not any(c.startswith(subject) for c in ent.courses) and subject not in ent.subjects:
            ent.subjects.append(subject)
        text.consume(m.start(1), m.end(1))
    words = list(_WORD.finditer(text.masked))
    for index, word in enumerate(words):  # "intro psych (PSYC1101)": the named subject
        subject = subject_of(word.group(0), catalog.subjects)
        if subject is None or not any(c.startswith(subject) for c in ent.courses):
            continue
        text.consume(word.start(), word.end())
        before = words[index - 1] if index else None
        if before is not None and before.group(0).lower() in _GENERIC_TITLE_WORDS:
            text.consume(before.start(), before.end())


def _named_titles(text: _Text, catalog: Catalog, ent: Entities) -> None:
    """Runs of a named course's title words ("CS7180, the responsible ML special topics
    course") describe the course, not a metric; a single title word may well be a metric."""
    titles = {c.code: c.title for c in catalog.courses}
    for code in ent.courses:
        words = {w for w in re.findall(r"[a-z0-9]+", fold(titles.get(code, "")).lower())}
        words -= {"and", "of", "the", "in", "to", "for"}
        if not words:
            continue
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        run = re.compile(
            rf"\b(?:{alternatives})(?:\W+(?:(?:and|of|the|in)\W+)?(?:{alternatives}))+\b", re.I
        )
        for m in text.finditer(run):
            text.consume(m.start(), m.end())


def _follow_up(new: Entities, previous: Entities) -> Entities:
    """A follow-up inherits only the kinds of scope it does not state itself.

    A new course (or subject) starts a new subject: the old course, section, instructor and term
    go unless the follow-up names them too ("what about CS5800?"). A new term keeps the course,
    instructor and section ("and in Spring 2024?"); a new instructor keeps the course and term
    ("what about Prof. Lee?"); a new section keeps the course and term ("and section 2?"), and
    "the other section" is the course's other sections that term, whoever taught them. "that
    term" and "the spring of that year" read the previous turn's term. With "more than" or
    "compared to" the named course (or person) is added to the old one, to compare the two; with
    "only" it narrows the old scope instead of replacing it.
    """
    update: dict[str, object] = {}
    named_course = bool(new.courses or new.unknown_courses or new.subjects)
    named_time = bool(new.terms or new.term_from is not None or new.term_to is not None)
    terms = _previous_terms(new, previous)
    if named_course and new.versus_previous and previous.courses:
        update["courses"] = [
            *previous.courses,
            *(c for c in new.courses if c not in previous.courses),
        ]
        named_course = False
    if new.instructors and new.versus_previous and previous.instructors:
        known = {p.id for p in new.instructors}
        update["instructors"] = [
            *(p for p in previous.instructors if p.id not in known),
            *new.instructors,
        ]
    if new.narrow:  # "only in CS2500": the new course narrows what the last turn asked about
        named_course = False
    if not named_course:
        if "courses" not in update:
            update["courses"] = previous.courses
        update.update(unknown_courses=previous.unknown_courses, subjects=previous.subjects)
        if new.other_section:
            update["sections"] = []
            update["exclude_sections"] = previous.sections
            if not previous.sections:  # the other section: the one the named person did not teach
                update["exclude_instructors"] = [
                    *previous.exclude_instructors,
                    *previous.instructors,
                ]
        elif not new.sections and not new.instructors and not new.all_sections:
            update["sections"] = previous.sections
            update["exclude_sections"] = previous.exclude_sections
        if not new.instructors and not new.other_section:
            update["instructors"] = previous.instructors
        if new.narrow and (new.courses or new.subjects):
            update["courses"] = new.courses
            update["subjects"] = new.subjects
        update["exclude_courses"] = [*previous.exclude_courses, *new.exclude_courses]
        update["exclude_subjects"] = [*previous.exclude_subjects, *new.exclude_subjects]
        if "exclude_instructors" not in update:
            update["exclude_instructors"] = [
                *previous.exclude_instructors,
                *new.exclude_instructors,
            ]
    if terms is not None:
        update.update(terms=terms, term_from=None, term_to=None)
    elif not named_time and not named_course and not new.all_terms:
        update.update(terms=previous.terms, term_from=previous.term_from, term_to=previous.term_to)
    if new.metric is None and not (new.metric_phrase or new.figure or new.hours):
        # "and the median?", "how many 5s?": a new statistic of the same question
        update.update(metric=previous.metric, metric_phrase=previous.metric_phrase)
        if not (new.statistic or new.options):
            update.update(figure=previous.figure, hours=previous.hours)
    if not new.names_measure():
        update.update(
            metric=previous.metric,
            metric_phrase=previous.metric_phrase,
            figure=previous.figure,
            statistic=previous.statistic,
            hours=previous.hours,
            options=previous.options,
            leftover=[],
        )
        if new.breakdown is None and not new.aggregate:
            update["breakdown"] = previous.breakdown
    update["intent"] = previous.intent
    update["topic"] = previous.topic
    return new.model_copy(update=update)


def _previous_terms(new: Entities, previous: Entities) -> list[str] | None:
    """ "that term" is the previous turn's term; "the spring of that year" its year's spring."""
    if new.same_term and previous.terms:
        return list(previous.terms)
    if new.season_of_that_year and previous.terms:
        year = previous.terms[0].rsplit(" ", 1)[-1]
        return [f"{new.season_of_that_year} {year}"]
    return None
