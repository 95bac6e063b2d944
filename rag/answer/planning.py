"""The rules that pick a plan from the wording: the measure, the defaults, the plan filled in
(the intent is read by rag.answer.intent_rules)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel

from rag.answer.entities.model import Entities, Intent
from rag.answer.entities.reading import EVERYDAY
from rag.answer.intent_rules import SMALL_SECTIONS, detect_intent
from rag.answer.plans import (
    FIGURE_WORDS,
    Average,
    Comparison,
    Count,
    Distribution,
    HoursPerWeek,
    Metric,
    Overview,
    Plan,
    Ranking,
    Scope,
    Trend,
    Unanswerable,
    metric_of,
    scope_of,
)
from rag.answer.vocabulary import JUDGEMENT

_HOURS_WORDS = re.compile(r"\bhours?\b", re.I)


_AVOID = re.compile(r"\b(?:avoid\w*|stay(?:ing)?\s+away|steer(?:ing)?\s+clear)\b", re.I)


_LIMIT = re.compile(r"\b(?:top|bottom|best|worst)\s+(\d{1,2})\b|\b(\d{1,2})\s+(?:best|worst)", re.I)


class Defaults(BaseModel):
    """What the catalogue offers when the words name no metric: the headline rating question
    (the one about the overall rating) and the hours-per-week block."""

    headline: Metric | None = None
    hours: Metric | None = None


def _measure(entities: Entities, intent: Intent | None, defaults: Defaults) -> Metric | None:
    """What to compute, from the figure, statistic, hours and rating-question words read."""
    ref = entities.metric
    question = ref if ref is not None and ref.kind == "question" else None
    if entities.hours or (ref is not None and ref.kind == "hours"):
        if ref is not None and ref.kind == "hours":
            return metric_of(ref)
        return defaults.hours
    if entities.figure:
        if question is not None and entities.figure in ("responses", "respondents"):
            return Metric(kind="question", question_id=question.question_id, text=question.text,
                          statistic="responses")  # fmt: skip
        if question is not None and entities.figure == "response_rate":
            return Metric(kind="question", question_id=question.question_id, text=question.text,
                          statistic="response_rate")  # fmt: skip
        figure = entities.figure
        return Metric(kind="section", text=FIGURE_WORDS[figure], figure=figure)
    base = metric_of(question) if question is not None else None
    if (
        base is None
        and entities.statistic in ("responses", "response_rate")
        and not entities.options
    ):
        figure = entities.statistic  # "how many responded": the section's, not a question's
        return Metric(kind="section", text=FIGURE_WORDS[figure], figure=figure)
    if base is None and entities.metric_phrase and entities.leftover:
        return None  # words that name nothing the reports print
    if base is None and entities.metric_phrase and not entities.statistic:
        return None
    ranks = intent is not None and intent.kind in ("ranking", "comparison", "trend")
    if base is None and entities.challenge is not None and ranks:
        base = metric_of(entities.challenge)  # "the hardest course": ranked by challenge
    if base is None:
        overall = entities.overall_word and not entities.evaluative  # not "how is she overall"
        named = entities.statistic or entities.options or overall
        kinds = ("ranking", "trend", "comparison") + (() if entities.evaluative else ("average",))
        asks = intent is not None and intent.kind in kinds
        if not (named or asks or entities.versus_dept):
            return None
        base = defaults.headline
        if base is None:
            return None
    statistic = entities.statistic
    if statistic in ("median", "std_dev", "responses", "response_rate"):
        return base.model_copy(update={"statistic": statistic})
    return base


def measure_of(entities: Entities, defaults: Defaults) -> Metric | None:
    """The measure the words name, with no intent read (one item of a list of measures)."""
    return _measure(entities, None, defaults)


_GOOD_OR_BAD = re.compile(
    r"\b(?:good|bad|great|decent|solid|terrible|awful|horrible|amazing|excellent|poor|"
    r"worth\w*|rec+om+end\w*|avoid\w*|overrated|underrated|reputation|honest\w*|verdict|"
    r"as\s+an?\s+(?:teacher|prof\w*|instructor|lecturer|course|class))\b",
    re.I,
)
"""A verdict on a person or course as a whole ("is Prof. Okafor a good teacher?"), which a
follow-up asks anew rather than repeating the last turn's measure ("what about Lee?" repeats)."""


def _asks_anew(entities: Entities, inherited: Intent | None) -> bool:
    """A follow-up to a ranking that names its own measure and one of the things ranked asks
    about that one thing, not for the ranking again ("and in CS5800?" still ranks)."""
    if inherited is None or inherited.kind != "ranking" or not entities.measure_named:
        return False
    if entities.figure and entities.names_someone:  # "how many responded in EECE2150?"
        return True
    if inherited.entity == "course":
        return bool(entities.courses) and "courses" not in entities.carried
    if inherited.entity == "instructor":
        return bool(entities.instructors) and "instructors" not in entities.carried
    return False


