"""Averages: one pooled value over the scope's sections, with per-section values and medians."""

from __future__ import annotations

from typing import Any

from psycopg import sql

from core.db import Conn
from rag.answer.analytics.facts import (
    as_printed,
    found_evidence,
    measured,
    n_of,
    no_evidence,
    searched_in,
    sections_text,
    source_of,
    why_nothing,
)
from rag.answer.analytics.sql import metric_rows, scope_sql, value_sql
from rag.answer.answers import Evidence, Fact
from rag.answer.plans import Average, Metric, Scope


def pooled(conn: Conn, metric: Metric, scope: Scope) -> dict[str, Any] | None:
    """The scope's sections pooled: how many, their N, the weighted value and their ids."""
    rows, params = metric_rows(metric, scope)
    row = conn.execute(
        sql.SQL(
            "WITH m AS ({rows}) SELECT count(*) AS sections, sum(m.n)::int AS n,"
            " {value} AS value, array_agg(m.section_id ORDER BY m.section_id) AS ids FROM m"
        ).format(rows=rows, value=value_sql(metric)),
        params,
    ).fetchone()
    return dict(row) if row is not None and row["sections"] else None


def _per_section(conn: Conn, metric: Metric, scope: Scope) -> list[dict[str, Any]]:
    rows, params = metric_rows(metric, scope)
    return [
        dict(r)
        for r in conn.execute(
            sql.SQL(
                "WITH m AS ({rows}) SELECT m.code || '-' || m.section || ' ' || m.term AS label,"
                " m.section_id, m.n, {value} AS value FROM m"
                " GROUP BY m.section_id, m.code, m.section, m.term, m.sort_key, m.n"
                " ORDER BY m.sort_key, m.code, m.section"
            ).format(rows=rows, value=value_sql(metric)),
            params,
        ).fetchall()
    ]


MAX_SECTIONS_LISTED = 12


def run_average(conn: Conn, plan: Average) -> Evidence:
    metric, scope = plan.metric, plan.scope
    row = pooled(conn, metric, scope)
    if row is None:
        return no_evidence(plan, why_nothing(conn, metric, scope))
    where = scope.describe()
    facts: list[Fact] = []
    if row["value"] is not None:
        over = f" ({row['sections']} sections)" if row["sections"] > 1 else ""
        facts.append(measured(metric, row, f"{metric.label}, {where}{over}"))
    if metric.kind == "section" and metric.figure in ("responses", "respondents"):
        facts += _response_figures(conn, metric, scope)
    if row["value"] is None and metric.statistic == "median":
        median = _pooled_median(conn, metric, scope)
        if median is not None:
            facts.append(median)
    if row["sections"] > 1 and (row["value"] is None or metric.kind == "section"):
        for r in _per_section(conn, metric, scope)[:MAX_SECTIONS_LISTED]:
            facts.append(
                Fact(
                    label=f"{metric.label}, {r['label']}",
                    value=as_printed(r["value"]),
                    n=n_of(metric, r["n"]),
                    source=source_of(metric, [r["section_id"]]),
                )
            )
    if metric.kind != "section":
        facts.append(
            Fact(
                label="sections", value=row["sections"], n=n_of(metric, row["n"]), source="sections"
            )
        )
    return found_evidence(plan, facts, searched_in(metric, scope))


def _pooled_median(conn: Conn, metric: Metric, scope: Scope) -> Fact | None:
    """The median of several sections' answers, from their summed per-option counts, when every
    section prints them (a median of medians would not be one)."""
    where, params = scope_sql(scope)
    row = conn.execute(
        sql.SQL(
            "SELECT count(*) AS sections, count(qs.dist_5) AS counted,"
            " array_agg(s.id ORDER BY s.id) AS ids,"
            + ", ".join(f"sum(qs.dist_{k})::int AS d{k}" for k in "54321")
            + " FROM question_scores qs JOIN sections s ON s.id = qs.section_id"
            " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
            " WHERE qs.question_id = %s AND qs.course_median IS NOT NULL AND {where}"
        ).format(where=where),
        [metric.question_id, *params],
    ).fetchone()
    if row is None or not row["sections"] or row["counted"] != row["sections"]:
        return None
    counts = [(k, int(row[f"d{k}"] or 0)) for k in (1, 2, 3, 4, 5)]
    total = sum(c for _, c in counts)
    if not total:
        return None
    ordered = [k for k, c in counts for _ in range(c)]
    middle = total // 2
    value = ordered[middle] if total % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return Fact(
        label=f"{metric.label}, {scope.describe()} ({row['sections']} sections, pooled answers)",
        value=float(value),
        n=total,
        source="question_scores: dist_1..dist_5 summed over"
        f" {sections_text(row['ids'])}; the middle answer (the mean of the two middle answers"
        " for an even count)",
    )


def _response_figures(conn: Conn, asked: Metric, scope: Scope) -> list[Fact]:
    """With responses, the other printed counts of the same sections: declines and the
    responses without them (a report prints responses including declines)."""
    out = []
    for figure in ("declines", "respondents", "responses"):
        if figure == asked.figure:
            continue
        metric = Metric(kind="section", text=figure, figure=figure)
        row = pooled(conn, metric, scope)
        if row is not None and row["value"] is not None:
            out.append(
                Fact(
                    label=f"{metric.label}, {scope.describe()}",
                    value=as_printed(row["value"]),
                    n=None,
                    source=source_of(metric, row["ids"])
                    + ("; Blue reports print no declines" if figure == "declines" else ""),
                )
            )
    return out
