"""Compiling typed plans to parameterised SQL and turning the rows into facts with their N.

Means across sections are weighted by responses (Σ mean·responses / Σ responses) in exact
numeric arithmetic and rounded half-up to the two decimals the reports print, so every number
can be checked against the reports by hand.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from psycopg import sql

from core.db import Conn
from rag.answers import Evidence, Fact
from rag.dashboards import score_means
from rag.entities import Catalog, Entities, MetricIndex, resolve
from rag.plans import (
    Average,
    Comparison,
    Count,
    Distribution,
    HoursPerWeek,
    Metric,
    Overview,
    Plan,
    Ranking,
    Scope,
    Trend,
    Unanswerable,
    intent_of,
    plan_question,
    short_label,
)
from rag.vocabulary import scale_of

WEIGHTED = "Σ course_mean·responses / Σ responses (weighted by responses)"
HOURS_ESTIMATE = "Σ bin midpoint·count / Σ count (estimated from bin midpoints)"
_FROM = sql.SQL(
    " FROM sections s JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
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
    if not parts:
        return sql.SQL("TRUE"), []
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
        return sql.SQL("round(sum({m}.wsum) / nullif(sum({m}.weight), 0), 2)").format(m=m)
    if metric.aggregate == "sum":
        return sql.SQL("sum({m}.wsum)").format(m=m)
    return sql.SQL("CASE WHEN count(*) = 1 THEN min({m}.wsum) END").format(m=m)


def _num(value: Any) -> float | int:
    """A value as the reports print it: counts stay integers, means and rates are decimals."""
    if value is None:
        return float("nan")
    number = Decimal(value)
    exponent = number.as_tuple().exponent
    return int(number) if isinstance(exponent, int) and exponent >= 0 else float(number)


def _ids(ids: list[int] | None) -> str:
    ids = ids or []
    shown = ", ".join(str(i) for i in ids[:20])
    return f"sections {shown}" + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")


def _how(metric: Metric) -> tuple[str, str]:
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


def _source(metric: Metric, ids: list[int] | None) -> str:
    table, how = _how(metric)
    text = f"; question: {metric.text!r}" if metric.kind == "question" else ""
    return f"{table}: {_ids(ids)}; {how}{text}"


def _nothing(plan: Plan, what: str) -> Evidence:
    return Evidence(route="unanswerable", plan=plan.model_dump(), searched=what)


def _found(plan: Plan, facts: list[Fact], searched: str) -> Evidence:
    return Evidence(route="quantitative", plan=plan.model_dump(), facts=facts, searched=searched)


def _searched(metric: Metric, scope: Scope) -> str:
    return f"{metric.label} ({metric.text!r})" if metric.kind == "question" else metric.label


def _searched_in(metric: Metric, scope: Scope) -> str:
    return f"{_searched(metric, scope)} in {scope.describe()}"


def _n(metric: Metric, n: Any) -> int | None:
    """A fact's N: the responses behind it (a mean, a rate, hours), none for plain counts."""
    if n is None or (metric.kind == "section" and not metric.is_rate):
        return None
    return int(n)


def _why_nothing(conn: Conn, metric: Metric, scope: Scope) -> str:
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
    searched = _searched_in(metric, scope)
    if row is None or not row["n"]:
        return f"{searched}: no section of the reports matches {scope.describe()}"
    layouts = ", ".join(sorted(x for x in row["layouts"] if x))
    noun = "section" if row["n"] == 1 else "sections"
    return (
        f"{searched}: {row['n']} {noun} matched, but their reports"
        f"{f' ({layouts})' if layouts else ''} print no {metric.label.removesuffix(' of ').strip()}"
    )


# ---------------------------------------------------------------- plans


def _pooled(conn: Conn, metric: Metric, scope: Scope) -> dict[str, Any] | None:
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


