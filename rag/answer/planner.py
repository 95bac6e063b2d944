"""The optional LLM planner: a structured-output call that returns the same typed plan.

The model sees the catalogue (courses, instructors, terms, rating questions, the figures a report
prints) and the question, and returns a `PlanChoice` through LangChain's
`with_structured_output`. Its plan is validated against the catalogue before any SQL runs: every
course, subject, instructor, term and question it names must exist, and the fields must agree
(a question metric has a question id, a section figure a figure). Whatever fails, whether the
call, the parsing or the validation, the rule-based plan is used instead and the rejection is
logged; the rule-based planner is also the default (settings.llm_planner is off).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field, TypeAdapter

from core.report import parse_term
from rag.answer.entities.model import Catalog, Entities
from rag.answer.llm import answerer_name
from rag.answer.plans import FIGURE_WORDS, Metric, Plan, Scope, Unanswerable

logger = logging.getLogger(__name__)

MAX_LISTED = 400
"""Most catalogue rows of one kind put in the prompt (a larger catalogue is cut, and said so)."""


class PlanChoice(BaseModel):
    """The planner's answer: one plan, or none when the reports cannot answer the question."""

    plan: Plan | None = Field(
        default=None, description="The plan to run; null when the question cannot be answered"
    )
    reason: str = Field(default="", description="Why no plan, in a few words")


class InvalidPlan(ValueError):
    """A planned name, id or field that the catalogue does not hold."""


SYSTEM = """\
You plan how to answer a question about Northeastern University TRACE course evaluations.
Return JSON for exactly one plan, using only the ids, codes, labels and question ids listed.
Plans: average (one value over a scope), ranking (instructors, courses or sections by a metric),
comparison (the scope against department and university: between="dept_univ"; or named
instructors, courses or sections side by side), trend (per term), distribution (answers per
option; options lists scale points 5..1 when the question asks how many chose them), count
(sections, instructors or comments), hours (hours per week), overview (a person or course as a
whole). A metric is {"kind": "question", "question_id": ID, "text": TEXT, "statistic": "mean" |
"median" | "std_dev" | "responses" | "response_rate"}, or {"kind": "hours", "text": PROMPT}, or
{"kind": "section", "text": NAME, "figure": "enrollment" | "responses" | "respondents" |
"declines" | "response_rate"}. "responses" include declines; "respondents" exclude them.
Scope fields restrict the sections; leave a field empty when the question does not restrict it.
Answer {"plan": null, "reason": "..."} when nothing listed can answer the question."""


def catalog_text(catalog: Catalog) -> str:
    """The catalogue as the model sees it: every name it may use, with its id."""

    def block(title: str, rows: list[str]) -> str:
        cut = f" (first {MAX_LISTED} of {len(rows)})" if len(rows) > MAX_LISTED else ""
        return f"{title}{cut}:\n" + "\n".join(rows[:MAX_LISTED])

    return "\n\n".join(
        [
            block("Courses (code: title)", [f"{c.code}: {c.title}" for c in catalog.courses]),
            block("Subjects", list(catalog.subjects)),
            block(
                "Instructors (id: name)",
                [f"{p.id}: {p.first} {p.last}" for p in catalog.instructors],
            ),
            block("Terms (label)", [t.label for t in catalog.terms]),
            block("Rating questions (id: text)", [f"{q.id}: {q.text}" for q in catalog.questions]),
            block("Hours prompts", list(catalog.prompts)),
            block("Section figures", [f"{k}: {v}" for k, v in FIGURE_WORDS.items()]),
        ]
    )


def planner_messages(question: str, entities: Entities, catalog: Catalog) -> list[BaseMessage]:
    scope = {
        "courses": entities.courses,
        "instructors": [f"{p.id}: {p.name}" for p in entities.instructors],
        "terms": entities.terms,
        "sections": entities.sections,
    }
    return [
        SystemMessage(SYSTEM),
        HumanMessage(
            f"{catalog_text(catalog)}\n\nScope read from the question and the conversation so"
            f" far: {json.dumps(scope)}\n\nQuestion: {question}"
        ),
    ]