def _ranked_widely(scope: Scope, entity: str, carried: Sequence[str]) -> Scope:
    """A ranking asked anew over the one course (person, section) the last turn was about ranks
    nothing: "what's CS5800's rating in fall 2023?" then "best and worst rated courses in fall
    2023?" ranks every course that term. Only scope the follow-up carried goes; a course it
    names itself stays ("which CS5800 instructor is best?")."""
    if entity == "course" and "courses" in carried and len(scope.courses) == 1:
        return scope.model_copy(update={"courses": [], "sections": []})
    if entity == "instructor" and "instructors" in carried and len(scope.instructor_ids) == 1:
        return scope.model_copy(update={"instructor_ids": [], "instructor_names": []})
    if entity == "section" and "sections" in carried and len(scope.sections) == 1:
        return scope.model_copy(update={"sections": []})
    if entity == "section" and "instructors" in carried and scope.courses:
        # "Okafor's clarity in CS5800 in fall 2023" then "which section was best?": the course's
        return scope.model_copy(update={"instructor_ids": [], "instructor_names": []})
    return scope


def plan_question(
    question: str,
    entities: Entities,
    defaults: Defaults | None = None,
    *,
    intent: Intent | None = None,
) -> Plan | Unanswerable:
    """Choose and fill a plan; Unanswerable says what is missing instead of guessing.
    `intent`: what to compute when it was read otherwise (by meaning), not from the rules."""
    defaults = defaults or Defaults()
    if entities.unknown_courses or entities.unknown_instructors:
        names = [f"course {c}" for c in entities.unknown_courses]
        names += [f"instructor {p}" for p in entities.unknown_instructors]
        return Unanswerable(reason=f"no reports for {', '.join(names)}")
    if entities.outside:
        return Unanswerable(reason="the reports hold TRACE evaluations only, not other sites")
    if entities.future:
        return Unanswerable(reason="the reports describe terms already taught, not future ones")
    if entities.unprinted:
        words = " ".join(entities.leftover)
        return Unanswerable(reason=f"evaluation reports print no {words}", searched=words)
    intent = intent or detect_intent(question, entities)
    inherited = entities.intent
    counted = inherited is not None and inherited.kind == "count"
    if intent is None and counted and (entities.metric or entities.figure):
        # "who taught it?" then "his overall number that semester?": the rating, not a count;
        # "how many sections?" then "the total enrollment across them?": the enrollment
        inherited = Intent(kind="average")
    verdict = (
        entities.evaluative
        and not entities.measure_named
        and entities.names_someone
        and _GOOD_OR_BAD.search(question) is not None
    )
    if intent is None and verdict:
        inherited = None  # "is Prof. Okafor a good teacher?" after a ranking: the whole picture
    if intent is None and _asks_anew(entities, inherited):
        inherited = None  # "who improved the most?" then "how many were enrolled in EECE2150?"
    intent = intent or inherited
    scope = scope_of(entities)
    if intent is not None and intent.kind == "count":
        return Count(what=intent.what or "sections", scope=scope)
    if intent is not None and intent.kind == "qualitative":
        intent = None
    m = _measure(entities, intent, defaults)
    if m is None:
        if entities.leftover or (entities.metric_phrase and entities.metric is None):
            if _verdict_asked(question, entities, intent) and about_someone(scope):
                # "hannah lee - good prof or one to avoid?": the whole picture, saying which
                # words were read as no rating
                return overview_of(entities, scope, defaults, unread=_unread(entities))
            phrase = entities.metric_phrase or " ".join(entities.leftover)
            unknown = " ".join(entities.leftover)
            note = f" ({unknown!r} is in none)" if unknown and unknown != phrase else ""
            return Unanswerable(
                reason=f"no rating question in the reports matches {phrase!r}{note}",
                searched=f"the reports' rating questions for {phrase!r} in {scope.describe()}",
            )
        if entities.evaluative and defaults.headline is not None and about_someone(scope):
            # "is EECE2322 hard?": the challenge rating leads, the other ratings follow
            return overview_of(entities, scope, defaults)
        if intent is None and not _HOURS_WORDS.search(question):
            return Unanswerable(reason="the question names no rating, count or hours to compute")
        return Unanswerable(reason="the question names no rating to compute")
    whole = entities.versus_dept and entities.evaluative and not entities.names_measure()
    whole = whole or verdict  # a person or course asked about anew, its measure inherited
    if intent is None and whole and defaults.headline is not None and about_someone(scope):
        # "how am I doing compared with the department?": the whole picture, which sets the
        # headline (and the best and worst items) against the department
        return overview_of(entities, scope, defaults)
    if entities.leftover and entities.metric is None and m.kind == "section":
        words = " ".join(entities.leftover)
        return Unanswerable(
            reason=f"nothing the reports print matches {words!r}",
            searched=f"the reports for {words!r} in {scope.describe()}",
        )
    kind = intent.kind if intent is not None else "average"
    if m.statistic == "std_dev":
        kind = "average" if kind not in ("trend", "ranking") else kind
    if entities.options or entities.statistic == "distribution":
        kind = "distribution"
    if m.kind == "hours" and kind in ("average", "hours", "distribution"):
        return HoursPerWeek(prompt=m.text, scope=scope, focus=entities.hours_focus)
    if (
        m.kind == "hours"
        and kind == "comparison"
        and (intent is None or intent.entity == "dept_univ")
    ):
        return Unanswerable(reason="the reports print no department figures for hours")
    if kind == "ranking":
        limit = _LIMIT.search(question)
        order = intent.order if intent and intent.order else "desc"
        if m.kind == "hours" and _AVOID.search(question):  # "avoid for a light semester"
            order = "desc"  # the heaviest are the ones to avoid
        entity = intent.entity if intent and intent.entity else "instructor"
        return Ranking(
            entity=entity,
            metric=m,
            scope=_ranked_widely(scope, entity, entities.carried),
            order=order,
            limit=int(next(g for g in limit.groups() if g)) if limit else 5,
            include_small=bool(SMALL_SECTIONS.search(question)) and not entities.small_excluded,
            by="change" if intent is not None and intent.by == "change" else "value",
        )
    if kind == "comparison":
        between = intent.entity if intent and intent.entity else "dept_univ"
        if between == "dept_univ" and m.kind == "section":
            return Unanswerable(reason=f"the reports print no department figure for {m.label}")
        named = entities.names_measure() and not (entities.overall_word and not entities.metric)
        whole = between != "dept_univ" and m == defaults.headline and not named
        return Comparison(metric=m, scope=scope, between=between, whole=whole)
    if kind == "trend":
        return Trend(metric=m, scope=scope)
    if kind == "distribution":
        if m.kind != "question":
            return Average(metric=m, scope=scope)
        base = m.model_copy(update={"statistic": "mean"})
        return Distribution(metric=base, scope=scope, options=list(entities.options))
    return Average(metric=m, scope=scope)


