"""Typed query plans for numeric questions: what to compute over which rows.

A plan names what to compute over which rows; rag.answer.analytics compiles it to
parameterised SQL. No SQL here and no database: plans are pure data, built by the rules in
rag.answer.planning (or by the optional LLM planner) and checked against the catalogue."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from core.report import SEASONS
from rag.answer.entities.model import Entities, MetricRef

DEFAULT_MIN_RESPONSES = 5
"""TRACE does not survey sections under 5 students; rankings skip sections under 5 responses."""


class Scope(BaseModel):
    """Which sections a plan looks at; every field that is set must hold."""

    courses: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)
    instructor_ids: list[int] = Field(default_factory=list)
    instructor_names: list[str] = Field(default_factory=list, description="For labels only")
    terms: list[str] = Field(default_factory=list)
    term_from: int | None = None
    term_to: int | None = None
    seasons: list[str] = Field(default_factory=list, description="Stored seasons ('Fall')")
    exclude_seasons: list[str] = Field(default_factory=list)
    exclude_small: bool = Field(
        default=False, description=f"Leave out sections under {DEFAULT_MIN_RESPONSES} responses"
    )
    sections: list[str] = Field(default_factory=list)
    exclude_courses: list[str] = Field(default_factory=list)
    exclude_subjects: list[str] = Field(default_factory=list)
    exclude_sections: list[str] = Field(default_factory=list)
    exclude_instructor_ids: list[int] = Field(default_factory=list)
    source: Literal["trace", "survey"] = Field(
        default="trace",
        description="TRACE reports, or instructors' own surveys (never pooled with TRACE)",
    )

    def describe(self) -> str:
        """Human words for the scope, used in fact labels and in "searched"."""
        parts = [*self.courses, *(f"{s} courses" for s in self.subjects)]
        parts += [f"section {s}" for s in self.sections]
        parts += [f"other than section {s}" for s in self.exclude_sections]
        parts += dict.fromkeys(self.instructor_names)  # one person stored per subject: once
        parts += self.terms
        whole_year = self.term_from is not None and self.term_to == self.term_from + 9
        if whole_year and self.term_from is not None and self.term_from % 10 == 0:
            parts.append(str(self.term_from // 10))
        elif self.term_from is not None and self.term_to is not None:
            parts.append(f"{key_words(self.term_from)} to {end_words(self.term_to)}")
        elif self.term_from is not None:
            parts.append(f"since {key_words(self.term_from)}")
        elif self.term_to is not None:
            parts.append(f"up to {end_words(self.term_to)}")
        parts += [f"{season.lower()} terms" for season in _named_seasons(self.seasons)]
        if self.exclude_seasons:
            left = " or ".join(s.lower() for s in _named_seasons(self.exclude_seasons))
            parts.append(f"leaving out {left} terms")
        if self.exclude_small:
            parts.append(f"leaving out sections under {DEFAULT_MIN_RESPONSES} responses")
        if self.source == "survey":
            parts.append("instructors' own surveys")
        left_out = [*self.exclude_courses, *(f"{s} courses" for s in self.exclude_subjects)]
        if left_out:
            parts.append("leaving out " + ", ".join(left_out))
        return ", ".join(parts) or "all reports"

    def phrase(self) -> str:
        """The scope after a noun: "for Chinedu Okafor in CS5800, Fall 2023", "in all reports"."""
        people = " and ".join(dict.fromkeys(self.instructor_names))
        rest = self.model_copy(update={"instructor_names": []}).describe()
        if people and rest == "all reports":
            return f"for {people}"
        if rest.startswith("leaving out"):  # "for José Núñez, leaving out summer terms"
            return f"for {people}, {rest}" if people else f"in all reports, {rest}"
        if rest.startswith(("since ", "up to ")):  # "for Mary Ann O'Brien-Smith since 2021"
            return f"for {people} {rest}" if people else rest
        return f"for {people} in {rest}" if people else f"in {rest}"


def key_words(key: int) -> str:
    """A term sort key (year * 10 + season index) in words; 9 ends a year."""
    year, index = divmod(key, 10)
    if index == 0 or index >= len(SEASONS):
        return str(year)
    return f"{SEASONS[index]} {year}"


def end_words(key: int) -> str:
    """A last term's sort key in words: a year's first key as an end is its spring term ("up to
    Spring 2025"), not the year, which ends at 9."""
    year, index = divmod(key, 10)
    return f"{SEASONS[0]} {year}" if index == 0 else key_words(key)


Figure = Literal["enrollment", "responses", "respondents", "declines", "response_rate"]
"""Per-section numbers: responses include declines; respondents are responses without them."""


Statistic = Literal["mean", "median", "std_dev", "responses", "response_rate"]
"""What of a rating question: its mean, median, std dev, its N, or its N over the enrollment."""


FIGURE_WORDS: dict[str, str] = {
    "enrollment": "enrollment",
    "responses": "responses (incl. declines)",
    "respondents": "responses excl. declines",
    "declines": "declines",
    "response_rate": "response rate",
}


STATISTIC_WORDS: dict[str, str] = {
    "mean": "",
    "median": "median ",
    "std_dev": "std dev of ",
    "responses": "responses to ",
    "response_rate": "response rate of ",
}


class Metric(BaseModel):
    """What is measured: a rating question's statistic, hours per week, or a section figure.

    Means and rates are pooled over sections (weighted by responses, or by enrollment for a
    rate); counts are summed; a median or std dev is the printed value of one section.
    """

    kind: Literal["question", "hours", "section"]
    question_id: int | None = None
    text: str = Field(description="The question's text, the hours prompt, or the figure's name")
    statistic: Statistic = "mean"
    figure: Figure | None = None

    @property
    def aggregate(self) -> Literal["weighted", "sum", "single"]:
        if self.kind == "section":
            return "weighted" if self.figure == "response_rate" else "sum"
        if self.kind == "hours" or self.statistic in ("mean", "response_rate"):
            return "weighted"
        return "sum" if self.statistic == "responses" else "single"

    @property
    def label(self) -> str:
        """Short words for what is measured ("overall rating", "median clarity", "enrollment")."""
        if self.kind == "section":
            return FIGURE_WORDS[self.figure or "responses"]
        if self.kind == "hours":
            return "hours per week"
        return STATISTIC_WORDS[self.statistic] + short_label(self.text)

    @property
    def spoken(self) -> str:
        """The label as said after "the highest": "overall rating", "rating on “feedback”"."""
        if self.kind != "question" or "overall rating" in self.label:
            return self.label
        prefix = STATISTIC_WORDS[self.statistic].strip()
        short = short_label(self.text)
        if self.statistic == "mean":
            return f"rating on “{short}”"
        return f"{prefix} “{short}”"

    @property
    def is_rate(self) -> bool:
        return self.figure == "response_rate" or self.statistic == "response_rate"


_SUBJECT = re.compile(
    r"^(?:what\s+is\s+your\s+|the\s+instructor(?:'s)?\s+|the\s+course(?:'s)?\s+|"
    r"this\s+course\s+|the\s+|i\s+(?:had\s+)?)",
    re.I,
)


def short_label(text: str) -> str:
    """A question's text in a few words: "overall rating", "provided sufficient feedback"."""
    low = text.lower()
    if "overall rating" in low:
        return "overall rating"
    words = _SUBJECT.sub("", text.strip().rstrip(".?!")).split()
    while words and words[0].lower() in ("was", "were", "is", "are"):
        words = words[1:]
    short = " ".join(words[:5])
    return short + (" …" if len(words) > 5 else "")


class Ranking(BaseModel):
    kind: Literal["ranking"] = "ranking"
    entity: Literal["instructor", "course", "section", "term"]
    metric: Metric
    scope: Scope
    order: Literal["desc", "asc"] = "desc"
    limit: int = Field(default=5, ge=1, le=50)
    min_responses: int = Field(default=DEFAULT_MIN_RESPONSES, ge=0)
    include_small: bool = False
    by: Literal["value", "change"] = Field(
        default="value",
        description="change: ranked by the value in the last term with data minus the first's"
        " (who improved most); instructors and courses only",
    )


class Average(BaseModel):
    kind: Literal["average"] = "average"
    metric: Metric
    scope: Scope


class Comparison(BaseModel):
    """The scope's weighted mean against dept/univ means, or named people/courses side by side."""

    kind: Literal["comparison"] = "comparison"
    metric: Metric
    scope: Scope
    between: Literal["dept_univ", "instructors", "courses", "sections", "sides"] = "dept_univ"
    whole: bool = False
    """No measure named ("compare CS7180 and DS5110", "kowalczyk or ramanathan?"): the headline,
    then every other rating question and hours per week, side by side."""
    sides: list[Scope] = Field(
        default_factory=list,
        description="between 'sides': each side's own scope, differing in time ('before 2024 vs"
        " since 2024', 'intro psych F23 vs gen bio F24')",
    )


class Trend(BaseModel):
    kind: Literal["trend"] = "trend"
    metric: Metric
    scope: Scope


class Distribution(BaseModel):
    """Answers per option, summed; `options` (5 = top of the scale) asks how many chose those."""

    kind: Literal["distribution"] = "distribution"
    metric: Metric
    scope: Scope
    options: list[Annotated[int, Field(ge=1, le=5)]] = Field(default_factory=list)


class Count(BaseModel):
    kind: Literal["count"] = "count"
    what: Literal["sections", "instructors", "courses", "terms", "responses", "comments"]
    scope: Scope


class HoursPerWeek(BaseModel):
    kind: Literal["hours"] = "hours"
    prompt: str
    scope: Scope
    focus: str | None = Field(
        default=None, description="A bin ('17-20') or a threshold ('13+') to answer first"
    )


class Overview(BaseModel):
    """A person or course as a whole: the headline rating against department and university,
    every rating question's mean, and hours per week (comments are added by rag.answer.ask)."""

    kind: Literal["overview"] = "overview"
    scope: Scope
    headline: Metric
    unread: list[str] = Field(
        default_factory=list, description="Words of the question read as no rating ('avoid')"
    )


class Unanswerable(BaseModel):
    kind: Literal["unanswerable"] = "unanswerable"
    reason: str
    searched: str = Field(default="", description="What was looked at, in words, for the answer")


Plan = Annotated[
    Ranking | Average | Comparison | Trend | Distribution | Count | HoursPerWeek | Overview,
    Field(discriminator="kind"),
]


def _named_seasons(seasons: list[str]) -> list[str]:
    """Seasons as said: the three summer sessions are "summer"."""
    named = ["Summer" if "Summer" in s else s for s in seasons]
    return list(dict.fromkeys(named))


def scope_of(entities: Entities) -> Scope:
    return Scope(
        courses=list(entities.courses),
        subjects=list(entities.subjects),
        instructor_ids=[p.id for p in entities.instructors],
        instructor_names=[p.name for p in entities.instructors],
        terms=list(entities.terms),
        term_from=entities.term_from,
        term_to=entities.term_to,
        seasons=list(entities.seasons),
        exclude_seasons=list(entities.exclude_seasons),
        exclude_small=entities.small_excluded,
        sections=list(entities.sections),
        exclude_courses=list(entities.exclude_courses),
        exclude_subjects=list(entities.exclude_subjects),
        exclude_sections=list(entities.exclude_sections),
        exclude_instructor_ids=[p.id for p in entities.exclude_instructors],
        source=entities.source or "trace",
    )


def metric_of(ref: MetricRef) -> Metric:
    return Metric(kind=ref.kind, question_id=ref.question_id, text=ref.text)
