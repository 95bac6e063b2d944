"""What an answer says about its scope: declines a person can act on, the scope in force, and
mixed answers (a person or course as a whole: its ratings and what students say).

A decline names what was understood, what was not, and a question about the same data that
would work, built from a section the reports really hold.
"""

from __future__ import annotations

import difflib
from typing import Any

from psycopg import sql

from core.db import Conn
from rag.answer.answers import AnswerScope, Evidence
from rag.answer.entities.model import Catalog, Entities
from rag.answer.entities.text import fold
from rag.answer.planning import Defaults, defaults_of
from rag.answer.plans import FIGURE_WORDS, end_words, key_words, short_label


def catalog_defaults(catalog: Catalog) -> Defaults:
    """The catalogue's headline question and hours block (see rag.answer.planning.defaults_of)."""
    return defaults_of([(q.id, q.text) for q in catalog.questions], list(catalog.prompts))


def _range(entities: Entities) -> str | None:
    low, high = entities.term_from, entities.term_to
    if low is None and high is None:
        return None
    if low is not None and high == low + 9 and low % 10 == 0:
        return str(low // 10)
    if low is not None and high is not None and high < low:  # two sides ("before 2024 vs since")
        return f"up to {end_words(high)} vs since {key_words(low)}"
    if low is None and high is not None:  # the way the answer's own scope says it
        return f"up to {end_words(high)}"
    first = key_words(low) if low is not None else "the first term"
    last = end_words(high) if high is not None else "the newest term"
    return f"{first} to {last}"


def scope_in_force(entities: Entities) -> AnswerScope:
    """The entities' scope as the UI shows it above an answer."""
    excluded = [*entities.exclude_courses, *(f"{s} courses" for s in entities.exclude_subjects)]
    excluded += [p.name for p in entities.exclude_instructors]
    excluded += [f"section {s}" for s in entities.exclude_sections]
    scope = AnswerScope(
        courses=list(entities.courses),
        subjects=list(entities.subjects),
        instructors=list(dict.fromkeys(p.name for p in entities.instructors)),  # one per name
        terms=list(entities.terms),
        term_range=_range(entities),
        sections=list(entities.sections),
        excluded=excluded,
    )
    parts = [*scope.courses, *(f"{s} courses" for s in scope.subjects)]
    parts += [f"section {s}" for s in scope.sections] + scope.instructors + scope.terms
    parts += [scope.term_range] if scope.term_range else []
    parts += [f"{s.lower()} terms only" for s in dict.fromkeys(_said(entities.seasons))]
    parts += [f"not {s.lower()} terms" for s in dict.fromkeys(_said(entities.exclude_seasons))]
    parts += [f"not {', '.join(excluded)}"] if excluded else []
    if entities.survey:
        parts.append(f"survey “{entities.survey}”")
    elif entities.source == "survey":
        parts.append("instructors' surveys")
    return scope.model_copy(update={"text": " · ".join(parts) or "all reports"})


def _said(seasons: list[str]) -> list[str]:
    return ["Summer" if "Summer" in s else s for s in seasons]


def understood(entities: Entities) -> list[str]:
    """What of a question was read: its course, person, term and measure, in words."""
    parts = [f"course {c}" for c in entities.courses]
    parts += [f"{s} courses" for s in entities.subjects]
    parts += [f"section {s}" for s in entities.sections]
    parts += [f"instructor {name}" for name in dict.fromkeys(p.name for p in entities.instructors)]
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
    """A question that works: the headline rating (or the section figure asked) of a section
    the reports hold, as close to the understood course or person as the data allows; for a
    title several courses start with, one of those courses, in a term the question named."""
    headline = catalog_defaults(catalog).headline
    words = short_label(headline.text) if headline is not None else "enrollment"
    if entities.figure in _EXAMPLE_FIGURES:
        words = FIGURE_WORDS[entities.figure]
    conditions: list[sql.Composable] = []
    params: list[Any] = []
    candidates = [
        c.code
        for word in entities.ambiguous_courses
        for c in catalog.courses
        if fold(c.title).lower().startswith(word)
    ]
    if entities.courses or candidates:
        conditions.append(sql.SQL("c.code = ANY(%s)"))
        params.append(list(entities.courses) or candidates)
    elif entities.instructors:
        conditions.append(sql.SQL("si.instructor_id = ANY(%s)"))
        params.append([p.id for p in entities.instructors])
    query = sql.SQL(
        "SELECT c.code, t.label AS term, i.first_name, i.last_name FROM sections s"
        " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
        " LEFT JOIN section_instructors si ON si.section_id = s.id AND si.position = 0"
        " LEFT JOIN instructors i ON i.id = si.instructor_id"
        " WHERE {where} ORDER BY t.label = ANY(%s) DESC, t.sort_key DESC, c.code LIMIT 1"
    )
    where = sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("TRUE")
    terms = list(entities.terms)
    row = conn.execute(query.format(where=where), [*params, terms]).fetchone()
    if row is None and conditions:
        row = conn.execute(query.format(where=sql.SQL("TRUE")), [terms]).fetchone()
    if row is None:
        return None
    if entities.instructors and not entities.courses and not candidates and row["last_name"]:
        return f"What was {row['first_name']} {row['last_name']}'s {words} in {row['term']}?"
    return f"What was the {words} of {row['code']} in {row['term']}?"


_EXAMPLE_FIGURES = ("enrollment", "response_rate")
"""Section figures an example may ask for as asked: every section's report prints them."""


MAX_SUGGESTIONS = 5


def missing(entities: Entities, catalog: Catalog) -> list[str]:
    """Courses and people the question names that no report holds, each with the close ones
    that exist: "no course CS9999 (CS courses in the reports: CS2500, CS5800)"."""
    out = []
    codes = [c.code for c in catalog.courses]
    for code in entities.unknown_courses:
        subject = next((c.subject for c in catalog.courses if code.startswith(c.subject)), None)
        same = [c.code for c in catalog.courses if c.subject == subject]
        if same:
            near = f" ({subject} courses in the reports: {', '.join(same[:MAX_SUGGESTIONS])})"
        else:
            close = difflib.get_close_matches(code, codes, n=3, cutoff=0.6)
            near = f" (close codes: {', '.join(close)})" if close else ""
        out.append(f"there is no course {code} in the reports{near}")
    for word in entities.ambiguous_courses:
        starts = [c for c in catalog.courses if fold(c.title).lower().startswith(word)]
        titled = [f"{c.code} ({c.title})" for c in starts]
        out.append(f"“{word}” starts the titles of {' and '.join(titled)}; name one")
    people = {fold(p.last).lower(): p for p in catalog.instructors}
    for name in entities.unknown_instructors:
        close = difflib.get_close_matches(fold(name).lower(), list(people), n=3, cutoff=0.6)
        near = f" (close names: {', '.join(people[c].name for c in close)})" if close else ""
        out.append(f"there is no instructor named {name} in the reports{near}")
    return out


def decline(
    conn: Conn,
    catalog: Catalog,
    entities: Entities,
    *,
    plan: dict[str, Any],
    searched: str,
    unclear: list[str],
) -> Evidence:
    """An unanswerable evidence that says what was understood, what was not (or which named
    course or person the reports do not hold), and an example."""
    named = set(entities.ambiguous_courses)  # said in `missing`, with the courses it may mean
    unclear = [" ".join(w for w in u.split() if w not in named) for u in unclear]
    return Evidence(
        route="unanswerable",
        plan=plan,
        searched=searched,
        understood=understood(entities),
        unclear=[u for u in unclear if u],
        missing=missing(entities, catalog),
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


_AGAINST = ("department mean", "university mean")


def themed(overview: Evidence, comments: Evidence, rated: Evidence | None) -> Evidence:
    """A person or course asked about one theme ("is MATH2331 going too fast?"): what students
    say about it leads, then the rating of the same thing where a question matches the theme
    (against department and university), then the overview's ratings."""
    theme = str(comments.plan.get("theme"))
    facts = []
    if rated is not None and rated.facts:
        head, *rest = rated.facts
        what = head.label.split(", ")[0]
        facts.append(head)
        against = [f for f in rest if f.label in _AGAINST]
        facts += [f.model_copy(update={"label": f"{f.label}, {what}"}) for f in against]
        facts += [f for f in rest if f.label not in _AGAINST and " minus " not in f.label]
    seen = {(f.label, f.value) for f in facts}
    facts += [f for f in overview.facts if (f.label, f.value) not in seen]
    return Evidence(
        route="mixed",
        plan={
            "kind": "mixed",
            "theme": theme,
            "comments": comments.plan,
            "theme_ratings": rated.plan if rated is not None else None,
            "ratings": overview.plan,
        },
        facts=facts,
        quotes=comments.quotes,
        themes=comments.themes,
        searched=f"{comments.searched}; {overview.searched}",
    )