def about_someone(scope: Scope) -> bool:
    return bool(scope.courses or scope.subjects or scope.instructor_ids)


def overview_of(
    entities: Entities, scope: Scope, defaults: Defaults, *, unread: list[str] | None = None
) -> Overview | Comparison | Unanswerable:
    """The whole picture of a person or course; the challenge rating leads when asked how hard.
    Of two people or courses ("nunez or kowalczyk? honest take"), both side by side."""
    if defaults.headline is None:
        return Unanswerable(reason="the reports hold no overall rating question")
    challenge = metric_of(entities.challenge) if entities.challenge else None
    headline = challenge or defaults.headline
    people = set(scope.instructor_names)
    if len(people) > 1 or len(scope.courses) > 1:
        between: Literal["instructors", "courses"] = "instructors" if len(people) > 1 else "courses"
        return Comparison(metric=headline, scope=scope, between=between, whole=True)
    return Overview(scope=scope, headline=headline, unread=unread or [])


def _verdict_asked(question: str, entities: Entities, intent: Intent | None) -> bool:
    """An opinion of a person or course as a whole, in words no rating question holds ("avoid",
    "honest take", "destroys people"): no measure, count or ranking asked, and none of the
    words left over is a fact the reports lack ("tenured", "textbook", "salary")."""
    if entities.figure or entities.statistic or entities.options or entities.hours:
        return False
    if entities.unprinted or entities.future or entities.outside:
        return False
    if intent is not None and intent.kind not in ("average", "comparison"):
        return False  # "okafor or lee? honest take": the two compared as wholes (overview_of)
    unread = {w.lower() for phrase in entities.leftover for w in phrase.split()}
    if unread & EVERYDAY:
        return False
    return JUDGEMENT.search(question) is not None


def _unread(entities: Entities) -> list[str]:
    if entities.leftover:
        return list(entities.leftover)
    return [entities.metric_phrase] if entities.metric_phrase else []


def intent_of(plan: Plan) -> Intent:
    """What a follow-up without intent words should compute again."""
    if isinstance(plan, Ranking):
        by = "change" if plan.by == "change" else None
        return Intent(kind="ranking", entity=plan.entity, order=plan.order, by=by)
    if isinstance(plan, Count):
        return Intent(kind="count", what=plan.what)
    if isinstance(plan, Comparison) and plan.between == "sides":
        return Intent(kind="trend")  # a follow-up has one scope: its terms side by side
    if isinstance(plan, Comparison):
        return Intent(kind="comparison", entity=plan.between)
    if isinstance(plan, (HoursPerWeek, Overview)):
        return Intent(kind="average")
    return Intent(kind=plan.kind)


def defaults_of(questions: list[tuple[int, str]], prompts: list[str]) -> Defaults:
    """The headline question is the one whose text speaks of an overall rating (else of
    overall effectiveness); the hours block is the frequency prompt that speaks of hours."""
    headline = None
    for words in (("overall", "rating"), ("overall",), ("effectiveness",)):
        found = [(i, t) for i, t in questions if all(w in t.lower() for w in words)]
        if found:
            headline = Metric(kind="question", question_id=found[0][0], text=found[0][1])
            break
    hours = next((p for p in prompts if "hour" in p.lower()), prompts[0] if prompts else None)
    return Defaults(headline=headline, hours=Metric(kind="hours", text=hours) if hours else None)
