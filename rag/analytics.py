"""Compiling typed plans to parameterised SQL and turning the rows into facts with their N.

Means across sections are weighted by responses (Σ mean·responses / Σ responses) in exact
numeric arithmetic and rounded half-up to the two decimals the reports print, so every number
can be checked against the reports by hand.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from psycopg import sql

from core.db import Conn
from rag.answers import Evidence, Fact
from rag.entities import Catalog, Entities, MetricIndex, resolve
from rag.plans import (
    Average,
    Comparison,
    Count,
    Distribution,
    HoursPerWeek,
    Metric,
    Plan,
    Ranking,
    Scope,
    Trend,
    Unanswerable,
    intent_of,
    plan_question,
)

WEIGHTED = "Σ course_mean·responses / Σ responses (weighted by responses)"
HOURS_ESTIMATE = "Σ bin midpoint·count / Σ count (estimated from bin midpoints)"
_FROM = sql.SQL(
    " FROM sections s JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
)
_AGREEMENT = ("Strongly Agree", "Agree", "Neutral", "Disagree", "Strongly Disagree")
_EFFECTIVENESS = (
    "Almost Always Effective",
    "Usually Effective",
    "Sometimes Effective",
    "Rarely Effective",
    "Never Effective",
)


def scope_sql(scope: Scope) -> tuple[sql.Composable, list[Any]]:
    """A WHERE condition over s (sections), c (courses), t (terms); values as parameters."""
    parts: list[sql.Composable] = []
    params: list[Any] = []

    def add(fragment: str, value: Any) -> None:
        parts.append(sql.SQL(fragment))
        params.append(value)

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
    if scope.sections:
        add("s.section = ANY(%s)", scope.sections)
    if not parts:
        return sql.SQL("TRUE"), []
    return sql.SQL(" AND ").join(parts), params


def metric_rows(metric: Metric, scope: Scope) -> tuple[sql.Composed, list[Any]]:
    """One row per section: weight (its N) and wsum (value·weight), for exact weighted means."""
    where, params = scope_sql(scope)
    cols = sql.SQL(
        "SELECT s.id AS section_id, s.section, c.code, c.title, t.label AS term, t.sort_key,"
    )
    if metric.kind == "question":
        query = sql.SQL(
            "{cols} qs.responses::numeric AS weight, qs.course_mean * qs.responses AS wsum,"
            " qs.dept_mean, qs.univ_mean FROM question_scores qs"
            " JOIN sections s ON s.id = qs.section_id JOIN courses c ON c.id = s.course_id"
            " JOIN terms t ON t.id = s.term_id WHERE qs.question_id = %s AND qs.responses > 0"
            " AND qs.course_mean IS NOT NULL AND {where}"
        ).format(cols=cols, where=where)
        return query, [metric.question_id, *params]
    query = sql.SQL(
        "{cols} sum(fc.count)::numeric AS weight,"
        " sum((split_part(fc.bin, '-', 1)::numeric + split_part(fc.bin, '-', 2)::numeric)"
        " / 2 * fc.count) AS wsum, NULL::numeric AS dept_mean, NULL::numeric AS univ_mean"
        " FROM frequency_counts fc JOIN sections s ON s.id = fc.section_id"
        " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
        " WHERE fc.prompt = %s AND fc.bin ~ '^[0-9]+-[0-9]+$' AND {where}"
        " GROUP BY s.id, c.id, t.id HAVING sum(fc.count) > 0"
    ).format(cols=cols, where=where)
    return query, [metric.text, *params]


def _num(value: Any) -> float:
    return float(Decimal(value)) if value is not None else float("nan")


def _ids(ids: list[int] | None) -> str:
    ids = ids or []
    shown = ", ".join(str(i) for i in ids[:20])
    return f"sections {shown}" + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")


def _how(metric: Metric) -> tuple[str, str]:
    """The table a metric reads and how its mean is formed, for every Fact's source."""
    if metric.kind == "question":
        return "question_scores", WEIGHTED
    return "frequency_counts", HOURS_ESTIMATE


def _nothing(plan: Plan, what: str) -> Evidence:
    return Evidence(route="unanswerable", plan=plan.model_dump(), searched=what)


def _found(plan: Plan, facts: list[Fact], searched: str) -> Evidence:
    return Evidence(route="quantitative", plan=plan.model_dump(), facts=facts, searched=searched)


def _searched(metric: Metric, scope: Scope) -> str:
    return f"{metric.text!r} in {scope.describe()}"


# ---------------------------------------------------------------- plans


