"""Rankings, comparisons with the department and university, and trends across terms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from psycopg import sql

from core.db import Conn
from rag.answer.analytics.averages import MAX_SECTIONS_LISTED, pooled
from rag.answer.analytics.distributions import hours_prompt
from rag.answer.analytics.facts import (
    as_printed,
    first_named,
    found_evidence,
    how_pooled,
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
from rag.answer.plans import Comparison, Metric, Ranking, Scope, Trend

GROUPS = {
    # what a ranking groups by: its join, its key and its label
    "instructor": (
        sql.SQL(" JOIN section_instructors si ON si.section_id = m.section_id"
                " JOIN instructors i ON i.id = si.instructor_id"),
        sql.SQL("i.id::text"),
        # Two people may share a name (one per subject until merged): the subjects tell them apart.
        sql.SQL("i.first_name || ' ' || i.last_name || CASE WHEN EXISTS (SELECT 1 FROM"
                " instructors i2 WHERE i2.id <> i.id AND i2.first_name = i.first_name AND"
                " i2.last_name = i.last_name) THEN ' (' || (SELECT string_agg(DISTINCT"
                " c2.subject, ', ') FROM section_instructors si2 JOIN sections s2 ON s2.id ="
                " si2.section_id JOIN courses c2 ON c2.id = s2.course_id WHERE si2.instructor_id"
                " = i.id) || ')' ELSE '' END"),
    ),
    "course": (sql.SQL(""), sql.SQL("m.code"), sql.SQL("m.code || ' ' || m.title")),
    "section": (
        sql.SQL(""),
        sql.SQL("m.section_id::text"),
        sql.SQL("m.code || '-' || m.section || ' ' || m.term"),
    ),
    "term": (sql.SQL(""), sql.SQL("m.sort_key::text"), sql.SQL("m.term")),
}  # fmt: skip


def grouped(
    conn: Conn,
    *,
    metric: Metric,
    scope: Scope,
    entity: str,
    min_weight: int,
    order: str,
    limit: int | None,
) -> tuple[list[dict[str, Any]], int]:
    """Values per instructor/course/section, ranked; also how many sections were dropped.

    Sections with fewer than `min_weight` responses are left out. Ties share a rank (RANK over
    the printed two-decimal value) and are ordered by N, then name.
    """
    rows, params = metric_rows(metric, scope)
    join, key, label = GROUPS[entity]
    direction = sql.SQL("DESC" if order == "desc" else "ASC")
    query = sql.SQL(
        "WITH m AS ({rows}), g AS (SELECT {key} AS key, {label} AS label, count(*) AS sections,"
        " sum(m.n)::int AS n, {value} AS value,"
        " array_agg(m.section_id ORDER BY m.section_id) AS ids FROM m{join}"
        " WHERE m.n >= %s GROUP BY 1, 2)"
        " SELECT *, rank() OVER (ORDER BY value {dir}) AS rank,"
        " count(*) OVER (PARTITION BY value) AS tied,"
        " (SELECT count(*) FROM m WHERE m.n < %s) AS dropped"
        " FROM g WHERE value IS NOT NULL ORDER BY value {dir}, n DESC, label, key LIMIT %s"
    ).format(rows=rows, key=key, label=label, join=join, dir=direction, value=value_sql(metric))
    found = conn.execute(query, [*params, min_weight, min_weight, limit]).fetchall()
    dropped = int(found[0]["dropped"]) if found else _dropped(conn, metric, scope, min_weight)
    return [dict(r) for r in found], dropped


def _dropped(conn: Conn, metric: Metric, scope: Scope, min_weight: int) -> int:
    rows, params = metric_rows(metric, scope)
    row = conn.execute(
        sql.SQL("WITH m AS ({rows}) SELECT count(*) AS n FROM m WHERE m.n < %s").format(rows=rows),
        [*params, min_weight],
    ).fetchone()
    return int(row["n"]) if row else 0


def run_ranking(conn: Conn, plan: Ranking) -> Evidence:
    minimum = 0 if plan.include_small else plan.min_responses
    metric = plan.metric
    entity = plan.entity if metric.aggregate != "single" else "section"
    rows, dropped = grouped(
        conn,
        metric=metric,
        scope=plan.scope,
        entity=entity,
        min_weight=minimum,
        order=plan.order,
        limit=plan.limit,
    )
    searched = searched_in(metric, plan.scope)
    note = f"sections with fewer than {minimum} responses left out ({dropped})" if minimum else ""
    if not rows:
        if dropped:
            return no_evidence(
                plan,
                f"{searched}; every matching section has fewer than {minimum} responses,"
                f" and rankings leave those out ({dropped})",
            )
        return no_evidence(plan, why_nothing(conn, metric, plan.scope))
    facts = [
        Fact(
            label=f"#{r['rank']} {r['label']}" + (" (tied)" if r["tied"] > 1 else ""),
            value=as_printed(r["value"]),
            n=n_of(metric, r["n"]) if metric.kind != "section" else r["n"],
            source=source_of(metric, r["ids"]) + (f"; {note}" if note else ""),
        )
        for r in rows
    ]
    if minimum and dropped:
        left_out = f"sections with fewer than {minimum} responses left out"
        facts.append(Fact(label=left_out, value=dropped, n=None, source="sections"))
    return first_named(found_evidence(plan, facts, searched), entity, rows[0])


def _side_by_side(conn: Conn, plan: Comparison, entity: str, keys: list[Any]) -> list[Fact]:
    """Every other rating question and hours per week for each compared person, course or
    section (`keys`, as `grouped` keys them), in the order the reports print the questions."""
    where, params = scope_sql(plan.scope)
    questions = conn.execute(
        sql.SQL(
            "SELECT q.id, q.text FROM question_scores qs JOIN questions q ON q.id = qs.question_id"
            " JOIN sections s ON s.id = qs.section_id JOIN courses c ON c.id = s.course_id"
            " JOIN terms t ON t.id = s.term_id WHERE {where} AND qs.course_mean IS NOT NULL"
            " GROUP BY q.id, q.text ORDER BY min(qs.position), q.id"
        ).format(where=where),
        params,
    ).fetchall()
    metrics = [
        Metric(kind="question", question_id=int(q["id"]), text=q["text"])
        for q in questions
        if int(q["id"]) != plan.metric.question_id
    ]
    prompt = hours_prompt(conn, plan.scope)
    metrics += [Metric(kind="hours", text=prompt)] if prompt is not None else []
    facts = []
    for metric in metrics:
        rows, _ = grouped(
            conn, metric=metric, scope=plan.scope, entity=entity, min_weight=0,
            order="desc", limit=None,
        )  # fmt: skip
        facts += [
            measured(metric, r, f"{r['label']}: {metric.label}")
            for r in sorted(rows, key=lambda r: keys.index(r["key"]) if r["key"] in keys else 99)
            if r["key"] in keys and r["value"] is not None
        ]
    return facts


def run_comparison(conn: Conn, plan: Comparison) -> Evidence:
    metric = plan.metric
    searched = searched_in(metric, plan.scope)
    if plan.between == "sides":
        return _sides(conn, plan)
    if plan.between != "dept_univ":
        entity = {"instructors": "instructor", "courses": "course", "sections": "section"}[
            plan.between
        ]
        rows, _ = grouped(
            conn, metric=metric, scope=plan.scope, entity=entity, min_weight=0,
            order="desc", limit=None,
        )  # fmt: skip
        named = set(plan.scope.instructor_ids) if entity == "instructor" else None
        rows = [r for r in rows if named is None or int(r["key"]) in named]
        if not rows:
            return no_evidence(plan, why_nothing(conn, metric, plan.scope))
        facts = [measured(metric, r, f"{r['label']}: {metric.label}") for r in rows]
        if len(rows) == 2 and None not in (rows[0]["value"], rows[1]["value"]):
            gap = Decimal(rows[0]["value"]) - Decimal(rows[1]["value"])
            facts.append(
                Fact(
                    label=f"difference ({rows[0]['label']} minus {rows[1]['label']})",
                    value=float(gap),
                    n=None,
                    source="difference of the two values above",
                )
            )
        if plan.whole:
            facts += _side_by_side(conn, plan, entity, [r["key"] for r in rows])
        evidence = found_evidence(plan, facts, searched)
        evidence.notes += _without_value(plan, entity, {str(r["key"]) for r in rows})
        return evidence
    if metric.kind != "question" or metric.statistic not in ("mean", "median"):
        return no_evidence(plan, f"{searched}: the reports print department and university"
                              " figures only for means and medians")  # fmt: skip
    if metric.statistic == "median":
        return _median_comparison(conn, plan)
    rows_sql, params = metric_rows(metric, plan.scope)
    parts = [
        sql.SQL(
            "count(*) FILTER (WHERE {col} IS NOT NULL) AS {p}_sections,"
            " sum(weight) FILTER (WHERE {col} IS NOT NULL)::int AS {p}_n,"
            " round(sum({col} * weight) FILTER (WHERE {col} IS NOT NULL)"
            "  / nullif(sum(weight) FILTER (WHERE {col} IS NOT NULL), 0), 2) AS {p}_value,"
            " round((sum(wsum) FILTER (WHERE {col} IS NOT NULL)"
            "  - sum({col} * weight) FILTER (WHERE {col} IS NOT NULL))"
            "  / nullif(sum(weight) FILTER (WHERE {col} IS NOT NULL), 0), 2) AS {p}_diff"
        ).format(col=sql.Identifier(col), p=sql.SQL(prefix))
        for col, prefix in (("dept_mean", "dept"), ("univ_mean", "univ"))
    ]
    row = conn.execute(
        sql.SQL(
            "WITH m AS ({rows}) SELECT count(*) AS sections, sum(weight)::int AS n,"
            " round(sum(wsum) / nullif(sum(weight), 0), 2) AS value,"
            " array_agg(section_id ORDER BY section_id) AS ids, {parts} FROM m"
        ).format(rows=rows_sql, parts=sql.SQL(", ").join(parts)),
        params,
    ).fetchone()
    if row is None or not row["sections"]:
        return no_evidence(plan, why_nothing(conn, metric, plan.scope))
    return found_evidence(plan, dept_univ_facts(metric, plan.scope, row), searched)


def _sides(conn: Conn, plan: Comparison) -> Evidence:
    """Each side's pooled value ("BIOL1111, up to 2023: 3.39"), then their difference."""
    metric, facts, missing = plan.metric, [], []
    for side in plan.sides:
        row = pooled(conn, metric, side)
        if row is None or row["value"] is None:
            missing.append(why_nothing(conn, metric, side))
            continue
        facts.append(measured(metric, row, f"{side.describe()}: {metric.label}"))
    if not facts:
        return no_evidence(plan, "; ".join(missing))
    searched = " and ".join(searched_in(metric, side) for side in plan.sides)
    if missing:  # one side has no data: the other's value, saying so
        evidence = found_evidence(plan, facts, searched)
        evidence.notes += missing
        return evidence
    first, second = facts[0], facts[1]
    if isinstance(first.value, (int, float)) and isinstance(second.value, (int, float)):
        names = _what_differs(plan.sides)
        facts.append(
            Fact(
                label=f"difference ({names[0]} minus {names[1]})",
                value=float(Decimal(str(first.value)) - Decimal(str(second.value))),
                n=None,
                source="difference of the two values above",
            )
        )
    return found_evidence(plan, facts, searched)


