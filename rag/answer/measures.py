"""Questions that name several measures in a list: "overall, clarity and fairness against the
department", "ratings, response rates, workload", "'intellectually challenging', 'I learned a
lot' and the workload", "pros/cons on feedback and on the syllabus", "how many were enrolled and
how many of them responded".

The rules read one measure per question. Here the question is cut where a list cuts it (commas,
"and", "/", "plus"), each piece is read on its own, and every piece that names a measure by
itself (a rating question, hours per week, a printed figure, the overall rating) is one measure
asked. Where two or more are named, the question's plan is run once per measure, in the order
they were named, and their facts follow each other.
"""

from __future__ import annotations

import re

from rag.answer.answers import Evidence
from rag.answer.entities.metric_index import MetricIndex
from rag.answer.entities.model import Catalog, Entities, MetricRef
from rag.answer.entities.resolve import resolve
from rag.answer.planning import Defaults, measure_of, plan_question
from rag.answer.plans import (
    Average,
    Comparison,
    Distribution,
    HoursPerWeek,
    Metric,
    Overview,
    Plan,
    Trend,
    Unanswerable,
)
from rag.answer.second_measure import both_measures, measure_label
from rag.answer.several import asks_summary

_PIECES = re.compile(
    r"[,;:?!/&+]|\.(?:\s|$)|\s[-–—]\s"
    r"|\b(?:and|plus|as\s+well\s+as|along\s+with|together\s+with|also|then)\b",
    re.I,
)
"""Where one item of a list ends: "overall, clarity and fairness", "feedback / syllabus"."""

_JUDGED = re.compile(
    r"\b(?:pros?|cons?|strengths?|weakness(?:es)?|thoughts?|views?|take|look\s+at|numbers?\s+on)\b",
    re.I,
)
"""Words that ask for a view of a measure rather than name one ("pros/cons on feedback")."""

_ASIDE = re.compile(
    r"^\W*(?:i\s+|we\s+)?(?:need(?:ed)?\s+(?:it|this|them)|it'?s\s+for|(?:just\s+)?for\s+(?:a|an|my|our)"
    r"|because|since|so\s+that|as\s+part"
    r"|includ\w*|incl\b|exclud\w*|excl\b|not\s+counting|without|minus|of\s+(?:all|the|those)"
    r"|out\s+of|among)\b"
    r"|\b(?:not\s+(?:counted|included)|left\s+out)\W*$"
    r"|^\W*(?:inclusive|included|combined|together|total|both|each)\W*$"
    r"|\b(?:i|we)\s+(?:\w+\s+)?(?:sign(?:ed)?\s+up|enrol\w*|register\w*|took|take|had)\b",
    re.I,
)
"""A piece that says why the asker asks or qualifies another piece ("need it for a stats
assignment", "including declines", "declines not counted", "of all those invited", "2022 and
2024 inclusive", "before I sign up"): it names no measure of its own."""

_NAME = re.compile(r"\bX\b")
"""A name read in the question (rag.answer.entities.resolve.names_masked)."""

_HEADLINE = re.compile(
    r"^\W*(?:(?:in|on|for|of|and)\s+)*(?:the\s+|their\s+|its\s+|his\s+|her\s+)?"
    r"(?:overall\s+)?(?:ratings?|scores?)\W*$"
    r"|^\W*(?:the\s+)?overall(?:\s+(?:ratings?|scores?|quality))?\W*$",
    re.I,
)
"""A piece that is the overall rating alone ("ratings", "overall"); a lone "overall" at the
end of the question is scope ("best at feedback, overall"), not a measure."""

Measured = Average | Trend | Distribution | Comparison
"""The plans that measure one thing, so can be run once per measure."""

_MAX_UNREAD = 1
"""A piece read by meaning names a measure when at most this many of its words are read past
("how well the syllabus sets expectations": "sets")."""


def listed_measures(
    question: str, catalog: Catalog, index: MetricIndex, defaults: Defaults
) -> list[Metric]:
    """The distinct measures the question names one by one, in order; [] for fewer than two.

    The pieces are cut from the question with its names read as "X" (a course title holds
    "and": "Technology and Human Values"); measures of one family count once (the responses to
    a question and the section's responses, an item whose text holds "and")."""
    if asks_summary(question):  # "summarise … trajectory, clarity and enthusiasm": the whole
        return []  # picture holds every measure, by term
    if sum(1 for p in _PIECES.split(question) if p.strip()) < 2:
        return []  # no list (names read as "X" only take separators away): no reading to pay for
    plain = resolve(question, catalog, metric_index=None).plain or question
    pieces = [_NAME.sub(" ", _JUDGED.sub(" ", p)) for p in _PIECES.split(plain)]
    pieces = [p for p in pieces if p.strip() and not _ASIDE.search(p)]
    found: dict[object, Metric] = {}
    for number, piece in enumerate(pieces):
        metric = _piece_measure(piece, catalog, index, defaults, last=number == len(pieces) - 1)
        if metric is not None:
            found.setdefault(_family(metric), metric)
    return list(found.values()) if len(found) >= 2 else []


