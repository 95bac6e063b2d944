"""What an answer is made of: facts with their N, quoted comments with citations, the plan.

Both routes (numbers from SQL, opinions from comments) produce these; synthesis turns them into
prose, and the guard checks prose against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from rag.search.hybrid import Citation

Route = Literal["quantitative", "qualitative", "mixed", "unanswerable"]
"""mixed: a person or course as a whole, with its ratings (facts) and what students say."""


class Fact(BaseModel):
    """One number the answer rests on, with how many responses it rests on and where from."""

    label: str = Field(examples=["CS5800 Fall 2023 overall rating (course mean)"])
    value: float | int | str
    n: int | None = Field(description="Responses (or comments) the value rests on")
    source: str = Field(examples=["question_scores: sections 12, 14; weighted by responses"])


class Quote(BaseModel):
    """A retrieved comment used in the answer, with its citation."""

    text: str
    citation: Citation
    theme: str | None = None
    sentiment: float | None = None


class Theme(BaseModel):
    name: str
    count: int
    of: int
    sentiment: float | None = Field(default=None, description="Mean VADER compound, -1..1")
    tone: Literal["positive", "negative", "mixed", "neutral"] | None = None
    toned: int | None = Field(
        default=None,
        description="Of `count`, the comments of the tone asked for (praise, complaints)",
    )


class Evidence(BaseModel):
    """Everything a route found; synthesis may use nothing else."""

    route: Route
    plan: dict[str, Any]
    facts: list[Fact] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    themes: list[Theme] = Field(default_factory=list)
    searched: str = Field(default="", description="What was looked at, for 'the reports don't say'")
    understood: list[str] = Field(
        default_factory=list, description="For a decline: what of the question was understood"
    )
    unclear: list[str] = Field(
        default_factory=list, description="For a decline: the words that were not understood"
    )
    missing: list[str] = Field(
        default_factory=list,
        description="For a decline: courses or people the reports do not hold, with close ones",
    )
    notes: list[str] = Field(
        default_factory=list,
        description="How the question was read where it was relative ('last fall' as Fall 2025)",
    )
    example: str | None = Field(
        default=None, description="For a decline: a question about the same data that works"
    )
    answered: list[int] = Field(
        default_factory=list,
        description="Instructor ids the answer singles out (a ranking's first, the one person"
        " who taught): whom a follow-up's 'his', 'her', 'that person' mean",
    )
    answered_course: str | None = Field(
        default=None, description="The course code a ranking of courses put first"
    )


class AnswerScope(BaseModel):
    """The scope an answer was computed over, after a follow-up's inheritance: shown above the
    answer so a person sees (and can clear) what an earlier turn still decides."""

    courses: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)
    instructors: list[str] = Field(default_factory=list)
    terms: list[str] = Field(default_factory=list)
    term_range: str | None = None
    sections: list[str] = Field(default_factory=list)
    excluded: list[str] = Field(default_factory=list)
    text: str = Field(default="all reports", examples=["CS5800 · section 02 · Fall 2023"])


class Answer(BaseModel):
    answer: str
    route: Route
    facts: list[Fact]
    citations: list[Quote]
    themes: list[Theme] = Field(default_factory=list)
    plan: dict[str, Any]
    conversation_id: str | None = None
    answerer: str = Field(default="extractive", description="Which synthesis produced the prose")
    scope: AnswerScope | None = Field(
        default=None, description="The scope in force for this answer (courses, people, terms)"
    )
