"""Two sides of "vs" that differ in time: "before 2024 vs since 2024", "intro psych F23 vs gen
bio F24".

The whole question's plan says what to measure; each side says its own when and, where it names
them, its own course, person or section. What a side does not name is the whole question's:
"Dubois's feedback in gen bio: before 2024 vs since 2024" compares Dubois's gen bio sections in
the two periods.
Sides that differ only in single terms of the same course ("CS5800 fall 2023 vs fall 2024") stay
a trend, which already puts the two terms side by side with their change.
"""

from __future__ import annotations

import re

from rag.answer.entities.model import Catalog, Entities
from rag.answer.entities.resolve import resolve
from rag.answer.plans import Average, Comparison, Plan, Scope, Trend, Unanswerable

_VERSUS = re.compile(r"\s+(?:vs\.?|versus|compared\s+(?:with|to)|against)\s+", re.I)


def by_sides(question: str, catalog: Catalog, plan: Plan | Unanswerable) -> Plan | Unanswerable:
    """A comparison of the two sides, when each side of "vs" names its own time and the sides
    differ in a period or in what they name; else `plan` unchanged."""
    if not isinstance(plan, (Average, Comparison, Trend)):
        return plan
    parts = _VERSUS.split(question)
    if len(parts) != 2:
        return plan
    left, right = (resolve(part, catalog, metric_index=None) for part in parts)
    if not (_when(left) and _when(right)) or _when(left) == _when(right):
        return plan
    periods = any(h.term_from is not None or h.term_to is not None for h in (left, right))
    apart = bool(_what(left) and _what(right) and _what(left) != _what(right))
    if not (periods or apart):
        return plan
    sides = [_side(plan.scope, left), _side(plan.scope, right)]
    return Comparison(metric=plan.metric, scope=plan.scope, between="sides", sides=sides)


def _when(half: Entities) -> tuple[object, ...]:
    """The time a side names, or () when it names none."""
    when = (tuple(half.terms), half.term_from, half.term_to, tuple(half.seasons))
    return when if any(when) else ()


def _what(half: Entities) -> tuple[object, ...]:
    """The courses, people and sections a side names, or () when it names none."""
    people = tuple(p.id for p in half.instructors)
    what = (tuple(half.courses), tuple(half.subjects), people, tuple(half.sections))
    return what if any(what) else ()


def _side(whole: Scope, half: Entities) -> Scope:
    """One side's scope: its own time; its own courses, people and sections where it names
    them, else the whole question's ("gen bio: before 2024 vs since 2024" is gen bio twice)."""
    people = [(p.id, p.name) for p in half.instructors]
    return whole.model_copy(
        update={
            "terms": list(half.terms),
            "term_from": half.term_from,
            "term_to": half.term_to,
            "seasons": list(half.seasons),
            "courses": half.courses or whole.courses,
            "subjects": half.subjects or whole.subjects,
            "sections": half.sections or whole.sections,
            "instructor_ids": [i for i, _ in people] or whole.instructor_ids,
            "instructor_names": [n for _, n in people] or whole.instructor_names,
        }
    )
