"""Typed query plans for numeric questions, and the rules that pick one from the wording.

A plan names what to compute over which rows; analytics compiles it to parameterised SQL. No
model ever writes SQL: the only freedom is which plan type and which typed fields it gets.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from core.report import SEASONS
from rag.entities import Entities, Intent, MetricRef

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
    sections: list[str] = Field(default_factory=list)

    def describe(self) -> str:
        """Human words for the scope, used in fact labels and in "searched"."""
        parts = [*self.courses, *(f"{s} courses" for s in self.subjects)]
        parts += [f"section {s}" for s in self.sections]
        parts += self.instructor_names
        parts += self.terms
        whole_year = self.term_from is not None and self.term_to == self.term_from + 9
        if whole_year and self.term_from is not None and self.term_from % 10 == 0:
            parts.append(str(self.term_from // 10))
        elif self.term_from is not None or self.term_to is not None:
            low = _key_words(self.term_from) if self.term_from is not None else "the start"
            high = _key_words(self.term_to) if self.term_to is not None else "the newest term"
            parts.append(f"{low} to {high}")
        return ", ".join(parts) or "all reports"


def _key_words(key: int) -> str:
    """A term sort key (year * 10 + season index) in words; 9 ends a year."""
    year, index = divmod(key, 10)
    if index == 0 or index >= len(SEASONS):
        return str(year)
    return f"{SEASONS[index]} {year}"


class Metric(BaseModel):
    """A rating question (scores weighted by responses) or hours per week (bin counts)."""

    kind: Literal["question", "hours"]
    question_id: int | None = None
    text: str


class Ranking(BaseModel):
    kind: Literal["ranking"] = "ranking"
    entity: Literal["instructor", "course", "section"]
    metric: Metric
    scope: Scope
    order: Literal["desc", "asc"] = "desc"
    limit: int = Field(default=5, ge=1, le=50)
    min_responses: int = Field(default=DEFAULT_MIN_RESPONSES, ge=0)
    include_small: bool = False


class Average(BaseModel):
    kind: Literal["average"] = "average"
    metric: Metric
    scope: Scope


class Comparison(BaseModel):
    """The scope's weighted mean against dept/univ means, or named people/courses side by side."""

    kind: Literal["comparison"] = "comparison"
    metric: Metric
    scope: Scope
    between: Literal["dept_univ", "instructors", "courses"] = "dept_univ"


class Trend(BaseModel):
    kind: Literal["trend"] = "trend"
    metric: Metric
    scope: Scope


class Distribution(BaseModel):
    kind: Literal["distribution"] = "distribution"
    metric: Metric
    scope: Scope


class Count(BaseModel):
    kind: Literal["count"] = "count"
    what: Literal["sections", "instructors", "responses", "comments"]
    scope: Scope


class HoursPerWeek(BaseModel):
    kind: Literal["hours"] = "hours"
    prompt: str
    scope: Scope


class Unanswerable(BaseModel):
    kind: Literal["unanswerable"] = "unanswerable"
    reason: str
    searched: str = Field(default="", description="What was looked at, in words, for the answer")


Plan = Annotated[
    Ranking | Average | Comparison | Trend | Distribution | Count | HoursPerWeek,
    Field(discriminator="kind"),
]


def scope_of(entities: Entities) -> Scope:
    return Scope(
        courses=list(entities.courses),
        subjects=list(entities.subjects),
        instructor_ids=[p.id for p in entities.instructors],
        instructor_names=[p.name for p in entities.instructors],
        terms=list(entities.terms),
        term_from=entities.term_from,
        term_to=entities.term_to,
        sections=list(entities.sections),
    )


def metric_of(ref: MetricRef) -> Metric:
    return Metric(kind=ref.kind, question_id=ref.question_id, text=ref.text)


# ---------------------------------------------------------------- intent rules

_COUNT = re.compile(
    r"\b(?:how\s+many|number\s+of|count(?:\s+of)?|total)\s+(?:\w+\s+){0,2}?"
    r"(sections?|classes|offerings|instructors?|professors?|teachers?|faculty|responses?|"
    r"respondents|students|evaluations|comments?)\b",
    re.I,
)
_HOURS_WORDS = re.compile(r"\bhours?\b", re.I)
_DISTRIBUTION = re.compile(r"\b(distribution|breakdown|spread|histogram|split)\b", re.I)
_TREND = re.compile(
    r"\b(trend|trends|trending|over\s+time|over\s+the\s+years|by\s+term|each\s+term|per\s+term|"
    r"term\s+by\s+term|by\s+semester|by\s+year|year\s+over\s+year|history|changed?|evolved?)\b",
    re.I,
)
_COMPARE = re.compile(
    r"\b(compare[sd]?|comparison|versus|vs\.?|relative\s+to|against|stack\s+up)\b", re.I
)
_DEPT_UNIV = re.compile(r"\b(department|dept|university|univ|college|school)\b", re.I)
_RANK = re.compile(
    r"\b(highest|lowest|best|worst|top|bottom|rank(?:ed|ing)?|most|least|leading|"
    r"strongest|weakest)\b",
    re.I,
)
_AVERAGE = re.compile(r"\b(average|mean|avg|score|rating|rated|how\s+(?:did|does|was|is))\b", re.I)
_ASC = re.compile(r"\b(lowest|worst|bottom|least|weakest)\b", re.I)
_LIMIT = re.compile(r"\b(?:top|bottom|best|worst)\s+(\d{1,2})\b|\b(\d{1,2})\s+(?:best|worst)", re.I)
_SMALL = re.compile(
    r"\b(?:includ\w*\s+(?:small|all|every)|even\s+small|small)\s+sections?\b"
    r"|\binclud\w*\s+(?:small|all|every)\b",
    re.I,
)


