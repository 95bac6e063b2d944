"""Distributions of answers, counts of sections and people, and hours per week."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from psycopg import sql

from core.db import Conn
from rag.answer.analytics.averages import MAX_SECTIONS_LISTED, run_average
from rag.answer.analytics.facts import (
    found_evidence,
    no_evidence,
    searched_in,
    sections_text,
    why_nothing,
)
from rag.answer.analytics.sql import SECTIONS_FROM, scope_sql
from rag.answer.answers import Evidence, Fact
from rag.answer.plans import Average, Count, Distribution, HoursPerWeek, Metric, Scope
from rag.answer.vocabulary import scale_of


def run_distribution(conn: Conn, plan: Distribution) -> Evidence:
    searched = searched_in(plan.metric, plan.scope)
    if plan.metric.kind != "question":
        return run_hours(conn, HoursPerWeek(prompt=plan.metric.text, scope=plan.scope))
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
        return no_evidence(plan, why_nothing(conn, plan.metric, plan.scope))
    layouts = ", ".join(sorted(x for x in (row["layouts"] or []) if x))
    layouts = f" ({layouts})" if layouts else ""
    if not row["with_dist"]:
        return no_evidence(
            plan,
            f"{searched}: {row['sections']} section{'' if row['sections'] == 1 else 's'} matched,"
            f" but {'its report' if row['sections'] == 1 else 'their reports'}{layouts}"
            f" print{'s' if row['sections'] == 1 else ''} no per-option counts",
        )
    names = scale_of(plan.metric.text)
    answered = sum(int(row[f"d{k}"]) for k in (5, 4, 3, 2, 1))
    left_out = row["sections"] - row["with_dist"]
    src = f"question_scores: dist_5..dist_na summed over {sections_text(row['ids'])}" + (
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
    return found_evidence(plan, facts, searched)


def run_count(conn: Conn, plan: Count) -> Evidence:
    where, params = scope_sql(plan.scope)
    searched = f"{plan.what} in {plan.scope.describe()}"
    extra = {
        "sections": sql.SQL("count(DISTINCT s.id) AS value"),
        "instructors": sql.SQL(  # people, whose names may be stored once per subject
            "(SELECT count(DISTINCT (i.first_name, i.last_name)) FROM section_instructors si"
            " JOIN instructors i ON i.id = si.instructor_id"
            " WHERE si.section_id = ANY(array_agg(s.id))) AS value"
        ),
        "courses": sql.SQL("count(DISTINCT s.course_id) AS value"),
        "terms": sql.SQL("count(DISTINCT s.term_id) AS value"),
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
        ).format(extra=extra, where=where, **{"from": SECTIONS_FROM}),
        params,
    ).fetchone()
    if row is None or not row["sections"]:
        return no_evidence(plan, searched)
    table = {"comments": "comments", "instructors": "section_instructors"}.get(
        plan.what, "sections"
    )
    facts = [
        Fact(
            label=f"{plan.what} in {plan.scope.describe()}",
            value=int(row["value"] or 0),
            n=row["sections"],
            source=f"{table}: {sections_text(row['ids'])}",
        )
    ]
    if plan.what == "responses" and row["declines"] is not None:
        facts.append(
            Fact(label="of which declined", value=int(row["declines"]), n=row["sections"],
                 source="sections.declines (Blue reports print none)")
        )  # fmt: skip
    if plan.what == "instructors":  # who they are: "who taught DS5110 in Fall 2024?"
        people = conn.execute(
            "SELECT array_agg(DISTINCT i.id) AS person_ids, i.first_name || ' ' || i.last_name"
            " AS name, count(*) AS sections, array_agg(si.section_id ORDER BY si.section_id)"
            " AS ids FROM section_instructors si JOIN instructors i ON i.id = si.instructor_id"
            " WHERE si.section_id = ANY(%s) GROUP BY name ORDER BY count(*) DESC, name",
            (row["ids"],),
        ).fetchall()
        facts += _sections_of(people, prefix="taught by ", table="section_instructors")
        if len(people) == 1:  # "who taught it?" then "his overall number?"
            evidence = found_evidence(plan, facts, searched)
            evidence.answered = [int(i) for i in people[0]["person_ids"]]
            return evidence
    if plan.what == "courses":  # which: "how many different courses has X taught"
        courses = conn.execute(
            "SELECT c.code || ' ' || c.title AS name, count(*) AS sections,"
            " array_agg(s.id ORDER BY s.id) AS ids FROM sections s"
            " JOIN courses c ON c.id = s.course_id WHERE s.id = ANY(%s)"
            " GROUP BY c.code, c.title ORDER BY count(*) DESC, c.code",
            (row["ids"],),
        ).fetchall()
        facts += _sections_of(courses, prefix="", table="sections")
    return found_evidence(plan, facts, searched)


def _sections_of(rows: list[dict[str, Any]], *, prefix: str, table: str) -> list[Fact]:
    """How many sections each listed person or course holds ("taught by X (sections)")."""
    return [
        Fact(label=f"{prefix}{r['name']} (sections)", value=int(r["sections"]), n=None,
             source=f"{table}: {sections_text(r['ids'])}")
        for r in rows[:MAX_SECTIONS_LISTED]
    ]  # fmt: skip


def hours_prompt(conn: Conn, scope: Scope) -> str | None:
    """The hours-per-week prompt most sections in scope print (None where none prints one)."""
    where, params = scope_sql(scope)
    row = conn.execute(
        sql.SQL(
            "SELECT fc.prompt FROM frequency_counts fc JOIN sections s ON s.id = fc.section_id"
            " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
            " WHERE {where} GROUP BY fc.prompt ORDER BY count(*) DESC LIMIT 1"
        ).format(where=where),
        params,
    ).fetchone()
    return None if row is None else str(row["prompt"])


def run_hours(conn: Conn, plan: HoursPerWeek) -> Evidence:
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
        return no_evidence(plan, why_nothing(conn, metric, plan.scope))
    ids = sorted({i for r in rows for i in r["ids"]})
    total = sum(r["count"] for r in rows)
    src = f"frequency_counts: {sections_text(ids)}; counts summed per bin"
    mean = run_average(conn, Average(metric=metric, scope=plan.scope))
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
    return found_evidence(plan, facts, searched_in(metric, plan.scope))


def _low(label: str) -> int | None:
    head = label.split("-", 1)[0].strip().rstrip("+")
    return int(head) if head.isdigit() else None