def _what_differs(sides: list[Scope]) -> list[str]:
    """Each side in the words that tell it from the other ("up to 2023", "since 2024")."""
    shared: dict[str, list[object]] = {
        name: []
        for name in ("courses", "subjects", "sections", "instructor_ids", "instructor_names")
        if all(getattr(s, name) == getattr(sides[0], name) for s in sides)
    }
    return [side.model_copy(update=shared).describe() for side in sides]


def _without_value(plan: Comparison, entity: str, found: set[str]) -> list[str]:
    """ "CS3500: no hours per week in the matching reports": a course or person compared whose
    reports print no value of the measure (a comparison shows only the others)."""
    scope = plan.scope
    if entity == "course":
        missing = [c for c in scope.courses if c not in found]
    elif entity == "instructor":
        ids: dict[str, list[int]] = {}
        for person, name in zip(scope.instructor_ids, scope.instructor_names, strict=False):
            ids.setdefault(name, []).append(person)
        missing = [n for n, own in ids.items() if not {str(i) for i in own} & found]
    else:
        return []
    return [f"{who}: no {plan.metric.label} in the matching reports" for who in missing]


def dept_univ_facts(metric: Metric, scope: Scope, row: dict[str, Any]) -> list[Fact]:
    """The scope's mean, then the department's and university's over the same sections."""
    table, _ = how_pooled(metric)
    where = scope.describe()
    facts = [
        Fact(
            label=f"{metric.label}, {where} (course mean)",
            value=as_printed(row["value"]),
            n=row["n"],
            source=source_of(metric, row["ids"]),
        )
    ]
    for prefix, name in (("dept", "department"), ("univ", "university")):
        if not row[f"{prefix}_sections"]:
            continue
        missing = row["sections"] - row[f"{prefix}_sections"]
        src = (
            f"{table}: {prefix}_mean of {row[f'{prefix}_sections']} sections weighted by"
            " responses"
            + (f"; {missing} sections without {name} figures (xlsx)" if missing else "")
        )
        facts.append(
            Fact(
                label=f"{name} mean",
                value=as_printed(row[f"{prefix}_value"]),
                n=row[f"{prefix}_n"],
                source=src,
            )
        )
        facts.append(
            Fact(
                label=f"{where} minus {name} mean (same sections)",
                value=as_printed(row[f"{prefix}_diff"]),
                n=row[f"{prefix}_n"],
                source=src,
            )
        )
    return facts