def _average(conn: Conn, plan: Average) -> Evidence:
    metric, scope = plan.metric, plan.scope
    row = _pooled(conn, metric, scope)
    if row is None:
        return _nothing(plan, _why_nothing(conn, metric, scope))
    where = scope.describe()
    facts: list[Fact] = []
    if row["value"] is not None:
        over = f" ({row['sections']} sections)" if row["sections"] > 1 else ""
        facts.append(
            Fact(
                label=f"{metric.label}, {where}{over}",
                value=_num(row["value"]),
                n=_n(metric, row["n"]),
                source=_source(metric, row["ids"]),
            )
        )
    if metric.kind == "section" and metric.figure in ("responses", "respondents"):
        facts += _response_figures(conn, metric, scope)
    if row["value"] is None and metric.statistic == "median":
        pooled = _pooled_median(conn, metric, scope)
        if pooled is not None:
            facts.append(pooled)
    if row["sections"] > 1 and (row["value"] is None or metric.kind == "section"):
        for r in _per_section(conn, metric, scope)[:MAX_SECTIONS_LISTED]:
            facts.append(
                Fact(
                    label=f"{metric.label}, {r['label']}",
                    value=_num(r["value"]),
                    n=_n(metric, r["n"]),
                    source=_source(metric, [r["section_id"]]),
                )
            )
    if metric.kind != "section":
        facts.append(
            Fact(label="sections", value=row["sections"], n=_n(metric, row["n"]), source="sections")
        )
    return _found(plan, facts, _searched_in(metric, scope))


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
        source=f"question_scores: dist_1..dist_5 summed over {_ids(row['ids'])}; the middle"
        " answer (the mean of the two middle answers for an even count)",
    )


def _response_figures(conn: Conn, asked: Metric, scope: Scope) -> list[Fact]:
    """With responses, the other printed counts of the same sections: declines and the
    responses without them (a report prints responses including declines)."""
    out = []
    for figure in ("declines", "respondents", "responses"):
        if figure == asked.figure:
            continue
        metric = Metric(kind="section", text=figure, figure=figure)
        row = _pooled(conn, metric, scope)
        if row is not None and row["value"] is not None:
            out.append(
                Fact(
                    label=f"{metric.label}, {scope.describe()}",
                    value=_num(row["value"]),
                    n=None,
                    source=_source(metric, row["ids"])
                    + ("; Blue reports print no declines" if figure == "declines" else ""),
                )
            )
    return out


