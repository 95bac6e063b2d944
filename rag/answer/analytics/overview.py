"""A person or course as a whole (every rated question), and workload read from comments where
no report prints hours per week."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from psycopg import sql

from core.auth.access import EVERYTHING, Access
from core.db import Conn
from enrichment.detector import DETECTOR_VERSION
from rag.answer.analytics.averages import pooled, run_average
from rag.answer.analytics.distributions import hours_prompt, run_hours
from rag.answer.analytics.facts import found_evidence, measured, no_evidence
from rag.answer.analytics.means import score_means
from rag.answer.analytics.rankings import run_comparison, run_trend
from rag.answer.analytics.sql import WEIGHTED, scope_sql
from rag.answer.answers import Evidence, Fact
from rag.answer.plans import (
    Average,
    Comparison,
    HoursPerWeek,
    Metric,
    Overview,
    Ranking,
    Trend,
    short_label,
)


def run_overview(conn: Conn, plan: Overview) -> Evidence:
    """A person or course as a whole: the headline rating against department and university,
    the share of those enrolled who answered it, the enrollment, then every rating question's
    mean over the same sections (the highest and lowest against department and university too),
    then hours per week, then the headline by term where there are several."""
    headline = run_comparison(
        conn, Comparison(metric=plan.headline, scope=plan.scope, between="dept_univ")
    )
    if headline.route != "quantitative":
        return no_evidence(plan, headline.searched)
    facts = list(headline.facts)
    rate = plan.headline.model_copy(update={"statistic": "response_rate"})
    answered = run_average(conn, Average(metric=rate, scope=plan.scope))
    if answered.route == "quantitative":
        facts.append(answered.facts[0])
    size = Metric(kind="section", figure="enrollment", text="enrollment")
    enrolled = pooled(conn, size, plan.scope)  # the class size (one query, no per-section list)
    if enrolled is not None and enrolled["value"] is not None:
        over = f" ({enrolled['sections']} sections)" if enrolled["sections"] > 1 else ""
        facts.append(measured(size, enrolled, f"{size.label}, {plan.scope.describe()}{over}"))
    where, params = scope_sql(plan.scope)
    means = score_means(conn, where=where, params=params, by=("question",))
    items = [
        row
        for row in means
        if row["question"] != plan.headline.text and row["course_mean"] is not None
    ]
    for row in items:
        facts.append(
            Fact(
                label=short_label(row["question"]),
                value=float(row["course_mean"]),
                n=int(row["responses"]),
                source=f"question_scores: {row['sections']} sections; {WEIGHTED};"
                f" question: {row['question']!r}",
            )
        )
    if len(items) >= 2:  # what stands out, against the same sections' department and university
        extremes = [max(items, key=_mean), min(items, key=_mean)]
        for row in extremes:
            facts += _yardsticks(row)
    prompt = hours_prompt(conn, plan.scope)
    if prompt is not None:
        hours = run_hours(conn, HoursPerWeek(prompt=prompt, scope=plan.scope))
        facts += hours.facts
    by_term = run_trend(conn, Trend(metric=plan.headline, scope=plan.scope))
    if by_term.route == "quantitative" and len(by_term.facts) > 2:  # two terms or more, a change
        label = plan.headline.label
        facts += [f.model_copy(update={"label": f"{label}, {f.label}"}) for f in by_term.facts]
    return found_evidence(plan, facts, f"{plan.scope.describe()} as a whole")


def _mean(row: dict[str, Any]) -> float:
    return float(row["course_mean"])


def _yardsticks(row: dict[str, Any]) -> list[Fact]:
    """A rating question's department and university means over the same sections."""
    return [
        Fact(
            label=f"{short_label(row['question'])}, {name} mean",
            value=float(row[column]),
            n=int(row["responses"]),
            source=f"question_scores.{column}: {row['sections']} sections; {WEIGHTED};"
            f" question: {row['question']!r}",
        )
        for name, column in (("department", "dept_mean"), ("university", "univ_mean"))
        if row[column] is not None
    ]


WORKLOAD_THEME = "workload"


MIN_COMMENTS = 5
"""Fewest comments a course or person needs to be ranked by what its comments say."""


def workload_by_comments(conn: Conn, *, plan: Ranking, access: Access = EVERYTHING) -> Evidence:
    """ "Heaviest workload" where no report in scope prints hours per week: courses (or people)
    ranked by the share of their comments that mention the workload critically (theme tags and
    tone stored with each comment, of the comments `access` may read), saying so in every fact."""
    where, params = scope_sql(plan.scope)
    readable, readable_params = access.comment_condition("m")
    where, params = sql.SQL("({}) AND {}").format(where, readable), [*params, *readable_params]
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
        return no_evidence(plan, f"{searched}: no hours per week and too few comments to rank")
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
