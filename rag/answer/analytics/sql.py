"""Plans compiled to parameterised SQL: the scope, the rows per section, and how they pool.

Means across sections are weighted by responses (Σ mean·responses / Σ responses) in exact
numeric arithmetic and rounded half-up to the two decimals the reports print: one weighted mean
(`weighted_mean`), which the dashboards use too, so charts and chat never disagree."""

from __future__ import annotations

from typing import Any

from psycopg import sql

from rag.answer.analytics.means import weighted_mean
from rag.answer.plans import DEFAULT_MIN_RESPONSES, Metric, Scope

WEIGHTED = "Σ course_mean·responses / Σ responses (weighted by responses)"


HOURS_ESTIMATE = "Σ bin midpoint·count / Σ count (estimated from bin midpoints)"


SECTIONS_FROM = sql.SQL(
    " FROM sections s JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
)


def scope_sql(scope: Scope) -> tuple[sql.Composable, list[Any]]:
    """A WHERE condition over s (sections), c (courses), t (terms); values as parameters.

    Always of one source: a survey's rating columns are never pooled with TRACE's numbers."""
    parts: list[sql.Composable] = []
    params: list[Any] = []

    def add(fragment: str, value: Any) -> None:
        parts.append(sql.SQL(fragment))
        params.append(value)

    add("s.source_type = %s", scope.source)

    if scope.courses:
        add("c.code = ANY(%s)", scope.courses)
    if scope.subjects:
        add("c.subject = ANY(%s)", scope.subjects)
    if scope.instructor_ids:
        add(
            "EXISTS (SELECT 1 FROM section_instructors si0 WHERE si0.section_id = s.id"
            " AND si0.instructor_id = ANY(%s))",
            scope.instructor_ids,
        )
    if scope.terms:
        add("t.label = ANY(%s)", scope.terms)
    if scope.term_from is not None:
        add("t.sort_key >= %s", scope.term_from)
    if scope.term_to is not None:
        add("t.sort_key <= %s", scope.term_to)
    if scope.seasons:
        add("t.season = ANY(%s)", scope.seasons)
    if scope.exclude_seasons:
        add("NOT t.season = ANY(%s)", scope.exclude_seasons)
    if scope.exclude_small:  # "leaving out the small section": its respondents
        add("s.responses_incl_declines - coalesce(s.declines, 0) >= %s", DEFAULT_MIN_RESPONSES)
    if scope.sections:
        add("s.section = ANY(%s)", scope.sections)
    if scope.exclude_courses:
        add("NOT c.code = ANY(%s)", scope.exclude_courses)
    if scope.exclude_subjects:
        add("NOT c.subject = ANY(%s)", scope.exclude_subjects)
    if scope.exclude_sections:
        add("NOT s.section = ANY(%s)", scope.exclude_sections)
    if scope.exclude_instructor_ids:
        add(
            "NOT EXISTS (SELECT 1 FROM section_instructors si1 WHERE si1.section_id = s.id"
            " AND si1.instructor_id = ANY(%s))",
            scope.exclude_instructor_ids,
        )
    return sql.SQL(" AND ").join(parts), params


_QUESTION_STAT = {
    # statistic: (weight, weighted sum, row filter)
    "mean": (
        "qs.responses::numeric",
        "qs.course_mean * qs.responses",
        "qs.responses > 0 AND qs.course_mean IS NOT NULL",
    ),
    "median": ("1::numeric", "qs.course_median", "qs.course_median IS NOT NULL"),
    "std_dev": ("1::numeric", "qs.std_dev", "qs.std_dev IS NOT NULL"),
    "responses": ("1::numeric", "qs.responses::numeric", "qs.responses IS NOT NULL"),
    "response_rate": (
        "s.enrollment::numeric",
        "qs.responses::numeric",
        "qs.responses IS NOT NULL AND s.enrollment > 0",
    ),
}


_RESPONDENTS = "(s.responses_incl_declines - coalesce(s.declines, 0))"