def _median_comparison(conn: Conn, plan: Comparison) -> Evidence:
    """Medians cannot be pooled: each section's printed course, department and university
    medians."""
    rows_sql, params = metric_rows(plan.metric, plan.scope)
    rows = conn.execute(
        sql.SQL(
            "WITH m AS ({rows}) SELECT m.section_id, m.code || '-' || m.section || ' ' || m.term"
            " AS label, m.n, m.course_median, m.dept_median, m.univ_median FROM m"
            " ORDER BY m.sort_key, m.code, m.section"
        ).format(rows=rows_sql),
        params,
    ).fetchall()
    if not rows:
        return no_evidence(plan, why_nothing(conn, plan.metric, plan.scope))
    facts = []
    for r in rows[:MAX_SECTIONS_LISTED]:
        where = "" if len(rows) == 1 else f", {r['label']}"
        for column, name in (
            ("course_median", "course median"),
            ("dept_median", "department median"),
            ("univ_median", "university median"),
        ):
            if r[column] is not None:
                facts.append(
                    Fact(
                        label=f"{name}{where}",
                        value=as_printed(r[column]),
                        n=r["n"] if column == "course_median" else None,
                        source=f"question_scores.{column}:"
                        f" {sections_text([r['section_id']])}; question: {plan.metric.text!r}",
                    )
                )
    return found_evidence(plan, facts, searched_in(plan.metric, plan.scope))


