"""Means weighted by responses: the one weighted mean, and the grouped question means that the
dashboards chart and open answers list."""

from __future__ import annotations

from typing import Any

from psycopg import sql

from core.db import Conn

# Allowed grouping columns: names the caller may ask for, never SQL it passes in.
_GROUPS: dict[str, str] = {
    "question": "q.text",
    "term": "t.label",
    "sort_key": "t.sort_key",
    "course_code": "c.code",
    "course_title": "c.title",
    "section": "s.section",
}
_FROM = (
    " FROM question_scores qs JOIN questions q ON q.id = qs.question_id"
    " JOIN sections s ON s.id = qs.section_id JOIN courses c ON c.id = s.course_id"
    " JOIN terms t ON t.id = s.term_id"
)


def weighted_mean(total: str, weight: str, *, where: str | None = None) -> str:
    """The one weighted mean: Σ total / Σ weight, rounded half-up to the two decimals the reports
    print (SQL over numeric columns, so exact); `where` keeps only the rows that print a value.
    Answers (rag.answer.analytics.sql) and dashboards both use it: charts and chat never disagree.
    """
    only = f" FILTER (WHERE {where})" if where else ""
    return f"round(sum({total}){only} / nullif(sum({weight}){only}, 0), 2)"


def _weighted(column: str) -> str:
    """Exact weighted mean of one score column over the sections that print it."""
    has = f"qs.{column} IS NOT NULL AND qs.responses > 0"
    mean = weighted_mean(f"qs.{column} * qs.responses", "qs.responses", where=has)
    return f"{mean}::float8 AS {column}"


def score_means(
    conn: Conn, *, where: sql.Composable, params: list[Any], by: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Weighted course/dept/univ means, responses, sections and summed distribution per group."""
    keys = [sql.SQL(_GROUPS[name] + " AS " + name) for name in by]
    group = [sql.SQL(_GROUPS[name]) for name in by]
    query = sql.SQL(
        "SELECT {keys}, min(qs.position) AS position, min(qs.heading) AS heading,"
        " count(*) AS sections, coalesce(sum(qs.responses), 0)::int AS responses,"
        + ", ".join(_weighted(c) for c in ("course_mean", "dept_mean", "univ_mean"))
        + ", count(qs.dist_5) AS dist_sections"
        + "".join(f", sum(qs.dist_{b})::int AS d{b}" for b in ("5", "4", "3", "2", "1", "na"))
        + _FROM
        + " WHERE {where} GROUP BY {group} ORDER BY {order}"
    ).format(
        keys=sql.SQL(", ").join(keys),
        where=where,
        group=sql.SQL(", ").join(group),
        order=sql.SQL(", ").join([*group[:-1], sql.SQL("min(qs.position)"), group[-1]]),
    )
    out = []
    for row in conn.execute(query, params).fetchall():
        dist = None
        if row.pop("dist_sections"):
            dist = {b: row[f"d{b}"] or 0 for b in ("5", "4", "3", "2", "1", "na")}
        for b in ("5", "4", "3", "2", "1", "na"):
            row.pop(f"d{b}")
        out.append({**row, "distribution": dist})
    return out