_SECTION_FIGURE = {
    "enrollment": ("1::numeric", "s.enrollment::numeric", "s.enrollment IS NOT NULL"),
    "responses": (
        "1::numeric",
        "s.responses_incl_declines::numeric",
        "s.responses_incl_declines IS NOT NULL",
    ),
    "declines": ("1::numeric", "s.declines::numeric", "s.declines IS NOT NULL"),
    "respondents": (
        "1::numeric",
        f"{_RESPONDENTS}::numeric",
        "s.responses_incl_declines IS NOT NULL",
    ),
    "response_rate": (
        "s.enrollment::numeric",
        f"{_RESPONDENTS}::numeric",
        "s.enrollment > 0 AND s.responses_incl_declines IS NOT NULL",
    ),
}


def metric_rows(metric: Metric, scope: Scope) -> tuple[sql.Composed, list[Any]]:
    """One row per section: weight and wsum (value·weight) for exact pooled values, and n, the
    responses behind it (what rankings hold to a minimum)."""
    where, params = scope_sql(scope)
    cols = sql.SQL(
        "SELECT s.id AS section_id, s.section, c.code, c.title, t.label AS term, t.sort_key,"
    )
    if metric.kind == "question":
        weight, wsum, keep = _QUESTION_STAT[metric.statistic]
        query = sql.SQL(
            "{cols} {weight} AS weight, {wsum} AS wsum, qs.responses AS n,"
            " qs.dept_mean, qs.univ_mean, qs.course_median, qs.dept_median, qs.univ_median"
            " FROM question_scores qs JOIN sections s ON s.id = qs.section_id"
            " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
            " WHERE qs.question_id = %s AND {keep} AND {where}"
        ).format(
            cols=cols, weight=sql.SQL(weight), wsum=sql.SQL(wsum), keep=sql.SQL(keep), where=where
        )
        return query, [metric.question_id, *params]
    if metric.kind == "section":
        weight, wsum, keep = _SECTION_FIGURE[metric.figure or "responses"]
        query = sql.SQL(
            "{cols} {weight} AS weight, {wsum} AS wsum, {n} AS n, NULL::numeric AS dept_mean,"
            " NULL::numeric AS univ_mean, NULL::numeric AS course_median,"
            " NULL::numeric AS dept_median, NULL::numeric AS univ_median"
            " FROM sections s JOIN courses c ON c.id = s.course_id"
            " JOIN terms t ON t.id = s.term_id WHERE {keep} AND {where}"
        ).format(
            cols=cols,
            weight=sql.SQL(weight),
            wsum=sql.SQL(wsum),
            n=sql.SQL(_RESPONDENTS),
            keep=sql.SQL(keep),
            where=where,
        )
        return query, params
    query = sql.SQL(
        "{cols} sum(fc.count)::numeric AS weight,"
        " sum((split_part(fc.bin, '-', 1)::numeric + split_part(fc.bin, '-', 2)::numeric)"
        " / 2 * fc.count) AS wsum, sum(fc.count)::int AS n, NULL::numeric AS dept_mean,"
        " NULL::numeric AS univ_mean, NULL::numeric AS course_median,"
        " NULL::numeric AS dept_median, NULL::numeric AS univ_median"
        " FROM frequency_counts fc JOIN sections s ON s.id = fc.section_id"
        " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
        " WHERE fc.prompt = %s AND fc.bin ~ '^[0-9]+-[0-9]+$' AND {where}"
        " GROUP BY s.id, c.id, t.id HAVING sum(fc.count) > 0"
    ).format(cols=cols, where=where)
    return query, [metric.text, *params]


def value_sql(metric: Metric, alias: str = "m") -> sql.Composable:
    """How the sections' rows pool into one value: a weighted mean or rate rounded half-up to
    two decimals, a sum, or (median, std dev) the one section's printed value."""
    m = sql.Identifier(alias)
    if metric.aggregate == "weighted":
        return sql.SQL(weighted_mean("{m}.wsum", "{m}.weight")).format(m=m)
    if metric.aggregate == "sum":
        return sql.SQL("sum({m}.wsum)").format(m=m)
    return sql.SQL("CASE WHEN count(*) = 1 THEN min({m}.wsum) END").format(m=m)
