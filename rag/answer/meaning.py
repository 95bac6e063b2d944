"""Reading a question by meaning where the word rules read no rating or no intent: the rating
question nearest the words (`MetricIndex.by_meaning`) and the intent nearest the example
questions (rag.answer.intents), each accepted only above its threshold and margin, and each
saying in the answer how it read the words."""

from __future__ import annotations

import re

from rag.answer.entities.model import Entities, Intent
from rag.answer.entities.reading import EVERYDAY
from rag.answer.intent_rules import ASCENDING, detect_intent, ranked_entity
from rag.answer.intents import IntentReading
from rag.answer.planning import Defaults, about_someone, overview_of, plan_question
from rag.answer.plans import Plan, Unanswerable, scope_of

_NUMBER_ASKED = re.compile(
    r"\b(?:rating|ratings|rated|rate|score|scores|scored|mean|average|avg|median|percent|"
    r"percentage|proportion|share|number|how\s+many|out\s+of\s+5)\b|%",
    re.I,
)
"""Words that ask for a number, for a rating question read by meaning."""

_NUMERIC_KINDS = ("ranking", "comparison", "trend", "distribution")


def read_by_meaning(question: str, entities: Entities) -> Entities:
    """The entities with the rating question the words mean (`by_meaning`) as their metric,
    when the strict reading found none but the question names a course, person or term and
    asks for a number; otherwise unchanged. Words naming what no report prints ("grades",
    "salary") and future or outside asks are never read past."""
    ref = entities.by_meaning
    if ref is None or entities.metric is not None or not entities.names_scope():
        return entities
    if entities.unprinted or entities.future or entities.outside or entities.hours:
        return entities
    if {w.lower() for w in ref.unread} & EVERYDAY:
        return entities
    intent = detect_intent(question, entities)
    numeric = intent is not None and intent.kind in _NUMERIC_KINDS
    if not (numeric or entities.statistic or _NUMBER_ASKED.search(question)):
        return entities
    return entities.model_copy(update={"metric": ref, "leftover": []})


def plan_by_meaning(
    question: str, entities: Entities, defaults: Defaults, reading: IntentReading
) -> tuple[Plan, Entities] | None:
    """The plan for what the question means to compute (`reading`: by similarity to example
    questions), for a question the rules declined (no intent read, or words left unread), and
    the entities it was made from; None when the reading answers nothing more. Never for an
    ask the reports cannot answer (outside, future, unprinted, everyday words like "salary"),
    and words left unread must be part of the intent's wording (`reading.carried_by`), not a
    measure nobody prints ("the best jokes")."""
    if reading.kind == "outside":
        return None
    if entities.unknown_courses or entities.unknown_instructors or entities.ambiguous_courses:
        return None
    if entities.outside or entities.future or entities.unprinted:
        return None
    unread = {w.lower() for phrase in entities.leftover for w in phrase.split()}
    if unread & EVERYDAY or (entities.leftover and not reading.carried_by):
        return None
    if entities.leftover:  # the words left were the intent's; what was read is the measure
        entities = entities.model_copy(
            update={"metric": entities.by_meaning, "leftover": [], "metric_phrase": None}
        )
    if reading.kind == "overview":
        scope = scope_of(entities)
        if not about_someone(scope) or entities.names_measure():
            return None
        overview = overview_of(entities, scope, defaults)
        return None if isinstance(overview, Unanswerable) else (overview, entities)
    plan = plan_question(question, entities, defaults, intent=_meant(question, entities, reading))
    return None if isinstance(plan, Unanswerable) else (plan, entities)


_RETOLD = ("trend", "comparison", "ranking")


def may_retell(question: str, entities: Entities) -> bool:
    """Whether a follow-up could be read as another intent by meaning (no intent words the rules
    know, no measure of its own): checked before the question is embedded."""
    if entities.intent is None or detect_intent(question, entities) is not None:
        return False
    return not (entities.leftover or entities.figure or entities.options or entities.statistic)


def follow_up_by_meaning(
    question: str,
    entities: Entities,
    defaults: Defaults,
    reading: IntentReading,
    *,
    previous: Entities,
) -> Plan | None:
    """A follow-up with no intent words the rules know, that repeats the last turn's intent,
    read as another by meaning ("best prof in fall 2023" then "and through the semesters?": a
    trend, over every term unless the follow-up names some); None when the reading says
    nothing new."""
    inherited = entities.intent
    if inherited is None or not may_retell(question, entities):
        return None
    if reading.kind not in _RETOLD or reading.kind == inherited.kind or reading.carried_by:
        return None
    when = ("terms", "term_from", "term_to")
    if reading.kind == "trend" and all(getattr(entities, k) == getattr(previous, k) for k in when):
        entities = entities.model_copy(update={"terms": [], "term_from": None, "term_to": None})
    plan = plan_question(question, entities, defaults, intent=_meant(question, entities, reading))
    return None if isinstance(plan, Unanswerable) else plan


_PEOPLE = re.compile(r"\b(?:instructors?|professors?|profs?|teachers?|faculty|who)\b", re.I)


def _meant(question: str, entities: Entities, reading: IntentReading) -> Intent:
    """The plan intent of a reading by meaning; what it ranks or compares from the words."""
    if reading.kind == "ranking":
        low = reading.reading == "ranking_low" or ASCENDING.search(question) is not None
        entity = ranked_entity(question) or "instructor"
        return Intent(kind="ranking", entity=entity, order="asc" if low else "desc")
    if reading.kind == "comparison":
        if len({p.name for p in entities.instructors}) > 1:
            return Intent(kind="comparison", entity="instructors")
        if len(entities.courses) > 1:
            return Intent(kind="comparison", entity="courses")
        if len(entities.sections) > 1:
            return Intent(kind="comparison", entity="sections")
        return Intent(kind="comparison", entity="dept_univ")
    if reading.kind == "count":
        if _PEOPLE.search(question):
            return Intent(kind="count", what="instructors")
        comments = re.search(r"\bcomments?\b", question, re.I) is not None
        return Intent(kind="count", what="comments" if comments else "sections")
    return Intent(kind=reading.kind)


def meaning_note(entities: Entities) -> str | None:
    """How words were read by meaning, so a person can tell a misreading."""
    ref = entities.metric
    if ref is None or not ref.unread:
        return None
    unread = ", ".join(f"“{w}”" for w in ref.unread)
    return f"“{ref.phrase}” was read as the rating question “{ref.text}” ({unread} not read)"