def run_trend(conn: Conn, plan: Trend) -> Evidence:
    metric = plan.metric
    rows_sql, params = metric_rows(metric, plan.scope)
    rows = conn.execute(
        sql.SQL(
            "WITH m AS ({rows}) SELECT m.term, m.sort_key, count(*) AS sections,"
            " sum(m.n)::int AS n, {value} AS value,"
            " array_agg(m.section_id ORDER BY m.section_id) AS ids"
            " FROM m GROUP BY m.term, m.sort_key ORDER BY m.sort_key"
        ).format(rows=rows_sql, value=value_sql(metric)),
        params,
    ).fetchall()
    rows = [r for r in rows if r["value"] is not None]
    searched = searched_in(metric, plan.scope)
    if not rows:
        return no_evidence(plan, why_nothing(conn, metric, plan.scope))
    facts = [
        Fact(
            label=r["term"] + (f" ({r['sections']} sections)" if r["sections"] > 1 else ""),
            value=as_printed(r["value"]),
            n=n_of(metric, r["n"]),
            source=source_of(metric, r["ids"]),
        )
        for r in rows
    ]
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        facts.append(
            Fact(
                label=f"change {first['term']} to {last['term']}",
                value=float(Decimal(last["value"]) - Decimal(first["value"])),
                n=None,
                source="difference of the two printed term values above",
            )
        )
    return found_evidence(plan, facts, searched)