def _entity_kind(question: str) -> Literal["instructor", "course", "section"]:
    q = _SMALL.sub(" ", question.lower())
    if re.search(r"\bsections?\b", q):
        return "section"
    if re.search(r"\b(instructors?|professors?|teachers?|faculty|who|whom)\b", q):
        return "instructor"
    if re.search(r"\b(courses?|class(?:es)?)\b", q):
        return "course"
    return "instructor"


def _count_what(word: str) -> Literal["sections", "instructors", "responses", "comments"]:
    w = word.lower()
    if w.startswith(("instructor", "professor", "teacher", "faculty")):
        return "instructors"
    if w.startswith(("response", "respondent", "student", "evaluation")):
        return "responses"
    if w.startswith("comment"):
        return "comments"
    return "sections"


def detect_intent(question: str, entities: Entities) -> Intent | None:
    """The computation the wording asks for; None when it names none (a bare follow-up)."""
    count = _COUNT.search(question)
    if count:
        return Intent(kind="count", what=_count_what(count.group(1)))
    if _DISTRIBUTION.search(question):
        return Intent(kind="distribution")
    if _TREND.search(question):
        return Intent(kind="trend")
    if _COMPARE.search(question) or (_DEPT_UNIV.search(question) and not _RANK.search(question)):
        if _DEPT_UNIV.search(question):
            between = "dept_univ"
        elif len(entities.instructors) > 1:
            between = "instructors"
        elif len(entities.courses) > 1:
            between = "courses"
        else:
            between = "dept_univ"
        return Intent(kind="comparison", entity=between)
    if _RANK.search(question):
        order = "asc" if _ASC.search(question) else "desc"
        return Intent(kind="ranking", entity=_entity_kind(question), order=order)
    if re.search(
        r"\b(average|mean|avg|score|rating|rated|how\s+(?:did|does|was|is))\b", question, re.I
    ):
        return Intent(kind="average")
    if re.search(r"\bhow\s+many\s+hours\b", question, re.I):
        return Intent(kind="hours")
    return None


def plan_question(question: str, entities: Entities) -> Plan | Unanswerable:
    """Choose and fill a plan; Unanswerable says what is missing instead of guessing."""
    if entities.unknown_courses:
        codes = ", ".join(entities.unknown_courses)
        return Unanswerable(reason=f"no reports for course {codes}")
    intent = detect_intent(question, entities) or entities.intent
    scope = scope_of(entities)
    if intent is not None and intent.kind == "count":
        return Count(what=intent.what or "sections", scope=scope)
    metric = entities.metric
    if metric is None:
        if entities.metric_phrase:
            return Unanswerable(
                reason=f"no rating question in the reports matches {entities.metric_phrase!r}",
                searched=f"the reports' rating questions for {entities.metric_phrase!r}"
                f" in {scope.describe()}",
            )
        if intent is None and not _HOURS_WORDS.search(question):
            return Unanswerable(reason="the question names no rating, count or hours to compute")
        return Unanswerable(reason="the question names no rating to compute")
    kind = intent.kind if intent is not None else "average"
    m = metric_of(metric)
    if metric.kind == "hours" and kind in ("average", "hours", "distribution", "comparison"):
        if kind == "comparison":
            return Unanswerable(reason="the reports print no department figures for hours")
        return HoursPerWeek(prompt=metric.text, scope=scope)
    if kind == "ranking":
        limit = _LIMIT.search(question)
        return Ranking(
            entity=(intent.entity if intent and intent.entity else "instructor"),
            metric=m,
            scope=scope,
            order=(intent.order if intent and intent.order else "desc"),
            limit=int(next(g for g in limit.groups() if g)) if limit else 5,
            include_small=bool(_SMALL.search(question)),
        )
    if kind == "comparison":
        between = intent.entity if intent and intent.entity else "dept_univ"
        return Comparison(metric=m, scope=scope, between=between)
    if kind == "trend":
        return Trend(metric=m, scope=scope)
    if kind == "distribution":
        return Distribution(metric=m, scope=scope)
    return Average(metric=m, scope=scope)


def intent_of(plan: Plan) -> Intent:
    """What a follow-up without intent words should compute again."""
    if isinstance(plan, Ranking):
        return Intent(kind="ranking", entity=plan.entity, order=plan.order)
    if isinstance(plan, Count):
        return Intent(kind="count", what=plan.what)
    if isinstance(plan, Comparison):
        return Intent(kind="comparison", entity=plan.between)
    return Intent(kind=plan.kind)