def validate_plan(plan: Plan, catalog: Catalog) -> Plan:
    """The plan with names and texts taken from the catalogue, or InvalidPlan naming what the
    catalogue does not hold. Runs before any SQL."""
    data: dict[str, Any] = plan.model_dump()
    if "scope" in data:
        data["scope"] = _scope(Scope.model_validate(data["scope"]), catalog).model_dump()
    for key in ("metric", "headline"):
        if data.get(key) is not None:
            data[key] = _metric(Metric.model_validate(data[key]), catalog).model_dump()
    if data.get("kind") == "hours" and data.get("prompt") not in catalog.prompts:
        raise InvalidPlan(f"no hours prompt {data.get('prompt')!r}")
    return TypeAdapter(Plan).validate_python(data)


def _scope(scope: Scope, catalog: Catalog) -> Scope:
    codes = {c.code for c in catalog.courses}
    people = {p.id: p for p in catalog.instructors}
    terms = {t.label for t in catalog.terms}
    for code in [*scope.courses, *scope.exclude_courses]:
        if code not in codes:
            raise InvalidPlan(f"no course {code!r}")
    for subject in [*scope.subjects, *scope.exclude_subjects]:
        if subject not in catalog.subjects:
            raise InvalidPlan(f"no subject {subject!r}")
    for pid in [*scope.instructor_ids, *scope.exclude_instructor_ids]:
        if pid not in people:
            raise InvalidPlan(f"no instructor id {pid}")
    for label in scope.terms:
        if parse_term(label) is None or label not in terms:
            raise InvalidPlan(f"no term {label!r}")
    for bound in (scope.term_from, scope.term_to):
        if bound is not None and not 10000 <= bound <= 99999:
            raise InvalidPlan(f"term bound {bound} is no year * 10 + season")
    for section in [*scope.sections, *scope.exclude_sections]:
        if not section.isdigit() or len(section) > 3:
            raise InvalidPlan(f"bad section {section!r}")
    names = [people[pid].name for pid in scope.instructor_ids]
    return scope.model_copy(update={"instructor_names": names})


def _metric(metric: Metric, catalog: Catalog) -> Metric:
    if metric.kind == "question":
        texts = {q.id: q.text for q in catalog.questions}
        if metric.question_id not in texts:
            raise InvalidPlan(f"no rating question id {metric.question_id}")
        return metric.model_copy(update={"text": texts[metric.question_id], "figure": None})
    if metric.kind == "hours":
        if metric.text not in catalog.prompts:
            raise InvalidPlan(f"no hours prompt {metric.text!r}")
        return metric.model_copy(update={"question_id": None, "figure": None})
    if metric.figure is None:
        raise InvalidPlan("a section metric needs a figure")
    return metric.model_copy(update={"question_id": None, "text": FIGURE_WORDS[metric.figure]})


@dataclass
class Planner:
    """Plans with an LLM's structured output; every failure falls back to the rules' plan."""

    chat_model: BaseChatModel

    def plan(
        self,
        question: str,
        entities: Entities,
        catalog: Catalog,
        *,
        fallback: Plan | Unanswerable,
    ) -> Plan | Unanswerable:
        name = answerer_name(self.chat_model)
        try:
            runnable = self.chat_model.with_structured_output(PlanChoice)
            choice = runnable.invoke(planner_messages(question, entities, catalog))
            if not isinstance(choice, PlanChoice):
                choice = PlanChoice.model_validate(choice)
        except Exception as exc:  # any failure of the optional planner falls back to the rules
            _rejected(name, "model_error", f"{type(exc).__name__}: {exc}")
            return fallback
        if choice.plan is None:
            _rejected(name, "no_plan", choice.reason or "the model returned no plan")
            return fallback
        try:
            return validate_plan(choice.plan, catalog)
        except (InvalidPlan, ValueError) as exc:
            _rejected(name, "invalid", str(exc))
            return fallback


def _rejected(planner: str, reason: str, detail: str) -> None:
    logger.warning(
        "llm plan rejected",
        extra={
            "event": "llm_plan_rejected",
            "planner": planner,
            "reason": reason,
            "detail": detail[:500],
        },
    )
