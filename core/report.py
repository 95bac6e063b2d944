"""The parsed-report domain types: exactly the JSON that `tracelens parse --json` prints.

The field order and names follow ../shared/trace-format.md; parsers build these, the corpus
generator writes them as ground truth, and the store reads them into PostgreSQL.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

Layout = Literal[
    "collegenet",
    "blue",
    "xlsx",
    "blue-html",
    "survey-csv",
    "survey-xlsx",
    "survey-docx",
    "survey-txt",
    "survey-eml",
]
SourceType = Literal["trace", "survey"]
SURVEY_LAYOUTS: frozenset[str] = frozenset(
    {"survey-csv", "survey-xlsx", "survey-docx", "survey-txt", "survey-eml"}
)
"""Instructors' own survey exports: stored beside TRACE reports, always marked as surveys."""
Season = Literal["Fall", "Spring", "Summer 1", "Summer 2", "Full Summer", "Winter"]

SEASONS: tuple[Season, ...] = ("Spring", "Summer 1", "Full Summer", "Summer 2", "Fall", "Winter")
"""Seasons in calendar order within a year; used to sort terms."""

DISTRIBUTION_KEYS = ("5", "4", "3", "2", "1", "na")

_TERM_RE = re.compile(r"^(Fall|Spring|Summer 1|Summer 2|Full Summer|Winter) (\d{4})$")
_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Course(_Model):
    code: str
    subject: str
    number: str
    section: str
    title: str
    crn: str | None


class Term(_Model):
    label: str
    season: Season
    year: int

    @property
    def sort_key(self) -> int:
        """An integer that orders terms chronologically (year, then season)."""
        return self.year * 10 + SEASONS.index(self.season)


class Instructor(_Model):
    last: str
    first: str


class Question(_Model):
    section: str | None
    text: str
    responses: int | None
    response_rate: float | None
    course_mean: float | None
    dept_mean: float | None
    univ_mean: float | None
    course_median: float | None
    dept_median: float | None
    univ_median: float | None
    std_dev: float | None
    distribution: dict[str, int] | None


class Frequency(_Model):
    text: str
    bins: dict[str, int]


class Comment(_Model):
    prompt: str
    number: int
    text: str


class ParsedReport(_Model):
    file: str
    sha256: str
    layout: Layout
    course: Course
    term: Term
    instructors: list[Instructor]
    enrollment: int | None
    responses_incl_declines: int | None
    declines: int | None
    questions: list[Question]
    frequencies: list[Frequency]
    comments: list[Comment]
    warnings: list[str]

    @property
    def source_type(self) -> SourceType:
        """`survey` for an instructor's own survey export, `trace` for a TRACE report."""
        return source_type_of(self.layout)


def normalize_code(code: str) -> str:
    """`cs 5800`, `CS-5800` and `cs5800` all name CS5800."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def source_type_of(layout: str) -> SourceType:
    return "survey" if layout in SURVEY_LAYOUTS else "trace"


def parse_term(label: str) -> Term | None:
    """Read a term label such as `Summer 1 2024`; None when it is not one TRACE uses."""
    match = _TERM_RE.match(" ".join(label.split()))
    if match is None:
        return None
    season, year = match.groups()
    return Term(label=f"{season} {year}", season=season, year=int(year))


def normalize_quotes(text: str) -> str:
    """Straighten typographic apostrophes and quotes (used for headings, questions, prompts)."""
    return text.translate(_TYPOGRAPHIC)