_GROUPS = {
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
    join, key, label = _GROUPS[entity]
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


def _ranking(conn: Conn, plan: Ranking) -> Evidence:
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
    searched = _searched_in(metric, plan.scope)
    note = f"sections with fewer than {minimum} responses left out ({dropped})" if minimum else ""
    if not rows:
        if dropped:
            return _nothing(
                plan,
                f"{searched}; every matching section has fewer than {minimum} responses,"
                f" and rankings leave those out ({dropped})",
            )
        return _nothing(plan, _why_nothing(conn, metric, plan.scope))
    facts = [
        Fact(
            label=f"#{r['rank']} {r['label']}" + (" (tied)" if r["tied"] > 1 else ""),
            value=_num(r["value"]),
            n=_n(metric, r["n"]) if metric.kind != "section" else r["n"],
            source=_source(metric, r["ids"]) + (f"; {note}" if note else ""),
        )
        for r in rows
    ]
    if minimum:
        facts.append(Fact(label=note, value=dropped, n=None, source="sections"))
    return _found(plan, facts, searched)


def _comparison(conn: Conn, plan: Comparison) -> Evidence:
    metric = plan.metric
    searched = _searched_in(metric, plan.scope)
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
            return _nothing(plan, _why_nothing(conn, metric, plan.scope))
        facts = [
            Fact(
                label=f"{r['label']}: {metric.label}",
                value=_num(r["value"]),
                n=_n(metric, r["n"]),
                source=_source(metric, r["ids"]),
            )
            for r in rows
        ]
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
        return _found(plan, facts, searched)
    if metric.kind != "question" or metric.statistic not in ("mean", "median"):
        return _nothing(plan, f"{searched}: the reports print department and university"
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
        return _nothing(plan, _why_nothing(conn, metric, plan.scope))
    return _found(plan, dept_univ_facts(metric, plan.scope, row), searched)


def dept_univ_facts(metric: Metric, scope: Scope, row: dict[str, Any]) -> list[Fact]:
    """The scope's mean, then the department's and university's over the same sections."""
    table, _ = _how(metric)
    where = scope.describe()
    facts = [
        Fact(
            label=f"{metric.label}, {where} (course mean)",
            value=_num(row["value"]),
            n=row["n"],
            source=_source(metric, row["ids"]),
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
                label=f"{where} minus {name} mean (same sections)",
                value=_num(row[f"{prefix}_diff"]),
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
        return _nothing(plan, _why_nothing(conn, plan.metric, plan.scope))
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
                        value=_num(r[column]),
                        n=r["n"] if column == "course_median" else None,
                        source=f"question_scores.{column}: {_ids([r['section_id']])}; question:"
                        f" {plan.metric.text!r}",
                    )
                )
    return _found(plan, facts, _searched_in(plan.metric, plan.scope))


def _trend(conn: Conn, plan: Trend) -> Evidence:
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
    searched = _searched_in(metric, plan.scope)
    if not rows:
        return _nothing(plan, _why_nothing(conn, metric, plan.scope))
    facts = [
        Fact(
            label=r["term"] + (f" ({r['sections']} sections)" if r["sections"] > 1 else ""),
            value=_num(r["value"]),
            n=_n(metric, r["n"]),
            source=_source(metric, r["ids"]),
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
    return _found(plan, facts, searched)


def _distribution(conn: Conn, plan: Distribution) -> Evidence:
    searched = _searched_in(plan.metric, plan.scope)
    if plan.metric.kind != "question":
        return _hours(conn, HoursPerWeek(prompt=plan.metric.text, scope=plan.scope))
    where, params = scope_sql(plan.scope)
    row = conn.execute(
        sql.SQL(
            "SELECT count(*) AS sections,"
            " count(*) FILTER (WHERE qs.dist_5 IS NOT NULL) AS with_dist,"
            " sum(qs.dist_5) AS d5, sum(qs.dist_4) AS d4, sum(qs.dist_3) AS d3,"
            " sum(qs.dist_2) AS d2, sum(qs.dist_1) AS d1, sum(qs.dist_na) AS dna,"
            " array_agg(s.id ORDER BY s.id) FILTER (WHERE qs.dist_5 IS NOT NULL) AS ids,"
            " array_agg(DISTINCT r.layout) FILTER (WHERE qs.dist_5 IS NULL) AS layouts"
            " FROM question_scores qs JOIN sections s ON s.id = qs.section_id"
            " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
            " JOIN reports r ON r.id = s.report_id"
            " WHERE qs.question_id = %s AND {where}"
        ).format(where=where),
        [plan.metric.question_id, *params],
    ).fetchone()
    if row is None or not row["sections"]:
        return _nothing(plan, _why_nothing(conn, plan.metric, plan.scope))
    layouts = ", ".join(sorted(x for x in (row["layouts"] or []) if x))
    layouts = f" ({layouts})" if layouts else ""
    if not row["with_dist"]:
        return _nothing(
            plan,
            f"{searched}: {row['sections']} sections matched, but their reports{layouts}"
            " print no per-option counts",
        )
    names = scale_of(plan.metric.text)
    answered = sum(int(row[f"d{k}"]) for k in (5, 4, 3, 2, 1))
    left_out = row["sections"] - row["with_dist"]
    src = f"question_scores: dist_5..dist_na summed over {_ids(row['ids'])}" + (
        f"; {left_out} sections without per-option counts{layouts} left out" if left_out else ""
    )
    facts = []
    if plan.options:
        chosen = " or ".join(names[5 - k] for k in plan.options)
        count = sum(int(row[f"d{k}"]) for k in plan.options)
        facts.append(Fact(label=f"answered {chosen}", value=count, n=answered, source=src))
        if answered:
            share = (Decimal(count) / Decimal(answered)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            facts.append(
                Fact(label=f"share answering {chosen}", value=float(share), n=answered,
                     source=f"{src}; {count} of {answered} answers, as a fraction")
            )  # fmt: skip
    counts = {k: int(row[f"d{k}"]) for k in (5, 4, 3, 2, 1)}
    if answered:
        top = max(counts, key=lambda k: (counts[k], k))
        facts.append(
            Fact(label="most common answer", value=f"{top} ({names[5 - top]})", n=answered,
                 source=src)
        )  # fmt: skip
    facts += [
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
    if plan.what == "instructors":  # who they are: "who taught DS5110 in Fall 2024?"
        people = conn.execute(
            "SELECT i.first_name || ' ' || i.last_name AS name, count(*) AS sections,"
            " array_agg(si.section_id ORDER BY si.section_id) AS ids FROM section_instructors si"
            " JOIN instructors i ON i.id = si.instructor_id WHERE si.section_id = ANY(%s)"
            " GROUP BY i.id, name ORDER BY count(*) DESC, name",
            (row["ids"],),
        ).fetchall()
        facts += [
            Fact(label=f"taught by {r['name']} (sections)", value=int(r["sections"]), n=None,
                 source=f"section_instructors: {_ids(r['ids'])}")
            for r in people[:MAX_SECTIONS_LISTED]
        ]  # fmt: skip
    return _found(plan, facts, searched)


def _hours(conn: Conn, plan: HoursPerWeek) -> Evidence:
    """The bins summed over the scope, the share at or above each bin's lower bound, the most
    common bin and the mean estimated at bin midpoints."""
    where, params = scope_sql(plan.scope)
    metric = Metric(kind="hours", text=plan.prompt)
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
        return _nothing(plan, _why_nothing(conn, metric, plan.scope))
    ids = sorted({i for r in rows for i in r["ids"]})
    total = sum(r["count"] for r in rows)
    src = f"frequency_counts: {_ids(ids)}; counts summed per bin"
    mean = _average(conn, Average(metric=metric, scope=plan.scope))
    facts = []
    if mean.route == "quantitative":
        estimate = mean.facts[0]
        facts.append(
            Fact(label="estimated mean hours per week", value=estimate.value, n=estimate.n,
                 source=estimate.source)
        )  # fmt: skip
    top = max(rows, key=lambda r: r["count"])
    facts.append(
        Fact(label="most common answer", value=f"{top['bin']} hours per week", n=total, source=src)
    )
    facts += [
        Fact(label=f"{r['bin']} hours per week", value=r["count"], n=total, source=src)
        for r in rows
    ]
    bounds = [(r, _low(r["bin"])) for r in rows]
    for index, (_, low) in enumerate(bounds):
        if index == 0 or low is None:
            continue
        above = sum(r["count"] for r, b in bounds if b is not None and b >= low)
        share = (Decimal(above) / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        facts.append(
            Fact(
                label=f"share at {low}+ hours per week",
                value=float(share),
                n=total,
                source=f"{src}; {above} of {total} answers, as a fraction",
            )
        )
    if plan.focus:  # the bin or threshold the question named answers first
        asked = f"{plan.focus} hours per week"
        if plan.focus.endswith("+") and not any(f.label == f"share at {asked}" for f in facts):
            low = int(plan.focus[:-1])
            above = sum(r["count"] for r, b in bounds if b is not None and b >= low)
            share = (Decimal(above) / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            facts.append(
                Fact(label=f"share at {asked}", value=float(share), n=total,
                     source=f"{src}; bins starting at {low} or more: {above} of {total} answers")
            )  # fmt: skip
        wanted = asked if not plan.focus.endswith("+") else f"share at {asked}"
        facts.sort(key=lambda f: f.label != wanted)
    return _found(plan, facts, _searched_in(metric, plan.scope))


def _low(label: str) -> int | None:
    head = label.split("-", 1)[0].strip().rstrip("+")
    return int(head) if head.isdigit() else None


def _overview(conn: Conn, plan: Overview) -> Evidence:
    """A person or course as a whole: the headline rating against department and university,
    then every rating question's mean over the same sections, then hours per week."""
    headline = _comparison(
        conn, Comparison(metric=plan.headline, scope=plan.scope, between="dept_univ")
    )
    if headline.route != "quantitative":
        return _nothing(plan, headline.searched)
    facts = list(headline.facts)
    where, params = scope_sql(plan.scope)
    means = score_means(conn, where=where, params=params, by=("question",))
    for row in means:
        if row["question"] == plan.headline.text or row["course_mean"] is None:
            continue
        facts.append(
            Fact(
                label=short_label(row["question"]),
                value=float(row["course_mean"]),
                n=int(row["responses"]),
                source=f"question_scores: {row['sections']} sections; {WEIGHTED};"
                f" question: {row['question']!r}",
            )
        )
    prompt = conn.execute(
        sql.SQL(
            "SELECT fc.prompt FROM frequency_counts fc JOIN sections s ON s.id = fc.section_id"
            " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
            " WHERE {where} GROUP BY fc.prompt ORDER BY count(*) DESC LIMIT 1"
        ).format(where=where),
        params,
    ).fetchone()
    if prompt is not None:
        hours = _hours(conn, HoursPerWeek(prompt=prompt["prompt"], scope=plan.scope))
        facts += hours.facts
    return _found(plan, facts, f"{plan.scope.describe()} as a whole")


WORKLOAD_THEME = "workload"
MIN_COMMENTS = 5
"""Fewest comments a course or person needs to be ranked by what its comments say."""


def workload_by_comments(conn: Conn, *, plan: Ranking) -> Evidence:
    """ "Heaviest workload" where no report in scope prints hours per week: courses (or people)
    ranked by the share of their comments that mention the workload critically (theme tags and
    tone stored with each comment), saying so in every fact."""
    from enrichment.detector import DETECTOR_VERSION

    where, params = scope_sql(plan.scope)
    entity = plan.entity if plan.entity in ("course", "instructor") else "course"
    key, label, join = (
        ("c.code", "c.code || ' ' || c.title", sql.SQL(""))
        if entity == "course"
        else (
            "i.id::text",
            "i.first_name || ' ' || i.last_name",
            sql.SQL(
                " JOIN section_instructors si ON si.section_id = s.id"
                " JOIN instructors i ON i.id = si.instructor_id"
            ),
        )
    )
    direction = sql.SQL("DESC" if plan.order == "desc" else "ASC")
    rows = conn.execute(
        sql.SQL(
            "SELECT {key} AS key, {label} AS label, count(*) AS comments,"
            " count(*) FILTER (WHERE %s = ANY(ct.themes) AND ct.tone IN ('negative', 'mixed'))"
            " AS heavy FROM comments m JOIN sections s ON s.id = m.section_id"
            " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id{join}"
            " JOIN comment_themes ct ON ct.comment_id = m.id AND ct.detector = %s"
            " WHERE {where} GROUP BY 1, 2 HAVING count(*) >= %s"
            " ORDER BY count(*) FILTER (WHERE %s = ANY(ct.themes) AND ct.tone IN"
            " ('negative', 'mixed'))::numeric / count(*) {dir}, count(*) DESC, 2 LIMIT %s"
        ).format(key=sql.SQL(key), label=sql.SQL(label), join=join, where=where, dir=direction),
        [WORKLOAD_THEME, DETECTOR_VERSION, *params, MIN_COMMENTS, WORKLOAD_THEME, plan.limit],
    ).fetchall()
    searched = f"comments about the workload in {plan.scope.describe()}"
    if not rows:
        return _nothing(plan, f"{searched}: no hours per week and too few comments to rank")
    how = (
        "no report in scope prints hours per week, so ranked by the share of comments that"
        " mention the workload critically (stored theme and tone)"
    )
    facts = []
    for rank, r in enumerate(rows, 1):
        share = (Decimal(r["heavy"]) / Decimal(r["comments"])).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        facts.append(
            Fact(
                label=f"#{rank} {r['label']}: share of comments critical of the workload",
                value=float(share),
                n=int(r["comments"]),
                source=f"comment_themes: {r['heavy']} of {r['comments']} comments; {how}",
            )
        )
    return Evidence(
        route="quantitative",
        plan={**plan.model_dump(), "ranked_by": "workload comments"},
        facts=facts,
        searched=f"{searched}; {how}",
    )


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
    if isinstance(plan, Overview):
        return _overview(conn, plan)
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
