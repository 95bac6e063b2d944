"""What an answer says about its scope: declines a person can act on, the scope in force, and
mixed answers (a person or course as a whole: its ratings and what students say).

A decline names what was understood, what was not, and a question about the same data that
would work, built from a section the reports really hold.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from core.db import Conn
from rag.answer.answers import AnswerScope, Evidence
from rag.answer.entities.model import Catalog, Entities
from rag.answer.planning import Defaults, defaults_of
from rag.answer.plans import FIGURE_WORDS, key_words, short_label


def catalog_defaults(catalog: Catalog) -> Defaults:
    """The catalogue's headline question and hours block (see rag.answer.planning.defaults_of)."""
    return defaults_of([(q.id, q.text) for q in catalog.questions], list(catalog.prompts))


def _range(entities: Entities) -> str | None:
    low, high = entities.term_from, entities.term_to
    if low is None and high is None:
        return None
    if low is not None and high == low + 9 and low % 10 == 0:
        return str(low // 10)
    first = key_words(low) if low is not None else "the first term"
    last = key_words(high) if high is not None else "the newest term"
    return f"{first} to {last}"


def scope_in_force(entities: Entities) -> AnswerScope:
    """The entities' scope as the UI shows it above an answer."""
    excluded = [*entities.exclude_courses, *(f"{s} courses" for s in entities.exclude_subjects)]
    excluded += [p.name for p in entities.exclude_instructors]
    excluded += [f"section {s}" for s in entities.exclude_sections]
    scope = AnswerScope(
        courses=list(entities.courses),
        subjects=list(entities.subjects),
        instructors=[p.name for p in entities.instructors],
        terms=list(entities.terms),
        term_range=_range(entities),
        sections=list(entities.sections),
        excluded=excluded,
    )
    parts = [*scope.courses, *(f"{s} courses" for s in scope.subjects)]
    parts += [f"section {s}" for s in scope.sections] + scope.instructors + scope.terms
    parts += [scope.term_range] if scope.term_range else []
    parts += [f"not {', '.join(excluded)}"] if excluded else []
    if entities.survey:
        parts.append(f"survey “{entities.survey}”")
    elif entities.source == "survey":
        parts.append("instructors' surveys")
    return scope.model_copy(update={"text": " · ".join(parts) or "all reports"})


def understood(entities: Entities) -> list[str]:
    """What of a question was read: its course, person, term and measure, in words."""
    parts = [f"course {c}" for c in entities.courses]
    parts += [f"{s} courses" for s in entities.subjects]
    parts += [f"section {s}" for s in entities.sections]
    parts += [f"instructor {p.name}" for p in entities.instructors]
    parts += [f"term {t}" for t in entities.terms]
    if (span := _range(entities)) is not None:
        parts.append(span)
    if entities.figure:
        parts.append(FIGURE_WORDS[entities.figure])
    elif entities.metric is not None:
        words = "hours per week" if entities.metric.kind == "hours" else entities.metric.text
        parts.append(f"{(entities.statistic or 'mean').replace('_', ' ')} of {short_label(words)}")
    elif entities.hours:
        parts.append("hours per week")
    if entities.statistic and entities.metric is None and not entities.figure:
        parts.append(entities.statistic.replace("_", " "))
    return parts


def example_question(conn: Conn, catalog: Catalog, entities: Entities) -> str | None:
    """A question that works: the headline rating of a section the reports hold, as close to
    the understood course or person as the data allows."""
    headline = catalog_defaults(catalog).headline
    words = short_label(headline.text) if headline is not None else "enrollment"
    conditions: list[sql.Composable] = []
    params: list[Any] = []
    if entities.courses:
        conditions.append(sql.SQL("c.code = ANY(%s)"))
        params.append(list(entities.courses))
    elif entities.instructors:
        conditions.append(sql.SQL("si.instructor_id = ANY(%s)"))
        params.append([p.id for p in entities.instructors])
    query = sql.SQL(
        "SELECT c.code, t.label AS term, i.first_name, i.last_name FROM sections s"
        " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
        " LEFT JOIN section_instructors si ON si.section_id = s.id AND si.position = 0"
        " LEFT JOIN instructors i ON i.id = si.instructor_id"
        " WHERE {where} ORDER BY t.sort_key DESC, c.code LIMIT 1"
    )
    where = sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("TRUE")
    row = conn.execute(query.format(where=where), params).fetchone()
    if row is None and conditions:
        row = conn.execute(query.format(where=sql.SQL("TRUE")), []).fetchone()
    if row is None:
        return None
    if entities.instructors and not entities.courses and row["last_name"]:
        return f"What was {row['first_name']} {row['last_name']}'s {words} in {row['term']}?"
    return f"What was the {words} of {row['code']} in {row['term']}?"


def decline(
    conn: Conn,
    catalog: Catalog,
    entities: Entities,
    *,
    plan: dict[str, Any],
    searched: str,
    unclear: list[str],
) -> Evidence:
    """An unanswerable evidence that says what was understood, what was not, and an example."""
    return Evidence(
        route="unanswerable",
        plan=plan,
        searched=searched,
        understood=understood(entities),
        unclear=unclear,
        example=example_question(conn, catalog, entities),
    )


def mixed(ratings: Evidence, comments: Evidence) -> Evidence:
    """A person or course as a whole: the overview's facts and the comments' themes and quotes."""
    return Evidence(
        route="mixed",
        plan={"kind": "mixed", "ratings": ratings.plan, "comments": comments.plan},
        facts=ratings.facts,
        quotes=comments.quotes,
        themes=comments.themes,
        searched=f"{ratings.searched}; {comments.searched}",
    )
