"""Rankings by change: who (or which course) improved most from their first term to their last.

Each instructor's (or course's) value is pooled per term as in any ranking (weighted by
responses, sections under the minimum N left out); the change is the last term's printed value
minus the first term's, so it is the difference of two numbers the answer prints."""

from __future__ import annotations

from typing import Any

from psycopg import sql

from core.db import Conn
from rag.answer.analytics.facts import (
    as_printed,
    first_named,
    found_evidence,
    no_evidence,
    searched_in,
    source_of,
    why_nothing,
)
from rag.answer.analytics.rankings import GROUPS
from rag.answer.analytics.sql import metric_rows, value_sql
from rag.answer.answers import Evidence, Fact
from rag.answer.plans import Ranking


def changed(conn: Conn, plan: Ranking, *, min_weight: int) -> list[dict[str, Any]]:
    """Per instructor or course with two terms of data or more: the first and last term's value,
    N and sections, and the change, ranked; also (in every row) how many sections were left out
    and how many were ranked over a single term (no change to show)."""
    rows, params = metric_rows(plan.metric, plan.scope)
    join, key, label = GROUPS[plan.entity]
    direction = sql.SQL("DESC" if plan.order == "desc" else "ASC")
    query = sql.SQL(
        "WITH m AS ({rows}), e AS (SELECT {key} AS key, {label} AS label, m.term, m.sort_key,"
        " sum(m.n)::int AS n, {value} AS value,"
        " array_agg(m.section_id ORDER BY m.section_id) AS ids FROM m{join}"
        " WHERE m.n >= %s GROUP BY 1, 2, m.term, m.sort_key),"
        " r AS (SELECT *, row_number() OVER (PARTITION BY key ORDER BY sort_key) AS first_pos,"
        " row_number() OVER (PARTITION BY key ORDER BY sort_key DESC) AS last_pos,"
        " count(*) OVER (PARTITION BY key) AS terms FROM e WHERE value IS NOT NULL),"
        " c AS (SELECT f.key, f.label, f.terms, f.term AS first_term, f.value AS first_value,"
        " f.n AS first_n, f.ids AS first_ids, l.term AS last_term, l.value AS last_value,"
        " l.n AS last_n, l.ids AS last_ids, l.value - f.value AS change"
        " FROM r f JOIN r l ON l.key = f.key AND l.last_pos = 1"
        " WHERE f.first_pos = 1 AND f.terms > 1)"
        " SELECT c.*, rank() OVER (ORDER BY change {dir}) AS rank,"
        " count(*) OVER (PARTITION BY change) AS tied,"
        " (SELECT count(*) FROM m WHERE m.n < %s) AS dropped,"
        " (SELECT count(DISTINCT key) FROM r WHERE terms = 1) AS single"
        " FROM c ORDER BY change {dir}, first_n + last_n DESC, label, key LIMIT %s"
    ).format(
        rows=rows, key=key, label=label, join=join, dir=direction, value=value_sql(plan.metric)
    )
    found = conn.execute(query, [*params, min_weight, min_weight, plan.limit]).fetchall()
    return [dict(r) for r in found]


def run_change(conn: Conn, plan: Ranking) -> Evidence:
    """The ranking by change; "nothing" when no one has two terms of data in the scope."""
    minimum = 0 if plan.include_small else plan.min_responses
    metric = plan.metric
    searched = searched_in(metric, plan.scope)
    if plan.entity not in ("instructor", "course") or metric.aggregate == "single":
        return no_evidence(plan, f"{searched}: a change is ranked for instructors or courses,"
                                 " over means, rates and counts")  # fmt: skip
    rows = changed(conn, plan, min_weight=minimum)
    noun = "instructor" if plan.entity == "instructor" else "course"
    if not rows:
        why = why_nothing(conn, metric, plan.scope)
        return no_evidence(plan, f"{why}; no {noun} has two terms with data to compare")
    facts = [
        Fact(
            label=f"#{r['rank']} {r['label']}, change from {r['first_term']}"
            f" ({as_printed(r['first_value'])}) to {r['last_term']}"
            f" ({as_printed(r['last_value'])})" + (" (tied)" if r["tied"] > 1 else ""),
            value=as_printed(r["change"]),
            n=int(r["first_n"]) + int(r["last_n"]) if metric.kind != "section" else None,
            source=source_of(metric, [*r["first_ids"], *r["last_ids"]])
            + f"; the last term's value minus the first term's ({r['terms']} terms with data)",
        )
        for r in rows
    ]
    dropped, single = int(rows[0]["dropped"]), int(rows[0]["single"])
    if minimum and dropped:
        left_out = f"sections with fewer than {minimum} responses left out"
        facts.append(Fact(label=left_out, value=dropped, n=None, source="sections"))
    if single:
        label = f"{noun}s with one term of data (no change to rank)"
        facts.append(Fact(label=label, value=single, n=None, source="sections"))
    return first_named(found_evidence(plan, facts, searched), plan.entity, rows[0])