def _family(metric: Metric) -> object:
    """What a measure counts: one rating question (its mean, median, N), the hours, the
    responses (with or without declines, and the declines), the response rate, the enrollment."""
    if metric.kind == "question":
        return ("question", metric.question_id)
    if metric.kind == "hours":
        return "hours"
    return (
        "responses" if metric.figure in ("responses", "respondents", "declines") else metric.figure
    )


def _piece_measure(
    piece: str, catalog: Catalog, index: MetricIndex, defaults: Defaults, *, last: bool
) -> Metric | None:
    """The one measure a piece of a list names by itself, or None."""
    if _HEADLINE.match(piece):
        alone = piece.strip(" ,.?!").lower() == "overall"
        return None if alone and last else defaults.headline
    ent = resolve(piece, catalog, metric_index=index)
    if ent.unknown_courses or ent.unknown_instructors or ent.unprinted or ent.outside:
        return None
    named = ent.metric is not None or ent.hours or ent.figure is not None
    if not named and ent.challenge is not None:  # "how tough is it"
        ent = ent.model_copy(update={"metric": ent.challenge, "leftover": []})
        named = True
    if not named and ent.by_meaning is not None and len(ent.by_meaning.unread) <= _MAX_UNREAD:
        ent = ent.model_copy(update={"metric": ent.by_meaning, "leftover": []})
        named = True
    if not named or ent.leftover:
        return None
    return measure_of(ent, defaults)


def base_plan(
    question: str, plan: Plan | Unanswerable, entities: Entities, defaults: Defaults
) -> Measured | None:
    """The question's plan with one measure, to be run for each measure named: the plan read,
    or, where its words were read as no rating or a whole picture, the plan for the overall
    rating of the same scope."""
    if isinstance(plan, (Average, Trend, Distribution)):
        return plan
    if isinstance(plan, Comparison) and plan.between != "sides":
        return plan.model_copy(update={"whole": False})
    if not isinstance(plan, (HoursPerWeek, Overview, Unanswerable)) or defaults.headline is None:
        return None
    headline = defaults.headline
    ref = MetricRef(
        kind="question",
        question_id=headline.question_id,
        text=headline.text,
        phrase="overall",
        similarity=1.0,
    )
    plain = entities.model_copy(
        update={"metric": ref, "metric_phrase": None, "leftover": [], "by_meaning": None,
                "hours": False, "evaluative": False}
    )  # fmt: skip
    replanned = plan_question(question, plain, defaults)
    if isinstance(replanned, (HoursPerWeek, Overview, Unanswerable)):
        return None
    return base_plan(question, replanned, plain, defaults)


def with_measure(plan: Measured, metric: Metric) -> Plan:
    """`plan` measuring `metric`; where the plan cannot (hours or a printed figure against the
    department, a distribution of hours or of a figure), the same sections' own figure."""
    scope = plan.scope
    if metric.kind == "hours":
        if isinstance(plan, (Trend, Comparison)) and not (
            isinstance(plan, Comparison) and plan.between == "dept_univ"
        ):
            return plan.model_copy(update={"metric": metric})
        return HoursPerWeek(prompt=metric.text, scope=scope)
    if metric.kind == "section" and (
        isinstance(plan, Distribution)
        or (isinstance(plan, Comparison) and plan.between == "dept_univ")
    ):
        return Average(metric=metric, scope=scope)
    return plan.model_copy(update={"metric": metric})


def each_measure(answers: list[tuple[Evidence, Plan]]) -> Evidence:
    """The first measure answered, then each other measure's facts after it; a measure with no
    answer (hours where no report prints them) is named in a note."""
    answered = [(e, p) for e, p in answers if e.route == "quantitative"]
    if not answered:
        return answers[0][0]
    evidence = answered[0][0]
    for other, plan in answered[1:]:
        evidence = both_measures(evidence, other, measure_label(plan))
    lacking = [
        f"No answer for {e.searched.rstrip('.')}" for e, _ in answers if e.route != "quantitative"
    ]
    return evidence.model_copy(update={"notes": [*evidence.notes, *lacking]})
