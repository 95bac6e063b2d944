"""How a question's scope meets a request's explicit filters: the scope the words set narrowed
by the filters, the comment filters both imply, and the words a declined question used that
nothing understood."""

from __future__ import annotations

from typing import Any

from core.report import normalize_code
from rag.answer.entities.model import Catalog, Entities
from rag.answer.plans import Unanswerable
from rag.search.filters import SearchFilters


def narrowed(entities: Entities, filters: SearchFilters | None, catalog: Catalog) -> Entities:
    """Explicit request filters narrow the scope the question's words set."""
    if filters is None:
        return entities
    update: dict[str, Any] = {}
    if filters.course:
        update["courses"] = [normalize_code(filters.course)]
    if filters.subject:
        update["subjects"] = [filters.subject.upper()]
    if filters.term:
        update["terms"] = [filters.term]
    keys = {t.label: t.sort_key for t in catalog.terms}
    if filters.term_from and filters.term_from in keys:
        update["term_from"] = keys[filters.term_from]
    if filters.term_to and filters.term_to in keys:
        update["term_to"] = keys[filters.term_to]
    if filters.section:
        update["sections"] = [filters.section]
    if filters.source:
        update["source"] = filters.source
    return entities.model_copy(update=update)


def comment_filters(
    entities: Entities, catalog: Catalog, explicit: SearchFilters | None
) -> SearchFilters:
    """The comment filters the question's entities imply, explicit filters taking precedence."""
    labels = {t.sort_key: t.label for t in catalog.terms}
    implied = SearchFilters(
        course=entities.courses[0] if len(entities.courses) == 1 else None,
        subject=entities.subjects[0] if len(entities.subjects) == 1 else None,
        instructor_id=entities.instructors[0].id if len(entities.instructors) == 1 else None,
        instructor=_one_person_of_many_ids(entities),
        term=entities.terms[0] if len(entities.terms) == 1 else None,
        term_from=labels.get(entities.term_from) if entities.term_from else None,
        term_to=labels.get(entities.term_to) if entities.term_to else None,
        section=entities.sections[0] if len(entities.sections) == 1 else None,
        source=entities.source,
        survey=entities.survey,
    )
    if explicit is None:
        return implied
    given = explicit.model_dump(exclude_none=True)
    return implied.model_copy(update=given)


def _one_person_of_many_ids(entities: Entities) -> str | None:
    """The name of one person stored once per subject (two ids, one name), so that comments
    filter by all of their sections; None otherwise (one id filters by itself)."""
    names = {p.name for p in entities.instructors}
    return names.pop() if len(names) == 1 and len(entities.instructors) > 1 else None


def unclear_words(entities: Entities, plan: Unanswerable) -> list[str]:
    """The words a declined question used that nothing understood, for the decline message."""
    if entities.outside:
        return ["sources other than TRACE reports"]
    if entities.future:
        return ["a term that has not been taught yet"]
    if entities.unprinted:
        return list(entities.leftover)
    if entities.leftover:
        return [" ".join(entities.leftover)]
    if entities.metric_phrase and entities.metric is None:
        return [entities.metric_phrase]
    if "names no rating" in plan.reason:
        return ["what to measure (a rating, a count or hours)"]
    return []
