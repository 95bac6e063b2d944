"""Turning rows into facts with their N and source, and saying why nothing was found."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from psycopg import sql

from core.db import Conn
from rag.answer.analytics.sql import HOURS_ESTIMATE, WEIGHTED, scope_sql
from rag.answer.answers import Evidence, Fact
from rag.answer.plans import Metric, Plan, Scope


def as_printed(value: Any) -> float | int:
    """A value as the reports print it: counts stay integers, means and rates are decimals."""
    if value is None:
        return float("nan")
    number = Decimal(value)
    exponent = number.as_tuple().exponent
    return int(number) if isinstance(exponent, int) and exponent >= 0 else float(number)


def sections_text(ids: list[int] | None) -> str:
    ids = ids or []
    shown = ", ".join(str(i) for i in ids[:20])
    return f"sections {shown}" + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")


def how_pooled(metric: Metric) -> tuple[str, str]:
    """The table a metric reads and how its value is formed, for every Fact's source."""
    if metric.kind == "hours":
        return "frequency_counts", HOURS_ESTIMATE
    if metric.kind == "section":
        if metric.is_rate:
            return "sections", RATE
        return "sections", f"sections.{_COLUMN[metric.figure or 'responses']} summed"
    if metric.statistic == "mean":
        return "question_scores", WEIGHTED
    if metric.statistic == "response_rate":
        return "question_scores", "Σ responses / Σ enrollment (pooled)"
    if metric.statistic == "responses":
        return "question_scores", "responses summed"
    return "question_scores", f"the printed {metric.statistic.replace('_', ' ')} of one section"


_COLUMN = {
    "enrollment": "enrollment",
    "responses": "responses_incl_declines",
    "declines": "declines",
    "respondents": "responses_incl_declines − declines",
    "response_rate": "responses",
}


RATE = "Σ (responses_incl_declines − declines) / Σ enrollment (pooled)"


def source_of(metric: Metric, ids: list[int] | None) -> str:
    table, how = how_pooled(metric)
    text = f"; question: {metric.text!r}" if metric.kind == "question" else ""
    return f"{table}: {sections_text(ids)}; {how}{text}"


def no_evidence(plan: Plan, what: str) -> Evidence:
    return Evidence(route="unanswerable", plan=plan.model_dump(), searched=what)


def found_evidence(plan: Plan, facts: list[Fact], searched: str) -> Evidence:
    return Evidence(route="quantitative", plan=plan.model_dump(), facts=facts, searched=searched)


def searched_all(metric: Metric, scope: Scope) -> str:
    return f"{metric.label} ({metric.text!r})" if metric.kind == "question" else metric.label


def searched_in(metric: Metric, scope: Scope) -> str:
    return f"{searched_all(metric, scope)} in {scope.describe()}"


def measured(metric: Metric, row: Mapping[str, Any], label: str) -> Fact:
    """A pooled row as a fact: its value as printed, its N and the sections it came from."""
    return Fact(
        label=label,
        value=as_printed(row["value"]),
        n=n_of(metric, row["n"]),
        source=source_of(metric, row["ids"]),
    )


def first_named(evidence: Evidence, entity: str, row: Mapping[str, Any]) -> Evidence:
    """The evidence naming the one a ranking put first, untied (whom "her", "there" or "is there
    praise to cite?" mean next)."""
    if row["tied"] == 1 and entity == "instructor":
        evidence.answered = [int(row["key"])]
    elif row["tied"] == 1 and entity == "course":
        evidence.answered_course = str(row["key"])
    return evidence


def n_of(metric: Metric, n: Any) -> int | None:
    """A fact's N: the responses behind it (a mean, a rate, hours), none for plain counts."""
    if n is None or (metric.kind == "section" and not metric.is_rate):
        return None
    return int(n)


def why_nothing(conn: Conn, metric: Metric, scope: Scope) -> str:
    """Why a metric found no rows: no section in the scope, or sections whose reports do not
    print it (named with their layout), so the decline says which."""
    where, params = scope_sql(scope)
    row = conn.execute(
        sql.SQL(
            "SELECT count(*) AS n, array_agg(DISTINCT r.layout) AS layouts"
            " FROM sections s JOIN courses c ON c.id = s.course_id"
            " JOIN terms t ON t.id = s.term_id JOIN reports r ON r.id = s.report_id WHERE {w}"
        ).format(w=where),
        params,
    ).fetchone()
    searched = searched_in(metric, scope)
    if row is None or not row["n"]:
        return f"{searched}: no section of the reports matches {scope.describe()}"
    layouts = ", ".join(sorted(x for x in row["layouts"] if x))
    noun = "section" if row["n"] == 1 else "sections"
    return (
        f"{searched}: {row['n']} {noun} matched, but their reports"
        f"{f' ({layouts})' if layouts else ''} print no {metric.label.removesuffix(' of ').strip()}"
    )