def _average(conn: Conn, plan: Average) -> Evidence:
    rows, params = metric_rows(plan.metric, plan.scope)
    row = conn.execute(
        sql.SQL(
            "WITH m AS ({rows}) SELECT count(*) AS sections, sum(weight)::int AS n,"
            " round(sum(wsum) / nullif(sum(weight), 0), 2) AS value,"
            " array_agg(section_id ORDER BY section_id) AS ids FROM m"
        ).format(rows=rows),
        params,
    ).fetchone()
    searched = _searched(plan.metric, plan.scope)
    if row is None or not row["sections"]:
        return _nothing(plan, searched)
    table, how = _how(plan.metric)
    label = f"{plan.scope.describe()}: {plan.metric.text}"
    return Evidence(
        route="quantitative",
        plan=plan.model_dump(),
        searched=searched,
        facts=[
            Fact(
                label=f"{label} (mean over {row['sections']} sections)",
                value=_num(row["value"]),
                n=row["n"],
                source=f"{table}: {_ids(row['ids'])}; {how}",
            ),
            Fact(label="sections", value=row["sections"], n=row["n"], source=table),
        ],
    )


_GROUPS = {
    "instructor": (
        sql.SQL(" JOIN section_instructors si ON si.section_id = m.section_id"
                " JOIN instructors i ON i.id = si.instructor_id"),
        sql.SQL("i.id::text"),
        sql.SQL("i.first_name || ' ' || i.last_name"),
    ),
    "course": (sql.SQL(""), sql.SQL("m.code"), sql.SQL("m.code || ' ' || m.title")),
    "section": (
        sql.SQL(""),
        sql.SQL("m.section_id::text"),
        sql.SQL("m.code || '-' || m.section || ' ' || m.term"),
    ),
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
    """Weighted means per instructor/course/section, ranked; also how many sections were dropped.

    Ties share a rank (RANK over the printed two-decimal value) and are ordered by N, then name.
    """
    rows, params = metric_rows(metric, scope)
    join, key, label = _GROUPS[entity]
    direction = sql.SQL("DESC" if order == "desc" else "ASC")
    query = sql.SQL(
        "WITH m AS ({rows}), g AS (SELECT {key} AS key, {label} AS label, count(*) AS sections,"
        " sum(m.weight)::int AS n, round(sum(m.wsum) / sum(m.weight), 2) AS value,"
        " array_agg(m.section_id ORDER BY m.section_id) AS ids FROM m{join}"
        " WHERE m.weight >= %s GROUP BY 1, 2)"
        " SELECT *, rank() OVER (ORDER BY value {dir}) AS rank,"
        " count(*) OVER (PARTITION BY value) AS tied,"
        " (SELECT count(*) FROM m WHERE m.weight < %s) AS dropped"
        " FROM g ORDER BY value {dir}, n DESC, label, key LIMIT %s"
    ).format(rows=rows, key=key, label=label, join=join, dir=direction)
    found = conn.execute(query, [*params, min_weight, min_weight, limit]).fetchall()
    dropped = int(found[0]["dropped"]) if found else _dropped(conn, metric, scope, min_weight)
    return [dict(r) for r in found], dropped


def _dropped(conn: Conn, metric: Metric, scope: Scope, min_weight: int) -> int:
    rows, params = metric_rows(metric, scope)
    row = conn.execute(
        sql.SQL("WITH m AS ({rows}) SELECT count(*) AS n FROM m WHERE weight < %s").format(
            rows=rows
        ),
        [*params, min_weight],
    ).fetchone()
    return int(row["n"]) if row else 0


def _ranking(conn: Conn, plan: Ranking) -> Evidence:
    minimum = 0 if plan.include_small else plan.min_responses
    rows, dropped = grouped(
        conn,
        metric=plan.metric,
        scope=plan.scope,
        entity=plan.entity,
        min_weight=minimum,
        order=plan.order,
        limit=plan.limit,
    )
    searched = _searched(plan.metric, plan.scope)
    note = f"sections with fewer than {minimum} responses left out ({dropped})" if minimum else ""
    if not rows:
        return _nothing(plan, searched + (f"; {note}" if dropped else ""))
    table, how = _how(plan.metric)
    facts = [
        Fact(
            label=f"#{r['rank']} {r['label']}: {plan.metric.text}"
            + (" (tied)" if r["tied"] > 1 else ""),
            value=_num(r["value"]),
            n=r["n"],
            source=f"{table}: {_ids(r['ids'])}; {how}" + (f"; {note}" if note else ""),
        )
        for r in rows
    ]
    if minimum:
        facts.append(Fact(label=note, value=dropped, n=None, source=table))
    return _found(plan, facts, searched)


def _comparison(conn: Conn, plan: Comparison) -> Evidence:
    searched = _searched(plan.metric, plan.scope)
    table, how = _how(plan.metric)
    if plan.between != "dept_univ":
        entity = "instructor" if plan.between == "instructors" else "course"
        rows, _ = grouped(
            conn, metric=plan.metric, scope=plan.scope, entity=entity, min_weight=0,
            order="desc", limit=None,
        )  # fmt: skip
        named = set(plan.scope.instructor_ids) if entity == "instructor" else None
        rows = [r for r in rows if named is None or int(r["key"]) in named]
        if not rows:
            return _nothing(plan, searched)
        facts = [
            Fact(
                label=f"{r['label']}: {plan.metric.text}",
                value=_num(r["value"]),
                n=r["n"],
                source=f"{table}: {_ids(r['ids'])}; {how}",
            )
            for r in rows
        ]
        return Evidence(
            route="quantitative", plan=plan.model_dump(), facts=facts, searched=searched
        )
    rows_sql, params = metric_rows(plan.metric, plan.scope)
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
        return _nothing(plan, searched)
    scope = plan.scope.describe()
    facts = [
        Fact(
            label=f"{scope}: {plan.metric.text} (course mean)",
            value=_num(row["value"]),
            n=row["n"],
            source=f"{table}: {_ids(row['ids'])}; {how}",
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
            Fact(label=f"{name} mean", value=_num(row[f"{prefix}_value"]), n=row[f"{prefix}_n"],
                 source=src)
        )  # fmt: skip
        facts.append(
            Fact(
                label=f"{scope} minus {name} mean (same sections)",
                value=_num(row[f"{prefix}_diff"]),
                n=row[f"{prefix}_n"],
                source=src,
            )
        )
    return _found(plan, facts, searched)


def _trend(conn: Conn, plan: Trend) -> Evidence:
    rows_sql, params = metric_rows(plan.metric, plan.scope)
    rows = conn.execute(
        sql.SQL(
            "WITH m AS ({rows}) SELECT term, sort_key, count(*) AS sections,"
            " sum(weight)::int AS n, round(sum(wsum) / sum(weight), 2) AS value,"
            " array_agg(section_id ORDER BY section_id) AS ids"
            " FROM m GROUP BY term, sort_key ORDER BY sort_key"
        ).format(rows=rows_sql),
        params,
    ).fetchall()
    searched = _searched(plan.metric, plan.scope)
    if not rows:
        return _nothing(plan, searched)
    table, how = _how(plan.metric)
    facts = [
        Fact(
            label=f"{r['term']}: {plan.metric.text} ({r['sections']} sections)",
            value=_num(r["value"]),
            n=r["n"],
            source=f"{table}: {_ids(r['ids'])}; {how}",
        )
        for r in rows
    ]
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        facts.append(
            Fact(
                label=f"change {first['term']} to {last['term']}",
                value=float(Decimal(last["value"]) - Decimal(first["value"])),
                n=first["n"] + last["n"],
                source="difference of the two printed term means above",
            )
        )
    return _found(plan, facts, searched)


def _distribution(conn: Conn, plan: Distribution) -> Evidence:
    searched = _searched(plan.metric, plan.scope)
    if plan.metric.kind != "question":
        return _hours(conn, HoursPerWeek(prompt=plan.metric.text, scope=plan.scope))
    where, params = scope_sql(plan.scope)
    row = conn.execute(
        sql.SQL(
            "SELECT count(*) AS sections,"
            " count(*) FILTER (WHERE qs.dist_5 IS NOT NULL) AS with_dist,"
            " sum(qs.dist_5) AS d5, sum(qs.dist_4) AS d4, sum(qs.dist_3) AS d3,"
            " sum(qs.dist_2) AS d2, sum(qs.dist_1) AS d1, sum(qs.dist_na) AS dna,"
            " array_agg(s.id ORDER BY s.id) FILTER (WHERE qs.dist_5 IS NOT NULL) AS ids"
            " FROM question_scores qs JOIN sections s ON s.id = qs.section_id"
            " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
            " WHERE qs.question_id = %s AND {where}"
        ).format(where=where),
        [plan.metric.question_id, *params],
    ).fetchone()
    if row is None or not row["sections"]:
        return _nothing(plan, searched)
    if not row["with_dist"]:
        return _nothing(
            plan,
            f"{searched}: {row['sections']} sections matched, but their reports (CollegeNET PDFs)"
            " print no per-option counts",
        )
    names = _EFFECTIVENESS if "effectiveness" in plan.metric.text.lower() else _AGREEMENT
    answered = sum(int(row[f"d{k}"]) for k in (5, 4, 3, 2, 1))
    left_out = row["sections"] - row["with_dist"]
    src = f"question_scores: dist_5..dist_na summed over {_ids(row['ids'])}" + (
        f"; {left_out} sections without per-option counts (CollegeNET PDFs) left out"
        if left_out
        else ""
    )
    facts = [
        Fact(label=f"{k} ({name})", value=int(row[f"d{k}"]), n=answered, source=src)
        for k, name in zip((5, 4, 3, 2, 1), names, strict=True)
    ]
    facts.append(Fact(label="N/A", value=int(row["dna"]), n=answered, source=src))
    return _found(plan, facts, searched)


def _count(conn: Conn, plan: Count) -> Evidence:
    where, params = scope_sql(plan.scope)
    searched = f"{plan.what} in {plan.scope.describe()}"
    extra = {
        "sections": sql.SQL("count(DISTINCT s.id) AS value"),
        "instructors": sql.SQL(
            "(SELECT count(DISTINCT si.instructor_id) FROM section_instructors si"
            " WHERE si.section_id = ANY(array_agg(s.id))) AS value"
        ),
        "responses": sql.SQL(
            "sum(s.responses_incl_declines)::int AS value, sum(s.declines)::int AS declines"
        ),
        "comments": sql.SQL(
            "(SELECT count(*) FROM comments m WHERE m.section_id = ANY(array_agg(s.id))) AS value"
        ),
    }[plan.what]
    row = conn.execute(
        sql.SQL(
            "SELECT count(*) AS sections, array_agg(s.id ORDER BY s.id) AS ids, {extra}"
            "{from} WHERE {where}"
        ).format(extra=extra, where=where, **{"from": _FROM}),
        params,
    ).fetchone()
    if row is None or not row["sections"]:
        return _nothing(plan, searched)
    table = {"comments": "comments", "instructors": "section_instructors"}.get(
        plan.what, "sections"
    )
    facts = [
        Fact(
            label=f"{plan.what} in {plan.scope.describe()}",
            value=int(row["value"] or 0),
            n=row["sections"],
            source=f"{table}: {_ids(row['ids'])}",
        )
    ]
    if plan.what == "responses" and row["declines"] is not None:
        facts.append(
            Fact(label="of which declined", value=int(row["declines"]), n=row["sections"],
                 source="sections.declines (Blue reports print none)")
        )  # fmt: skip
    return _found(plan, facts, searched)


def _hours(conn: Conn, plan: HoursPerWeek) -> Evidence:
    where, params = scope_sql(plan.scope)
    searched = f"{plan.prompt!r} in {plan.scope.describe()}"
    rows = conn.execute(
        sql.SQL(
            "SELECT fc.bin, min(fc.position) AS position, sum(fc.count)::int AS count,"
            " array_agg(DISTINCT s.id) AS ids FROM frequency_counts fc"
            " JOIN sections s ON s.id = fc.section_id JOIN courses c ON c.id = s.course_id"
            " JOIN terms t ON t.id = s.term_id WHERE fc.prompt = %s AND {where}"
            " GROUP BY fc.bin ORDER BY position, fc.bin"
        ).format(where=where),
        [plan.prompt, *params],
    ).fetchall()
    if not rows or not sum(r["count"] for r in rows):
        return _nothing(plan, searched)
    ids = sorted({i for r in rows for i in r["ids"]})
    total = sum(r["count"] for r in rows)
    src = f"frequency_counts: {_ids(ids)}; counts summed per bin"
    facts = [
        Fact(label=f"{r['bin']} hours per week", value=r["count"], n=total, source=src)
        for r in rows
    ]
    mean = _average(conn, Average(metric=Metric(kind="hours", text=plan.prompt), scope=plan.scope))
    if mean.route == "quantitative":
        estimate = mean.facts[0]
        facts.append(
            Fact(label="estimated mean hours per week", value=estimate.value, n=estimate.n,
                 source=estimate.source)
        )  # fmt: skip
    return _found(plan, facts, searched)


def run_plan(conn: Conn, *, plan: Plan) -> Evidence:
    """Run one typed plan; no matching rows gives route "unanswerable" naming what was sought."""
    if isinstance(plan, Ranking):
        return _ranking(conn, plan)
    if isinstance(plan, Average):
        return _average(conn, plan)
    if isinstance(plan, Comparison):
        return _comparison(conn, plan)
    if isinstance(plan, Trend):
        return _trend(conn, plan)
    if isinstance(plan, Distribution):
        return _distribution(conn, plan)
    if isinstance(plan, Count):
        return _count(conn, plan)
    return _hours(conn, plan)


def quantitative_evidence(
    conn: Conn,
    *,
    question: str,
    catalog: Catalog,
    metric_index: MetricIndex,
    previous: Entities | None = None,
) -> tuple[Evidence, Entities]:
    """Question in, evidence and the resolved entities out (keep them for the next turn)."""
    entities = resolve(question, catalog, metric_index=metric_index, previous=previous)
    plan = plan_question(question, entities)
    if isinstance(plan, Unanswerable):
        return Evidence(
            route="unanswerable", plan=plan.model_dump(), searched=plan.reason
        ), entities
    evidence = run_plan(conn, plan=plan)
    return evidence, entities.model_copy(update={"intent": intent_of(plan)})
